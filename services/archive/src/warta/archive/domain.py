"""What the archive keeps and what it derives from it; pure rules, no I/O.

Every message of the event stream becomes one ``Record``: its exact text, where it sits in the
stream, and the few fields searched by. A message this version does not understand (a newer event
type or version, or not even JSON) is kept all the same, marked ``known=False``: the archive is the
record, and a record does not drop what it cannot read yet.

A request's ``Dossier`` (its row in searches and exports) and its ``Timeline`` are folds over its
records in stream order, so they are recomputed from the records at any time and always agree
with them.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, PrivateAttr, ValidationError

from warta.contracts import (
    FIRST_SOP,
    SOP,
    Approved,
    CoverageSubmitted,
    DispositionIssued,
    Event,
    Published,
    Rejected,
    RequestCorrected,
    RequestDeclined,
    RequestReceived,
    ReviewLevel,
    Step,
    TeamAssigned,
    UnknownEventType,
    label,
    parse_event,
)


class Record(BaseModel):
    """One message of the event stream, kept unchanged (``payload`` is its exact text)."""

    event_id: str
    sequence: int  # the stream sequence: the order the section's work happened in
    subject: str  # the NATS subject it was published to
    stored_at: AwareDatetime  # when JetStream stored it
    payload: str
    known: bool  # a catalogued event valid for its contract
    type: str | None = None
    request_id: str | None = None
    time: AwareDatetime | None = None
    officer_id: str | None = None
    role: str | None = None
    _event: Event | None = PrivateAttr(default=None)

    def event(self) -> Event | None:
        # Parsed once: the dossier and the step runs are folded from the same records.
        if self._event is None and self.known:
            self._event = parse_event(self.payload)
        return self._event


def record_of(subject: str, body: bytes, sequence: int, stored_at: datetime, msg_id: str | None) -> Record:
    """The record of one stream message, whatever it holds."""
    text = body.decode("utf-8", errors="replace")
    try:
        event = parse_event(body)
    except (UnknownEventType, ValidationError, ValueError):
        event = None
    if event is not None:
        return Record(
            event_id=str(event.id),
            sequence=sequence,
            subject=subject,
            stored_at=stored_at,
            payload=text,
            known=True,
            type=event.type,
            request_id=event.subject,
            time=event.time,
            officer_id=event.actor.officer_id if event.actor else None,
            role=event.actor.role.value if event.actor else None,
        )
    # Not understood: keep it with whatever can be read of its envelope.
    envelope = _json_object(text)
    actor: dict[str, Any] = envelope["actor"] if isinstance(envelope.get("actor"), dict) else {}
    return Record(
        event_id=str(envelope.get("id") or msg_id or f"seq-{sequence}"),
        sequence=sequence,
        subject=subject,
        stored_at=stored_at,
        payload=text,
        known=False,
        type=_text(envelope.get("type")),
        request_id=_text(envelope.get("subject")),
        time=_instant(envelope.get("time")),
        officer_id=_text(actor.get("officer_id")),
        role=_text(actor.get("role")),
    )


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value[:200] if isinstance(value, str) and value else None


def _instant(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


class DossierState(StrEnum):
    """Where a request stands, as its events tell."""

    RECEIVED = "received"  # registered, waiting for the section head (step 2)
    DISPOSED = "disposed"  # disposed to the team lead (step 3)
    DECLINED = "declined"  # declined by the section head: ended
    ASSIGNED = "assigned"  # a team covers it (step 4)
    IN_REVIEW = "in_review"  # coverage submitted, checked at step 5 or 6
    RETURNED = "returned"  # sent back for revision
    APPROVED = "approved"  # publication ordered (step 7)
    PUBLISHED = "published"  # ended


class Dossier(BaseModel):
    """One request as the archive sees it: its row in searches, exports and retention."""

    request_id: str
    state: DossierState
    agenda_number: str | None = None
    received_at: AwareDatetime | None = None
    title: str | None = None
    leader: str | None = None
    sender: str | None = None
    letter_number: str | None = None
    website_url: str | None = None
    sop: str = FIRST_SOP  # the SOP revision the request runs under
    first_at: AwareDatetime
    last_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    events: int
    unknown_events: int


def dossier_of(records: Iterable[Record]) -> Dossier | None:
    """Fold a request's records (in stream order) into its dossier; None without any known event."""
    state: DossierState | None = None
    fields: dict[str, Any] = {}
    count = unknown = 0
    first_at = last_at = ended_at = None
    request_id: str | None = None
    for record in records:
        count += 1
        request_id = request_id or record.request_id
        at = record.time or record.stored_at
        first_at = at if first_at is None else min(first_at, at)
        last_at = at if last_at is None else max(last_at, at)
        event = record.event()
        if event is None:
            unknown += 1
            continue
        if isinstance(event, RequestReceived | RequestCorrected):
            d = event.data
            fields.update(
                sop=event.sop,
                agenda_number=d.agenda_number,
                received_at=d.received_at,
                title=d.event.title,
                leader=d.event.leader.value,
                sender=d.letter.sender,
                letter_number=d.letter.number,
            )
            state = state or DossierState.RECEIVED
        elif isinstance(event, DispositionIssued):
            state = DossierState.DISPOSED
        elif isinstance(event, RequestDeclined):
            state, ended_at = DossierState.DECLINED, event.time
        elif isinstance(event, TeamAssigned):
            if state in (None, DossierState.RECEIVED, DossierState.DISPOSED):
                state = DossierState.ASSIGNED
        elif isinstance(event, CoverageSubmitted):
            state = DossierState.IN_REVIEW
        elif isinstance(event, Rejected):
            state = DossierState.RETURNED
        elif isinstance(event, Approved):
            state = DossierState.APPROVED if event.data.level is ReviewLevel.SECTION_HEAD else DossierState.IN_REVIEW
        elif isinstance(event, Published):
            state, ended_at = DossierState.PUBLISHED, event.time
            fields["website_url"] = str(event.data.website_url)
    if first_at is None or last_at is None or state is None or request_id is None:
        return None
    return Dossier(
        request_id=request_id,
        state=state,
        first_at=first_at,
        last_at=last_at,
        ended_at=ended_at,
        events=count,
        unknown_events=unknown,
        **fields,
    )


