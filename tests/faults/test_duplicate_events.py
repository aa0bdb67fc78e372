"""Delivering every event twice changes nothing the second time, on a real JetStream server."""

import uuid
from datetime import UTC, datetime, timedelta

from warta.contracts import (
    Approved,
    ApprovedData,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    Event,
    LeadershipEvent,
    PressRelease,
    Rejected,
    RejectedData,
    RejectionReason,
    ReviewLevel,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
    subject_for,
)
from warta.devstack.pytest_plugin import SERVICES, eventually, snapshot

T0 = datetime.now(UTC).replace(microsecond=0)
RID = "req-dup"
EVENT = LeadershipEvent(title="t", starts_at=T0, ends_at=T0 + timedelta(hours=1), location="l", leader="wali_kota")


def submitted(version: int) -> CoverageSubmitted:
    return CoverageSubmitted.occurred(
        data=CoverageSubmittedData(
            request_id=RID,
            version=version,
            press_release=PressRelease(title="t", body=f"v{version}"),
            assets=(AssetRef(kind=AssetKind.PHOTO, uri="p", sha256="a" * 64),),
            submitted_by="dewi",
            contributors=("dewi",),
        ),
        request_id=RID,
        time=T0 + timedelta(minutes=version),
    )


def flow() -> list[Event]:
    """Events of one request as the producing services would publish them."""
    return [
        DispositionIssued.occurred(
            data=DispositionIssuedData(
                request_id=RID,
                agenda_number="0009/PROKOPIM/2026",
                event=EVENT,
                instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
            ),
            request_id=RID,
            time=T0,
        ),
        TeamAssigned.occurred(
            data=TeamAssignedData(
                request_id=RID,
                revision=1,
                members=(TeamMember(officer_id="dewi", role="writer"),),
                needs_video=False,
                event=EVENT,
                coverage_starts_at=T0,
            ),
            request_id=RID,
            time=T0,
        ),
        submitted(1),
        Rejected.occurred(
            data=RejectedData(
                request_id=RID, version=1, level=ReviewLevel.TEAM_LEAD, reason=RejectionReason.OTHER, note="n"
            ),
            request_id=RID,
            time=T0 + timedelta(minutes=2),
        ),
        submitted(2),
        Approved.occurred(
            data=ApprovedData(request_id=RID, version=2, level=ReviewLevel.SECTION_HEAD),
            request_id=RID,
            time=T0 + timedelta(minutes=3),
        ),
    ]


async def test_every_consumer_applies_a_repeated_event_once(namespace, apps, mongo):
    events = flow()
    consumed = {"scheduler": 1, "coverage": 2, "review": 2, "publisher": 3}  # deliveries each applies

    async def publish_all(copy: str) -> None:
        for event in events:
            suffix = subject_for(event.type, "").lstrip(".")
            # A different Nats-Msg-Id gets past the stream's dedupe, as a redelivery after the
            # duplicate window or a republish by a restarted relay would.
            await namespace.publish_raw(suffix, event.model_dump_json().encode(), f"{event.id}:{copy}")

    async def applied(service: str) -> int:
        return await mongo[namespace.database(service)].inbox.count_documents({})

    await publish_all("first")
    for service, count in consumed.items():
        await eventually(lambda s=service, c=count: _equals(applied(s), c))
    before = {s: await snapshot(mongo[namespace.database(s)]) for s in SERVICES}
    print(f"injected: {len(events)} events once; inbox counts {consumed}")

    await publish_all("second")
    assert len(await namespace.raw_messages()) == 2 * len(events)

    async def duplicates_seen() -> int:
        total = 0
        for client in apps.values():
            text = (await client.get("/metrics")).text
            total += sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("warta_events_consumed_total{") and 'result="duplicate"' in line
            )
        return int(total)

    await eventually(lambda: _equals(duplicates_seen(), sum(consumed.values())))
    after = {s: await snapshot(mongo[namespace.database(s)]) for s in SERVICES}
    assert after == before
    print(f"checked: all {sum(consumed.values())} repeats were seen and skipped; every database unchanged")


async def _equals(value, expected) -> bool:
    return (await value) == expected


async def test_jetstream_drops_a_republish_with_the_same_event_id(namespace, apps):
    event = flow()[0]
    suffix = subject_for(event.type, "").lstrip(".")
    first = await namespace.publish_raw(suffix, event.model_dump_json().encode(), str(event.id))
    again = await namespace.publish_raw(suffix, event.model_dump_json().encode(), str(event.id))
    assert not first.duplicate
    assert again.duplicate
    assert len(await namespace.raw_messages()) == 1
    unrelated = await namespace.publish_raw(suffix, event.model_dump_json().encode(), str(uuid.uuid4()))
    assert not unrelated.duplicate
