"""Steps 1 and 2 of SOP 58/2025: the letter register and the section head's disposition.

A request's life: the administrator enters the letter into the register (``registered``, step 1
running) and issues its disposition sheet (step 1 done, ``RequestReceived``); the section head
then forwards it to the documentation team lead (``disposed``) or declines it (``declined``). The
administrator may correct the details until that decision; every correction is kept.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import (
    FIRST_SOP,
    SOP,
    Actor,
    ContactPerson,
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    Event,
    FieldProblem,
    IllegalTransition,
    InvalidInput,
    Leader,
    LeadershipEvent,
    Letter,
    RequestCorrected,
    RequestCorrectedData,
    RequestDeclined,
    RequestDeclinedData,
    RequestReceived,
    RequestReceivedData,
    Role,
    Step,
)
from warta.runtime.aggregate import Aggregate
from warta.runtime.indonesian import JAKARTA, format_date, format_datetime

AGENDA_SERIES = "PROKOPIM"
# How long after its event ends a letter may still be registered, by default (the setting
# ``WARTA_LATE_REGISTRATION_HOURS``).
LATE_REGISTRATION = timedelta(hours=24)


class RequestState(StrEnum):
    REGISTERED = "registered"  # in the register; step 1 runs until the disposition sheet is issued
    AWAITING_DISPOSITION = "awaiting_disposition"  # sheet issued (step 1 done); step 2 runs
    DISPOSED = "disposed"  # forwarded to the documentation team lead
    DECLINED = "declined"  # ended by the section head


DECIDED = (RequestState.DISPOSED, RequestState.DECLINED)

# ---------------------------------------------------------------------------------------------
# The scanned letter
# ---------------------------------------------------------------------------------------------


class ScanType(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


MAX_SCAN_BYTES = 20 * 1024 * 1024
SCAN_SIGNATURES: tuple[tuple[bytes, ScanType], ...] = (
    (b"%PDF-", ScanType.PDF),
    (b"\xff\xd8\xff", ScanType.JPEG),
    (b"\x89PNG\r\n\x1a\n", ScanType.PNG),
)
SCAN_SNIFF_BYTES = max(len(magic) for magic, _ in SCAN_SIGNATURES)


def scan_type_of(head: bytes) -> ScanType | None:
    """The scan's type read from its first bytes; what the uploader claims does not count."""
    return next((kind for magic, kind in SCAN_SIGNATURES if head.startswith(magic)), None)


class LetterScan(BaseModel):
    """The scanned letter, stored in GridFS; uploaded first, then named by a registration."""

    scan_id: str
    content_type: ScanType
    size: int
    sha256: str
    filename: str | None = None
    uploaded_by: str
    uploaded_at: AwareDatetime


# ---------------------------------------------------------------------------------------------
# Register rules
# ---------------------------------------------------------------------------------------------


def agenda_year(received_at: datetime) -> int:
    """The register runs per calendar year in Jakarta time."""
    return received_at.astimezone(JAKARTA).year


def format_agenda_number(sequence: int, year: int) -> str:
    return f"{agenda_number_prefix(sequence)}{AGENDA_SERIES}/{year}"


def agenda_number_prefix(sequence: int) -> str:
    """What every year's entry ``sequence`` starts with."""
    return f"{sequence:04d}/"


def letter_key(letter: Letter) -> str:
    """What makes two registrations the same letter: its number from the same sender."""
    return f"{' '.join(letter.sender.split()).casefold()}|{' '.join(letter.number.split()).casefold()}"


# ---------------------------------------------------------------------------------------------
# Searching the register by words
# ---------------------------------------------------------------------------------------------

# The letter's fields searched by words, as the search index names them.
SENDER, SUBJECT = "sender", "subject"
# Longer words are indexed and searched by their first 40 characters.
LONGEST_WORD = 40
_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    """The words a text is indexed and searched by: case folded, accents stripped (NFKD: "Café"
    is "cafe"), split at every character that is not a letter or a digit."""
    # Unicode's compatibility caseless match: folded between two decompositions, so what a word
    # decomposes into (a mathematical bold alpha into a capital alpha) is folded too, and a word
    # typed as it was indexed is the same word.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return [word[:LONGEST_WORD] for word in _WORD.findall(plain)]