class Entry(BaseModel):
    sequence: int
    time: AwareDatetime
    type: str | None
    officer_id: str | None
    role: str | None
    what: str  # in Bahasa Indonesia, for the section's staff
    officer_name: str | None = None  # as the officer's sign-in gave it, when the event carries it


class StepRun(BaseModel):
    """One run of a step's clock, derived from the events that start and stop it."""

    sop: str
    step: int
    run: int
    started_at: AwareDatetime
    finished_at: AwareDatetime | None
    seconds: float | None
    standard_seconds: float
    over: bool | None  # None while the step is still open
    officer_id: str | None = None  # whose action finished it: who answers for an overrun

    @property
    def open(self) -> bool:
        return self.finished_at is None


class Timeline(BaseModel):
    request_id: str
    entries: list[Entry]
    steps: list[StepRun]


Seconds = Callable[[Step, datetime, datetime], float]  # step, from, to -> seconds on its calendar


def timeline_of(request_id: str, records: Iterable[Record], seconds: Seconds) -> Timeline:
    """Every event in stream order with actor, time and a line of Indonesian; and every run of
    every SOP step against its standard (``step_runs_of``)."""
    records = list(records)
    entries = []
    for record in records:
        event = record.event()
        entries.append(
            Entry(
                sequence=record.sequence,
                time=record.time or record.stored_at,
                type=record.type,
                officer_id=record.officer_id,
                officer_name=event.actor.name if event and event.actor else None,
                role=record.role,
                what=describe(event) if event else f"peristiwa yang belum dikenali ({record.type or 'tanpa jenis'})",
            )
        )
    return Timeline(request_id=request_id, entries=entries, steps=step_runs_of(records, seconds))


# The version of ``step_runs_of`` whose runs a dossier keeps. Raise it when the fold changes: runs
# folded by an earlier version are then not read, and each request is timed from its records.
RUNS_FOLD = 1


def step_runs_of(records: Iterable[Record], seconds: Seconds) -> list[StepRun]:
    """Every run of every SOP step of a request, by the same start and stop events the services'
    own step clocks use, in the order they started."""
    runs: list[StepRun] = []
    for record in records:
        event = record.event()
        if event is None:
            continue
        for step in SOP.of(event).steps:
            started_at, stopped_at = step.started_by(event), step.stopped_by(event)
            running = next((r for r in runs if r.step == step.number and r.open), None)
            if running is None and started_at is not None:
                running = StepRun(
                    sop=event.sop,
                    step=step.number,
                    run=sum(r.step == step.number for r in runs) + 1,
                    started_at=started_at,
                    finished_at=None,
                    seconds=None,
                    standard_seconds=step.standard.total_seconds(),
                    over=None,
                )
                runs.append(running)
            elif running is not None and stopped_at is None:
                continue  # a start while it runs (a reassigned team keeps its clock)
            if running is not None and stopped_at is not None:
                running.finished_at = stopped_at
                running.seconds = seconds(step, running.started_at, stopped_at)
                running.over = running.seconds > running.standard_seconds
                running.officer_id = record.officer_id
    runs.sort(key=lambda r: (r.started_at, r.step))
    return runs


def remeasured(runs: Iterable[StepRun], seconds: Seconds) -> list[StepRun]:
    """Stored runs timed again on today's calendars: a holiday declared since a run finished
    counts as it does in the request's timeline."""
    again = []
    for run in runs:
        step = SOP.revision(run.sop).step(run.step)
        took = None if run.finished_at is None else seconds(step, run.started_at, run.finished_at)
        standard = step.standard.total_seconds()
        over = None if took is None else took > standard
        again.append(run.model_copy(update={"seconds": took, "standard_seconds": standard, "over": over}))
    return again


