"""The help page: the SOP in force, step by step, and where in the console each officer does their
part. Built from the SOP's own data, so a new revision's steps and standards show here unchanged."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from warta.contracts import SOP

from .pages import render

router = APIRouter()


@router.get("/bantuan", response_class=HTMLResponse)
async def guide(request: Request) -> HTMLResponse:
    revision = SOP.in_force(datetime.now(UTC))
    role = request.state.officer.role
    return render(
        request,
        "help.html",
        revision=revision,
        mine=[step for step in revision.steps if step.actor is role],
    )
