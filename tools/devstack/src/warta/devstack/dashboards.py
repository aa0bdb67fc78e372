"""The operators' Grafana dashboard, as code. ``make dashboards`` writes
``deploy/grafana/warta-sop.json``; a test fails when the committed file differs from this code.

Titles are in Bahasa Indonesia, for the section's staff; the queries read the metrics the
services expose and the recording rules in ``deploy/prometheus/rules``.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warta.contracts import SOP

OUTPUT = Path("deploy/grafana/warta-sop.json")
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


@dataclass
class Query:
    expr: str
    legend: str
    # Show the series' exemplars: a point an operator clicks to open the trace of a slow step or
    # answer (Grafana's Prometheus data source links their trace_id to the tracing backend).
    exemplars: bool = False


@dataclass
class Panel:
    title: str
    kind: str  # timeseries, stat, bargauge, table
    queries: list[Query]
    description: str = ""
    unit: str = "short"
    width: int = 12
    height: int = 8
    options: dict[str, Any] = field(default_factory=dict)


def panels() -> list[Panel]:
    """The operators' dashboard, panel by panel.

    Long: a table of panels written as data, one entry each.
    """
    standards = "; ".join(
        f"SOP {r.number}: " + ", ".join(f"{s.number}: {s.standard_minutes}'" for s in r.steps) for r in SOP
    )
    return [
        Panel(
            "Durasi langkah: median dan p90 terhadap standar",
            "timeseries",
            [
                Query(
                    "histogram_quantile(0.5, sum by (le, step) "
                    "(rate(warta_sop_step_duration_seconds_bucket[$__rate_interval])))",
                    "median langkah {{step}}",
                    exemplars=True,
                ),
                Query(
                    "histogram_quantile(0.9, sum by (le, step) "
                    "(rate(warta_sop_step_duration_seconds_bucket[$__rate_interval])))",
                    "p90 langkah {{step}}",
                    exemplars=True,
                ),
                Query("max by (step, sop) (warta_sop_step_standard_seconds)", "standar langkah {{step}} (SOP {{sop}})"),
            ],
            description=f"Standar per revisi SOP (menit) — {standards}.",
            unit="s",
            width=24,
        ),
        Panel(
            "Selesai dalam standar waktu (7 dan 30 hari)",
            "bargauge",
            [
                Query("warta:sop_step_within_standard:ratio_7d", "langkah {{step}} · 7 hari"),
                Query("warta:sop_step_within_standard:ratio_30d", "langkah {{step}} · 30 hari"),
            ],
            unit="percentunit",
            options={"min": 0, "max": 1, "thresholds": [(None, "red"), (0.9, "green")]},
        ),
        Panel(
            "Melewati standar saat ini (belum selesai)",
            "stat",
            [
                Query("warta:sop_steps_overdue:max", "langkah {{step}} terlambat"),
                Query("warta:sop_steps_open:max", "langkah {{step}} berjalan"),
            ],
            description="Permohonan yang langkahnya masih berjalan; yang terlambat memicu peringatan.",
            options={"thresholds": [(None, "green"), (1, "red")]},
        ),
        Panel(
            "Langkah selesai per jam",
            "timeseries",
            [
                Query(
                    "sum by (step, outcome) (rate(warta_sop_steps_completed_total[$__rate_interval])) * 3600",
                    "langkah {{step}} · {{outcome}}",
                )
            ],
        ),
        Panel(
            "Waktu total permohonan terhadap standar SOP",
            "timeseries",
            [
                Query(
                    "histogram_quantile(0.9, sum by (le) "
                    "(rate(warta_request_lead_time_seconds_bucket[$__rate_interval])))",
                    "p90 waktu total",
                ),
                *(Query(f"vector({r.total_standard_minutes * 60})", f"standar SOP {r.number}") for r in SOP),
            ],
            unit="s",
        ),
        Panel(
            "Penolakan per tingkat dan alasan",
            "bargauge",
            [
                Query(
                    "sum by (level, reason) (increase(warta_review_rejections_total[$__range]))",
                    "{{level}} · {{reason}}",
                )
            ],
        ),
        Panel(
            "Email ke media per hasil",
            "bargauge",
            [Query("sum by (outcome) (increase(warta_media_emails_total[$__range]))", "{{outcome}}")],
        ),
        Panel(
            "Waktu jawab layanan (p90 per rute)",
            "timeseries",
            [
                Query(
                    "histogram_quantile(0.9, sum by (le, job, route) "
                    "(rate(warta_http_answer_seconds_bucket[$__rate_interval])))",
                    "{{job}} · {{route}}",
                    exemplars=True,
                )
            ],
            description="Berapa lama tiap layanan menjawab panggilan HTTP; "
            "titik contoh membuka jejak (trace) panggilan itu.",
            unit="s",
            width=24,
        ),
        Panel(
            "Antrean konsumen NATS (lag)",
            "timeseries",
            [
                Query("sum by (job, type) (warta_consumer_pending_messages)", "{{job}} · {{type}} · antre"),
                Query("sum by (job, type) (warta_consumer_ack_pending_messages)", "{{job}} · {{type}} · diproses"),
            ],
        ),
        Panel(
            "Pengiriman ulang dan kegagalan peristiwa",
            "timeseries",
            [
                Query("sum by (job, type) (warta_consumer_redelivered_messages)", "{{job}} · {{type}} · dikirim ulang"),
                Query(
                    'sum by (job, type) (rate(warta_events_consumed_total{result="retried"}[$__rate_interval]))',
                    "{{job}} · {{type}} · dicoba lagi/detik",
                ),
            ],
        ),
        Panel(
            "Antrean gagal (DLQ)",
            "stat",
            # Every replica reads the same stream and database: one replica's figure, not their sum.
            [Query("max by (job) (warta_dead_letters)", "{{job}}")],
            options={"thresholds": [(None, "green"), (1, "red")]},
        ),
        Panel(
            "Peristiwa belum terkirim (outbox)",
            "stat",
            [Query("max by (job) (warta_outbox_pending)", "{{job}}")],
        ),
    ]


def _panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    thresholds = panel.options.get("thresholds", [(None, "green")])
    defaults: dict[str, Any] = {
        "unit": panel.unit,
        "thresholds": {"mode": "absolute", "steps": [{"value": v, "color": c} for v, c in thresholds]},
    }
    for key in ("min", "max"):
        if key in panel.options:
            defaults[key] = panel.options[key]
    return {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": panel.width, "h": panel.height},
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "datasource": DATASOURCE,
                "expr": q.expr,
                "legendFormat": q.legend,
                **({"exemplar": True} if q.exemplars else {}),
            }
            for i, q in enumerate(panel.queries)
        ],
    }


def dashboard() -> dict[str, Any]:
    laid_out = []
    x = y = 0
    row_height = 0
    for panel_id, panel in enumerate(panels(), start=1):
        if x + panel.width > 24:
            x, y, row_height = 0, y + row_height, 0
        laid_out.append(_panel_json(panel, panel_id, x, y))
        x += panel.width
        row_height = max(row_height, panel.height)
    return {
        "uid": "warta-sop-58-2025",
        "title": "Warta — SOP 58/2025: waktu dan mutu",
        "tags": ["warta", "sop"],
        "timezone": "Asia/Jakarta",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "time": {"from": "now-7d", "to": "now"},
        "refresh": "1m",
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Sumber data",
                    "type": "datasource",
                    "query": "prometheus",
                }
            ]
        },
        "panels": laid_out,
    }


def render() -> str:
    return json.dumps(dashboard(), ensure_ascii=False, indent=2) + "\n"


def write(path: Path = OUTPUT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render())
    return path
