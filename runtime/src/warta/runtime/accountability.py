"""Deviations over HTTP, on every service for the steps it performs: the monthly list per officer,
its CSV export (Indonesian headers, times in WIB), and the officer's explanation."""

import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import Conflict, Forbidden, NotFound, Role, Text

from . import spreadsheet
from .auth import Officer, Principal
from .clocks import Deviation, StepClocks
from .http import csv_download
from .indonesian import format_datetime

router = APIRouter(prefix="/deviations", tags=["deviations"])

SUPERVISORS = {Role.SECTION_HEAD, Role.TEAM_LEAD, Role.ADMIN}
Month = Annotated[str | None, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM, in WIB.")]
CSV_HEADER = (
    "langkah",
    "permohonan",
    "petugas",
    "peran",
    "kalender",
    "mulai",
    "selesai",
    "durasi_menit",
    "standar_menit",
    "kelebihan_menit",
    "penjelasan",
)


def _clocks(request: Request) -> StepClocks:
    clocks: StepClocks = request.app.state.runtime.step_clocks
    return clocks


def _whose(officer: Principal, officer_id: str | None) -> str | None:
    """Supervisors read everyone's deviations; an officer reads their own."""
    if officer.role in SUPERVISORS:
        return officer_id
    if officer_id not in (None, officer.officer_id):
        raise Forbidden("an officer reads only their own deviations")
    return officer.officer_id


@router.get("")
async def list_deviations(
    request: Request,
    officer: Officer,
    month: Month = None,
    officer_id: str | None = None,
    before: Annotated[AwareDatetime | None, Query(description="Only those finished before this time.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Deviation]:
    """Newest first, a page at a time: the next page is the one ``before`` the last one's
    ``finished_at``."""
    clocks, whose = _clocks(request), _whose(officer, officer_id)
    if month is None:
        now = request.app.state.runtime.clock.now()
        return await clocks.latest_deviations(officer_id=whose, limit=limit, now=now, before=before)
    in_month = reversed(await clocks.deviations(month=month, officer_id=whose))  # a month's are few
    return [d for d in in_month if before is None or d.finished_at < before][:limit]


@router.get("/export.csv", response_class=Response)
async def export_deviations(
    request: Request, officer: Officer, month: Month = None, officer_id: str | None = None
) -> Response:
    deviations = await _clocks(request).deviations(month=month, officer_id=_whose(officer, officer_id))
    out = io.StringIO()
    writer = spreadsheet.Writer(out)
    writer.writerow(CSV_HEADER)
    for d in deviations:
        writer.writerow(
            (
                d.step,
                d.request_id,
                d.officer_id or "",
                d.role.value if d.role else "",
                d.calendar,
                format_datetime(d.started_at),
                format_datetime(d.finished_at),
                round(d.seconds / 60, 1),
                round(d.standard_seconds / 60),
                round(d.overrun_seconds / 60, 1),
                d.explanation or "",
            )
        )
    return csv_download(out.getvalue(), f"penyimpangan-{month or 'semua'}.csv")


class Explanation(BaseModel):
    explanation: Text = Field(min_length=1, max_length=2000)


@router.post("/{deviation_id}/explanation")
async def explain(deviation_id: str, body: Explanation, request: Request, officer: Officer) -> Deviation:
    """The officer who finished the step late says why; once."""
    clocks = _clocks(request)
    deviation = await clocks.deviation(deviation_id)
    if deviation is None:
        raise NotFound(f"no deviation {deviation_id}")
    if deviation.officer_id != officer.officer_id:
        raise Forbidden("only the officer named in a deviation explains it")
    try:
        return await clocks.explain(deviation, body.explanation.strip(), request.app.state.runtime.clock.now())
    except ValueError:
        raise Conflict("this deviation is explained already") from None
