"""The SOP as versioned data: each revision's steps, who acts, the time standards, the calendars,
and which events start and stop each step's clock.

Each revision is a file in ``sop/`` (``58-2025.toml`` is SOP 58/2025), read and checked when this
module is imported: a revision that names an unknown event, role or data field, or numbers its
steps out of order, stops every service at start-up rather than miscounting a clock. A request
keeps the revision in force when its letter arrived (``RequestReceived`` records it, and every
later event of the request carries it in ``Event.sop``), so a revised SOP changes the standards
of new requests only.

Services name the steps they perform by ``key`` ("coverage", "team_lead_review"), never by
number: a revision may add, remove or renumber steps.
"""

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any, Literal
from zoneinfo import ZoneInfo

from .catalogue import CATALOGUE
from .envelope import FIRST_SOP, Event
from .roles import ReviewLevel, Role

JAKARTA = ZoneInfo("Asia/Jakarta")
CalendarName = Literal["wall", "office"]
_EVENTS = {cls.__name__: cls for cls in CATALOGUE}


class SopError(ValueError):
    """A revision's definition that cannot be followed."""


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
    key: str
    service: str
    actor: Role
    activity: str  # in Bahasa Indonesia, as the SOP says it
    activity_en: str
    short: str  # a few Indonesian words for messages: "pemeriksaan ketua tim"
    output: str
    output_en: str
    standard_minutes: int
    calendar: CalendarName
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


@dataclass(frozen=True)
class SopRevision:
    number: str  # "58/2025"
    title: str
    effective_from: date  # in Asia/Jakarta
    steps: tuple[Step, ...]

    @property
    def total_standard_minutes(self) -> int:
        return sum(s.standard_minutes for s in self.steps)

    def step(self, number: int) -> Step:
        found = next((s for s in self.steps if s.number == number), None)
        if found is None:
            raise KeyError(f"SOP {self.number} has no step {number}")
        return found

    def keyed(self, key: str) -> Step:
        """The step a service knows by its key, e.g. ``keyed("coverage")``."""
        found = next((s for s in self.steps if s.key == key), None)
        if found is None:
            raise KeyError(f"SOP {self.number} has no step {key!r}")
        return found

    def performed_by(self, service: str) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.service == service)


class SopRevisions:
    """Every revision the system knows, and which one was in force on a day."""

    def __init__(self, revisions: list[SopRevision]) -> None:
        self._revisions = {r.number: r for r in revisions}
        self._check()

    def _check(self) -> None:
        days = [r.effective_from for r in self._revisions.values()]
        if len(set(days)) != len(days):
            raise SopError("two SOP revisions take effect on the same day")

    def __iter__(self) -> Iterator[SopRevision]:
        return iter(sorted(self._revisions.values(), key=lambda r: r.effective_from))

    def revision(self, number: str) -> SopRevision:
        try:
            return self._revisions[number]
        except KeyError:
            raise KeyError(f"no SOP revision {number!r}; known: {', '.join(self._revisions)}") from None

    def in_force(self, at: datetime) -> SopRevision:
        """The revision in force at ``at`` (a day in Asia/Jakarta)."""
        day = at.astimezone(JAKARTA).date()
        candidates = [r for r in self if r.effective_from <= day]
        if not candidates:
            raise SopError(f"no SOP revision was in force on {day}")
        return candidates[-1]

    def of(self, event: Event) -> SopRevision:
        """The revision the event's request runs under."""
        return self.revision(event.sop)

    @property
    def standards_minutes(self) -> set[int]:
        """Every step standard and every total of every revision (the metrics' bucket boundaries)."""
        return {s.standard_minutes for r in self for s in r.steps} | {r.total_standard_minutes for r in self}

    @property
    def most_steps(self) -> int:
        return max(len(r.steps) for r in self)

    @contextmanager
    def added(self, revision: SopRevision) -> Iterator[SopRevision]:
        """A revision known for a while: for tests that run requests under a revision of their own."""
        if revision.number in self._revisions:
            raise SopError(f"SOP revision {revision.number} is already known")
        self._revisions[revision.number] = revision
        try:
            self._check()
            yield revision
        finally:
            del self._revisions[revision.number]


def parse_revision(text: str) -> SopRevision:
    """A revision from its TOML definition, checked: steps numbered 1, 2, …; known roles, events,
    review levels and data fields; positive standards; unique keys."""
    try:
        raw = tomllib.loads(text)
        steps = tuple(_step(s) for s in raw["steps"])
        revision = SopRevision(
            number=str(raw["number"]),
            title=str(raw["title"]),
            effective_from=_date(raw["effective_from"]),
            steps=steps,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise SopError(f"an SOP definition cannot be read: {e}") from e
    if [s.number for s in steps] != list(range(1, len(steps) + 1)):
        raise SopError(f"SOP {revision.number}: steps must be numbered 1, 2, … in order")
    if len({s.key for s in steps}) != len(steps):
        raise SopError(f"SOP {revision.number}: two steps share a key")
    return revision


def _date(value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"effective_from must be a date, not {value!r}")
    return value


def _step(raw: dict[str, Any]) -> Step:
    standard = int(raw["standard_minutes"])
    if standard <= 0:
        raise ValueError(f"step {raw['number']}: the standard must be positive")
    if raw["calendar"] not in ("wall", "office"):
        raise ValueError(f"step {raw['number']}: calendar must be wall or office")
    return Step(
        number=int(raw["number"]),
        key=str(raw["key"]),
        service=str(raw["service"]),
        actor=Role(raw["actor"]),
        activity=str(raw["activity"]),
        activity_en=str(raw["activity_en"]),
        short=str(raw["short"]),
        output=str(raw["output"]),
        output_en=str(raw["output_en"]),
        standard_minutes=standard,
        calendar=raw["calendar"],
        starts_on=tuple(_mark(m) for m in raw["starts_on"]),
        stops_on=tuple(_mark(m) for m in raw["stops_on"]),
    )


def _mark(raw: dict[str, Any]) -> ClockMark:
    event = _EVENTS.get(raw["event"])
    if event is None:
        raise ValueError(f"no event {raw['event']!r} in the catalogue")
    level = ReviewLevel(raw["level"]) if "level" in raw else None
    at = raw.get("at")
    data = event.model_fields["data"].annotation
    if at is not None and at not in getattr(data, "model_fields", {}):
        raise ValueError(f"{raw['event']} carries no {at!r}")
    if level is not None and "level" not in getattr(data, "model_fields", {}):
        raise ValueError(f"{raw['event']} has no review level")
    return ClockMark(event, level, at)


def _load() -> SopRevisions:
    folder = resources.files(__package__).joinpath("sop")
    revisions = [parse_revision(f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".toml")]
    known = SopRevisions(revisions)
    known.revision(FIRST_SOP)  # events from before revisions were recorded are read as the first
    return known


SOP = _load()
