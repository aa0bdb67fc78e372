"""Intake's use cases: load, decide in the domain, save with the outbox."""

import asyncio
import hashlib
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from pymongo.errors import DuplicateKeyError

from warta.contracts import (
    Actor,
    Conflict,
    ContactPerson,
    DispositionInstruction,
    FieldProblem,
    Forbidden,
    InvalidInput,
    LeadershipEvent,
    Letter,
    NotFound,
    PayloadTooLarge,
    Role,
    UnsupportedMediaType,
)
from warta.runtime import Clock, Principal, Tx, UnitOfWork, tracing
from warta.runtime.group_commit import GroupCommit
from warta.runtime.images import DEFAULT_MAX_PIXELS
from warta.runtime.indonesian import format_size

from .disposition_sheet import render_disposition_sheet
from .domain import (
    LATE_REGISTRATION,
    MAX_SCAN_BYTES,
    SCAN_SNIFF_BYTES,
    Clash,
    Correction,
    FacilitationRequest,
    LetterScan,
    RequestDetails,
    RequestState,
    ScanType,
    WaitingStep,
    agenda_year,
    clashes_with,
    format_agenda_number,
    letter_key,
    scan_type_of,
)
from .scans import check_scan
from .search import Found
from .store import RequestQuery, RequestStore, ScanStore

Decision = Callable[[FacilitationRequest, datetime], None]

# Which state each role's inbox shows: what waits for that role's step.
INBOX_STATE = {Role.ADMIN: RequestState.REGISTERED, Role.SECTION_HEAD: RequestState.AWAITING_DISPOSITION}
# A letter marked rahasia stays with the office that handles it.
CONFIDENTIAL_READERS = (Role.ADMIN, Role.SECTION_HEAD)


async def render_sheet(request: FacilitationRequest, *, printed_at: datetime) -> bytes:
    """The sheet's PDF, laid out beside the event loop: reading its fonts takes tens of
    milliseconds of CPU, which would otherwise hold up every other officer's request."""
    return await asyncio.to_thread(render_disposition_sheet, request, printed_at=printed_at)


@dataclass(frozen=True)
class InboxItem:
    request: FacilitationRequest
    waiting: WaitingStep
    age_minutes: float

    @property
    def overdue(self) -> bool:
        return self.age_minutes > self.waiting.standard_minutes


@dataclass(frozen=True)
class _Registration:
    """A letter checked and waiting for its agenda number; its scan is claimed with the number."""

    request_id: str
    details: RequestDetails
    scan_id: str | None
    now: datetime
    actor: Actor

    @property
    def year(self) -> int:
        return agenda_year(self.details.received_at)


SPOOL_BYTES = 1024 * 1024


def _scan_type(head: bytes) -> ScanType:
    kind = scan_type_of(head)
    if kind is None:
        raise UnsupportedMediaType(
            "the scan is not a PDF, JPEG or PNG file",
            fields=[
                FieldProblem("scan", "must be a PDF, JPEG or PNG file (judged from its contents)", type="not_scan_type")
            ],
        )
    return kind


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        "the scan is larger than 20 MB",
        fields=[
            FieldProblem(
                "scan",
                f"must be at most {MAX_SCAN_BYTES // (1024 * 1024)} MB",
                type="file_too_large",
                limits={"limit": format_size(MAX_SCAN_BYTES), "max_bytes": str(MAX_SCAN_BYTES)},
            )
        ],
    )


