"""The archive's HTTP API: a request's dossier and timeline, searches, the section's exports, an
officer's audit trail and the retention report. Reading is open to every officer of the section;
exports and audits are for its supervisors."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from warta.contracts import Day, FieldProblem, InvalidInput, Leader, Role
from warta.runtime import Officer, Principal, acting_as, require_role
from warta.runtime.http import csv_download, download_as, service_handlers

from .domain import Dossier, DossierState, RecordClass, SopSummary, Timeline
from .handlers import ArchiveHandlers, Period, Search

router = APIRouter(tags=["archive"])

Handlers = Annotated[ArchiveHandlers, Depends(service_handlers)]
SUPERVISORS = (Role.SECTION_HEAD, Role.TEAM_LEAD, Role.ADMIN)


async def period(
    first: Annotated[Day | None, Query(alias="from", description="First day, in WIB.")] = None,
    last: Annotated[Day | None, Query(alias="to", description="Last day (included), in WIB.")] = None,
) -> Period:
    if first is not None and last is not None and last < first:
        raise InvalidInput(
            "the period ends before it starts",
            fields=[FieldProblem("query.to", "must not be before from", type="range_reversed")],
        )
    return Period(first, last)


async def search(
    within: Annotated[Period, Depends(period)],
    state: DossierState | None = None,
    leader: Leader | None = None,
    sender: Annotated[str | None, Query(min_length=2, max_length=200, description="Part of the sender's name.")] = None,
) -> Search:
    return Search(period=within, state=state, leader=leader.value if leader else None, sender=sender)


@router.get("/requests")
async def find_requests(
    officer: Officer,
    handlers: Handlers,
    found: Annotated[Search, Depends(search)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Dossier]:
    """Requests by period (day received), state, leader and sender, oldest first."""
    return await handlers.search(found, limit)


@router.get("/requests/{request_id}")
async def get_dossier(request_id: str, officer: Officer, handlers: Handlers) -> Dossier:
    return await handlers.dossier(request_id)


@router.get("/requests/{request_id}/timeline")
async def get_timeline(request_id: str, officer: Officer, handlers: Handlers) -> Timeline:
    """Every event of the request in order, with who and when, and each SOP step's duration
    against its standard."""
    return await handlers.timeline(request_id)


@router.get("/sop")
async def sop_summary(
    officer: Annotated[Principal, acting_as(*SUPERVISORS, action="reading the SOP summary")],
    handlers: Handlers,
    within: Annotated[Period, Depends(period)],
) -> SopSummary:
    """Per step, runs finished in the period within and over the standard; per officer, the
    overruns; and the runs open and over their standard now."""
    return await handlers.sop_summary(within)


@router.get("/export.csv", response_class=Response)
async def export_csv(
    officer: Annotated[Principal, acting_as(*SUPERVISORS, action="exporting the archive")],
    handlers: Handlers,
    found: Annotated[Search, Depends(search)],
) -> Response:
    return csv_download(await handlers.export_csv(found), f"{_name('arsip', found.period)}.csv")


@router.get("/export.jsonl", response_class=StreamingResponse)
async def export_jsonl(
    officer: Annotated[Principal, acting_as(*SUPERVISORS, action="exporting the archive")],
    handlers: Handlers,
    found: Annotated[Search, Depends(search)],
) -> StreamingResponse:
    return StreamingResponse(
        handlers.export_jsonl(found),
        media_type="application/x-ndjson",
        headers=download_as(f"{_name('peristiwa', found.period)}.jsonl"),
    )


@router.get("/audit/{officer_id}.csv", response_class=Response)
async def audit(
    officer_id: str, officer: Officer, handlers: Handlers, within: Annotated[Period, Depends(period)]
) -> Response:
    """Every action of one officer; an officer may read their own."""
    if officer.officer_id != officer_id:
        require_role(officer, *SUPERVISORS, action="reading another officer's audit trail")
    return csv_download(await handlers.audit_csv(officer_id, within), f"{_name(f'audit-{officer_id}', within)}.csv")


class RetentionLineView(BaseModel):
    record_class: RecordClass
    keep_years: int
    requests: int
    records: int
    oldest_end: str | None


@router.get("/retention")
async def retention_report(
    officer: Annotated[Principal, acting_as(*SUPERVISORS, action="reading the retention report")], handlers: Handlers
) -> list[RetentionLineView]:
    """What the retention schedule would remove today (a dry run: removing is a separate,
    explicit command, ``warta-archive retention dispose``)."""
    return [
        RetentionLineView(
            record_class=line.record_class,
            keep_years=line.keep_years,
            requests=line.requests,
            records=line.records,
            oldest_end=line.oldest_end.isoformat() if line.oldest_end else None,
        )
        for line in await handlers.retention_report()
    ]


def _name(prefix: str, within: Period) -> str:
    return f"{prefix}-{within.first or 'awal'}-{within.last or 'kini'}"
