"""Failures are retried with backoff, and what can never succeed ends in the dead-letter stream."""

import contextlib
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

import httpx
import pytest

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


def warta(namespace, *args: str) -> subprocess.CompletedProcess[str]:
    """The operator's command line, against this test's stream."""
    env = {**os.environ, "WARTA_NATS_URL": namespace.servers.nats_url, "WARTA_STREAM_NAME": namespace.stream_name}
    return subprocess.run(
        [sys.executable, "-m", "warta.runtime.cli", *args], env=env, capture_output=True, text=True, timeout=60
    )


async def test_an_operator_lists_shows_and_replays_a_dead_letter_after_the_fix(namespace, apps):
    await publish(namespace, approved("req-late", 3))  # its version is lost somewhere upstream
    letters = await eventually(lambda: _at_least(namespace.dead_letters(), 1), timeout=30)
    print("injected: an approval whose version never arrives; it is dead-lettered after max_deliver")

    listed = warta(namespace, "dlq", "list")
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    seq, service, subject, deliveries, error = line.split("\t")
    assert (service, deliveries) == ("publisher", "4")
    assert subject == subject_for(Approved, namespace.subject_prefix)
    assert error.startswith("RetryLater: version 3 of req-late")
    assert warta(namespace, "dlq", "list", "--service", "review").stdout == ""
    shown = warta(namespace, "dlq", "show", seq)
    assert "Warta-Error: RetryLater" in shown.stdout
    assert '"request_id": "req-late"' in shown.stdout

    await publish(namespace, submitted("req-late", 3))  # the fix: the version arrives
    replayed = warta(namespace, "dlq", "replay", seq)
    assert replayed.returncode == 0, replayed.stderr
    headers = namespace.token(Role.COVERAGE_TEAM, "maya")

    async def ready():
        r = await apps["publisher"].get("/publications/req-late", headers=headers)
        return r.status_code == 200 and r.json()["state"] == "ready"

    assert await eventually(ready)
    assert warta(namespace, "dlq", "list").stdout == ""
    again = warta(namespace, "dlq", "replay", seq)
    assert again.returncode == 1
    assert "no dead letter" in again.stderr
    assert len(letters) == 1
    print("checked: listed and shown with its error; replayed after the fix, it was applied; gone from the DLQ")


@pytest.mark.slow
async def test_a_message_that_kills_its_consumer_every_time_is_dead_lettered_from_the_advisory(
    namespace, service_processes
):
    publisher = service_processes("publisher")
    publisher.start(WARTA_ACK_WAIT_SECONDS="2")  # declares the streams and its consumers
    publisher.stop()
    event = submitted("req-crash", 1)
    await publish(namespace, event)
    for attempt in range(1, 5):  # max_deliver is 4 in tests
        # It may die before it even listens: the message is there the moment it starts consuming.
        with contextlib.suppress(RuntimeError):
            publisher.start(WARTA_FAULT_POINTS="consume.before_handle", WARTA_ACK_WAIT_SECONDS="2")
        publisher.process.wait(30)
        assert publisher.exit_code() == -signal.SIGKILL, publisher.log()
        print(f"injected: delivery {attempt} of {event.id} killed the publisher before its handler finished")

    publisher.start(WARTA_ACK_WAIT_SECONDS="2")
    [(subject, letter)] = await eventually(namespace.dead_letters, timeout=40)
    assert (
        subject
        == f"{namespace.subject_prefix}_dlq.publisher.{subject_for(CoverageSubmitted, namespace.subject_prefix)}"
    )
    assert letter["Warta-Error"].startswith("no acknowledgement after 4 deliveries")
    assert letter["Warta-Deliveries"] == "4"
    async with httpx.AsyncClient() as client:
        metrics = (await client.get(f"{publisher.url}/metrics")).text
    assert "warta_dead_letters 1.0" in metrics
    assert publisher.exit_code() is None
    print("checked: after the fourth crash JetStream's max-deliveries advisory put it in the DLQ; the service runs on")