class IntakeHandlers:
    def __init__(
        self,
        store: RequestStore,
        scans: ScanStore,
        uow: UnitOfWork,
        clock: Clock,
        *,
        late_grace: timedelta = LATE_REGISTRATION,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self._max_pixels = max_pixels
        self._store = store
        self._scans = scans
        self._uow = uow
        self._clock = clock
        self._late_grace = late_grace
        # Every registration writes its year's counter: side by side, their transactions would
        # abort each other and retry. One writer takes them, those that wait together.
        self._registrations = GroupCommit(alone=self._register_alone, together=self._register_together)

    # -- the scanned letter ------------------------------------------------------------------

    async def upload_scan(
        self, chunks: AsyncIterator[bytes], *, filename: str | None, declared_size: int | None, officer: Principal
    ) -> LetterScan:
        """Stream a scanned letter into GridFS, judging its type from the first bytes and its size
        as it arrives; a refused upload leaves nothing behind."""
        if declared_size is not None and declared_size > MAX_SCAN_BYTES:
            raise _too_large()
        now = self._clock.now()
        await self._scans.discard_unattached(now)
        upload = self._scans.open_upload(filename)
        head, size, digest, kind = b"", 0, hashlib.sha256(), None
        # The scan is read whole before it is kept; a copy beside the database's lets the reader
        # seek in it without holding 20 MB in memory.
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as whole:
            try:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > MAX_SCAN_BYTES:
                        raise _too_large()
                    if kind is None:
                        head += chunk[: SCAN_SNIFF_BYTES - len(head)]
                        if len(head) >= SCAN_SNIFF_BYTES:
                            kind = _scan_type(head)
                    digest.update(chunk)
                    whole.write(chunk)
                    await upload.write(chunk)
                if size == 0:
                    raise InvalidInput(
                        "the scan is empty", fields=[FieldProblem("scan", "must not be empty", type="empty_file")]
                    )
                kind = kind or _scan_type(head)
                await asyncio.to_thread(check_scan, whole, kind, max_pixels=self._max_pixels)
                await upload.close()
            except BaseException:
                await upload.abort()
                raise
        scan = LetterScan(
            scan_id=str(upload.file_id),
            content_type=kind,
            size=size,
            sha256=digest.hexdigest(),
            filename=filename,
            uploaded_by=officer.officer_id,
            uploaded_at=now,
        )
        await self._scans.record(scan)
        return scan

    async def scan_of(self, request_id: str, officer: Principal) -> tuple[LetterScan, AsyncIterator[bytes]]:
        request = await self.get(request_id)
        if request.letter.confidential and officer.role not in CONFIDENTIAL_READERS:
            raise Forbidden(
                "the letter is marked rahasia: only the administrator and the section head may read its scan"
            )
        if request.scan is None:
            raise NotFound(f"request {request.agenda_number} has no scanned letter")
        return request.scan, self._scans.read(request.scan.scan_id)

    # -- step 1: the register ----------------------------------------------------------------

    async def register(
        self,
        *,
        letter: Letter,
        event: LeadershipEvent,
        contact: ContactPerson | None,
        received_at: datetime | None,
        scan_id: str | None,
        officer: Principal,
    ) -> FacilitationRequest:
        """Put the letter in the register with the year's next agenda number."""
        now = self._clock.now()
        details = RequestDetails(letter=letter, event=event, contact=contact, received_at=received_at or now)
        # Refused before it waits for a number: a refusal would fail the batch it joined.
        details.check(now)
        details.check_event_to_come(now, self._late_grace)
        await self._refuse_duplicate(letter)
        registration = _Registration(await self._new_request_id(), details, scan_id, now, officer.actor)
        try:
            return await self._registrations.submit(registration)
        except DuplicateKeyError:
            # Lost a race with a registration of the same letter; the transaction took nothing.
            await self._refuse_duplicate(letter)
            raise

    async def _register_alone(self, registration: "_Registration") -> FacilitationRequest:
        async def work(tx: Tx) -> FacilitationRequest:
            sequence = await self._store.next_agenda_sequence(tx, registration.year)
            request = await self._registered(tx, registration, sequence)
            await self._store.requests.insert(tx, request)
            await self._store.index.add_new(tx, [request])
            return request

        return await self._uow.run(work)

    async def _register_together(self, registrations: list["_Registration"]) -> list[FacilitationRequest]:
        """One transaction, one counter write a year and one insert for the lot, numbered in the
        order they arrived."""

        async def work(tx: Tx) -> list[FacilitationRequest]:
            years = Counter(registration.year for registration in registrations)
            sequences = {year: await self._store.next_agenda_sequence(tx, year, count=n) for year, n in years.items()}
            requests = []
            for registration in registrations:
                requests.append(await self._registered(tx, registration, sequences[registration.year]))
                sequences[registration.year] += 1
            await self._store.requests.insert_many(tx, requests)
            await self._store.index.add_new(tx, requests)
            return requests

        return await self._uow.run(work)

    async def _registered(self, tx: Tx, registration: "_Registration", sequence: int) -> FacilitationRequest:
        details = registration.details
        if registration.scan_id is not None:
            scan = await self._scans.claim(tx, registration.scan_id, request_id=registration.request_id)
            details = details.model_copy(update={"scan": scan})
        return FacilitationRequest.register(
            request_id=registration.request_id,
            agenda_number=format_agenda_number(sequence, registration.year),
            details=details,
            now=registration.now,
            actor=registration.actor,
            late_grace=self._late_grace,
        )

    async def _new_request_id(self) -> str:
        """The id of the trace this registration is in, so that the request's trace is found by
        its id (``warta.runtime.tracing``); a new one where tracing is off or a request has it."""
        traced = tracing.trace_id_now()
        if traced is not None and await self._store.requests.get(traced) is None:
            return traced
        return str(uuid4())

    async def _refuse_duplicate(self, letter: Letter, *, besides: str | None = None) -> None:
        existing = await self._store.find_by_letter_key(letter_key(letter))
        if existing is not None and existing.id != besides:
            raise Conflict(
                f"letter {letter.number} from {letter.sender} is already registered as "
                f"{existing.agenda_number} (request {existing.id})",
                fields=[
                    FieldProblem(
                        "letter.number",
                        f"already registered as {existing.agenda_number}",
                        type="already_registered",
                        limits={"agenda_number": existing.agenda_number, "request_id": existing.id},
                    )
                ],
            )

    async def correct(
        self, request_id: str, *, updates: dict[str, Any], scan_id: str | None, officer: Principal
    ) -> tuple[FacilitationRequest, Correction | None]:
        """Correct the letter's details until the section head decides; keeps who changed what."""
        now = self._clock.now()

        async def work(tx: Tx) -> tuple[FacilitationRequest, Correction | None]:
            request = await self._load(request_id, tx)
            corrected = request.details.model_copy(update=updates)
            if scan_id is not None:
                corrected.scan = await self._scans.claim(tx, scan_id, request_id=request_id)
            correction = request.correct(corrected, now=now, actor=officer.actor, late_grace=self._late_grace)
            if correction is not None:
                await self._store.requests.save(tx, request)
                await self._store.index.write(tx, request)
                tx.emit(*request.events)
            return request, correction

        try:
            return await self._uow.run(work)
        except DuplicateKeyError:
            # The corrected number and sender are another registered letter's.
            letter = updates.get("letter")
            if isinstance(letter, Letter):
                await self._refuse_duplicate(letter, besides=request_id)
            raise

    async def issue_sheet(self, request_id: str, *, officer: Principal) -> tuple[FacilitationRequest, bytes]:
        """Step 1's output. The first issue ends step 1 and hands the request to the section head."""
        now = self._clock.now()

        async def work(tx: Tx) -> FacilitationRequest:
            request = await self._load(request_id, tx)
            if request.issue_sheet(now=now, actor=officer.actor):
                await self._store.requests.save(tx, request)
                tx.emit(*request.events)
            return request

        request = await self._uow.run(work)
        return request, await render_sheet(request, printed_at=now)

    async def sheet(self, request_id: str) -> tuple[FacilitationRequest, bytes]:
        """The sheet as it stands, for printing again; a draft until it is issued."""
        request = await self.get(request_id)
        return request, await render_sheet(request, printed_at=self._clock.now())

    # -- step 2: the disposition -------------------------------------------------------------

    async def dispose(
        self,
        request_id: str,
        *,
        instructions: tuple[DispositionInstruction, ...],
        notes: str | None,
        officer: Principal,
    ) -> FacilitationRequest:
        """Forward the request to the documentation team lead."""
        request = await self._decide(
            request_id,
            lambda r, now: r.dispose(instructions=instructions, notes=notes, now=now, actor=officer.actor),
        )
        return request

    async def decline(self, request_id: str, *, reason: str, officer: Principal) -> FacilitationRequest:
        """The request ends here."""
        return await self._decide(request_id, lambda r, now: r.decline(reason=reason, now=now, actor=officer.actor))

    async def _decide(self, request_id: str, decide: Decision) -> FacilitationRequest:
        now = self._clock.now()

        async def work(tx: Tx) -> FacilitationRequest:
            request = await self._load(request_id, tx)
            decide(request, now)
            await self._store.requests.save(tx, request)
            tx.emit(*request.events)
            return request

        return await self._uow.run(work)

    async def clashes(self, request_id: str) -> list[Clash]:
        """Accepted events that overlap this request's event: what the section head checks first."""
        request = await self.get(request_id)
        accepted = await self._store.accepted_overlapping(request.event.starts_at, request.event.ends_at)
        return clashes_with(request, accepted)

    # -- queries -----------------------------------------------------------------------------

    async def _load(self, request_id: str, tx: Tx | None = None) -> FacilitationRequest:
        request = await self._store.requests.get(request_id, tx)
        if request is None:
            raise NotFound(f"no request {request_id}")
        return request

    async def get(self, request_id: str) -> FacilitationRequest:
        return await self._load(request_id)

    async def agenda_numbers(self, request_ids: list[str]) -> dict[str, tuple[str, str]]:
        return await self._store.agenda_numbers(request_ids)

    async def search(self, query: RequestQuery, *, limit: int, offset: int) -> Found:
        return await self._store.search(query, limit=limit, offset=offset, now=self._clock.now())

    async def inbox(self, officer: Principal, *, limit: int) -> list[InboxItem]:
        """What waits for this officer's role, oldest first, with the step's age against its standard."""
        state = INBOX_STATE.get(officer.role)
        if state is None:
            return []
        now = self._clock.now()
        items = []
        for request in await self._store.waiting_in(state, limit=limit):
            waiting = request.waiting()
            assert waiting is not None
            items.append(InboxItem(request, waiting, waiting.age(now).total_seconds() / 60))
        return sorted(items, key=lambda item: item.waiting.started_at)
