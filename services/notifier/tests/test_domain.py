from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from warta.contracts import (
    Actor,
    CoverageRole,
    CoverageSubmitted,
    CoverageSubmittedData,
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    Leader,
    LeadershipEvent,
    PressRelease,
    Published,
    PublishedData,
    Rejected,
    RejectedData,
    RejectionReason,
    ReviewLevel,
    Role,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
)
from warta.notifier.domain import (
    Audience,
    Case,
    Notice,
    Officer,
    TimerState,
    alarm,
    notices_for,
    steps_stopped,
    timers_started,
)

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 WIB
HELD = LeadershipEvent(
    starts_at=T0 + timedelta(hours=4),
    ends_at=T0 + timedelta(hours=6),
    title="Rapat Paripurna",
    location="Gedung DPRD",
    leader=Leader.MAYOR,
)
LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD)


def officer(**overrides: object) -> Officer:
    return Officer.model_validate(
        {"officer_id": "rina", "name": "Rina", "role": "team_lead", "whatsapp": "628110000002", **overrides}
    )


def test_quiet_hours_hold_a_message_until_morning_and_no_longer():
    rina = officer()  # 21:00 to 06:00 WIB by default
    evening = datetime(2026, 12, 1, 22, 30, tzinfo=WIB)
    assert rina.next_awake(evening, WIB) == datetime(2026, 12, 2, 6, 0, tzinfo=WIB)
    small_hours = datetime(2026, 12, 2, 3, 0, tzinfo=WIB)
    assert rina.next_awake(small_hours, WIB) == datetime(2026, 12, 2, 6, 0, tzinfo=WIB)
    day = datetime(2026, 12, 2, 10, 0, tzinfo=WIB)
    assert rina.next_awake(day, WIB) == day
    lunch = officer(quiet_from="12:00", quiet_until="13:00")  # a daytime rest, not overnight
    assert lunch.next_awake(datetime(2026, 12, 2, 12, 30, tzinfo=WIB), WIB) == datetime(2026, 12, 2, 13, 0, tzinfo=WIB)
    assert officer(quiet_from=None).next_awake(evening, WIB) == evening


def test_only_channels_with_an_address_are_used():
    assert officer(channels=["email", "whatsapp"]).reachable_on() == ["whatsapp"]
    assert officer(whatsapp=None, email="rina@tangerangkota.go.id").reachable_on() == ["email"]


def assignment(revision: int, members: tuple[str, ...]) -> TeamAssigned:
    return TeamAssigned.occurred(
        data=TeamAssignedData(
            request_id="r",
            revision=revision,
            members=tuple(TeamMember(officer_id=m, role=CoverageRole.WRITER) for m in members),
            equipment=("KAMERA-01",),
            event=HELD,
            coverage_starts_at=HELD.starts_at,
        ),
        request_id="r",
        time=T0,
        actor=LEAD,
    )


def test_the_assigned_team_and_the_right_reviewers_are_told():
    case = Case(request_id="r", agenda_number="0001/PROKOPIM/2026")
    assigned = assignment(1, ("dewi", "agus"))
    case.learn(assigned)
    [notice] = notices_for(assigned, case)
    assert notice.audience == Audience(team=True)
    assert case.team == ("dewi", "agus")
    assert "Gedung DPRD" in notice.text
    assert "KAMERA-01" in notice.text
    assert "1 Desember 2026 pukul 13.00 WIB" in notice.text  # the event's start, in WIB

    def returned(level: ReviewLevel) -> Rejected:
        data = RejectedData(
            request_id="r", version=1, level=level, reason=RejectionReason.LANGUAGE, note="Perbaiki ejaan."
        )
        return Rejected.occurred(data=data, request_id="r", time=T0, actor=LEAD)

    [to_team] = notices_for(returned(ReviewLevel.TEAM_LEAD), case)
    assert to_team.audience == Audience(team=True)
    assert to_team.text.endswith("Perbaiki ejaan.")
    [to_lead] = notices_for(returned(ReviewLevel.SECTION_HEAD), case)
    assert to_lead.audience == Audience(Role.TEAM_LEAD)


def test_a_notice_for_a_team_not_yet_assigned_waits_for_the_assignment():
    case = Case(request_id="r", agenda_number="0001/PROKOPIM/2026")
    published = Published.occurred(
        data=PublishedData(request_id="r", version=1, website_url="https://tangerangkota.go.id/b/1"),
        request_id="r",
        time=T0,
    )
    # The publication overtook the assignment (another consumer, restarting): nobody to tell yet.
    assert case.address("ev-published", notices_for(published, case)) == []
    assert [h.kind for h in case.held] == ["published"]
    held = Case.model_validate(case.model_dump(mode="json"))  # as stored between the two events
    assigned = assignment(1, ("dewi",))
    held.learn(assigned)
    ready = held.address("ev-assigned", notices_for(assigned, held))
    assert [(cause, n.kind, n.audience) for cause, n in ready] == [
        ("ev-published", "published", Audience(team=True)),
        ("ev-assigned", "assigned", Audience(team=True)),
    ]
    assert held.held == []
    assert "https://tangerangkota.go.id/b/1" in ready[0][1].text
    # A notice for a role never waits.
    received = held.address("ev-x", [Notice("waiting.review.team_lead", Audience(Role.TEAM_LEAD), "t")])
    assert [n.kind for _, n in received] == ["waiting.review.team_lead"]