def searched_words(sender: str, subject: str) -> dict[str, set[str]]:
    """The words of each searched field of a letter."""
    return {SENDER: set(words_of(sender)), SUBJECT: set(words_of(subject))}


@dataclass(frozen=True)
class WordSearch:
    """Words typed into the register's search, each with the field it is looked for in. A letter
    is found when every typed word begins some word of its field: "kese" finds "Kesehatan",
    "dinas pend" finds "Dinas Pendidikan". Text without a letter or a digit finds nothing."""

    wanted: tuple[tuple[str, str], ...]

    @classmethod
    def typed(cls, *, sender: str = "", subject: str = "") -> "WordSearch":
        wanted = {(SENDER, word) for word in words_of(sender)} | {(SUBJECT, word) for word in words_of(subject)}
        return cls(tuple(sorted(wanted)))

    def found_in(self, sender: str, subject: str) -> bool:
        """Whether a letter from ``sender`` about ``subject`` is found."""
        if not self.wanted:
            return False
        words = searched_words(sender, subject)
        return all(any(word.startswith(typed) for word in words[field]) for field, typed in self.wanted)


class RequestDetails(BaseModel):
    """What the administrator enters from the letter, and may correct until the decision."""

    letter: Letter
    event: LeadershipEvent
    contact: ContactPerson | None = None
    received_at: AwareDatetime
    scan: LetterScan | None = None

    def check(self, latest: datetime, *, registered: bool = False) -> None:
        """Refuse details that cannot be true: received after ``latest`` (now, or, once
        ``registered``, the moment the letter was registered), or dated after it arrived."""
        problems = []
        if self.received_at > latest:
            problems.append(_received_too_late(latest, registered=registered))
        received_on = self.received_at.astimezone(JAKARTA).date()
        if self.letter.date > received_on:
            problems.append(
                FieldProblem(
                    "letter.date",
                    "must not be later than the day the letter was received",
                    type="dated_after_receipt",
                    limits={"received_on": format_date(received_on)},
                )
            )
        if problems:
            raise InvalidInput("the letter's details are not possible", fields=problems)

    def check_event_to_come(self, now: datetime, grace: timedelta) -> None:
        """The section facilitates and covers events still to come: a letter is registered before
        its event ends, or at most ``grace`` after (a letter that arrived late, entered at once)."""
        if self.event.ends_at + grace < now:
            ended = format_datetime(self.event.ends_at)
            raise InvalidInput(
                f"the event ended on {ended}; a request is registered before its event ends",
                fields=[
                    FieldProblem(
                        "event.ends_at",
                        f"the event ended on {ended}, more than {_hours(grace)} ago: it can no longer be covered",
                        type="event_over",
                        limits={"ended": ended, "hours": f"{grace.total_seconds() / 3600:g}".replace(".", ",")},
                    )
                ],
            )


def _received_too_late(latest: datetime, *, registered: bool) -> FieldProblem:
    if registered:
        return FieldProblem(
            "received_at",
            "must not lie after the letter was registered",
            type="after_registration",
            limits={"registered_at": format_datetime(latest)},
        )
    return FieldProblem("received_at", "must not lie in the future", type="in_future")


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hours"


class FieldChange(BaseModel):
    field: str
    before: Any
    after: Any


class Correction(BaseModel):
    corrected_by: str
    corrected_at: AwareDatetime
    changes: tuple[FieldChange, ...]


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else key))
        return flat
    return {prefix: value}


def changes_between(before: RequestDetails, after: RequestDetails) -> tuple[FieldChange, ...]:
    """Field-by-field differences, in dotted names (``letter.number``). Times compare as instants:
    09.00 WIB entered again is no change from the 02.00 UTC stored."""
    old = _flatten(before.model_dump(), "")
    new = _flatten(after.model_dump(), "")
    # A replaced scan shows as one change of the whole scan, not of its id, size and hash apart.
    old = {k: v for k, v in old.items() if not k.startswith("scan.")} | {"scan": before.scan and before.scan.scan_id}
    new = {k: v for k, v in new.items() if not k.startswith("scan.")} | {"scan": after.scan and after.scan.scan_id}
    return tuple(
        FieldChange(field=name, before=old.get(name), after=new.get(name))
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    )


# ---------------------------------------------------------------------------------------------
# The request
# ---------------------------------------------------------------------------------------------


