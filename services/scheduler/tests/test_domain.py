from datetime import UTC, datetime, timedelta

import pytest

from warta.contracts import (
    Actor,
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    IllegalTransition,
    InvalidInput,
    LeadershipEvent,
    Role,
    TeamAssigned,
    TeamMember,
)
from warta.scheduler.domain import AgendaEntry, AgendaState

TUESDAY = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD)
TEAM = (TeamMember(officer_id="dewi", role="writer"), TeamMember(officer_id="agus", role="photographer"))


def entry(starts_at: datetime) -> AgendaEntry:
    event = LeadershipEvent(
        title="t", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), location="l", leader="sekda"
    )
    disposition = DispositionIssued.occurred(
        data=DispositionIssuedData(
            request_id="r1",
            agenda_number="0001/PROKOPIM/2026",
            event=event,
            instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
        ),
        request_id="r1",
        time=TUESDAY - timedelta(minutes=10),
    )
    return AgendaEntry.from_disposition(disposition)


def test_step_four_starts_at_the_event_when_it_lies_ahead():
    e = entry(SATURDAY)
    e.assign(members=TEAM, equipment=("KAMERA-1",), needs_video=True, now=TUESDAY, actor=LEAD)
    [assigned] = e.events
    assert isinstance(assigned, TeamAssigned)
    assert assigned.data.coverage_starts_at == SATURDAY
    assert e.state is AgendaState.ASSIGNED


def test_step_four_starts_at_the_assignment_when_the_event_already_began():
    e = entry(TUESDAY - timedelta(hours=1))
    e.assign(members=TEAM, equipment=(), needs_video=False, now=TUESDAY, actor=LEAD)
    assert e.events[0].data.coverage_starts_at == TUESDAY


def test_duplicates_in_a_team_are_refused_and_assigning_twice_is_illegal():
    e = entry(SATURDAY)
    with pytest.raises(InvalidInput) as refused:
        e.assign(members=TEAM + TEAM[:1], equipment=("A", "A"), needs_video=True, now=TUESDAY, actor=LEAD)
    assert [f.field for f in refused.value.fields] == ["members", "equipment"]
    assert e.events == []
    e.assign(members=TEAM, equipment=(), needs_video=True, now=TUESDAY, actor=LEAD)
    with pytest.raises(IllegalTransition):
        e.assign(members=TEAM, equipment=(), needs_video=True, now=TUESDAY, actor=LEAD)