def minutes_per_step(runs: Iterable[StepRun]) -> dict[int, float]:
    """Finished minutes per step, all runs of a step added up (a returned version runs 4 again)."""
    minutes: dict[int, float] = {}
    for run in runs:
        if run.seconds is not None:
            minutes[run.step] = round(minutes.get(run.step, 0) + run.seconds / 60, 1)
    return minutes


def describe(event: Event) -> str:
    """One line of Indonesian for a timeline."""
    if isinstance(event, RequestReceived):
        return f"surat permohonan diregistrasi, nomor agenda {event.data.agenda_number}"
    if isinstance(event, RequestCorrected):
        return f"data permohonan dikoreksi ({', '.join(event.data.changed)})"
    if isinstance(event, DispositionIssued):
        return "disposisi diteruskan kepada ketua tim dokumentasi"
    if isinstance(event, RequestDeclined):
        return f"permohonan ditolak: {event.data.reason}"
    if isinstance(event, TeamAssigned):
        return f"tim peliputan ditugaskan ({len(event.data.members)} orang, penugasan ke-{event.data.revision})"
    if isinstance(event, CoverageSubmitted):
        return f"hasil liputan versi {event.data.version} dikirim untuk diperiksa"
    if isinstance(event, Approved):
        return f"versi {event.data.version} disetujui {label(event.data.level)}"
    if isinstance(event, Rejected):
        return f"versi {event.data.version} dikembalikan {label(event.data.level)}: {event.data.note}"
    if isinstance(event, Published):
        return f"siaran pers dipublikasikan di {event.data.website_url}"
    return event.type


class RecordClass(StrEnum):
    """Record classes of the retention schedule (jadwal retensi arsip)."""

    PUBLISHED = "published"  # requests that ended in a press release
    DECLINED = "declined"  # requests the section head declined
    UNREADABLE = "unreadable"  # messages without a request this archive can read


# The state a request of each class ended in; unreadable messages have no request.
ENDED_AS = {RecordClass.PUBLISHED: DossierState.PUBLISHED, RecordClass.DECLINED: DossierState.DECLINED}


class StepSummary(BaseModel):
    sop: str
    step: int
    standard_minutes: int
    finished: int
    within: int
    over: int
    within_percent: float | None  # None when nothing finished


class OfficerOverruns(BaseModel):
    officer_id: str
    overruns: int
    overrun_minutes: float


class OverdueRun(BaseModel):
    request_id: str
    agenda_number: str | None = None  # as the register numbered it, for the people reading the list
    title: str | None = None
    sop: str
    step: int
    started_at: AwareDatetime
    over_minutes: float


class SopSummary(BaseModel):
    """The SOP's keeping over a period: per step, runs finished within and over the standard;
    per officer, the overruns they answer for; and the runs open and already over now."""

    steps: list[StepSummary]
    officers: list[OfficerOverruns]
    overdue: list[OverdueRun]


def summarize(
    runs_of: Mapping[str, Iterable[StepRun]], first: datetime | None, last: datetime | None, now: datetime
) -> SopSummary:
    """Over each request's step runs (by request id): runs finished in ``[first, last)`` count,
    per SOP revision and step (each against its own revision's standard); open runs past their
    standard at ``now`` are overdue. The revision in force at ``now`` is always listed, and every
    other one with a run in the period."""
    counts: dict[tuple[str, int], list[int]] = {}
    overruns: dict[str, list[float]] = {}
    overdue = []
    for request_id, runs in runs_of.items():
        for run in runs:
            if run.finished_at is None:
                late = (now - run.started_at).total_seconds() - run.standard_seconds
                if late > 0:
                    overdue.append(
                        OverdueRun(
                            request_id=request_id,
                            sop=run.sop,
                            step=run.step,
                            started_at=run.started_at,
                            over_minutes=round(late / 60, 1),
                        )
                    )
                continue
            if (first is not None and run.finished_at < first) or (last is not None and run.finished_at >= last):
                continue
            counts.setdefault((run.sop, run.step), [0, 0])[1 if run.over else 0] += 1
            if run.over and run.officer_id and run.seconds is not None:
                overruns.setdefault(run.officer_id, []).append((run.seconds - run.standard_seconds) / 60)
    shown = {sop for sop, _ in counts} | {SOP.in_force(now).number}
    steps = []
    for revision, s in ((r, s) for r in SOP if r.number in shown for s in r.steps):
        within, over = counts.get((revision.number, s.number), [0, 0])
        percent = round(100 * within / (within + over), 1) if within + over else None
        steps.append(
            StepSummary(
                sop=revision.number,
                step=s.number,
                standard_minutes=s.standard_minutes,
                finished=within + over,
                within=within,
                over=over,
                within_percent=percent,
            )
        )
    officers = [
        OfficerOverruns(officer_id=o, overruns=len(m), overrun_minutes=round(sum(m), 1)) for o, m in overruns.items()
    ]
    return SopSummary(
        steps=steps,
        officers=sorted(officers, key=lambda o: (-o.overruns, o.officer_id)),
        overdue=sorted(overdue, key=lambda o: -o.over_minutes),
    )
