"""The scheduler's HTTP API: the agenda and its feeds, the roster and inventory, and step 3."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, Field

from warta.contracts import CoverageRole, Day, Forbidden, Line, Period, Role, Text
from warta.runtime import Officer, Principal, acting_as
from warta.runtime.http import service_handlers

from .calendar_feed import agenda_feed, feed_key, key_opens, officer_feed, render_calendar
from .domain import AgendaEntry, AgendaState
from .handlers import SchedulerHandlers
from .planning import Suggestion, TeamChoice
from .roster import ID_PATTERN, Condition, EquipmentKind, Item, Unavailability
from .roster import Officer as RosterOfficer

router = APIRouter()

Handlers = Annotated[SchedulerHandlers, Depends(service_handlers)]
ICS = "text/calendar; charset=utf-8"
ResourceId = Annotated[str, Field(pattern=ID_PATTERN)]


class ReassignTeam(TeamChoice):
    reason: Text = Field(min_length=3, max_length=1000, description="Why the team or kit changes.")


class DayView(BaseModel):
    date: date
    entries: list[AgendaEntry]


class WeekView(BaseModel):
    starts_on: date
    days: list[DayView]


class NewOfficer(BaseModel):
    officer_id: ResourceId
    name: Line = Field(min_length=1, max_length=200)
    skills: tuple[CoverageRole, ...] = Field(min_length=1)
    active: bool = True


class OfficerUpdate(BaseModel):
    name: Line = Field(min_length=1, max_length=200)
    skills: tuple[CoverageRole, ...] = Field(min_length=1)
    active: bool = True


class NewUnavailability(Period):
    reason: Text = Field(min_length=1, max_length=300)


class UnavailabilityRecorded(BaseModel):
    officer: RosterOfficer
    affected: list[AgendaEntry] = Field(description="Assignments the officer is now away for.")


class NewItem(BaseModel):
    item_id: ResourceId
    kind: EquipmentKind
    description: Line = Field(default="", max_length=300)
    condition: Condition = Condition.READY


class ItemUpdate(BaseModel):
    kind: EquipmentKind
    description: Line = Field(default="", max_length=300)
    condition: Condition


class Feeds(BaseModel):
    agenda: str
    mine: str


# -- the agenda ----------------------------------------------------------------------------------


@router.get("/agenda", tags=["agenda"])
async def list_agenda(
    officer: Officer,
    handlers: Handlers,
    state: AgendaState | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AgendaEntry]:
    return await handlers.list_entries(state=state, limit=limit, offset=offset)


@router.get("/agenda/days/{day}", tags=["agenda"])
async def day_view(day: Day, officer: Officer, handlers: Handlers) -> DayView:
    """The events of one Jakarta day, in order."""
    return DayView(date=day, entries=await handlers.between(day, 1))


@router.get("/agenda/weeks/{day}", tags=["agenda"])
async def week_view(day: Day, officer: Officer, handlers: Handlers) -> WeekView:
    """Monday to Sunday of the week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    days = await handlers.by_day(monday, 7)
    return WeekView(starts_on=monday, days=[DayView(date=d, entries=entries) for d, entries in days])


@router.get("/agenda/{request_id}", tags=["agenda"])
async def get_entry(request_id: str, officer: Officer, handlers: Handlers) -> AgendaEntry:
    return await handlers.get(request_id)


@router.get("/agenda/{request_id}/suggestion", tags=["assignment"])
async def suggestion(request_id: str, officer: Officer, handlers: Handlers, needs_video: bool = True) -> Suggestion:
    """A complete, free team and kit, least-loaded first, with the reasons."""
    return await handlers.suggest(request_id, needs_video=needs_video)


@router.post("/agenda/{request_id}/assignment", tags=["assignment"])
async def assign_team(
    request_id: str,
    body: TeamChoice,
    officer: Annotated[Principal, acting_as(Role.TEAM_LEAD, action="assigning a coverage team")],
    handlers: Handlers,
) -> AgendaEntry:
    return await handlers.assign_team(request_id, body, officer=officer)


@router.put("/agenda/{request_id}/assignment", tags=["assignment"])
async def reassign_team(
    request_id: str,
    body: ReassignTeam,
    officer: Annotated[Principal, acting_as(Role.TEAM_LEAD, action="reassigning a coverage team")],
    handlers: Handlers,
) -> AgendaEntry:
    return await handlers.reassign_team(request_id, body, reason=body.reason, officer=officer)


# -- calendar feeds ------------------------------------------------------------------------------


