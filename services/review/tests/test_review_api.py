"""Steps 5 and 6 over the review API, against the real database and event stream."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from warta.contracts import (
    Approved,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    PressRelease,
    Rejected,
    Role,
    SocialChannel,
    SocialPost,
)
from warta.devstack.pytest_plugin import ServiceCaller, eventually, running_app
from warta.review.app import ReviewSettings, create_app

RINA = (Role.TEAM_LEAD, "rina")
SARI = (Role.TEAM_LEAD, "sari")
HENDRA = (Role.SECTION_HEAD, "hendra")
DEWI = (Role.COVERAGE_TEAM, "dewi")
SITI = (Role.ADMIN, "siti")
RID = "req-review"
PHOTO_A = AssetRef(kind=AssetKind.PHOTO, uri="http://c/a", sha256="a" * 64, caption="Pita digunting")
PHOTO_B = AssetRef(kind=AssetKind.PHOTO, uri="http://c/b", sha256="b" * 64)
VIDEO = AssetRef(kind=AssetKind.VIDEO, uri="http://c/v", sha256="c" * 64)
BODY = "Wali Kota meresmikan taman.\n\nTaman dibuka untuk warga setiap hari.\n\nWarga menyambut gembira."


def submission(
    version: int,
    *,
    title: str = "Wali Kota Resmikan Taman",
    body: str = BODY,
    assets=(PHOTO_A, VIDEO),
    posts=(),
    contributors=("dewi", "agus"),
    corrected_by=None,
    minutes_ago: int = 10,
) -> CoverageSubmitted:
    return CoverageSubmitted.occurred(
        data=CoverageSubmittedData(
            request_id=RID,
            version=version,
            press_release=PressRelease(title=title, body=body, lead="Taman baru dibuka."),
            assets=assets,
            social_posts=posts,
            submitted_by=corrected_by or contributors[0],
            contributors=contributors,
            corrected_by=corrected_by,
        ),
        request_id=RID,
        time=datetime.now(UTC) - timedelta(minutes=minutes_ago),
    )


class Desk(ServiceCaller):
    async def receive(self, submitted: CoverageSubmitted) -> None:
        await self.app.state.handlers.receive_submission(submitted)

    async def decide(self, officer, version: int, level: str, outcome: str, status: int = 201, **why) -> Any:
        body = {"version": version, "level": level, "outcome": outcome, **why}
        return await self.ok(officer, "POST", f"/reviews/{RID}/decisions", status, json=body)


@pytest.fixture
async def desk(namespace, mongo):
    app = create_app(namespace.settings(ReviewSettings))
    async with running_app(app) as client:
        yield Desk(app, client, namespace, mongo[namespace.database("review")])


async def test_queues_show_what_waits_for_each_level_with_the_time_left(desk):
    await desk.receive(submission(1, minutes_ago=40))
    [waiting] = await desk.ok(RINA, "GET", "/reviews/queue")
    assert waiting["level"] == "team_lead"
    assert waiting["review"]["version"] == 1
    assert 39 <= waiting["age_minutes"] <= 42
    assert waiting["minutes_left"] == pytest.approx(30 - waiting["age_minutes"], abs=0.2)  # overdue: negative
    assert await desk.ok(HENDRA, "GET", "/reviews/queue") == []
    assert await desk.ok(DEWI, "GET", "/reviews/queue") == []
    reasons = await desk.ok(DEWI, "GET", "/reviews/reasons")
    assert {r["code"]: r["label"] for r in reasons}["sensitivity"] == "Sensitivitas / protokol"


async def test_decisions_go_up_and_back_with_reasons_and_are_counted(desk):
    await desk.receive(submission(1))
    await desk.decide(RINA, 1, "team_lead", "approve")
    assert (await desk.ok(HENDRA, "GET", "/reviews/queue"))[0]["level"] == "section_head"
    await desk.decide(HENDRA, 1, "section_head", "reject", reason="sensitivity", note="Sebut jabatan lengkap")
    events = await eventually(lambda: _at_least(desk.ns.events(), 2))
    assert [(type(e), e.data.level.value) for e in events] == [(Approved, "team_lead"), (Rejected, "section_head")]
    assert events[1].data.note == "Sebut jabatan lengkap"
    review = await desk.ok(DEWI, "GET", f"/reviews/{RID}")
    assert [(d["level"], d["outcome"], d["decided_by"], d["reason"]) for d in review["history"]] == [
        ("team_lead", "approve", "rina", None),
        ("section_head", "reject", "hendra", "sensitivity"),
    ]
    metrics = (await desk.client.get("/metrics")).text
    assert 'warta_review_rejections_total{level="section_head",reason="sensitivity"} 1.0' in metrics
    assert 'warta_sop_step_duration_seconds_count{sop="58/2025",step="5"} 1.0' in metrics
    assert 'warta_sop_step_duration_seconds_count{sop="58/2025",step="6"} 1.0' in metrics


async def test_illegal_decisions_are_refused_and_change_nothing(desk):
    path = f"/reviews/{RID}/decisions"
    decision = {"version": 1, "level": "team_lead", "outcome": "approve"}
    await desk.refused(409, RINA, "POST", path, json=decision)  # nothing submitted yet
    await desk.receive(submission(1, contributors=("dewi", "rina")))
    await desk.refused(409, HENDRA, "POST", path, json={**decision, "level": "section_head"})  # level 2 first
    await desk.refused(403, DEWI, "POST", path, json=decision)
    await desk.refused(403, RINA, "POST", path, json={**decision, "level": "section_head"})
    body = await desk.refused(403, RINA, "POST", path, json=decision)  # rina worked on it
    assert "hand this level" in body["message"]
    await desk.refused(409, SARI, "POST", path, json={**decision, "version": 2})
    await desk.refused(422, SARI, "POST", path, json={**decision, "outcome": "reject"}, field="reason")
    await desk.refused(
        422, SARI, "POST", path, json={**decision, "outcome": "reject", "reason": "gosip", "note": "x"}, field="reason"
    )
    await desk.decide(SARI, 1, "team_lead", "approve")  # another team lead takes it
    await desk.refused(409, SARI, "POST", path, json=decision)  # a second decision at the same level


async def test_the_section_head_takes_level_one_when_the_team_lead_worked_on_it(desk):
    await desk.receive(submission(1, contributors=("rina", "dewi")))
    await desk.decide(HENDRA, 1, "team_lead", "approve")
    await desk.decide(HENDRA, 1, "section_head", "approve")
    assert (await desk.ok(HENDRA, "GET", f"/reviews/{RID}"))["state"] == "approved"


async def test_a_returned_version_is_passed_on_or_corrected_and_the_correction_shows_in_the_diff(desk):
    await desk.receive(submission(1))
    await desk.decide(RINA, 1, "team_lead", "approve")
    await desk.decide(HENDRA, 1, "section_head", "reject", reason="language", note="Judul terlalu panjang")
    await desk.refused(
        409, RINA, "POST", f"/reviews/{RID}/decisions", json={"version": 1, "level": "team_lead", "outcome": "approve"}
    )
    corrected = submission(
        2, title="Wali Kota Resmikan Taman Literasi", contributors=("dewi", "agus", "rina"), corrected_by="rina"
    )
    await desk.receive(corrected)
    await desk.decide(RINA, 2, "team_lead", "approve")  # her own small corrections do not make her an author
    diff = await desk.ok(HENDRA, "GET", f"/reviews/{RID}/diff", params={"from": 1, "to": 2})
    assert diff["corrected_by"] == "rina"
    assert [(c["op"], c["old"], c["new"]) for c in diff["title"] if c["op"] != "equal"] == [
        ("replace", "Taman", "Taman Literasi")
    ]
    await desk.decide(HENDRA, 2, "section_head", "approve")


async def test_the_diff_covers_words_media_and_posts(desk):
    ig = SocialPost(channel=SocialChannel.INSTAGRAM, text="Taman dibuka #Tangerang", media=("http://c/a",))
    x = SocialPost(channel=SocialChannel.X, text="Taman dibuka")
    await desk.receive(submission(1, assets=(PHOTO_A, PHOTO_B, VIDEO), posts=(ig, x)))
    new_photo = AssetRef(kind=AssetKind.PHOTO, uri="http://c/d", sha256="d" * 64)
    recaptioned = PHOTO_A.model_copy(update={"caption": "Wali Kota menggunting pita"})
    extra = AssetRef(kind=AssetKind.PHOTO, uri="http://c/e", sha256="e" * 64)
    body = BODY.replace("setiap hari", "setiap pagi")
    yt = SocialPost(channel=SocialChannel.YOUTUBE, text="Video", title="Peresmian", media=("http://c/v",))
    await desk.receive(
        submission(
            2,
            body=body,
            assets=(recaptioned, new_photo, VIDEO, extra),
            posts=(ig.model_copy(update={"text": "Taman resmi dibuka #Tangerang"}), yt),
        )
    )
    diff = await desk.ok(DEWI, "GET", f"/reviews/{RID}/diff", params={"from": 1, "to": 2})
    assert [(c["op"], c["old"].strip(), c["new"].strip()) for c in diff["body"] if c["op"] != "equal"] == [
        ("replace", "hari.", "pagi.")
    ]
    assert sorted(
        (c["change"], (c["old"] or {}).get("sha256", "")[:1], (c["new"] or {}).get("sha256", "")[:1])
        for c in diff["assets"]
    ) == [
        ("added", "", "e"),
        ("recaptioned", "a", "a"),
        ("replaced", "b", "d"),
    ]
    assert [(p["channel"], p["change"]) for p in diff["posts"]] == [
        ("instagram", "changed"),
        ("x", "removed"),
        ("youtube", "added"),
    ]
    await desk.refused(404, DEWI, "GET", f"/reviews/{RID}/diff", params={"from": 1, "to": 3})
    await desk.refused(422, DEWI, "GET", f"/reviews/{RID}/diff", params={"from": 0, "to": 1}, field="query.from")


async def test_comments_are_anchored_threaded_and_resolvable(desk):
    ig = SocialPost(channel=SocialChannel.INSTAGRAM, text="Taman dibuka", media=("http://c/a",))
    await desk.receive(submission(1, posts=(ig,)))
    path = f"/reviews/{RID}/comments"
    thread = await desk.ok(
        RINA,
        "POST",
        path,
        201,
        json={"version": 1, "anchor": {"part": "paragraph", "ref": "1"}, "text": "Sebut jam buka."},
    )
    await desk.ok(HENDRA, "POST", path, 201, json={"version": 1, "anchor": {"part": "title"}, "text": "Judul bagus."})
    await desk.ok(
        RINA,
        "POST",
        path,
        201,
        json={"version": 1, "anchor": {"part": "asset", "ref": "a" * 64}, "text": "Foto miring."},
    )
    await desk.ok(
        RINA,
        "POST",
        path,
        201,
        json={"version": 1, "anchor": {"part": "post", "ref": "instagram"}, "text": "Tambah tagar."},
    )
    reply = await desk.ok(
        DEWI,
        "POST",
        path,
        201,
        json={"version": 1, "anchor": {"part": "title"}, "text": "Sudah.", "reply_to": thread["comment_id"]},
    )
    assert reply["anchor"] == {"part": "paragraph", "ref": "1"}  # a reply sits in its thread
    for anchor, field in [
        ({"part": "paragraph", "ref": "9"}, "anchor.ref"),
        ({"part": "paragraph", "ref": "²"}, "anchor.ref"),  # a digit to Python, once a 500 here
        ({"part": "paragraph", "ref": "٣"}, "anchor.ref"),
        ({"part": "asset", "ref": "f" * 64}, "anchor.ref"),
        ({"part": "post", "ref": "tiktok"}, "anchor.ref"),
    ]:
        await desk.refused(422, RINA, "POST", path, json={"version": 1, "anchor": anchor, "text": "x"}, field=field)
    await desk.refused(
        422, RINA, "POST", path, json={"version": 1, "anchor": {"part": "footnote"}, "text": "x"}, field="anchor.part"
    )
    await desk.refused(403, SITI, "POST", path, json={"version": 1, "anchor": {"part": "title"}, "text": "x"})
    # A coverage officer who did not work on this release does not join its discussion.
    joko = (Role.COVERAGE_TEAM, "joko")
    await desk.refused(403, joko, "POST", path, json={"version": 1, "anchor": {"part": "title"}, "text": "x"})
    await desk.refused(403, joko, "POST", f"{path}/{thread['comment_id']}/resolve")
    await desk.refused(404, RINA, "POST", path, json={"version": 7, "anchor": {"part": "title"}, "text": "x"})
    await desk.refused(422, RINA, "POST", f"{path}/{reply['comment_id']}/resolve", field="comment_id")
    resolved = await desk.ok(RINA, "POST", f"{path}/{thread['comment_id']}/resolve")
    assert resolved["resolved_by"] == "rina"
    comments = await desk.ok(HENDRA, "GET", path)
    assert len(comments) == 5


async def _at_least(events, n):
    found = await events
    return found if len(found) >= n else None
