"""The archive's use cases: keep every stream message, and read the record back as timelines,
searches, exports, audits and the retention schedule."""

import contextlib
import io
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from warta.contracts import SOP, NotFound
from warta.runtime import Clock, spreadsheet
from warta.runtime.indonesian import format_datetime

from .domain import (
    ENDED_AS,
    Dossier,
    DossierState,
    Record,
    RecordClass,
    Seconds,
    SopSummary,
    StepRun,
    Timeline,
    describe,
    dossier_of,
    minutes_per_step,
    remeasured,
    step_runs_of,
    summarize,
    timeline_of,
)
from .store import ArchiveStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Period:
    """Whole days in the office's time zone, both ends included."""

    first: date | None = None
    last: date | None = None

    def bounds(self, zone: ZoneInfo) -> dict[str, datetime]:
        query: dict[str, datetime] = {}
        if self.first is not None:
            query["$gte"] = datetime.combine(self.first, time(), zone)
        if self.last is not None:
            query["$lt"] = datetime.combine(self.last + timedelta(days=1), time(), zone)
        return query


@dataclass(frozen=True)
class Search:
    period: Period = Period()
    state: DossierState | None = None
    leader: str | None = None
    sender: str | None = None  # a part of the sender's name, any case


DOSSIER_CSV_HEADER = (
    "nomor_agenda",
    "permohonan",
    "diterima",
    "pengirim",
    "nomor_surat",
    "kegiatan",
    "pimpinan",
    "status",
    "selesai",
    "tautan_berita",
    "sop",
    *(f"langkah_{n}_{what}" for n in range(1, SOP.most_steps + 1) for what in ("menit", "standar_menit")),
)
AUDIT_CSV_HEADER = ("waktu", "petugas", "peran", "peristiwa", "permohonan", "keterangan", "urutan")


def standard(sop: str, number: int) -> int | str:
    """A step's standard in minutes in the request's revision; blank where the revision has no such step."""
    steps = SOP.revision(sop).steps
    return steps[number - 1].standard_minutes if number <= len(steps) else ""


@dataclass(frozen=True)
class RetentionLine:
    record_class: RecordClass
    keep_years: int
    requests: int
    records: int
    oldest_end: datetime | None


@dataclass(frozen=True)
class Disposal:
    record_class: RecordClass
    request_id: str | None
    event_ids: list[str]
    ended_at: datetime