class SheetIssue(BaseModel):
    issued_by: str
    issued_at: AwareDatetime
    issued_by_name: str | None = None  # as the officer's sign-in gave it, for the printed sheet

    @property
    def issuer(self) -> str:
        return self.issued_by_name or self.issued_by


class Disposition(BaseModel):
    decided_by: str
    decided_at: AwareDatetime
    decided_by_name: str | None = None  # as the officer's sign-in gave it, for the printed sheet
    instructions: tuple[DispositionInstruction, ...] = ()
    notes: str | None = None
    decline_reason: str | None = None


class WaitingStep(BaseModel):
    """Which SOP step a request waits in, for whom, and since when."""

    number: int
    actor: Role
    started_at: AwareDatetime
    standard_minutes: int

    def age(self, now: datetime) -> timedelta:
        return now - self.started_at


class FacilitationRequest(Aggregate):
    """A request letter on its way through steps 1 and 2."""

    id: str
    agenda_number: str
    letter: Letter
    letter_key: str
    event: LeadershipEvent
    contact: ContactPerson | None = None
    received_at: AwareDatetime
    # The SOP revision in force when the letter arrived; fixed once RequestReceived announces it.
    sop: str = FIRST_SOP
    scan: LetterScan | None = None
    registered_at: AwareDatetime
    registered_by: str
    state: RequestState = RequestState.REGISTERED
    sheet: SheetIssue | None = None
    disposition: Disposition | None = None
    corrections: list[Correction] = Field(default_factory=list)

    @classmethod
    def register(
        cls,
        *,
        request_id: str,
        agenda_number: str,
        details: RequestDetails,
        now: datetime,
        actor: Actor,
        late_grace: timedelta = LATE_REGISTRATION,
    ) -> "FacilitationRequest":
        """Step 1 begins on paper when the letter arrives; here it is entered into the register."""
        details.check(now)
        details.check_event_to_come(now, late_grace)
        return cls(
            id=request_id,
            agenda_number=agenda_number,
            letter=details.letter,
            letter_key=letter_key(details.letter),
            event=details.event,
            contact=details.contact,
            received_at=details.received_at,
            sop=SOP.in_force(details.received_at).number,
            scan=details.scan,
            registered_at=now,
            registered_by=actor.officer_id,
        )

    @property
    def details(self) -> RequestDetails:
        return RequestDetails(
            letter=self.letter, event=self.event, contact=self.contact, received_at=self.received_at, scan=self.scan
        )

    def waiting(self) -> WaitingStep | None:
        """The step this request waits in, or None once the section head has decided."""
        current: Step
        revision = SOP.revision(self.sop)
        if self.state is RequestState.REGISTERED:
            current, since = revision.keyed("registration"), self.received_at
        elif self.state is RequestState.AWAITING_DISPOSITION and self.sheet is not None:
            current, since = revision.keyed("disposition"), self.sheet.issued_at
        else:
            return None
        return WaitingStep(
            number=current.number, actor=current.actor, started_at=since, standard_minutes=current.standard_minutes
        )

    def _announce(self, kind: type[Event], data: BaseModel, *, now: datetime, actor: Actor) -> None:
        self.changed(kind.occurred(data=data, request_id=self.id, time=now, actor=actor, sop=self.sop))

    def issue_sheet(self, *, now: datetime, actor: Actor) -> bool:
        """Step 1's output: the disposition sheet. The first issue ends step 1 and hands the
        request to the section head; printing it again later changes nothing. Returns whether
        this call issued it."""
        if self.sheet is not None:
            return False
        self.state = RequestState.AWAITING_DISPOSITION
        self.sheet = SheetIssue(issued_by=actor.officer_id, issued_at=now, issued_by_name=actor.name)
        self._announce(RequestReceived, RequestReceivedData(**self._as_announced()), now=now, actor=actor)
        return True

    def _as_announced(self) -> dict[str, Any]:
        """The request as RequestReceived and RequestCorrected carry it."""
        return {
            "request_id": self.id,
            "agenda_number": self.agenda_number,
            "letter": self.letter,
            "event": self.event,
            "contact": self.contact,
            "received_at": self.received_at,
        }

    def correct(
        self, corrected: RequestDetails, *, now: datetime, actor: Actor, late_grace: timedelta = LATE_REGISTRATION
    ) -> Correction | None:
        """Replace the letter's details, keeping what changed, by whom and when. None if nothing
        changed. Refused once the section head has decided: the letter is then read-only."""
        if self.state in DECIDED:
            raise IllegalTransition(
                current=self.state.value,
                attempted="correct",
                message="the section head has decided on this request; its letter can no longer be corrected",
            )
        corrected.check(self.registered_at, registered=True)
        if corrected.event != self.event:
            corrected.check_event_to_come(now, late_grace)
        changes = changes_between(self.details, corrected)
        if not changes:
            return None
        correction = Correction(corrected_by=actor.officer_id, corrected_at=now, changes=changes)
        self.letter = corrected.letter
        self.letter_key = letter_key(corrected.letter)
        self.event = corrected.event
        self.contact = corrected.contact
        self.received_at = corrected.received_at
        self.scan = corrected.scan
        self.corrections.append(correction)
        if self.sheet is None:
            self.sop = SOP.in_force(self.received_at).number
            self.changed()
        else:
            # Whoever read RequestReceived holds the old details.
            changed = tuple(change.field for change in changes)
            self._announce(
                RequestCorrected, RequestCorrectedData(**self._as_announced(), changed=changed), now=now, actor=actor
            )
        return correction

    def _require_awaiting_disposition(self, attempted: str) -> None:
        if self.state is RequestState.REGISTERED:
            raise IllegalTransition(
                current=self.state.value,
                attempted=attempted,
                message=f"cannot {attempted} before the disposition sheet is issued",
            )
        if self.state is not RequestState.AWAITING_DISPOSITION:
            raise IllegalTransition(current=self.state.value, attempted=attempted)

    def dispose(
        self, *, instructions: tuple[DispositionInstruction, ...], notes: str | None, now: datetime, actor: Actor
    ) -> None:
        """Step 2: forward the request to the documentation team lead."""
        self._require_awaiting_disposition("dispose")
        if not instructions:
            raise InvalidInput(
                "tick at least one instruction",
                fields=[FieldProblem("instructions", "at least one is required", type="instruction_needed")],
            )
        self.state = RequestState.DISPOSED
        self.disposition = Disposition(
            decided_by=actor.officer_id,
            decided_by_name=actor.name,
            decided_at=now,
            instructions=tuple(dict.fromkeys(instructions)),
            notes=notes,
        )
        self._announce(
            DispositionIssued,
            DispositionIssuedData(
                request_id=self.id,
                agenda_number=self.agenda_number,
                event=self.event,
                instructions=self.disposition.instructions,
                notes=notes,
            ),
            now=now,
            actor=actor,
        )

    def decline(self, *, reason: str, now: datetime, actor: Actor) -> None:
        """End the request at step 2 with a reason."""
        self._require_awaiting_disposition("decline")
        self.state = RequestState.DECLINED
        self.disposition = Disposition(
            decided_by=actor.officer_id, decided_by_name=actor.name, decided_at=now, decline_reason=reason
        )
        self._announce(RequestDeclined, RequestDeclinedData(request_id=self.id, reason=reason), now=now, actor=actor)


