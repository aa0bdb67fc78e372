"""Intake's HTTP API: the letter register (step 1) and the disposition (step 2)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import LeadershipEvent, Letter, Role
from warta.runtime import Officer, require_role
from warta.runtime.http import service_handlers

from .domain import FacilitationRequest, RequestState
from .handlers import IntakeHandlers

router = APIRouter(prefix="/requests", tags=["requests"])

Handlers = Annotated[IntakeHandlers, Depends(service_handlers)]


class RegisterLetter(BaseModel):
    letter: Letter
    event: LeadershipEvent
    received_at: AwareDatetime | None = Field(
        default=None, description="When the letter arrived (default: now); step 1's clock starts here."
    )


class Dispose(BaseModel):
    instruction: str = Field(min_length=1, max_length=2000, description="The section head's instruction.")


class Decline(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


@router.post("", status_code=status.HTTP_201_CREATED)
async def register_letter(body: RegisterLetter, officer: Officer, handlers: Handlers) -> FacilitationRequest:
    require_role(officer, Role.ADMIN, action="registering a letter")
    return await handlers.register(letter=body.letter, event=body.event, received_at=body.received_at, officer=officer)


@router.get("")
async def list_requests(
    officer: Officer,
    handlers: Handlers,
    state: RequestState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[FacilitationRequest]:
    return await handlers.list(state=state, limit=limit, offset=offset)


@router.get("/{request_id}")
async def get_request(request_id: str, officer: Officer, handlers: Handlers) -> FacilitationRequest:
    return await handlers.get(request_id)


@router.post("/{request_id}/disposition")
async def dispose(request_id: str, body: Dispose, officer: Officer, handlers: Handlers) -> FacilitationRequest:
    require_role(officer, Role.SECTION_HEAD, action="disposing a request")
    return await handlers.dispose(request_id, instruction=body.instruction, officer=officer)


@router.post("/{request_id}/decline")
async def decline(request_id: str, body: Decline, officer: Officer, handlers: Handlers) -> FacilitationRequest:
    require_role(officer, Role.SECTION_HEAD, action="declining a request")
    return await handlers.decline(request_id, reason=body.reason, officer=officer)
