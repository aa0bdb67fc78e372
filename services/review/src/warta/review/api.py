"""The review service's HTTP API: the queues and the decisions of steps 5 and 6."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from warta.contracts import RejectionReason, ReviewLevel
from warta.runtime import Officer
from warta.runtime.http import service_handlers

from .domain import Decision, Outcome, Review, ReviewState
from .handlers import ReviewHandlers

router = APIRouter(prefix="/reviews", tags=["reviews"])
Handlers = Annotated[ReviewHandlers, Depends(service_handlers)]


class Decide(BaseModel):
    version: int = Field(ge=1, description="The version being decided; a stale version is refused.")
    level: ReviewLevel
    outcome: Outcome
    reason: RejectionReason | None = None
    note: str | None = Field(default=None, max_length=5000)


@router.get("")
async def queue(
    officer: Officer,
    handlers: Handlers,
    state: ReviewState = ReviewState.AWAITING_TEAM_LEAD,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[Review]:
    return await handlers.queue(state, limit)


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
