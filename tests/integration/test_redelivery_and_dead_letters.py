"""Failures are retried with backoff, and what can never succeed ends in the dead-letter stream."""

import json
from datetime import UTC, datetime

from warta.contracts import (
    Approved,
    ApprovedData,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    PressRelease,
    ReviewLevel,
    Role,
    subject_for,
)
from warta.devstack.pytest_plugin import eventually

NOW = datetime.now(UTC)


def approved(request_id: str, version: int) -> Approved:
    return Approved.occurred(
        data=ApprovedData(request_id=request_id, version=version, level=ReviewLevel.SECTION_HEAD),
        request_id=request_id,
        time=NOW,
    )


def submitted(request_id: str, version: int) -> CoverageSubmitted:
    return CoverageSubmitted.occurred(
        data=CoverageSubmittedData(
            request_id=request_id,
            version=version,
            press_release=PressRelease(title="t", body="b"),
            assets=(AssetRef(kind=AssetKind.PHOTO, uri="p", sha256="b" * 64),),
            submitted_by="dewi",
            contributors=("dewi",),
        ),
        request_id=request_id,
        time=NOW,
    )


async def publish(namespace, event) -> None:
    suffix = subject_for(event.type, "").lstrip(".")
    await namespace.publish_raw(suffix, event.model_dump_json().encode(), str(event.id))


async def test_an_event_that_arrives_before_its_cause_is_retried_not_dropped(namespace, apps):
    await publish(namespace, approved("req-early", 1))
    print("injected: the section head's approval before the version it approves")
    await publish(namespace, submitted("req-early", 1))
    headers = namespace.token(Role.COVERAGE_TEAM, "maya")

    async def ready():
        r = await apps["publisher"].get("/publications/req-early", headers=headers)
        return r.status_code == 200 and r.json()["state"] == "ready"

    assert await eventually(ready)
    assert await namespace.dead_letters() == []
    print("checked: the approval was redelivered after the submission and applied; no dead letter")


async def test_poison_messages_go_to_the_dead_letter_stream_and_others_keep_moving(namespace, apps):
    subject = subject_for(Approved, namespace.subject_prefix)
    broken = json.loads(approved("req-broken", 1).model_dump_json())
    del broken["data"]["version"]
    await namespace.publish_raw(subject.split(".", 1)[1], json.dumps(broken).encode(), "broken-1")
    await publish(namespace, approved("req-never", 7))  # a version that never comes
    await publish(namespace, submitted("req-fine", 1))
    await publish(namespace, approved("req-fine", 1))
    print("injected: an Approved breaking its contract, an Approved for a version that never arrives")

    letters = await eventually(lambda: _at_least(namespace.dead_letters(), 2), timeout=30)
    by_sequence = {h["Warta-Stream-Sequence"]: (s, h) for s, h in letters}
    assert len(by_sequence) == 2
    errors = sorted(h["Warta-Error"] for _, h in letters)
    assert errors[0].startswith("RetryLater: version 7 of req-never not received yet")
    assert errors[1].startswith("payload breaks the warta.review.approved.v1 contract")
    deliveries = {h["Warta-Error"].split(":")[0]: int(h["Warta-Deliveries"]) for _, h in letters}
    assert deliveries["RetryLater"] == 4  # max_deliver in tests
    assert deliveries["payload breaks the warta.review.approved.v1 contract"] == 1
    for subject_name, headers in letters:
        assert subject_name == f"{namespace.subject_prefix}_dlq.publisher.{subject}"
        assert headers["Warta-Original-Subject"] == subject

    headers = namespace.token(Role.COVERAGE_TEAM, "maya")
    fine = await apps["publisher"].get("/publications/req-fine", headers=headers)
    assert fine.json()["state"] == "ready"
    print("checked: both landed in the dead-letter stream with their errors; the healthy flow completed")


async def _at_least(letters, n):
    found = await letters
    return found if len(found) >= n else None
