"""The scheduler's HTTP API: the agenda and the team assignment (step 3)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from warta.contracts import Role, TeamMember
from warta.runtime import Officer, require_role
from warta.runtime.http import service_handlers

from .domain import AgendaEntry, AgendaState
from .handlers import SchedulerHandlers

router = APIRouter(prefix="/agenda", tags=["agenda"])

Handlers = Annotated[SchedulerHandlers, Depends(service_handlers)]


class AssignTeam(BaseModel):
    members: tuple[TeamMember, ...] = Field(min_length=1, max_length=30)
    equipment: tuple[Annotated[str, Field(min_length=1, max_length=100)], ...] = Field(default=(), max_length=50)
    needs_video: bool = True


@router.get("")
async def list_agenda(
    officer: Officer,
    handlers: Handlers,
    state: AgendaState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AgendaEntry]:
    return await handlers.list(state=state, limit=limit, offset=offset)


@router.get("/{request_id}")
async def get_entry(request_id: str, officer: Officer, handlers: Handlers) -> AgendaEntry:
    return await handlers.get(request_id)


@router.post("/{request_id}/assignment")
async def assign_team(request_id: str, body: AssignTeam, officer: Officer, handlers: Handlers) -> AgendaEntry:
    require_role(officer, Role.TEAM_LEAD, action="assigning a coverage team")
    return await handlers.assign_team(
        request_id,
        members=body.members,
        equipment=body.equipment,
        needs_video=body.needs_video,
        officer=officer,
    )
