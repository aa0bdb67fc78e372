"""SOP 58/2025's seven steps as data: who acts, the time standard, and which events start and stop
each step's clock."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from .envelope import Event
from .events import (
    Approved,
    CoverageSubmitted,
    DispositionIssued,
    Published,
    Rejected,
    RequestDeclined,
    RequestReceived,
    TeamAssigned,
)
from .roles import ReviewLevel, Role


@dataclass(frozen=True)
class ClockMark:
    """An event that starts or stops a step's clock.

    ``level`` narrows review events to one level. ``at`` names the data field carrying the instant
    when it is not the event's own time: step 1 starts when the letter arrived, step 4 when the
    event itself starts (an event on Saturday assigned on Tuesday is not four days late).
    """

    event: type[Event]
    level: ReviewLevel | None = None
    at: str | None = None

    def matches(self, event: Event) -> bool:
        if not isinstance(event, self.event):
            return False
        return self.level is None or getattr(event.data, "level", None) == self.level  # type: ignore[attr-defined]

    def instant(self, event: Event) -> datetime:
        if self.at is None:
            return event.time
        value = getattr(event.data, self.at)  # type: ignore[attr-defined]
        assert isinstance(value, datetime)
        return value


@dataclass(frozen=True)
class Step:
    number: int
    actor: Role
    activity: str
    output: str
    standard_minutes: int
    starts_on: tuple[ClockMark, ...]
    stops_on: tuple[ClockMark, ...]

    @property
    def standard(self) -> timedelta:
        return timedelta(minutes=self.standard_minutes)

    def started_by(self, event: Event) -> datetime | None:
        """When this event starts the step's clock, or None if it does not."""
        return next((mark.instant(event) for mark in self.starts_on if mark.matches(event)), None)

    def stopped_by(self, event: Event) -> datetime | None:
        return next((mark.instant(event) for mark in self.stops_on if mark.matches(event)), None)


TL, SH = ReviewLevel.TEAM_LEAD, ReviewLevel.SECTION_HEAD

SOP_STEPS: tuple[Step, ...] = (
    Step(
        1,
        Role.ADMIN,
        "Receive and register the request letter",
        "disposition sheet",
        60,
        starts_on=(ClockMark(RequestReceived, at="received_at"),),
        stops_on=(ClockMark(RequestReceived),),
    ),
    Step(
        2,
        Role.SECTION_HEAD,
        "Check the leadership agenda and dispose the request to the team lead",
        "disposition",
        30,
        starts_on=(ClockMark(RequestReceived),),
        stops_on=(ClockMark(DispositionIssued), ClockMark(RequestDeclined)),
    ),
    Step(
        3,
        Role.TEAM_LEAD,
        "Split the coverage teams over the leadership agenda",
        "agenda and coverage-team assignment",
        30,
        starts_on=(ClockMark(DispositionIssued),),
        stops_on=(ClockMark(TeamAssigned),),
    ),
    Step(
        4,
        Role.COVERAGE_TEAM,
        "Cover the event; produce press release, photos, video and social-media content",
        "press release, photos, video",
        180,
        starts_on=(ClockMark(TeamAssigned, at="coverage_starts_at"), ClockMark(Rejected, TL)),
        stops_on=(ClockMark(CoverageSubmitted),),
    ),
    Step(
        5,
        Role.TEAM_LEAD,
        "Check the coverage; return it to the team or pass it to the section head",
        "press release, photos, video",
        30,
        starts_on=(ClockMark(CoverageSubmitted), ClockMark(Rejected, SH)),
        stops_on=(ClockMark(Approved, TL), ClockMark(Rejected, TL)),
    ),
    Step(
        6,
        Role.SECTION_HEAD,
        "Check the coverage; return it to the team lead or order publication",
        "press release, photos, video",
        30,
        starts_on=(ClockMark(Approved, TL),),
        stops_on=(ClockMark(Approved, SH), ClockMark(Rejected, SH)),
    ),
    Step(
        7,
        Role.COVERAGE_TEAM,
        "Publish to the city website and email the registered media outlets",
        "press release, photos (published)",
        20,
        starts_on=(ClockMark(Approved, SH),),
        stops_on=(ClockMark(Published),),
    ),
)

TOTAL_STANDARD_MINUTES = sum(step.standard_minutes for step in SOP_STEPS)


def step(number: int) -> Step:
    return SOP_STEPS[number - 1]
