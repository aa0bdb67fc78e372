"""The review service's HTTP API: the queues and the decisions of steps 5 and 6."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel, Field

from warta.contracts import RejectionReason, ReviewLevel, Text, label
from warta.runtime import Officer, Principal, acting_as
from warta.runtime.http import service_handlers

from .domain import Decision, Outcome, Review, ReviewState
from .handlers import COMMENTERS, ReviewHandlers
from .versions import Anchor, Comment, SubmittedVersion, VersionDiff

router = APIRouter(prefix="/reviews", tags=["reviews"])
Handlers = Annotated[ReviewHandlers, Depends(service_handlers)]


class Decide(BaseModel):
    version: int = Field(ge=1, le=10_000, description="The version being decided; a stale version is refused.")
    level: ReviewLevel
    outcome: Outcome
    reason: RejectionReason | None = None
    note: Text | None = Field(default=None, max_length=5000)


@router.get("")
async def queue(
    officer: Officer,
    handlers: Handlers,
    state: ReviewState = ReviewState.AWAITING_TEAM_LEAD,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[Review]:
    return await handlers.queue(state, limit)


class QueueEntry(BaseModel):
    review: Review
    level: ReviewLevel
    age_minutes: float
    minutes_left: float = Field(description="Against the step's standard; negative when over it.")


class Reason(BaseModel):
    code: RejectionReason
    label: str


class NewComment(BaseModel):
    version: int = Field(ge=1, le=10_000)
    anchor: Anchor
    text: Text = Field(min_length=1, max_length=5000)
    reply_to: str | None = Field(default=None, max_length=64)


@router.get("/queue")
async def my_queue(
    officer: Officer, handlers: Handlers, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[QueueEntry]:
    """What waits for the caller's level, oldest first, with the time left against the standard."""
    return [
        QueueEntry(review=w.review, level=w.level, age_minutes=w.age_minutes, minutes_left=w.minutes_left)
        for w in await handlers.my_queue(officer, limit)
    ]


@router.get("/reasons")
async def reasons(officer: Officer) -> list[Reason]:
    """The catalogue a rejection picks its reason from."""
    return [Reason(code=r, label=label(r)) for r in RejectionReason]


@router.get("/{request_id}")
async def get_review(request_id: str, officer: Officer, handlers: Handlers) -> Review:
    return await handlers.get(request_id)


@router.post("/{request_id}/decisions", status_code=status.HTTP_201_CREATED)
async def decide(request_id: str, body: Decide, officer: Officer, handlers: Handlers) -> Decision:
    # The level decides who may act (team lead, section head); the domain enforces it (403).
    return await handlers.decide(
        request_id,
        version=body.version,
        level=body.level,
        outcome=body.outcome,
        reason=body.reason,
        note=body.note,
        officer=officer,
    )


@router.get("/{request_id}/versions/{version}")
async def get_version(
    request_id: str, version: Annotated[int, Path(ge=1, le=10_000)], officer: Officer, handlers: Handlers
) -> SubmittedVersion:
    return await handlers.version(request_id, version)


@router.get("/{request_id}/diff")
async def diff(
    request_id: str,
    officer: Officer,
    handlers: Handlers,
    from_: Annotated[int, Query(alias="from", ge=1, le=10_000)],
    to: Annotated[int, Query(ge=1, le=10_000)],
) -> VersionDiff:
    """Word-level changes of the press release, and changed media and posts, between two versions."""
    return await handlers.diff(request_id, from_, to)


@router.get("/{request_id}/comments")
async def list_comments(request_id: str, officer: Officer, handlers: Handlers) -> list[Comment]:
    return await handlers.comments(request_id)


@router.post("/{request_id}/comments", status_code=status.HTTP_201_CREATED)
async def add_comment(
    request_id: str,
    body: NewComment,
    officer: Annotated[Principal, acting_as(*COMMENTERS, action="writing a comment")],
    handlers: Handlers,
) -> Comment:
    return await handlers.comment(
        request_id, version=body.version, anchor=body.anchor, text=body.text, reply_to=body.reply_to, officer=officer
    )


@router.post("/{request_id}/comments/{comment_id}/resolve")
async def resolve_comment(
    request_id: str,
    comment_id: str,
    officer: Annotated[Principal, acting_as(*COMMENTERS, action="resolving a comment")],
    handlers: Handlers,
) -> Comment:
    return await handlers.resolve(request_id, comment_id, officer)