# ---------------------------------------------------------------------------------------------
# The leadership agenda as intake knows it
# ---------------------------------------------------------------------------------------------


class Clash(BaseModel):
    """An accepted (disposed) event that overlaps the one a request asks for."""

    request_id: str
    agenda_number: str
    title: str
    location: str
    leader: Leader
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    same_leader: bool = Field(description="The same leader cannot be at both: a true clash, not just a busy team.")


def clashes_with(request: FacilitationRequest, accepted: list[FacilitationRequest]) -> list[Clash]:
    """Accepted events whose window overlaps the request's, same-leader clashes first."""
    overlapping = [
        other
        for other in accepted
        if other.id != request.id
        and other.state is RequestState.DISPOSED
        and other.event.starts_at < request.event.ends_at
        and request.event.starts_at < other.event.ends_at
    ]
    clashes = [
        Clash(
            request_id=other.id,
            agenda_number=other.agenda_number,
            title=other.event.title,
            location=other.event.location,
            leader=other.event.leader,
            starts_at=other.event.starts_at,
            ends_at=other.event.ends_at,
            same_leader=other.event.leader == request.event.leader != Leader.OTHER,
        )
        for other in overlapping
    ]
    return sorted(clashes, key=lambda c: (not c.same_leader, c.starts_at))
