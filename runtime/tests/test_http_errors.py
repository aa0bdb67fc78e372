"""What a caller gets when a request fails inside a service: JSON, never a stack trace."""

import httpx
from fastapi import FastAPI
from pymongo.errors import DuplicateKeyError

from warta.runtime.http import install_error_handlers


async def test_a_duplicate_key_the_service_did_not_expect_is_a_retryable_503_and_a_bug_a_plain_500():
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/save")
    async def save() -> None:
        raise DuplicateKeyError("E11000 duplicate key error collection: requests index: agenda_number_1", 11000)

    @app.post("/bug")
    async def bug() -> None:
        raise RuntimeError("internal detail that must not leak")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        refused = await client.post("/save")
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        assert refused.json() == {
            "error": "unavailable",
            "message": "the database refused this change for now; try again shortly",
            "fields": [],
        }
        failed = await client.post("/bug")
        assert failed.status_code == 500
        assert "internal detail" not in failed.text
