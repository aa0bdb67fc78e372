from datetime import UTC, datetime, timedelta

import pytest

from warta.contracts import (
    Actor,
    DispositionIssued,
    IllegalTransition,
    InvalidInput,
    LeadershipEvent,
    Letter,
    RequestDeclined,
    RequestReceived,
    Role,
)
from warta.intake.domain import (
    FacilitationRequest,
    RequestState,
    agenda_year,
    format_agenda_number,
    letter_key,
)

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ADMIN = Actor(officer_id="siti", role=Role.ADMIN)
HEAD = Actor(officer_id="hendra", role=Role.SECTION_HEAD)
LETTER = Letter(number="005/12/2026", date=NOW.date(), sender="Dinas Kesehatan", subject="Liputan")
EVENT = LeadershipEvent(
    title="Rapat", starts_at=NOW, ends_at=NOW + timedelta(hours=2), location="Puspem", leader="wali_kota"
)


def registered(received_at: datetime = NOW - timedelta(minutes=30)) -> FacilitationRequest:
    return FacilitationRequest.register(
        request_id="r1",
        agenda_number="0007/PROKOPIM/2026",
        letter=LETTER,
        event=EVENT,
        received_at=received_at,
        now=NOW,
        actor=ADMIN,
    )


def test_registering_records_request_received_with_the_arrival_time():
    request = registered()
    [event] = request.events
    assert isinstance(event, RequestReceived)
    assert event.data.received_at == NOW - timedelta(minutes=30)
    assert event.time == NOW
    assert event.actor == ADMIN
    assert request.state is RequestState.REGISTERED


def test_a_letter_cannot_arrive_in_the_future():
    with pytest.raises(InvalidInput) as refused:
        registered(received_at=NOW + timedelta(seconds=1))
    assert refused.value.fields[0].field == "received_at"


def test_dispose_then_nothing_else():
    request = registered()
    request.dispose(instruction="Liput", now=NOW, actor=HEAD)
    assert request.state is RequestState.DISPOSED
    assert isinstance(request.events[-1], DispositionIssued)
    assert request.events[-1].data.event == EVENT
    with pytest.raises(IllegalTransition):
        request.dispose(instruction="again", now=NOW, actor=HEAD)
    with pytest.raises(IllegalTransition):
        request.decline(reason="late", now=NOW, actor=HEAD)
    assert len(request.events) == 2


def test_decline_ends_the_request():
    request = registered()
    request.decline(reason="Bentrok dengan agenda lain", now=NOW, actor=HEAD)
    assert request.state is RequestState.DECLINED
    assert isinstance(request.events[-1], RequestDeclined)
    with pytest.raises(IllegalTransition):
        request.dispose(instruction="Liput", now=NOW, actor=HEAD)


def test_agenda_numbers_run_per_jakarta_year():
    # 31 December 18:00 UTC is already 1 January in Jakarta.
    assert agenda_year(datetime(2026, 12, 31, 18, 0, tzinfo=UTC)) == 2027
    assert format_agenda_number(7, 2026) == "0007/PROKOPIM/2026"


def test_the_same_letter_is_recognised_despite_spacing_and_case():
    other = Letter(number=" 005/12/2026", date=NOW.date(), sender="dinas  kesehatan", subject="x")
    assert letter_key(other) == letter_key(LETTER)
