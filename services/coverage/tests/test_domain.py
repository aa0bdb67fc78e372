from datetime import UTC, datetime, timedelta

import pytest

from warta.contracts import (
    Actor,
    AssetKind,
    CoverageSubmitted,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    LeadershipEvent,
    Quote,
    Rejected,
    RejectedData,
    RejectionReason,
    ReviewLevel,
    Role,
    SocialChannel,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
)
from warta.coverage.domain import PostDraft, Workspace, WorkspaceState
from warta.coverage.media import Asset, MediaType
from warta.coverage.press import Draft

T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
DEWI = Actor(officer_id="dewi", role=Role.COVERAGE_TEAM)
OUTSIDER = Actor(officer_id="joko", role=Role.COVERAGE_TEAM)
LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD, name="Rina Wulandari")


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


def asset(asset_id: str, kind: AssetKind) -> Asset:
    media = MediaType.JPEG if kind is AssetKind.PHOTO else MediaType.MP4
    return Asset(
        asset_id=asset_id,
        request_id="r1",
        kind=kind,
        media_type=media,
        filename=f"{asset_id}.bin",
        size=10,
        sha256=asset_id[0] * 64 if asset_id[0] in "0123456789abcdef" else "e" * 64,
        uploaded_by="dewi",
        uploaded_at=T0,
    )


PHOTO_ASSET = asset("a1", AssetKind.PHOTO)
VIDEO_ASSET = asset("b2", AssetKind.VIDEO)
DRAFT = Draft(title="Wali Kota Resmikan Taman", body="Isi siaran pers.", lead="Teras.", dateline_date=T0.date())


def uri(a: Asset) -> str:
    return f"http://coverage/assets/{a.asset_id}"


def ready(needs_video: bool = True) -> Workspace:
    ws = workspace(needs_video)
    ws.add_asset(PHOTO_ASSET, actor=DEWI)
    ws.add_asset(VIDEO_ASSET, actor=DEWI)
    ws.save_draft(DRAFT, actor=DEWI)
    return ws


def test_completeness_names_each_missing_output():
    ws = workspace()
    with pytest.raises(InvalidInput) as refused:
        ws.submit(assets=[], asset_uri=uri, now=T0, actor=DEWI)
    assert [(f.field, f.message) for f in refused.value.fields] == [
        ("press_release.title", "the press release needs a title"),
        ("press_release.body", "the press release needs a body"),
        ("assets", "at least one photo is required"),
        ("assets", "a video is required for this assignment"),
    ]
    assert ws.versions == 0
    assert ws.events == []


def test_a_title_body_or_quotation_of_markup_alone_is_missing_as_readers_would_find_it():
    ws = ready()
    only_markup = DRAFT.model_copy(
        update={
            "title": "<script>alert(1)</script>",
            "body": "<img src=x onerror=alert(1)>\n\n---",
            "quotes": (Quote(speaker="Sachrudin", function="Wali Kota", text="<iframe src=x></iframe>"),),
        }
    )
    ws.save_draft(only_markup, actor=DEWI)  # a draft may hold anything while it is written
    with pytest.raises(InvalidInput) as refused:
        ws.submit(assets=[PHOTO_ASSET, VIDEO_ASSET], asset_uri=uri, now=T0, actor=DEWI)
    assert [(f.field, f.type) for f in refused.value.fields] == [
        ("press_release.title", "release_needs_title"),
        ("press_release.body", "release_needs_body"),
        ("press_release.quotes.0.text", "nothing_to_read"),
    ]
    assert ws.versions == 0


def test_no_video_needed_when_the_assignment_says_so():
    ws = ready(needs_video=False)
    version = ws.submit(assets=[PHOTO_ASSET], asset_uri=uri, now=T0, actor=DEWI)
    assert version.version == 1


