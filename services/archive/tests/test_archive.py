"""The archive on real NATS JetStream and SecantusDB: it keeps every message of the stream once,
understood or not, answers searches, exports and audits, removes only on an explicit command, and
a rebuild from the stream reproduces it."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from warta.archive.app import ArchiveSettings, create_app
from warta.contracts import Role, subject_for
from warta.devstack.pytest_plugin import ServiceCaller, eventually, running_app
from warta.runtime import spreadsheet

HEAD = (Role.SECTION_HEAD, "hendra")
DEWI = (Role.COVERAGE_TEAM, "dewi")
NOW = datetime.now(UTC).replace(microsecond=0)
LONG_AGO = NOW - timedelta(days=11 * 365)  # past the ten years a published request is kept


@pytest.fixture
async def archive(namespace, mongo):
    app = create_app(namespace.settings(ArchiveSettings))
    async with running_app(app) as client:
        yield ServiceCaller(app, client, namespace, mongo[namespace.database("archive")])


async def publish(namespace, events, msg_id_suffix: str = "") -> None:
    for event in events:
        suffix = subject_for(type(event)).removeprefix("warta.")
        await namespace.publish_raw(suffix, event.model_dump_json().encode(), str(event.id) + msg_id_suffix)


async def documents(db, collection: str) -> list[dict[str, Any]]:
    return [doc async for doc in db[collection].find().sort("_id", 1)]


def cli(namespace, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **namespace.env("archive")}
    return subprocess.run(
        [sys.executable, "-m", "warta.archive.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


async def test_every_message_is_kept_once_in_stream_order_understood_or_not(archive, namespace, journey):
    events = journey("req-1", NOW - timedelta(days=1))
    await publish(namespace, events)
    await publish(namespace, events[2:4], msg_id_suffix=":again")  # republished: new stream messages
    await namespace.publish_raw("request.escalated.v2", b'{"id": "e-new", "subject": "req-1"}', "e-new")
    await namespace.publish_raw("request.received.v1", b"\xff\x00 rusak", "garbled")
    stored = len(events) + 2 + 2
    print(f"injected: {len(events)} events, 2 of them republished, one unknown type, one unreadable message")

    records = await eventually(
        lambda: _when_count(archive.db, len(events) + 2), timeout=20
    )  # the two republished ones are not records of their own
    assert [r["sequence"] for r in records] == sorted(r["sequence"] for r in records)
    assert [r["_id"] for r in records if r["known"]] == [str(e.id) for e in events]
    assert all(r["sequence"] <= len(events) for r in records if r["known"])  # the first copy is the record
    by_id = {r["_id"]: r for r in records}
    assert json.loads(by_id[str(events[0].id)]["payload"]) == json.loads(events[0].model_dump_json())
    assert (by_id["e-new"]["known"], by_id["e-new"]["request_id"]) == (False, "req-1")
    assert (by_id["garbled"]["known"], by_id["garbled"]["request_id"]) == (False, None)

    async def duplicates_seen() -> bool:
        metrics = (await archive.client.get("/metrics")).text
        return 'warta_events_consumed_total{result="duplicate",type="all"} 2.0' in metrics

    await eventually(duplicates_seen)
    assert await archive.db.records.count_documents({}) == len(events) + 2

    timeline = await archive.ok(DEWI, "GET", "/requests/req-1/timeline")
    assert [e["type"] for e in timeline["entries"]] == [e.type for e in events] + [None]
    assert [(s["step"], s["run"]) for s in timeline["steps"]] == [
        (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (4, 2), (5, 2), (6, 1), (7, 1)
    ]  # fmt: skip
    dossier = await archive.ok(DEWI, "GET", "/requests/req-1")
    assert (dossier["state"], dossier["events"], dossier["unknown_events"]) == ("published", 10, 1)
    print(f"checked: {len(records)} records for {stored} stream messages, in stream order; the timeline has every step")


async def _when_count(db, count: int) -> list[dict[str, Any]] | None:
    found = [doc async for doc in db.records.find().sort("sequence", 1)]
    return found if len(found) >= count else None


async def _when_folded(db, count: int) -> bool:
    return sum([doc["events"] async for doc in db.dossiers.find()]) >= count


async def test_requests_are_found_by_period_state_leader_and_sender_and_exported(archive, namespace, journey):
    old = journey("req-old", datetime(2026, 10, 1, 1, 0, tzinfo=UTC))
    recent = journey("req-new", datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    await publish(namespace, old + recent[:3])  # the recent one stops at step 4
    await eventually(lambda: _when_count(archive.db, len(old) + 3), timeout=20)
    await eventually(lambda: _when_folded(archive.db, len(old) + 3), timeout=20)  # dossiers follow records

    async def found(**params: str) -> list[str]:
        return [d["request_id"] for d in await archive.ok(DEWI, "GET", "/requests", params=params)]

    assert await found() == ["req-old", "req-new"]
    assert await found(**{"from": "2026-11-01", "to": "2026-11-30"}) == ["req-new"]
    assert await found(state="published") == ["req-old"]
    assert await found(state="assigned") == ["req-new"]
    assert await found(leader="wali_kota", sender="kesehatan") == ["req-old", "req-new"]
    assert await found(sender="Dinas Pendidikan") == []
    await archive.refused(
        422, DEWI, "GET", "/requests", params={"from": "2026-11-30", "to": "2026-11-01"}, field="query.to"
    )
    await archive.refused(422, DEWI, "GET", "/requests", params={"state": "lost"}, field="query.state")

    october = {"from": "2026-10-01", "to": "2026-10-31"}
    summary = await archive.ok(HEAD, "GET", "/sop", params=october)
    assert [(s["step"], s["finished"], s["over"]) for s in summary["steps"]] == [
        (1, 1, 0), (2, 1, 1), (3, 1, 0), (4, 2, 0), (5, 2, 0), (6, 1, 0), (7, 1, 0)
    ]  # fmt: skip
    assert [(o["officer_id"], o["overruns"]) for o in summary["officers"]] == [("hendra", 1)]
    # The recent request waits in step 4 past its standard; the list names it as the register does.
    waiting = await archive.ok(DEWI, "GET", "/requests/req-new")
    assert [(o["request_id"], o["step"]) for o in summary["overdue"]] == [("req-new", 4)]
    assert summary["overdue"][0]["agenda_number"] == waiting["agenda_number"]
    assert waiting["agenda_number"]
    assert summary["overdue"][0]["title"] == waiting["title"]
    await archive.refused(403, DEWI, "GET", "/sop")

    await archive.refused(403, DEWI, "GET", "/export.csv")
    exported = await archive.call(HEAD, "GET", "/export.csv", params={"from": "2026-10-01", "to": "2026-10-31"})
    assert exported.status_code == 200
    rows = list(spreadsheet.rows(spreadsheet.text_of(exported.content)))
    assert [r["permohonan"] for r in rows] == ["req-old"]
    assert (rows[0]["status"], rows[0]["pengirim"], rows[0]["langkah_2_menit"]) == (
        "published",
        "Dinas Kesehatan",
        "40",  # minutes, with a decimal comma where there is a fraction
    )
    assert rows[0]["langkah_4_menit"] == "150"  # both runs of step 4 added up
    assert rows[0]["diterima"].endswith("WIB")

    lines = (await archive.call(HEAD, "GET", "/export.jsonl", params={"state": "published"})).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [str(e.id) for e in old]

    audit = await archive.call(HEAD, "GET", "/audit/rina.csv")
    actions = list(spreadsheet.rows(spreadsheet.text_of(audit.content)))
    assert [(a["permohonan"], a["peristiwa"]) for a in actions] == [
        ("req-old", "warta.team.assigned.v1"),
        ("req-old", "warta.review.rejected.v1"),
        ("req-old", "warta.review.approved.v1"),
        ("req-new", "warta.team.assigned.v1"),
    ]
    assert (await archive.call(DEWI, "GET", "/audit/dewi.csv")).status_code == 200  # one's own trail
    await archive.refused(403, DEWI, "GET", "/audit/rina.csv")


async def test_a_dossier_carries_its_step_runs_and_one_stored_without_them_is_read_from_its_records(
    archive, namespace, journey
):
    """The SOP summary and the export read each request's step runs from its dossier (one query
    for a month, not one per request); a dossier an earlier version stored without them is timed
    from its records, with the same answer."""
    old = journey("req-old", datetime(2026, 10, 1, 1, 0, tzinfo=UTC))
    recent = journey("req-new", datetime(2026, 10, 2, 1, 0, tzinfo=UTC))
    await publish(namespace, old + recent[:3])
    await eventually(lambda: _when_folded(archive.db, len(old) + 3), timeout=20)

    timed = ("step", "run", "seconds", "over", "standard_seconds", "officer_id")
    for request_id in ("req-old", "req-new"):
        stored = await archive.db.dossiers.find_one({"_id": request_id})
        timeline = await archive.ok(DEWI, "GET", f"/requests/{request_id}/timeline")
        assert [tuple(r[k] for k in timed) for r in stored["runs"]] == [
            tuple(r[k] for k in timed) for r in timeline["steps"]
        ]
        still_open = [r["finished_at"] is None for r in timeline["steps"]]
        assert [r["finished_at"] is None for r in stored["runs"]] == still_open
        assert "runs" not in await archive.ok(DEWI, "GET", f"/requests/{request_id}")  # not part of the answer

    october = {"from": "2026-10-01", "to": "2026-10-31"}
    summary = await archive.ok(HEAD, "GET", "/sop", params=october)
    exported = (await archive.call(HEAD, "GET", "/export.csv", params=october)).content
    # Both finished steps 1 to 3 in October; the first one the rest too.
    assert [(s["step"], s["finished"], s["over"]) for s in summary["steps"]] == [
        (1, 2, 0), (2, 2, 2), (3, 2, 0), (4, 2, 0), (5, 2, 0), (6, 1, 0), (7, 1, 0)
    ]  # fmt: skip
    assert [(o["request_id"], o["step"]) for o in summary["overdue"]] == [("req-new", 4)]

    async def same_answers() -> None:
        again = await archive.ok(HEAD, "GET", "/sop", params=october)
        assert _at_rest(again) == _at_rest(summary)
        # How far over the open step is grows with the clock between the two answers.
        assert abs(again["overdue"][0]["over_minutes"] - summary["overdue"][0]["over_minutes"]) < 1
        assert (await archive.call(HEAD, "GET", "/export.csv", params=october)).content == exported

    # Runs folded by another version of the fold, or not readable as runs, are not used.
    await archive.db.dossiers.update_many({}, {"$set": {"runs_fold": 0}})
    await same_answers()
    await archive.db.dossiers.update_many({}, {"$set": {"runs": [{"step": "drei"}]}})
    await same_answers()
    await archive.db.dossiers.update_many({}, {"$unset": {"runs": "", "runs_fold": ""}})  # as an earlier version
    await same_answers()


def _at_rest(summary: dict[str, Any]) -> dict[str, Any]:
    return {**summary, "overdue": [{**o, "over_minutes": None} for o in summary["overdue"]]}


async def test_a_request_under_an_sop_revision_this_version_does_not_know_still_has_its_dossier(
    archive, namespace, journey
):
    """Intake may run a newer SOP revision before the archive is updated: the records and the
    dossier are kept, only the step runs wait (the archive cannot time steps it does not know)."""
    newer = [event.model_copy(update={"sop": "99/2099"}) for event in journey("req-newer", NOW - timedelta(days=1))]
    await publish(namespace, newer)
    await eventually(lambda: _when_folded(archive.db, len(newer)), timeout=20)
    stored = await archive.db.dossiers.find_one({"_id": "req-newer"})
    assert (stored["state"], stored["events"], stored["sop"]) == ("published", len(newer), "99/2099")
    assert "runs" not in stored
    consumed = (await archive.client.get("/metrics")).text
    assert 'result="applied"' in consumed
    assert 'result="retried"' not in consumed
    assert 'result="dead_lettered"' not in consumed
    # The summary leaves out what it has no standard for, and counts the rest.
    known = journey("req-known", NOW - timedelta(days=1))
    await publish(namespace, known)
    await eventually(lambda: _when_folded(archive.db, len(newer) + len(known)), timeout=20)
    day = (NOW - timedelta(days=1)).date()
    summary = await archive.ok(
        HEAD, "GET", "/sop", params={"from": f"{day - timedelta(days=1)}", "to": f"{day + timedelta(days=2)}"}
    )
    assert {s["step"]: s["finished"] for s in summary["steps"]}[7] == 1  # req-known's publication alone


async def test_nothing_is_removed_until_the_disposal_command_and_a_rebuild_reproduces_the_archive(
    archive, namespace, journey, mongo
):
    expired = journey("req-expired", LONG_AGO)
    kept = journey("req-kept", NOW - timedelta(days=30))
    await publish(namespace, expired + kept)
    await namespace.publish_raw("request.escalated.v2", b'{"id": "e-odd"}', "e-odd")
    await eventually(lambda: _when_count(archive.db, len(expired) + len(kept) + 1), timeout=20)

    report = {line["record_class"]: line for line in await archive.ok(HEAD, "GET", "/retention")}
    assert (report["published"]["keep_years"], report["published"]["requests"]) == (10, 1)
    assert report["published"]["records"] == len(expired)
    assert report["declined"]["requests"] == 0
    assert report["unreadable"]["records"] == 0  # two years not yet passed
    dry = cli(namespace, "retention", "report")
    assert dry.returncode == 0, dry.stderr
    assert "published: kept 10 years; due now: 1 requests, 9 records" in dry.stdout
    assert await archive.db.records.count_documents({}) == len(expired) + len(kept) + 1  # a report removes nothing
    print("checked: the retention report names one expired request and removes nothing")

    disposed = cli(namespace, "retention", "dispose", "--officer", "hendra", "--reason", "BA-Pemusnahan 1/2037")
    assert disposed.returncode == 0, disposed.stderr
    assert await archive.db.records.count_documents({"request_id": "req-expired"}) == 0
    assert await archive.db.dossiers.count_documents({"_id": "req-expired"}) == 0
    assert await archive.db.records.count_documents({"request_id": "req-kept"}) == len(kept)
    [note] = await documents(archive.db, "disposals")
    assert (note["request_id"], note["ordered_by"], note["reason"]) == ("req-expired", "hendra", "BA-Pemusnahan 1/2037")
    await archive.refused(404, DEWI, "GET", "/requests/req-expired/timeline")
    print("injected: the disposal command; checked: only the expired request is gone, and the disposal is noted")

    fresh = namespace.database("archive") + "_rebuilt"
    rebuilt = cli(namespace, "rebuild", "--into", fresh)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"rebuilt {fresh}: {len(kept) + 1} records kept, {len(expired)} skipped as disposed" in rebuilt.stdout
    for collection in ("records", "dossiers", "disposals"):
        assert await documents(mongo[fresh], collection) == await documents(archive.db, collection), collection
    again = cli(namespace, "rebuild", "--into", fresh)
    assert again.returncode == 2  # never into a database that holds records
    print(f"checked: the rebuild from the stream equals the archive ({len(kept) + 1} records, dossiers, disposals)")


async def test_a_dossier_folded_from_fewer_records_never_replaces_a_newer_one(namespace, mongo):
    from warta.archive.domain import Dossier, DossierState
    from warta.archive.store import ArchiveStore

    store = ArchiveStore(mongo[namespace.database("archive")])
    at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)

    def folded(state: DossierState, events: int) -> Dossier:
        return Dossier(request_id="req-race", state=state, first_at=at, last_at=at, events=events, unknown_events=0)

    await store.put_dossier(folded(DossierState.ASSIGNED, 3))
    # The worker that applied the second event writes last, from the two records it saw.
    await store.put_dossier(folded(DossierState.DISPOSED, 2))
    kept = await store.dossier("req-race")
    assert kept is not None
    assert (kept.state, kept.events) == (DossierState.ASSIGNED, 3)
    await store.put_dossier(folded(DossierState.IN_REVIEW, 4))
    kept = await store.dossier("req-race")
    assert kept is not None
    assert (kept.state, kept.events) == (DossierState.IN_REVIEW, 4)
