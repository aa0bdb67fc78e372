"""One request, one trace, on the real servers: every service, subscriber and the console as its own
process exporting OTLP to a receiver this test runs, one letter registered through the console's
form and walked through all seven steps, then its page opened in the console. The request's id is
its trace's id, and that trace holds the console's form, every service's handling of every event
about it (the ``Published`` event's consumers too, and an event handled again after a crash,
linked), the console's page and the calls it made for it, and their database commands; the step
histograms and the answer times carry it as an exemplar, which a real Prometheus scraping them
keeps for the dashboard's panels, and the log lines written meanwhile name it."""

import json
import re
import time
import uuid
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import httpx
import pytest

from warta.contracts import Published, Role
from warta.devstack.dashboards import OUTPUT
from warta.devstack.demo import SERVICES, SUBSCRIBERS, walk
from warta.devstack.otlp import CLIENT, CONSUMER, SERVER, Span, otlp_receiver
from warta.devstack.prometheus import PrometheusServer, prometheus_server
from warta.devstack.pytest_plugin import eventually
from warta.devstack.servers import free_port
from warta.devstack.smtp import smtp_server
from warta.runtime import ServiceSettings, issue_dev_token
from warta.runtime.indonesian import JAKARTA

DASHBOARD = Path(__file__).resolve().parents[2] / OUTPUT


def letter_form() -> dict[str, str]:
    """The letter as the administrator types it into the console (times in WIB): an event that
    began half an hour ago, as the walk's own."""
    starts = datetime.now(JAKARTA).replace(second=0, microsecond=0) - timedelta(minutes=30)
    return {
        "letter.number": f"005/{uuid.uuid4().hex[:8].upper()}-Diskominfo/{starts:%Y}",
        "letter.date": f"{starts:%Y-%m-%d}",
        "letter.sender": "Dinas Komunikasi dan Informatika",
        "letter.sender_kind": "opd",
        "letter.subject": "Permohonan peliputan peresmian Taman Literasi",
        "letter.nature": "segera",
        "event.title": "Peresmian Taman Literasi Cisadane",
        "event.location": "Taman Cisadane, Kota Tangerang",
        "event.leader": "wali_kota",
        "event.starts_at": f"{starts:%Y-%m-%dT%H:%M}",
        "event.ends_at": f"{starts + timedelta(minutes=90):%Y-%m-%dT%H:%M}",
    }