@router.get("/feeds", tags=["feeds"])
async def feeds(request: Request, officer: Officer) -> Feeds:
    """Subscription URLs for the whole agenda and for the caller's own assignments."""
    secret = request.app.state.feed_secret
    mine = officer_feed(officer.officer_id)
    return Feeds(
        agenda=f"/agenda.ics?key={feed_key(secret, agenda_feed())}",
        mine=f"/officers/{officer.officer_id}/assignments.ics?key={feed_key(secret, mine)}",
    )


def _open_feed(request: Request, feed: str, key: str) -> None:
    if not key_opens(request.app.state.feed_secret, feed, key):
        raise Forbidden("this feed key is not valid; get a new link from /feeds")


FeedKey = Annotated[str, Query(min_length=1, max_length=100)]


@router.get("/agenda.ics", tags=["feeds"], response_class=Response)
async def agenda_calendar(request: Request, handlers: Handlers, key: FeedKey) -> Response:
    _open_feed(request, agenda_feed(), key)
    now, entries = await handlers.feed_entries()
    return Response(render_calendar(entries, name="Agenda Pimpinan Kota Tangerang", now=now), media_type=ICS)


@router.get("/officers/{officer_id}/assignments.ics", tags=["feeds"], response_class=Response)
async def officer_calendar(officer_id: str, request: Request, handlers: Handlers, key: FeedKey) -> Response:
    _open_feed(request, officer_feed(officer_id), key)
    now, entries = await handlers.feed_entries(officer_id=officer_id)
    return Response(render_calendar(entries, name=f"Penugasan liputan {officer_id}", now=now), media_type=ICS)


# -- roster and inventory ------------------------------------------------------------------------


@router.get("/officers", tags=["roster"])
async def list_officers(officer: Officer, handlers: Handlers) -> list[RosterOfficer]:
    return await handlers.officers()


@router.get("/officers/{officer_id}", tags=["roster"])
async def get_officer(officer_id: str, officer: Officer, handlers: Handlers) -> RosterOfficer:
    return await handlers.officer(officer_id)


@router.post("/officers", tags=["roster"], status_code=status.HTTP_201_CREATED)
async def add_officer(
    body: NewOfficer,
    officer: Annotated[Principal, acting_as(Role.TEAM_LEAD, action="keeping the roster")],
    handlers: Handlers,
) -> RosterOfficer:
    return await handlers.add_officer(RosterOfficer(**body.model_dump()))


@router.put("/officers/{officer_id}", tags=["roster"])
async def update_officer(
    officer_id: str,
    body: OfficerUpdate,
    officer: Annotated[Principal, acting_as(Role.TEAM_LEAD, action="keeping the roster")],
    handlers: Handlers,
) -> RosterOfficer:
    return await handlers.update_officer(officer_id, name=body.name, skills=body.skills, active=body.active)


@router.post("/officers/{officer_id}/unavailability", tags=["roster"], status_code=status.HTTP_201_CREATED)
async def add_unavailability(
    officer_id: str,
    body: NewUnavailability,
    officer: Annotated[Principal, acting_as(Role.TEAM_LEAD, action="keeping the roster")],
    handlers: Handlers,
) -> UnavailabilityRecorded:
    period = Unavailability(starts_at=body.starts_at, ends_at=body.ends_at, reason=body.reason)
    updated, affected = await handlers.add_unavailability(officer_id, period)
    return UnavailabilityRecorded(officer=updated, affected=affected)


@router.delete("/officers/{officer_id}/unavailability/{period_id}", tags=["roster"])
async def remove_unavailability(
    officer_id: str,
    period_id: str,
    officer: Annotated[Principal, acting_as(Role.TEAM_LEAD, action="keeping the roster")],
    handlers: Handlers,
) -> RosterOfficer:
    return await handlers.remove_unavailability(officer_id, period_id)


@router.get("/equipment", tags=["inventory"])
async def list_items(officer: Officer, handlers: Handlers) -> list[Item]:
    return await handlers.items()


@router.post("/equipment", tags=["inventory"], status_code=status.HTTP_201_CREATED)
async def add_item(
    body: NewItem,
    officer: Annotated[Principal, acting_as(Role.TEAM_LEAD, action="keeping the inventory")],
    handlers: Handlers,
) -> Item:
    return await handlers.add_item(Item(**body.model_dump()))


@router.put("/equipment/{item_id}", tags=["inventory"])
async def update_item(
    item_id: str,
    body: ItemUpdate,
    officer: Annotated[Principal, acting_as(Role.TEAM_LEAD, action="keeping the inventory")],
    handlers: Handlers,
) -> Item:
    return await handlers.update_item(item_id, kind=body.kind, description=body.description, condition=body.condition)
