"""Intake's HTTP API: the letter register (step 1), the disposition sheet and the disposition
(step 2), and the queries the office works from."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import (
    ContactPerson,
    Day,
    DispositionInstruction,
    FieldProblem,
    InvalidInput,
    Leader,
    LeadershipEvent,
    Letter,
    Line,
    Role,
    Text,
)
from warta.runtime import Officer, Principal, acting_as
from warta.runtime.http import FILE_REFUSALS, download_as, raw_body, service_handlers
from warta.runtime.ratelimit import COUNTED_UPLOAD

from .domain import Clash, FacilitationRequest, LetterScan, RequestState
from .handlers import IntakeHandlers
from .search import TOTAL_BOUND
from .store import RequestQuery

router = APIRouter()

Handlers = Annotated[IntakeHandlers, Depends(service_handlers)]
PDF = "application/pdf"


class RegisterLetter(BaseModel):
    letter: Letter
    event: LeadershipEvent
    contact: ContactPerson | None = None
    received_at: AwareDatetime | None = Field(
        default=None, description="When the letter arrived (default: now); step 1's clock starts here."
    )
    scan_id: str | None = Field(default=None, max_length=64, description="From POST /scans.")


class CorrectLetter(BaseModel):
    """Only the fields given change; ``letter``, ``event`` and ``contact`` are replaced whole and
    ``contact: null`` removes the contact."""

    letter: Letter | None = None
    event: LeadershipEvent | None = None
    contact: ContactPerson | None = None
    received_at: AwareDatetime | None = None
    scan_id: str | None = Field(default=None, max_length=64, description="A new scan from POST /scans.")


class Dispose(BaseModel):
    instructions: list[DispositionInstruction] = Field(
        min_length=1, max_length=len(DispositionInstruction), description="The boxes ticked on the sheet."
    )
    notes: Text | None = Field(default=None, max_length=2000, description="The section head's notes.")


class Decline(BaseModel):
    reason: Text = Field(min_length=1, max_length=2000)


class RequestPage(BaseModel):
    items: list[FacilitationRequest] = Field(description="This page of the matches, newest registration first.")
    total: int = Field(
        description=(
            "How many requests match; exact when `more` is false. Counting stops at "
            f"{TOTAL_BOUND:,} matches (or at `offset` + `limit`, if further) and then gives that "
            "bound here, with `more` true."
        )
    )
    more: bool = Field(
        default=False,
        description=(
            "True when more requests match than `total` counts: the register holds more matches than the count's bound."
        ),
    )
    limit: int
    offset: int


class InboxEntry(BaseModel):
    request: FacilitationRequest
    step: int
    started_at: AwareDatetime
    age_minutes: float
    standard_minutes: int
    overdue: bool


# -- the scanned letter --------------------------------------------------------------------------


@router.post(
    "/scans",
    status_code=status.HTTP_201_CREATED,
    tags=["scans"],
    responses=FILE_REFUSALS,
    dependencies=[COUNTED_UPLOAD],
    openapi_extra=raw_body("application/pdf", "image/jpeg", "image/png", description="The scanned letter"),
)
async def upload_scan(
    request: Request,
    officer: Annotated[Principal, acting_as(Role.ADMIN, action="uploading a letter scan")],
    handlers: Handlers,
    filename: Annotated[Line | None, Query(max_length=255)] = None,
) -> LetterScan:
    """The scanned letter as the raw request body (PDF, JPEG or PNG, at most 20 MB); name the
    returned ``scan_id`` when registering or correcting the letter."""
    declared = request.headers.get("content-length")
    if declared is not None and not (declared.isascii() and declared.isdigit()):
        raise InvalidInput(
            "bad Content-Length",
            fields=[FieldProblem("scan", "Content-Length must be a number", type="content_length")],
        )
    chunks = (chunk async for chunk in request.stream() if chunk)
    return await handlers.upload_scan(
        chunks, filename=filename, declared_size=int(declared) if declared else None, officer=officer
    )


@router.get("/requests/{request_id}/scan", tags=["scans"])
async def download_scan(request_id: str, officer: Officer, handlers: Handlers) -> StreamingResponse:
    scan, chunks = await handlers.scan_of(request_id, officer)
    return StreamingResponse(
        chunks,
        media_type=scan.content_type.value,
        headers={"Content-Length": str(scan.size), **download_as(scan.scan_id, inline=True)},
    )


# -- step 1: the register ------------------------------------------------------------------------


@router.post("/requests", status_code=status.HTTP_201_CREATED, tags=["requests"])
async def register_letter(
    body: RegisterLetter,
    officer: Annotated[Principal, acting_as(Role.ADMIN, action="registering a letter")],
    handlers: Handlers,
) -> FacilitationRequest:
    return await handlers.register(
        letter=body.letter,
        event=body.event,
        contact=body.contact,
        received_at=body.received_at,
        scan_id=body.scan_id,
        officer=officer,
    )


@router.patch("/requests/{request_id}", tags=["requests"])
async def correct_letter(
    request_id: str,
    body: CorrectLetter,
    officer: Annotated[Principal, acting_as(Role.ADMIN, action="correcting a letter")],
    handlers: Handlers,
) -> FacilitationRequest:
    given = body.model_fields_set - {"scan_id"}
    updates: dict[str, Any] = {name: getattr(body, name) for name in given}
    nulled = [name for name in ("letter", "event", "received_at") if name in updates and updates[name] is None]
    if nulled:
        raise InvalidInput(
            "these details cannot be removed",
            fields=[FieldProblem(name, "cannot be empty", type="cannot_remove") for name in nulled],
        )
    request, _ = await handlers.correct(request_id, updates=updates, scan_id=body.scan_id, officer=officer)
    return request


@router.post("/requests/{request_id}/disposition-sheet", tags=["requests"], response_class=Response)
async def issue_disposition_sheet(
    request_id: str,
    officer: Annotated[Principal, acting_as(Role.ADMIN, action="issuing a disposition sheet")],
    handlers: Handlers,
) -> Response:
    """Issue the disposition sheet: the first time ends step 1 and hands the request to the
    section head. Answers with the sheet itself, ready to print."""
    request, pdf = await handlers.issue_sheet(request_id, officer=officer)
    return _pdf(pdf, request.agenda_number)


@router.get("/requests/{request_id}/disposition-sheet", tags=["requests"], response_class=Response)
async def print_disposition_sheet(request_id: str, officer: Officer, handlers: Handlers) -> Response:
    """The sheet as it stands (marked as a draft before it is issued); changes nothing."""
    request, pdf = await handlers.sheet(request_id)
    return _pdf(pdf, request.agenda_number)


def _pdf(content: bytes, agenda_number: str) -> Response:
    filename = f"disposisi-{agenda_number.replace('/', '-')}.pdf"
    return Response(content, media_type=PDF, headers=download_as(filename, inline=True))


# -- step 2: the disposition ---------------------------------------------------------------------


@router.get("/requests/{request_id}/clashes", tags=["requests"])
async def clashes(request_id: str, officer: Officer, handlers: Handlers) -> list[Clash]:
    """Accepted events overlapping this request's event, same-leader clashes first."""
    return await handlers.clashes(request_id)


