"""Steps 1 and 2 of SOP 58/2025: the letter register and the section head's disposition."""

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel

from warta.contracts import (
    Actor,
    DispositionIssued,
    DispositionIssuedData,
    FieldProblem,
    IllegalTransition,
    InvalidInput,
    LeadershipEvent,
    Letter,
    RequestDeclined,
    RequestDeclinedData,
    RequestReceived,
    RequestReceivedData,
)
from warta.runtime.aggregate import Aggregate

JAKARTA = ZoneInfo("Asia/Jakarta")
AGENDA_SERIES = "PROKOPIM"


class RequestState(StrEnum):
    REGISTERED = "registered"  # step 1 done, waiting for the section head (step 2)
    DISPOSED = "disposed"  # forwarded to the documentation team lead
    DECLINED = "declined"  # ended by the section head


class Disposition(BaseModel):
    decided_by: str
    decided_at: AwareDatetime
    instruction: str | None = None
    decline_reason: str | None = None


def agenda_year(received_at: datetime) -> int:
    """The register runs per calendar year in Jakarta time."""
    return received_at.astimezone(JAKARTA).year


def format_agenda_number(sequence: int, year: int) -> str:
    return f"{sequence:04d}/{AGENDA_SERIES}/{year}"


def letter_key(letter: Letter) -> str:
    """What makes two registrations the same letter: its number from the same sender."""
    return f"{' '.join(letter.sender.split()).casefold()}|{' '.join(letter.number.split()).casefold()}"


class FacilitationRequest(Aggregate):
    """A request letter on its way through steps 1 and 2.

    Registered by the office administrator (step 1), then disposed or declined by the section
    head (step 2); after that the letter is read-only.
    """

    id: str
    agenda_number: str
    letter: Letter
    letter_key: str
    event: LeadershipEvent
    received_at: AwareDatetime
    registered_at: AwareDatetime
    registered_by: str
    state: RequestState = RequestState.REGISTERED
    disposition: Disposition | None = None

    @classmethod
    def register(
        cls,
        *,
        request_id: str,
        agenda_number: str,
        letter: Letter,
        event: LeadershipEvent,
        received_at: datetime,
        now: datetime,
        actor: Actor,
    ) -> "FacilitationRequest":
        if received_at > now:
            raise InvalidInput(
                "the letter cannot have been received in the future",
                fields=[FieldProblem("received_at", "must not lie in the future")],
            )
        request = cls(
            id=request_id,
            agenda_number=agenda_number,
            letter=letter,
            letter_key=letter_key(letter),
            event=event,
            received_at=received_at,
            registered_at=now,
            registered_by=actor.officer_id,
        )
        request.created(
            RequestReceived.occurred(
                data=RequestReceivedData(
                    request_id=request_id,
                    agenda_number=agenda_number,
                    letter=letter,
                    event=event,
                    received_at=received_at,
                ),
                request_id=request_id,
                time=now,
                actor=actor,
            )
        )
        return request

    def _require_registered(self, attempted: str) -> None:
        if self.state is not RequestState.REGISTERED:
            raise IllegalTransition(current=self.state.value, attempted=attempted)

    def dispose(self, *, instruction: str, now: datetime, actor: Actor) -> None:
        """Forward the request to the documentation team lead (step 2)."""
        self._require_registered("dispose")
        self.state = RequestState.DISPOSED
        self.disposition = Disposition(decided_by=actor.officer_id, decided_at=now, instruction=instruction)
        self.changed(
            DispositionIssued.occurred(
                data=DispositionIssuedData(
                    request_id=self.id,
                    agenda_number=self.agenda_number,
                    event=self.event,
                    instruction=instruction,
                ),
                request_id=self.id,
                time=now,
                actor=actor,
            )
        )

    def decline(self, *, reason: str, now: datetime, actor: Actor) -> None:
        """End the request at step 2 with a reason."""
        self._require_registered("decline")
        self.state = RequestState.DECLINED
        self.disposition = Disposition(decided_by=actor.officer_id, decided_at=now, decline_reason=reason)
        self.changed(
            RequestDeclined.occurred(
                data=RequestDeclinedData(request_id=self.id, reason=reason),
                request_id=self.id,
                time=now,
                actor=actor,
            )
        )
