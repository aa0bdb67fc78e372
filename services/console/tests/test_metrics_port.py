"""Prometheus reads the console's metrics on a port of their own with no session (the Ingress
routes only the officers' port, where /metrics is the sign-in page like any other path): the
console run as in production, ``python -m warta.console``."""

import signal
import socket

import httpx
from prometheus_client.parser import text_string_to_metric_families

from warta.devstack.servers import free_port


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def test_the_metrics_port_answers_prometheus_text_with_no_cookie_and_the_officers_port_does_not(
    service_processes,
):
    port = free_port()
    console = service_processes("console")
    console.start(WARTA_METRICS_PORT=str(port))
    async with httpx.AsyncClient(timeout=10) as anyone:  # no cookie, no token
        assert (await anyone.get(f"{console.url}/masuk")).status_code == 200
        officers = await anyone.get(f"{console.url}/metrics")
        assert (officers.status_code, officers.headers["location"]) == (303, "/masuk")
        scraped = await anyone.get(f"http://127.0.0.1:{port}/metrics")
    assert scraped.status_code == 200, scraped.text
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(scraped.text)
        for sample in family.samples
    }
    assert samples[("warta_console_answers_total", (("status", "2xx"),))] >= 1  # the sign-in page
    assert samples[("warta_console_answers_total", (("status", "3xx"),))] >= 1  # /metrics sent to sign in
    assert samples[("warta_console_answers_total", (("status", "5xx"),))] == 0
    assert samples[("warta_console_answer_seconds_count", ())] >= 2
    assert samples[("process_resident_memory_bytes", ())] > 0
    console.stop()
    # Stopped by its SIGTERM in good time (uvicorn raises the signal again once it has shut down), not killed.
    assert console.exit_code() == -signal.SIGTERM, console.log()[-2000:]
    assert "Traceback" not in console.log()
    assert not listening(port)  # the metrics server stops with the console
    print(f"checked: {len(samples)} samples on :{port}/metrics with no cookie; the officers' /metrics is 303")