@router.post("/requests/{request_id}/disposition", tags=["requests"])
async def dispose(
    request_id: str,
    body: Dispose,
    officer: Annotated[Principal, acting_as(Role.SECTION_HEAD, action="disposing a request")],
    handlers: Handlers,
) -> FacilitationRequest:
    return await handlers.dispose(request_id, instructions=tuple(body.instructions), notes=body.notes, officer=officer)


@router.post("/requests/{request_id}/decline", tags=["requests"])
async def decline(
    request_id: str,
    body: Decline,
    officer: Annotated[Principal, acting_as(Role.SECTION_HEAD, action="declining a request")],
    handlers: Handlers,
) -> FacilitationRequest:
    return await handlers.decline(request_id, reason=body.reason, officer=officer)


# -- queries -------------------------------------------------------------------------------------

_WORDS = (
    "each must begin a word of the {} (case and accents ignored, so `kese` finds Kesehatan and "
    "`cafe` Café); text with no letter or digit finds nothing."
)
SENDER_WORDS = "Words of the sender: " + _WORDS.format("sender") + " `Dinas Pendidikan` needs both words."
SUBJECT_WORDS = "Words of the subject: " + _WORDS.format("subject")


@router.get("/requests", tags=["requests"])
async def search_requests(
    officer: Officer,
    handlers: Handlers,
    state: RequestState | None = None,
    agenda_number: Annotated[str | None, Query(max_length=40)] = None,
    letter_number: Annotated[str | None, Query(max_length=100)] = None,
    sender: Annotated[str | None, Query(max_length=200, description=SENDER_WORDS)] = None,
    q: Annotated[str | None, Query(max_length=200, description=SUBJECT_WORDS)] = None,
    received_from: Day | None = None,
    received_to: Day | None = None,
    leader: Annotated[Leader | None, Query(description="Whose agenda the event is for.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> RequestPage:
    if received_from and received_to and received_to < received_from:
        raise InvalidInput(
            "the date range is reversed",
            fields=[FieldProblem("received_to", "must not be before received_from", type="range_reversed")],
        )
    query = RequestQuery(
        state=state,
        agenda_number=agenda_number,
        letter_number=letter_number,
        sender=sender,
        subject=q,
        received_from=received_from,
        received_to=received_to,
        leader=leader,
    )
    found = await handlers.search(query, limit=limit, offset=offset)
    return RequestPage(items=found.items, total=found.total, more=found.more, limit=limit, offset=offset)


class AgendaNumber(BaseModel):
    id: str
    agenda_number: str
    event_title: str = Field(description="The title of the event the request is for, as the lists name it.")


@router.get("/requests/numbers", tags=["requests"])
async def agenda_numbers(
    officer: Officer,
    handlers: Handlers,
    request_id: Annotated[list[str], Query(alias="id", max_length=200, description="A request's id; repeated.")],
) -> list[AgendaNumber]:
    """The agenda number and the event's title of each request named, in one call: for the lists
    of other services, which know a request only by its id. A request the register does not hold
    is left out."""
    found = await handlers.agenda_numbers(request_id)
    return [AgendaNumber(id=key, agenda_number=number, event_title=title) for key, (number, title) in found.items()]


@router.get("/requests/{request_id}", tags=["requests"])
async def get_request(request_id: str, officer: Officer, handlers: Handlers) -> FacilitationRequest:
    return await handlers.get(request_id)


@router.get("/inbox", tags=["inbox"])
async def inbox(
    officer: Officer, handlers: Handlers, limit: Annotated[int, Query(ge=1, le=200)] = 100
) -> list[InboxEntry]:
    """What waits for the caller's role, oldest first, with the step's age against its standard."""
    return [
        InboxEntry(
            request=item.request,
            step=item.waiting.number,
            started_at=item.waiting.started_at,
            age_minutes=round(item.age_minutes, 1),
            standard_minutes=item.waiting.standard_minutes,
            overdue=item.overdue,
        )
        for item in await handlers.inbox(officer, limit=limit)
    ]