def test_a_version_carries_the_release_media_with_captions_and_posts():
    ws = ready()
    ws.save_draft(DRAFT.model_copy(update={"captions": {"a1": "Wali Kota menggunting pita"}}), actor=DEWI)
    post = PostDraft(text="Taman baru #Tangerang", media=("a1",))
    ws.set_post(SocialChannel.INSTAGRAM, post, {"a1": PHOTO_ASSET}, actor=DEWI)
    version = ws.submit(assets=[PHOTO_ASSET, VIDEO_ASSET], asset_uri=uri, now=T0, actor=DEWI)
    [submitted] = ws.events
    assert submitted.data.press_release.dateline == "Tangerang, 30 November 2026"
    assert [(a.kind.value, a.caption, a.uri) for a in submitted.data.assets] == [
        ("photo", "Wali Kota menggunting pita", "http://coverage/assets/a1"),
        ("video", None, "http://coverage/assets/b2"),
    ]
    assert [(p.channel.value, p.media) for p in submitted.data.social_posts] == [
        ("instagram", ("http://coverage/assets/a1",))
    ]
    assert version.asset_ids == ("a1", "b2")


def test_only_the_team_and_team_leads_may_edit_or_submit():
    ws = ready()
    with pytest.raises(Forbidden):
        ws.save_draft(DRAFT, actor=OUTSIDER)
    with pytest.raises(Forbidden):
        ws.submit(assets=[PHOTO_ASSET, VIDEO_ASSET], asset_uri=uri, now=T0, actor=OUTSIDER)
    version = ws.submit(assets=[PHOTO_ASSET, VIDEO_ASSET], asset_uri=uri, now=T0, actor=LEAD)
    assert version.contributors == ("dewi", "rina")


def test_submit_rejection_resubmit_makes_version_two():
    ws = ready()
    ws.submit(assets=[PHOTO_ASSET, VIDEO_ASSET], asset_uri=uri, now=T0, actor=DEWI)
    with pytest.raises(IllegalTransition):
        ws.submit(assets=[PHOTO_ASSET, VIDEO_ASSET], asset_uri=uri, now=T0, actor=DEWI)
    with pytest.raises(IllegalTransition):
        ws.save_draft(DRAFT, actor=DEWI)  # in review: the draft waits for the decision
    assert ws.reopen(rejection(2)) is False  # not the version in review
    assert ws.reopen(rejection(1)) is True
    assert ws.state is WorkspaceState.OPEN
    assert ws.clock_started_at == T0 + timedelta(hours=3)
    assert ws.last_return is not None
    assert ws.last_return.returned_by == "rina"
    assert ws.last_return.returned_by_name == "Rina Wulandari"  # the team reads who, not an id
    v2 = ws.submit(assets=[PHOTO_ASSET, VIDEO_ASSET], asset_uri=uri, now=T0, actor=DEWI)
    assert v2.version == 2
    assert [e.data.version for e in ws.events if isinstance(e, CoverageSubmitted)] == [1, 2]
    assert ws.reopen(rejection(1)) is False  # a stale rejection of version 1


def test_media_in_a_submitted_version_cannot_be_removed():
    ws = ready()
    with pytest.raises(IllegalTransition):
        ws.remove_asset("a1", in_a_version=True, actor=DEWI)
    ws.remove_asset("b2", in_a_version=False, actor=DEWI)
    assert ws.asset_ids == ["a1"]


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


def test_a_section_head_return_lets_only_the_team_lead_correct_and_marks_the_version():
    ws = ready()
    ws.submit(assets=[PHOTO_ASSET, VIDEO_ASSET], asset_uri=uri, now=T0, actor=DEWI)
    assert ws.reopen(rejection(1, ReviewLevel.SECTION_HEAD)) is True
    assert ws.state is WorkspaceState.RETURNED_TO_TEAM_LEAD
    with pytest.raises(IllegalTransition):
        ws.save_draft(DRAFT, actor=DEWI)  # the team does not get it back
    ws.save_draft(DRAFT.model_copy(update={"title": "Judul yang dirapikan"}), actor=LEAD)
    v2 = ws.submit(assets=[PHOTO_ASSET, VIDEO_ASSET], asset_uri=uri, now=T0, actor=LEAD)
    assert (v2.version, v2.corrected_by) == (2, "rina")
    assert ws.events[-1].data.corrected_by == "rina"
    # The team lead may instead pass the return on to the team: step 4 again.
    ws.reopen(rejection(2, ReviewLevel.SECTION_HEAD))
    assert ws.reopen(rejection(2)) is True
    assert ws.state is WorkspaceState.OPEN
