"""A real Prometheus scrapes the five services while one request goes from letter to publication
with the services' clocks run ahead between steps, so each step takes the minutes the test
chooses. Prometheus's own API must then show those durations against the SOP standards, the
recording rules' within-standard ratios, an item overdue while it is still open, and every query
of the operators' dashboard must run."""

import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from warta.contracts import Role
from warta.devstack.demo import walk
from warta.devstack.prometheus import prometheus_server
from warta.devstack.pytest_plugin import SERVICES, eventually
from warta.devstack.smtp import smtp_server
from warta.runtime import ServiceSettings, issue_dev_token
from warta.runtime.clock import OffsetClock

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "warta-sop.json"

# Minutes each step takes in this walk, let pass just before the action that ends it. The letter
# arrived 20 minutes before the walk began, so step 1 takes 20 + 25.
PACE = {1: 25, 2: 10, 3: 40, 4: 60, 5: 5, 6: 10, 7: 25}
STANDARD = {1: 60, 2: 30, 3: 30, 4: 180, 5: 30, 6: 30, 7: 20}


@pytest.mark.slow
async def test_prometheus_sees_every_step_against_its_standard(namespace, service_processes, tmp_path):
    clock = OffsetClock(tmp_path / "clock")
    relay = smtp_server(tmp_path)
    processes = {name: service_processes(name) for name in SERVICES}
    with relay as mail:
        for process in processes.values():
            process.start(
                WARTA_DEV_CLOCK_FILE=str(clock.path),
                WARTA_SMTP_HOST=mail.host,
                WARTA_SMTP_PORT=str(mail.port),
                WARTA_SMTP_CA_FILE=mail.ca_file,
            )
        await _walk_and_check(processes, clock, tmp_path)


async def _walk_and_check(processes, clock: OffsetClock, tmp_path: Path) -> None:
    settings = ServiceSettings(service_name="test")

    def token_for(officer_id: str, role: Role) -> str:
        return issue_dev_token(settings, officer_id=officer_id, role=role)

    with prometheus_server(tmp_path / "prometheus", {n: p.url for n, p in processes.items()}) as prometheus:
        # Every service scraped before anything happens: increase() counts from a first sample of 0.
        async def all_scraped() -> bool:
            return prometheus.values("count by (job) (warta_sop_steps_completed_total)", by="job").keys() == set(
                processes
            )

        await eventually(all_scraped, timeout=30)
        overdue_seen: list[float] = []

        async def let_time_pass(step: int) -> None:
            clock.advance(timedelta(minutes=PACE[step]))
            if step == 7:
                # 25 minutes into a 20-minute step that is still open: the overdue gauge, and the
                # recording rule the alert reads, show it before anyone finishes it.
                rule = 'warta:sop_steps_overdue:max{step="7"}'
                overdue_seen.append(await eventually(lambda: _positive(prometheus, rule), timeout=30))

        timeline = await walk(
            {name: p.url for name, p in processes.items()}, token_for, now=clock.now(), before=let_time_pass
        )
        print(timeline.render())
        assert overdue_seen == [1.0]

        finished = {"1": 1.0, "2": 1.0, "3": 1.0, "4": 2.0, "5": 3.0, "6": 2.0, "7": 1.0}

        async def counted() -> dict[str, float] | None:
            found = prometheus.values("sum by (step) (warta_sop_step_duration_seconds_count)")
            return found if found == finished else None

        await eventually(counted, timeout=30)

        # Each step's duration sits in the bucket its pace puts it in: within the standard's bucket
        # boundary or past it. (Each run also took the few real seconds the walk needed.)
        for step, minutes in PACE.items():
            expected_runs = finished[str(step)]
            standard = STANDARD[step] * 60
            within = prometheus.values(f'sum by (step) (warta_sop_step_duration_seconds_bucket{{le="{standard}.0"}})')
            taken = minutes + (20 if step == 1 else 0)
            assert within[str(step)] == (expected_runs if taken < STANDARD[step] else 0), (step, within)
        assert prometheus.values("max by (step) (warta_sop_step_standard_seconds)") == {
            str(step): minutes * 60.0 for step, minutes in STANDARD.items()
        }
        over = prometheus.values('sum by (step) (warta_sop_steps_completed_total{outcome="over"})')
        assert {step for step, n in over.items() if n} == {"3", "7"}  # 40 > 30 and 25 > 20; step 1: 45 < 60
        ratios = prometheus.values("sum by (step) (rate(warta_sop_step_duration_ratio_sum[5m]))")
        assert set(ratios) == set(finished)

        # The recording rules, evaluated by Prometheus itself from what it scraped.
        async def recorded() -> dict[str, float] | None:
            found = prometheus.values("warta:sop_step_within_standard:ratio_1d")
            return found if set(found) == set(finished) else None

        ratio = await eventually(recorded, timeout=30)
        assert ratio["3"] == 0.0
        assert ratio["7"] == 0.0
        assert ratio["1"] == ratio["5"] == 1.0
        # Published now: the next scrape and evaluation clear it.
        overdue_now = 'warta:sop_steps_overdue:max{step="7"}'
        await eventually(lambda: prometheus.values(overdue_now) == {"7": 0.0}, timeout=30)
        lead = prometheus.query("sum(warta_request_lead_time_seconds_count)")
        assert float(lead[0]["value"][1]) == 1.0

        # Accountability: the officers whose actions ended steps 3 and 7 late, with the overrun.
        async with httpx.AsyncClient(timeout=10) as client:
            head = {"Authorization": f"Bearer {token_for('hendra.kabag', Role.SECTION_HEAD)}"}
            [late_assignment] = (await client.get(f"{processes['scheduler'].url}/deviations", headers=head)).json()
            [late_publication] = (await client.get(f"{processes['publisher'].url}/deviations", headers=head)).json()
        assert (late_assignment["step"], late_assignment["officer_id"]) == (3, "rina.katim")
        assert 10 * 60 <= late_assignment["overrun_seconds"] < 11 * 60
        assert (late_publication["step"], late_publication["officer_id"]) == (7, "maya.medsos")

        # The operators' dashboard: every query runs on this Prometheus, and every metric it reads
        # is one the services expose.
        dashboard = json.loads(DASHBOARD.read_text())
        known = prometheus.metric_names()
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"].replace("$__rate_interval", "1m").replace("$__range", "1h")
                prometheus.query(expr)
                for name in _metric_names(expr):
                    assert name in known, (panel["title"], name)


def _positive(prometheus, expr: str) -> float | None:
    found = prometheus.values(expr)
    value = found.get("7", 0.0)
    return value if value > 0 else None


def _metric_names(expr: str) -> list[str]:
    return re.findall(r"\b(warta_[a-z_]+|warta:[a-z_0-9:]+)", expr)
