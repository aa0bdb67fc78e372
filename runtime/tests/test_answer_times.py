"""Each HTTP answer of a service timed by its route's template, method and status class, for the
operators' latency panel; a request's id makes no series of its own, and probes are not counted."""

import httpx
from fastapi import FastAPI
from prometheus_client.openmetrics.exposition import generate_latest

from warta.runtime.http import TimedAnswers, install_error_handlers
from warta.runtime.metrics import ServiceMetrics


async def test_answers_are_timed_by_route_template_method_and_status_class():
    metrics = ServiceMetrics("test")
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/requests/{request_id}")
    async def request(request_id: str) -> dict[str, str]:
        return {"id": request_id}

    @app.post("/requests")
    async def bug() -> None:
        raise RuntimeError("a bug")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(TimedAnswers, answered=metrics.answered)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        for request_id in ("6b1f0c9a-2e47-4c1d-9a51-0e8f9f2c1d11", "0e8f9f2c-1d11-4c1d-9a51-6b1f0c9a2e47"):
            assert (await client.get(f"/requests/{request_id}")).status_code == 200
        assert (await client.post("/requests")).status_code == 500
        assert (await client.get("/no/such/page")).status_code == 404
        assert (await client.get("/healthz")).status_code == 200

    def count(**labels: str) -> float | None:
        return metrics.registry.get_sample_value("warta_http_answer_seconds_count", labels)

    assert count(route="/requests/{request_id}", method="GET", status="2xx") == 2
    assert count(route="/requests", method="POST", status="5xx") == 1
    assert count(route="unmatched", method="GET", status="4xx") == 1
    assert count(route="/healthz", method="GET", status="2xx") is None
    # With tracing off an answer carries no exemplar: there is no trace to lead to.
    assert " # {" not in generate_latest(metrics.registry).decode()