class ArchiveHandlers:
    def __init__(
        self, store: ArchiveStore, clock: Clock, seconds: Seconds, zone: ZoneInfo, retention_years: dict[str, int]
    ) -> None:
        self._store = store
        self._clock = clock
        self._seconds = seconds
        self._zone = zone
        self._retention = {RecordClass(name): years for name, years in retention_years.items()}

    async def keep(self, record: Record) -> bool:
        """Keep one stream message; then bring its request's dossier up to date. A repeat changes
        no record, and recomputing the dossier from the records heals one cut short by a crash."""
        added = await self._store.add(record)
        if record.request_id is not None:
            records = await self._store.records_of(record.request_id)
            dossier = dossier_of(records)
            if dossier is not None:
                await self._store.put_dossier(dossier, self._runs_to_keep(records))
        return added

    def _runs_to_keep(self, records: list[Record]) -> list[StepRun] | None:
        """The request's step runs for its dossier; None if this version cannot fold them (an
        event under an SOP revision it does not know yet): the dossier is kept all the same."""
        try:
            return step_runs_of(records, self._seconds)
        except KeyError:
            return None

    async def timeline(self, request_id: str) -> Timeline:
        records = await self._store.records_of(request_id)
        if not records:
            raise NotFound(f"the archive holds nothing of request {request_id}")
        return timeline_of(request_id, records, self._seconds)

    async def dossier(self, request_id: str) -> Dossier:
        dossier = await self._store.dossier(request_id)
        if dossier is None:
            raise NotFound(f"the archive holds no request {request_id}")
        return dossier

    async def search(self, search: Search, limit: int = 0) -> list[Dossier]:
        return [dossier for dossier, _ in await self._found(search, limit, runs=False)]

    async def _found(
        self, search: Search, limit: int = 0, runs: bool = True
    ) -> list[tuple[Dossier, list[StepRun] | None]]:
        query: dict[str, Any] = {}
        if bounds := search.period.bounds(self._zone):
            query["received_at"] = bounds
        if search.state is not None:
            query["state"] = search.state.value
        if search.leader is not None:
            query["leader"] = search.leader
        found = await self._store.dossiers_with_runs(query, limit=0 if search.sender else limit, runs=runs)
        if search.sender:
            wanted = search.sender.casefold()
            found = [(d, runs) for d, runs in found if d.sender and wanted in d.sender.casefold()]
            found = found[:limit] if limit else found
        return found

    async def _step_runs(self, dossier: Dossier, runs: list[StepRun] | None) -> list[StepRun]:
        """A request's step runs from its dossier, timed on today's calendars; from its records if
        the dossier has none this version can use (ADR 0032)."""
        if runs is not None:
            with contextlib.suppress(KeyError):  # a run of a step its revision does not have (any more)
                return remeasured(runs, self._seconds)
        try:
            return (await self.timeline(dossier.request_id)).steps
        except KeyError:
            # Under an SOP revision this version does not know: no standard to time it against.
            log.warning("request %s has no step times: its SOP revision is unknown here", dossier.request_id)
            return []

    async def export_csv(self, search: Search) -> str:
        """One row per request with its step durations: the section's monthly report."""
        out = io.StringIO()
        writer = spreadsheet.Writer(out)
        writer.writerow(DOSSIER_CSV_HEADER)
        for d, runs in await self._found(search):
            steps = minutes_per_step(await self._step_runs(d, runs))
            writer.writerow(
                (
                    d.agenda_number or "",
                    d.request_id,
                    format_datetime(d.received_at) if d.received_at else "",
                    d.sender or "",
                    d.letter_number or "",
                    d.title or "",
                    d.leader or "",
                    d.state.value,
                    format_datetime(d.ended_at) if d.ended_at else "",
                    d.website_url or "",
                    d.sop,
                    *(cell for n in range(1, SOP.most_steps + 1) for cell in (steps.get(n, ""), standard(d.sop, n))),
                )
            )
        return out.getvalue()

    async def export_jsonl(self, search: Search) -> AsyncIterator[str]:
        """Every event of the requests found, one per line, exactly as it was published."""
        for d in await self.search(search):
            for record in await self._store.records_of(d.request_id):
                yield record.payload.strip() + "\n"

    async def audit_csv(self, officer_id: str, period: Period) -> str:
        """Every action one officer took, in order: for an inspection or an objection."""
        query: dict[str, Any] = {"officer_id": officer_id}
        if bounds := period.bounds(self._zone):
            query["time"] = bounds
        out = io.StringIO()
        writer = spreadsheet.Writer(out)
        writer.writerow(AUDIT_CSV_HEADER)
        async for record in self._store.records(query):
            event = record.event()
            writer.writerow(
                (
                    format_datetime(record.time or record.stored_at),
                    record.officer_id,
                    record.role or "",
                    record.type or "",
                    record.request_id or "",
                    describe(event) if event else "",
                    record.sequence,
                )
            )
        return out.getvalue()

    async def sop_summary(self, period: Period) -> SopSummary:
        """Each step's keeping of its standard over a period (runs finished in it), and what is
        overdue now, from the step runs of the requests still open or finished in the period."""
        bounds = period.bounds(self._zone)
        first, last = bounds.get("$gte"), bounds.get("$lt")
        query: dict[str, Any] = {} if first is None else {"$or": [{"ended_at": None}, {"ended_at": {"$gte": first}}]}
        found = await self._store.dossiers_with_runs(query)
        dossiers = {d.request_id: d for d, _ in found}
        runs_of = {d.request_id: await self._step_runs(d, runs) for d, runs in found}
        summary = summarize(runs_of, first, last, self._clock.now())
        summary.overdue = [
            run.model_copy(
                update={
                    "agenda_number": dossiers[run.request_id].agenda_number,
                    "title": dossiers[run.request_id].title,
                }
            )
            for run in summary.overdue
        ]
        return summary

    # -- retention --------------------------------------------------------------------------

    async def due_for_disposal(self) -> list[Disposal]:
        """What the retention schedule allows to remove now; removes nothing."""
        now = self._clock.now()
        due: list[Disposal] = []
        for kind, years in self._retention.items():
            before = now - timedelta(days=365 * years)
            if kind is RecordClass.UNREADABLE:
                for record in await self._store.unreadable_before(before):
                    due.append(Disposal(kind, None, [record.event_id], record.stored_at))
                continue
            for dossier in await self._store.ended_before(ENDED_AS[kind], before):
                if dossier.ended_at is None:
                    continue
                records = await self._store.records_of(dossier.request_id)
                due.append(Disposal(kind, dossier.request_id, [r.event_id for r in records], dossier.ended_at))
        return due

    async def retention_report(self) -> list[RetentionLine]:
        due = await self.due_for_disposal()
        lines = []
        for kind, years in self._retention.items():
            mine = [d for d in due if d.record_class is kind]
            lines.append(
                RetentionLine(
                    record_class=kind,
                    keep_years=years,
                    requests=sum(d.request_id is not None for d in mine),
                    records=sum(len(d.event_ids) for d in mine),
                    oldest_end=min((d.ended_at for d in mine), default=None),
                )
            )
        return lines

    async def dispose(self, ordered_by: str, reason: str) -> list[Disposal]:
        """Remove what the schedule allows, noting each removal with who ordered it and why."""
        due = await self.due_for_disposal()
        now = self._clock.now()
        for disposal in due:
            await self._store.dispose(
                disposal.request_id,
                disposal.event_ids,
                {
                    "_id": str(uuid.uuid4()),
                    "record_class": disposal.record_class.value,
                    "request_id": disposal.request_id,
                    "event_ids": disposal.event_ids,
                    "ended_at": disposal.ended_at,
                    "disposed_at": now,
                    "ordered_by": ordered_by,
                    "reason": reason,
                },
            )
        return due