def token_for(officer_id: str, role: Role) -> str:
    return issue_dev_token(ServiceSettings(service_name="test"), officer_id=officer_id, role=role)


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_one_request_is_one_trace_from_its_registration_to_the_consumers_of_its_publication(
    service_processes, tmp_path
):
    with otlp_receiver() as receiver, smtp_server(tmp_path) as mail:
        began = time.time()
        processes = {name: service_processes(name) for name in SERVICES + SUBSCRIBERS}
        traced = {"WARTA_OTLP_ENDPOINT": receiver.url, "WARTA_LOG_FORMAT": "json"}
        smtp = {"WARTA_SMTP_HOST": mail.host, "WARTA_SMTP_PORT": str(mail.port), "WARTA_SMTP_CA_FILE": mail.ca_file}
        for name, process in processes.items():
            # The notifier dies right after handling its first event, before acknowledging it: a
            # crashed pod. Started again, it is given that event again.
            crash = {"WARTA_FAULT_POINTS": "consume.after_handle", "WARTA_ACK_WAIT_SECONDS": "2"}
            process.start(**traced, **smtp, **(crash if name == "notifier" else {}))
        console, console_metrics = service_processes("console"), free_port()
        addresses = {f"WARTA_{n.upper()}_URL": p.url for n, p in processes.items()}
        console.start(**traced, **addresses, WARTA_METRICS_PORT=str(console_metrics))
        scraped_jobs = {"review": processes["review"].url, "console": f"http://127.0.0.1:{console_metrics}"}
        with prometheus_server(tmp_path / "prometheus", scraped_jobs) as prometheus:
            urls = {name: p.url for name, p in processes.items()}
            admin = {"Cookie": f"warta_token={token_for('siti.admin', Role.ADMIN)}"}
            async with httpx.AsyncClient(timeout=30) as browser:
                # The letter registered through the console's form: its first HTTP call.
                registered = await browser.post(f"{console.url}/surat/baru", data=letter_form(), headers=admin)
                assert registered.status_code == 303, registered.text[:500]
            rid = registered.headers["location"].removeprefix("/permohonan/")
            walked = await walk(urls, token_for, straight=True, patience=60, registered=rid)
            assert walked.request_id == rid
            assert processes["notifier"].exit_code() is not None, "the notifier did not reach its fault point"
            processes["notifier"].start(**traced, **smtp, WARTA_ACK_WAIT_SECONDS="2")
            trace_id = uuid.UUID(rid).hex  # the request's id is its trace's
            async with httpx.AsyncClient(timeout=30) as browser:
                page = await browser.get(f"{console.url}/permohonan/{rid}", headers=admin)
                assert page.status_code == 200, page.text[:300]

            def published_handled() -> list[Span]:
                done = [s for s in receiver.spans if s.name == f"{Published.event_type()} receive"]
                return done if {s.service for s in done} >= {"archive", "notifier"} else []

            handled = await eventually(published_handled, timeout=30)

            def all_exported() -> bool:
                # Each process exports its spans every few seconds, not as they end: until every
                # service's are in, and the intake's answer to the console's page.
                mine = [s for s in receiver.spans if s.trace_id == trace_id]
                calls = {s.span_id for s in mine if s.service == "console" and s.kind == CLIENT}
                answered = any(s.service == "intake" and s.kind == SERVER and s.parent_id in calls for s in mine)
                return answered and {s.service for s in mine} >= {*SERVICES, *SUBSCRIBERS, "console"}

            await eventually(all_exported, timeout=30)
            # Prometheus asks for OpenMetrics: a step's duration carries the trace that finished it.
            async with httpx.AsyncClient(timeout=30) as scraper:
                openmetrics = {"Accept": "application/openmetrics-text; version=1.0.0"}
                scraped = (await scraper.get(f"{processes['review'].url}/metrics", headers=openmetrics)).text

            # Prometheus scraped the exemplars meanwhile: the operator's way from a slow step or a
            # slow answer to its trace.
            await _exemplars_lead_to(trace_id, prometheus, began)
        for process in (*processes.values(), console):
            process.stop()  # what each still buffered is sent as it stops

    spans = receiver.spans
    mine = [s for s in spans if s.trace_id == trace_id]
    print(
        f"spans received: {len(spans)}; in the request's trace: {len(mine)}, from {sorted({s.service for s in mine})}"
    )
    assert {s.trace_id for s in handled} == {trace_id}
    # The console's form is the first HTTP call of the trace: its root, the intake's registration
    # under the console's call to it.
    [form] = [s for s in mine if s.service == "console" and s.attributes.get("url.path") == "/surat/baru"]
    assert not form.parent_id  # the trace's root: the request took its id from it
    [registration] = [
        s for s in mine if s.service == "intake" and s.kind == SERVER and s.attributes.get("url.path") == "/requests"
    ]
    assert registration.name == "POST /requests"
    assert registration.parent_id in {s.span_id for s in mine if s.service == "console" and s.kind == CLIENT}
    # Every service and subscriber handled events in it; every event's handling has its parent in it.
    consumers = [s for s in mine if s.kind == CONSUMER]
    assert set(SERVICES + SUBSCRIBERS) - {"intake"} <= {s.service for s in consumers}
    ids = {s.span_id for s in mine}
    assert all(s.parent_id in ids for s in consumers), [s for s in consumers if s.parent_id not in ids]
    # The event the notifier died on: handled again in the same trace, linked to its publication.
    again = [s for s in consumers if s.service == "notifier" and s.attributes.get("messaging.delivery_count", 1) > 1]
    assert again, "the redelivered event's handling is a span of the trace"
    assert all(s.links == [trace_id] for s in again), again
    # The console's page of the request: its server span, and its call to the intake under it.
    [page_span] = [s for s in mine if s.service == "console" and s.attributes.get("url.path") == f"/permohonan/{rid}"]
    console_calls = {s.span_id for s in mine if s.service == "console" and s.kind == CLIENT}
    assert console_calls, "the console's calls to the services are spans of the page's trace"
    assert [s for s in mine if s.service == "intake" and s.kind == SERVER and s.parent_id in console_calls]
    assert page_span.parent_id  # joined to the request's trace, not a trace of its own
    # Database commands are spans of the work they were made for.
    # The media's email handed to the city's relay is one too.
    assert [s for s in mine if s.service == "publisher" and s.name == "smtp send" and s.kind == CLIENT]
    database = [
        s
        for s in mine
        if s.kind == CLIENT and "mongodb" in (s.attributes.get("db.system"), s.attributes.get("db.system.name"))
    ]
    assert database, sorted({s.name for s in mine if s.kind == CLIENT})

    exemplars = [
        line
        for line in scraped.splitlines()
        if line.startswith("warta_sop_step_duration_seconds_bucket") and " # {" in line
    ]
    assert exemplars, scraped[:2000]
    assert all(f'trace_id="{trace_id}"' in line for line in exemplars), exemplars

    # The kubelet's probes and Prometheus's scrapes make no spans: nothing about any request.
    assert not [s for s in spans if s.attributes.get("url.path") in ("/healthz", "/readyz", "/metrics")]

    # The log lines written while the request's events were handled name its trace.
    lines = [json.loads(line) for p in processes.values() for line in p.log().splitlines() if line.strip()]
    about = [line for line in lines if line.get("request_id") == rid and "event_id" in line]
    assert about
    assert {line.get("trace_id") for line in about} == {trace_id}
    assert all(len(line["span_id"]) == 16 for line in about)


async def _exemplars_lead_to(trace_id: str, prometheus: PrometheusServer, since: float) -> None:
    """The series the operators' dashboard shows exemplars on, asked as its panels ask, and the
    console's answer times, each hold an exemplar of the request's trace."""
    panels = json.loads(DASHBOARD.read_text())["panels"]
    shown = [t["expr"].replace("$__rate_interval", "1m") for p in panels for t in p["targets"] if t.get("exemplar")]
    on = {name for expr in shown for name in re.findall(r"warta_[a-z_]+_bucket", expr)}
    assert {"warta_sop_step_duration_seconds_bucket", "warta_http_answer_seconds_bucket"} <= on

    def kept_with_the_trace(series: str) -> list[dict[str, str]]:
        kept = prometheus.exemplars(series, since)
        return kept if trace_id in {labels.get("trace_id") for labels in kept} else []

    for series in [*shown, "warta_console_answer_seconds_bucket"]:
        assert await eventually(partial(kept_with_the_trace, series), timeout=10), prometheus.exemplars(series, since)