def test_a_step_timer_warns_its_officers_at_80_percent_then_the_section_head_when_over():
    disposed = DispositionIssued.occurred(
        data=DispositionIssuedData(
            request_id="r",
            agenda_number="0001/PROKOPIM/2026",
            event=HELD,
            instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
        ),
        request_id="r",
        time=T0,
    )
    [timer] = timers_started(disposed, 0.8)
    assert (timer.step, timer.warn_at, timer.due_at) == (3, T0 + timedelta(minutes=24), T0 + timedelta(minutes=30))
    case = Case(request_id="r", agenda_number="0001/PROKOPIM/2026", title="Rapat Paripurna")
    state, warning = alarm(timer, case)
    assert (state, warning.audience, warning.kind) == (TimerState.WARNED, Audience(Role.TEAM_LEAD), "warning.step3")
    timer.state = state
    assert timer.next_alarm() == timer.due_at
    state, overrun = alarm(timer, case)
    assert (state, overrun.audience) == (TimerState.OVERDUE, Audience(Role.SECTION_HEAD))
    timer.state = state
    assert timer.next_alarm() is None
    # Step 4 is the team's: its warning goes to the assigned officers, from the event's start.
    case.learn(assignment(1, ("dewi",)))
    [coverage] = timers_started(assignment(1, ("dewi",)), 0.8)
    assert (coverage.step, coverage.started_at) == (4, HELD.starts_at)
    assert alarm(coverage, case)[1].audience == Audience(team=True)
    assert steps_stopped(assignment(2, ("dewi",))) == [3]


def test_an_event_under_way_or_about_to_start_breaks_quiet_hours():
    case = Case(request_id="r", starts_at=HELD.starts_at, ends_at=HELD.ends_at)
    soon = timedelta(hours=2)
    assert not case.happening(HELD.starts_at - timedelta(hours=3), soon)
    assert case.happening(HELD.starts_at - timedelta(hours=1), soon)
    assert case.happening(HELD.ends_at - timedelta(minutes=1), soon)
    assert not case.happening(HELD.ends_at, soon)
    assert not Case(request_id="unknown").happening(HELD.starts_at, soon)  # no event known yet


def test_nobody_is_told_of_their_own_action():
    case = Case(request_id="req-1", agenda_number="0001/PROKOPIM/2026", title="Rapat", team=("dewi", "rina"))
    corrected = CoverageSubmitted.occurred(
        data=CoverageSubmittedData(
            request_id="req-1",
            version=3,
            press_release=PressRelease(title="Rapat", body="Isi."),
            assets=(),
            submitted_by="rina",
            contributors=("rina",),
        ),
        request_id="req-1",
        time=T0,
        actor=LEAD,
    )
    (notice,) = notices_for(corrected, case)
    assert (notice.kind, notice.audience, notice.not_for) == (
        "waiting.review.team_lead",
        Audience(Role.TEAM_LEAD),
        "rina",
    )


def test_an_officer_chooses_per_kind_which_messages_are_gathered():
    rina = officer(digests={"waiting": 30})
    assert rina.digest_every("waiting.review.team_lead", urgent=False) == timedelta(minutes=30)
    assert rina.digest_every("returned.team_lead", urgent=False) is None  # not chosen: at once
    assert rina.digest_every("published", urgent=False) is None  # her choice replaces the default
    assert rina.digest_every("waiting.assignment", urgent=True) is None  # the event is about to start
    # Warnings and overruns are no kind one can gather.
    assert officer(digests={"waiting": 15}).digest_every("warning.step3", urgent=False) is None
    assert officer().digest_every("published", urgent=False) == timedelta(minutes=60)  # the default


def test_a_digest_goes_on_the_clock_and_waits_out_quiet_hours():
    rina = officer(digests={"waiting": 30})
    every = timedelta(minutes=30)
    assert rina.next_digest(datetime(2026, 12, 1, 9, 10, tzinfo=WIB), every, WIB) == datetime(
        2026, 12, 1, 9, 30, tzinfo=WIB
    )
    # A notice at the round's very time goes in the next round, not one already being sent.
    assert rina.next_digest(datetime(2026, 12, 1, 9, 30, tzinfo=WIB), every, WIB) == datetime(
        2026, 12, 1, 10, 0, tzinfo=WIB
    )
    assert rina.next_digest(datetime(2026, 12, 1, 20, 50, tzinfo=WIB), every, WIB) == datetime(
        2026, 12, 2, 6, 0, tzinfo=WIB
    )


def test_a_digest_goes_every_15_30_60_or_120_minutes():
    with pytest.raises(ValidationError) as refused:
        officer(digests={"waiting": 7})
    assert refused.value.errors()[0]["type"] == "digest_minutes"
    with pytest.raises(ValidationError):
        officer(digests={"warning": 30})  # warnings always go at once
