"""The notifier's HTTP API: the directory of officers' addresses and preferences (kept by the
office administrator) and the messages sent, waiting or failed."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from warta.contracts import FieldProblem, InvalidInput, Role
from warta.runtime import Officer, Principal, acting_as, require_role
from warta.runtime.http import service_handlers
from warta.runtime.sends import SendState

from .domain import Digests
from .domain import Officer as DirectoryEntry
from .handlers import NotifierHandlers
from .messages import Message

router = APIRouter(tags=["notifier"])

Handlers = Annotated[NotifierHandlers, Depends(service_handlers)]
SUPERVISORS = (Role.SECTION_HEAD, Role.TEAM_LEAD, Role.ADMIN)


@router.put("/officers/{officer_id}")
async def put_officer(
    officer_id: str,
    body: DirectoryEntry,
    officer: Annotated[Principal, acting_as(Role.ADMIN, action="keeping the directory")],
    handlers: Handlers,
) -> DirectoryEntry:
    """Add or change an officer's addresses, channels and quiet hours."""
    if body.officer_id != officer_id:
        raise InvalidInput(
            "the officer id in the body differs from the address",
            fields=[
                FieldProblem("officer_id", f"must be {officer_id}", type="id_mismatch", limits={"expected": officer_id})
            ],
        )
    return await handlers.put_officer(body)


class Preferences(BaseModel):
    """What an officer chooses for themself: which kinds of message are gathered, and how often."""

    digests: Digests = Field(
        description="Kinds gathered into a digest, each every 15, 30, 60 or 120 minutes; a kind not named goes at once."
    )


async def _own_or_admin(officer_id: str, officer: Officer) -> Principal:
    """The officer themself or the office administrator; a dependency, so another officer is
    refused before the body is read."""
    if officer.officer_id != officer_id:
        require_role(officer, Role.ADMIN, action="another officer's preferences")
    return officer


OwnOrAdmin = Annotated[Principal, Depends(_own_or_admin)]


@router.get("/officers/{officer_id}/preferences")
async def get_preferences(officer_id: str, officer: OwnOrAdmin, handlers: Handlers) -> Preferences:
    """An officer's own choices (or, for the office administrator, anyone's)."""
    return Preferences(digests=(await handlers.officer(officer_id)).digests)


@router.put("/officers/{officer_id}/preferences")
async def put_preferences(officer_id: str, officer: OwnOrAdmin, body: Preferences, handlers: Handlers) -> Preferences:
    """An officer chooses, per kind of message, at once or a digest every so many minutes.
    Warnings and overruns always go at once and are no kind one can choose."""
    saved = await handlers.choose_digests(officer_id, body.digests)
    return Preferences(digests=saved.digests)


@router.get("/officers")
async def list_officers(
    officer: Annotated[Principal, acting_as(*SUPERVISORS, action="reading the directory")],
    handlers: Handlers,
    role: Role | None = None,
) -> list[DirectoryEntry]:
    return await handlers.officers(role)


@router.get("/messages")
async def list_messages(
    officer: Officer,
    handlers: Handlers,
    request_id: str | None = None,
    officer_id: str | None = None,
    state: SendState | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Message]:
    """Messages by request, recipient and state, the newest ``limit`` in the order they were
    made; an officer reads their own."""
    if officer_id != officer.officer_id:
        require_role(officer, *SUPERVISORS, action="reading other officers' messages")
    return await handlers.messages(request_id=request_id, officer_id=officer_id, state=state, limit=limit)


class Reopened(BaseModel):
    reopened: int


@router.post("/messages/retry")
async def send_failed_again(
    officer: Annotated[Principal, acting_as(*SUPERVISORS, action="sending failed messages again")],
    handlers: Handlers,
    request_id: str | None = None,
    officer_id: str | None = None,
) -> Reopened:
    """Send each failed message (of a request, or to an officer) once more; answers how many."""
    return Reopened(reopened=await handlers.send_failed_again(request_id=request_id, officer_id=officer_id))
