"""What a caller gets when a request fails inside a service: JSON, never a stack trace."""

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, Field
from pymongo.errors import DuplicateKeyError

from warta.contracts import Period
from warta.runtime.http import download_as, install_error_handlers


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


async def test_a_field_problem_carries_its_type_and_limits_for_the_officers_language():
    class Letter(BaseModel):
        subject: str = Field(max_length=5)
        period: Period

    app = FastAPI()
    install_error_handlers(app)

    @app.post("/letters")
    async def register(letter: Letter) -> None:
        return None

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        body = {
            "subject": "too long",
            "period": {"starts_at": "2026-12-01T09:00+07:00", "ends_at": "2026-12-01T08:00+07:00"},
        }
        refused = await client.post("/letters", json=body)
    assert refused.status_code == 422
    problems = {p["field"]: p for p in refused.json()["fields"]}
    assert problems["subject"] == {
        "field": "subject",
        "message": "String should have at most 5 characters",
        "type": "string_too_long",
        "limits": {"max_length": "5"},
    }
    assert problems["period.ends_at"]["type"] == "ends_before_start"
    assert problems["period.ends_at"]["message"] == "must be later than starts_at"
    assert "limits" not in problems["period.ends_at"]


async def test_a_body_that_cannot_be_decoded_is_a_400_naming_the_body():
    app = FastAPI()
    install_error_handlers(app)

    class Letter(BaseModel):
        sender: str

    @app.post("/letters")
    async def register(letter: Letter) -> None:
        return None

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        refused = await client.post("/letters", content=b"\xff\xfe{", headers={"Content-Type": "application/json"})
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "unreadable_body"
    assert [f["field"] for f in body["fields"]] == ["body"]


def test_a_download_name_typed_by_an_officer_cannot_break_its_header():
    header = download_as('audit-"siti"\r\nSet-Cookie: x=1;😍.csv')["Content-Disposition"]
    plain, exact = header.split("; filename*=")
    assert plain == 'attachment; filename="audit-_siti_Set-Cookie_x_1_.csv"'
    assert exact == "UTF-8''audit-%22siti%22%0D%0ASet-Cookie%3A%20x%3D1%3B%F0%9F%98%8D.csv"
    header.encode("latin-1")  # what an HTTP header must be
    assert download_as("disposisi-1-2026.pdf", inline=True)["Content-Disposition"].startswith(
        'inline; filename="disposisi-1-2026.pdf"'
    )
