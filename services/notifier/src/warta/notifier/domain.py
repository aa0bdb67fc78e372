"""Who is told what, when; pure rules, no I/O.

The notifier learns a request's context from its events (``Case``), turns each event into notices
for the officers whose work it now waits on, and keeps a timer per open SOP step that warns the
responsible officers at a share of the standard and the section head once it is over. Every notice
becomes one message per channel the officer chose; a message's key is fixed by what caused it, the
recipient and the channel, so nothing causes the same message twice.

Messages stay worth reading: nobody is told of their own action, and each officer chooses, per
kind of message, to have it at once or gathered into a digest every so many minutes. Warnings,
overruns and anything about an event about to start always go at once.
"""

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field
from pydantic_core import PydanticCustomError

from warta.contracts import (
    FIRST_SOP,
    SOP,
    Approved,
    CoverageSubmitted,
    DispositionIssued,
    Event,
    Line,
    PhoneNumber,
    Published,
    Rejected,
    RequestCorrected,
    RequestReceived,
    ReviewLevel,
    Role,
    Step,
    TeamAssigned,
)
from warta.runtime.indonesian import format_datetime

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"
HOUR = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class Channel(StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"


class DigestKind(StrEnum):
    """The kinds of message an officer may have gathered into a digest (the first part of a
    message's ``kind``). Warnings and overruns are not among them: they always go at once."""

    WAITING = "waiting"  # work now waits on the officer: a request to dispose, a version to review
    ASSIGNED = "assigned"  # the officer is on a coverage team
    RETURNED = "returned"  # a version came back with a reviewer's note
    PUBLISHED = "published"  # the team's release is out


DIGEST_MINUTES = (15, 30, 60, 120)
# News of a release that is out asks nothing of anyone: gathered hourly unless an officer says
# otherwise. Everything that asks for work goes at once unless the officer chooses a digest.
DEFAULT_DIGESTS: dict[DigestKind, int] = {DigestKind.PUBLISHED: 60}


def _every_allowed(digests: dict[DigestKind, int]) -> dict[DigestKind, int]:
    for kind, minutes in digests.items():
        if minutes not in DIGEST_MINUTES:
            raise PydanticCustomError(
                "digest_minutes",
                "a digest goes every 15, 30, 60 or 120 minutes, not {minutes} ({kind})",
                {"minutes": minutes, "kind": kind.value},
            )
    return digests


Digests = Annotated[dict[DigestKind, int], AfterValidator(_every_allowed)]


class Officer(BaseModel):
    """An officer's entry in the notifier's directory: how and when to reach them."""

    officer_id: str = Field(pattern=ID_PATTERN)
    name: Line = Field(min_length=1, max_length=200)
    role: Role
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    whatsapp: PhoneNumber | None = Field(default=None, description="As typed; kept in E.164 (+62…).")
    channels: tuple[Channel, ...] = Field(default=(Channel.WHATSAPP, Channel.EMAIL), min_length=1)
    quiet_from: str | None = Field(default="21:00", pattern=HOUR, description="Start of quiet hours (WIB); null: none.")
    quiet_until: str | None = Field(default="06:00", pattern=HOUR, description="End of quiet hours (WIB).")
    digests: Digests = Field(
        default_factory=lambda: dict(DEFAULT_DIGESTS),
        description="Kinds of message gathered into a digest, each every so many minutes (15, 30, 60 or 120); "
        "a kind not named goes at once.",
    )
    active: bool = True

    def digest_every(self, kind: str, urgent: bool) -> timedelta | None:
        """How often this officer wants messages of ``kind`` gathered, or None: at once. An
        urgent message (its event about to start) and warnings and overruns always go at once."""
        if urgent:
            return None
        try:
            group = DigestKind(kind.split(".", 1)[0])
        except ValueError:
            return None
        minutes = self.digests.get(group)
        return timedelta(minutes=minutes) if minutes else None

    def next_digest(self, now: datetime, every: timedelta, zone: ZoneInfo) -> datetime:
        """The digest's next round after ``now``: on the clock in WIB (every 30 minutes is :00 and
        :30), so that an officer knows when to expect it; after quiet hours, at their end."""
        local = now.astimezone(zone)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        rounds = (local - midnight) // every + 1
        return self.next_awake(midnight + rounds * every, zone)

    def address(self, channel: Channel) -> str | None:
        return self.email if channel is Channel.EMAIL else self.whatsapp

    def reachable_on(self) -> list[Channel]:
        return [c for c in self.channels if self.address(c)]

    def next_awake(self, now: datetime, zone: ZoneInfo) -> datetime:
        """``now``, or the end of the quiet hours ``now`` falls in."""
        if self.quiet_from is None or self.quiet_until is None:
            return now
        start, end = time.fromisoformat(self.quiet_from), time.fromisoformat(self.quiet_until)
        local = now.astimezone(zone)
        at = local.timetz().replace(tzinfo=None)
        quiet = (at >= start or at < end) if start > end else start <= at < end  # overnight, or within a day
        if not quiet:
            return now
        wake = datetime.combine(local.date(), end, zone)
        return wake if wake > local else wake + timedelta(days=1)


class Case(BaseModel):
    """What the notifier knows of a request, from its events."""

    request_id: str
    agenda_number: str | None = None
    title: str | None = None
    location: str | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    team: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    held: list["HeldNotice"] = Field(default_factory=list)  # for a team not yet known

    def learn(self, event: Event) -> None:
        if isinstance(event, RequestReceived | RequestCorrected):
            d = event.data
            self.agenda_number, self.title, self.location = d.agenda_number, d.event.title, d.event.location
            self.starts_at, self.ends_at = d.event.starts_at, d.event.ends_at
        elif isinstance(event, DispositionIssued):
            self.agenda_number, self.title, self.location = (
                event.data.agenda_number,
                event.data.event.title,
                event.data.event.location,
            )
            self.starts_at, self.ends_at = event.data.event.starts_at, event.data.event.ends_at
        elif isinstance(event, TeamAssigned):
            self.team = tuple(m.officer_id for m in event.data.members)
            self.equipment = event.data.equipment
            self.title, self.location = event.data.event.title, event.data.event.location
            self.starts_at, self.ends_at = event.data.event.starts_at, event.data.event.ends_at

    def address(self, cause: str, notices: list["Notice"]) -> list[tuple[str, "Notice"]]:
        """The notices to write now, each with the id of the event that caused it.

        Each event type has its own consumer, so events arrive in no fixed order: a notice for the
        team that comes before the team's assignment (a publication whose assignment was in a
        restarting process's hands, say) is held, and written once the assignment arrives.
        """
        ready = []
        if self.team:
            ready += [(h.cause, Notice(h.kind, Audience(team=True), h.text, h.not_for)) for h in self.held]
            self.held = []
        for notice in notices:
            if notice.audience.team and not self.team:
                self.held.append(HeldNotice(cause=cause, kind=notice.kind, text=notice.text, not_for=notice.not_for))
            else:
                ready.append((cause, notice))
        return ready

    @property
    def name(self) -> str:
        return f"{self.agenda_number or self.request_id} «{self.title or 'tanpa judul'}»"

    def happening(self, now: datetime, within: timedelta) -> bool:
        """The event is under way or about to start: worth a message at night."""
        if self.starts_at is None or self.ends_at is None:
            return False
        return self.starts_at - within <= now < self.ends_at


@dataclass(frozen=True)
class Audience:
    """Who a notice is for: everyone holding a role, or the request's assigned team."""

    role: Role | None = None
    team: bool = False


@dataclass(frozen=True)
class Notice:
    kind: str  # what it is about, e.g. "waiting.disposition", "warning.step3"
    audience: Audience
    text: str  # Bahasa Indonesia; the link is added per recipient
    not_for: str | None = None  # the officer whose own action caused it: not told of it


class HeldNotice(BaseModel):
    """A notice for a team not known yet, and the event that caused it."""

    cause: str
    kind: str
    text: str
    not_for: str | None = None


def notices_for(event: Event, case: Case) -> list[Notice]:
    """The notices an event causes: the officers whose work now waits on it are told, except the
    officer whose own action it was (a team lead who corrects a version herself is not asked to
    review it; whoever published is not told it is out)."""
    actor = event.actor.officer_id if event.actor else None
    return [replace(notice, not_for=actor) for notice in _notices(event, case)]


def _notices(event: Event, case: Case) -> list[Notice]:
    name = case.name
    if isinstance(event, RequestReceived):
        sender = event.data.letter.sender
        return [
            Notice(
                "waiting.disposition",
                Audience(Role.SECTION_HEAD),
                f"Permohonan baru {name} dari {sender} menunggu disposisi Anda.",
            )
        ]
    if isinstance(event, DispositionIssued):
        return [Notice("waiting.assignment", Audience(Role.TEAM_LEAD), f"Disposisi {name}: mohon bagi tim liputan.")]
    if isinstance(event, TeamAssigned):
        kit = ", ".join(case.equipment) or "tidak ada"
        when = format_datetime(event.data.event.starts_at)
        text = f"Anda ditugaskan meliput {name}, {when} di {event.data.event.location}. Alat: {kit}."
        return [Notice("assigned", Audience(team=True), text)]
    if isinstance(event, CoverageSubmitted):
        text = f"Hasil liputan {name} versi {event.data.version} menunggu pemeriksaan Anda."
        return [Notice("waiting.review.team_lead", Audience(Role.TEAM_LEAD), text)]
    if isinstance(event, Approved) and event.data.level is ReviewLevel.TEAM_LEAD:
        text = f"Hasil liputan {name} versi {event.data.version} disetujui ketua tim dan menunggu persetujuan Anda."
        return [Notice("waiting.review.section_head", Audience(Role.SECTION_HEAD), text)]
    if isinstance(event, Rejected):
        if event.data.level is ReviewLevel.TEAM_LEAD:
            text = f"Versi {event.data.version} {name} dikembalikan ketua tim: {event.data.note}"
            return [Notice("returned.team", Audience(team=True), text)]
        text = f"Versi {event.data.version} {name} dikembalikan kepala bagian: {event.data.note}"
        return [Notice("returned.team_lead", Audience(Role.TEAM_LEAD), text)]
    if isinstance(event, Published):
        text = f"Siaran pers {name} telah terbit: {event.data.website_url}"
        return [Notice("published", Audience(team=True), text)]
    return []


class TimerState(StrEnum):
    RUNNING = "running"
    WARNED = "warned"  # the responsible officers were warned
    OVERDUE = "overdue"  # the section head was told it is over
    STOPPED = "stopped"  # the step finished


class StepTimer(BaseModel):
    """One run of a step's clock as the notifier watches it."""

    request_id: str
    sop: str = FIRST_SOP  # the request's SOP revision, whose standard the timer counts
    step: int
    start_event: str
    started_at: AwareDatetime
    warn_at: AwareDatetime
    due_at: AwareDatetime
    state: TimerState = TimerState.RUNNING

    @property
    def key(self) -> str:
        return f"{self.request_id}:{self.step}:{self.start_event}"

    def next_alarm(self) -> AwareDatetime | None:
        if self.state is TimerState.RUNNING:
            return self.warn_at
        if self.state is TimerState.WARNED:
            return self.due_at
        return None


def timers_started(event: Event, warn_ratio: float) -> list[StepTimer]:
    out = []
    for step in SOP.of(event).steps:
        started_at = step.started_by(event)
        if started_at is not None:
            out.append(
                StepTimer(
                    request_id=event.subject,
                    sop=event.sop,
                    step=step.number,
                    start_event=str(event.id),
                    started_at=started_at,
                    warn_at=started_at + step.standard * warn_ratio,
                    due_at=started_at + step.standard,
                )
            )
    return out


def steps_stopped(event: Event) -> list[int]:
    return [step.number for step in SOP.of(event).steps if step.stopped_by(event) is not None]


def alarm(timer: StepTimer, case: Case) -> tuple[TimerState, Notice]:
    """The notice a timer's next alarm sends, and the state it leaves the timer in."""
    step = SOP.revision(timer.sop).step(timer.step)
    if timer.state is TimerState.RUNNING:
        minutes = round((timer.due_at - timer.warn_at).total_seconds() / 60)
        text = (
            f"Pengingat: langkah {step.number} ({step.short}) untuk {case.name} "
            f"harus selesai dalam {minutes} menit lagi (batas {format_datetime(timer.due_at)})."
        )
        return TimerState.WARNED, Notice(f"warning.step{step.number}", responsible(step, case), text)
    text = (
        f"Langkah {step.number} ({step.short}) untuk {case.name} melewati mutu baku "
        f"{step.standard_minutes} menit (batas {format_datetime(timer.due_at)})."
    )
    return TimerState.OVERDUE, Notice(f"overdue.step{step.number}", Audience(Role.SECTION_HEAD), text)


def responsible(step: Step, case: Case) -> Audience:
    """The coverage team's steps are the assigned team's; the others are their role's."""
    if step.actor is Role.COVERAGE_TEAM:
        return Audience(team=True)
    return Audience(step.actor)
