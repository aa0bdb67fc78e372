from datetime import UTC, datetime, timedelta

import pytest

from warta.contracts import (
    Actor,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    LeadershipEvent,
    PressRelease,
    Rejected,
    RejectedData,
    RejectionReason,
    ReviewLevel,
    Role,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
)
from warta.coverage.domain import Workspace, WorkspaceState

T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
DEWI = Actor(officer_id="dewi", role=Role.COVERAGE_TEAM)
OUTSIDER = Actor(officer_id="joko", role=Role.COVERAGE_TEAM)
LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD)
PHOTO = AssetRef(kind=AssetKind.PHOTO, uri="p", sha256="1" * 64)
VIDEO = AssetRef(kind=AssetKind.VIDEO, uri="v", sha256="2" * 64)
RELEASE = PressRelease(title="Judul", body="Isi")


def workspace(needs_video: bool = True) -> Workspace:
    event = LeadershipEvent(
        title="t", starts_at=T0, ends_at=T0 + timedelta(hours=1), location="l", leader="wakil_wali_kota"
    )
    assigned = TeamAssigned.occurred(
        data=TeamAssignedData(
            request_id="r1",
            revision=1,
            members=(TeamMember(officer_id="dewi", role="writer"),),
            needs_video=needs_video,
            event=event,
            coverage_starts_at=T0,
        ),
        request_id="r1",
        time=T0 - timedelta(days=4),
    )
    return Workspace.open(assigned)


def rejection(version: int, level: ReviewLevel = ReviewLevel.TEAM_LEAD) -> Rejected:
    data = RejectedData(request_id="r1", version=version, level=level, reason=RejectionReason.LANGUAGE, note="n")
    return Rejected.occurred(data=data, request_id="r1", time=T0 + timedelta(hours=3), actor=LEAD)


def test_step_four_clock_starts_at_the_event_not_at_assignment():
    assert workspace().clock_started_at == T0


def test_completeness_names_each_missing_output():
    ws = workspace()
    with pytest.raises(InvalidInput) as refused:
        ws.submit(press_release=RELEASE, assets=(), now=T0, actor=DEWI)
    messages = [f.message for f in refused.value.fields]
    assert messages == ["at least one photo is required", "a video is required for this assignment"]
    assert ws.versions == 0
    assert ws.events == []


def test_no_video_needed_when_the_assignment_says_so():
    ws = workspace(needs_video=False)
    version = ws.submit(press_release=RELEASE, assets=(PHOTO,), now=T0, actor=DEWI)
    assert version.version == 1


def test_only_the_team_and_team_leads_may_submit():
    ws = workspace()
    with pytest.raises(Forbidden):
        ws.submit(press_release=RELEASE, assets=(PHOTO, VIDEO), now=T0, actor=OUTSIDER)
    version = ws.submit(press_release=RELEASE, assets=(PHOTO, VIDEO), now=T0, actor=LEAD)
    assert version.contributors == ("dewi", "rina")


def test_submit_rejection_resubmit_makes_version_two():
    ws = workspace()
    ws.submit(press_release=RELEASE, assets=(PHOTO, VIDEO), now=T0, actor=DEWI)
    with pytest.raises(IllegalTransition):
        ws.submit(press_release=RELEASE, assets=(PHOTO, VIDEO), now=T0, actor=DEWI)
    assert ws.reopen(rejection(1, ReviewLevel.SECTION_HEAD)) is False
    assert ws.reopen(rejection(1)) is True
    assert ws.state is WorkspaceState.OPEN
    assert ws.clock_started_at == T0 + timedelta(hours=3)
    assert ws.last_return is not None
    assert ws.last_return.returned_by == "rina"
    v2 = ws.submit(press_release=RELEASE, assets=(PHOTO, VIDEO), now=T0, actor=DEWI)
    assert v2.version == 2
    assert [e.data.version for e in ws.events if isinstance(e, CoverageSubmitted)] == [1, 2]
    assert ws.reopen(rejection(1)) is False  # a stale rejection of version 1


def test_a_later_assignment_revision_replaces_the_team_and_an_older_one_is_ignored():
    ws = workspace()
    replaced = TeamAssigned.occurred(
        data=TeamAssignedData(
            request_id="r1",
            revision=2,
            members=(TeamMember(officer_id="joko", role="writer"),),
            needs_video=False,
            event=LeadershipEvent(
                title="t", starts_at=T0, ends_at=T0 + timedelta(hours=1), location="l", leader="sekda"
            ),
            coverage_starts_at=T0,
            reason="Dewi sakit",
        ),
        request_id="r1",
        time=T0,
    )
    assert ws.reassign(replaced)
    assert ws.may_edit(OUTSIDER)
    assert not ws.may_edit(DEWI)
    assert ws.needs_video is False
    assert ws.clock_started_at == T0
    assert not ws.reassign(replaced)  # a repeat
    assert ws.assignment_revision == 2
