from datetime import UTC, datetime, timedelta

from warta.archive.domain import (
    DossierState,
    Record,
    dossier_of,
    minutes_per_step,
    record_of,
    remeasured,
    step_runs_of,
    summarize,
    timeline_of,
)
from warta.contracts import Event

RID = "req-arsip"
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 WIB


def wall(step: int, start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


def records(events: list[Event]) -> list[Record]:
    return [
        record_of("warta." + e.type.removeprefix("warta."), e.model_dump_json().encode(), n, e.time, str(e.id))
        for n, e in enumerate(events, start=1)
    ]


def test_a_known_event_is_kept_as_published_with_its_searchable_fields(journey):
    received = journey(RID, T0)[0]
    body = received.model_dump_json().encode()
    record = record_of("warta.request.received.v1", body, 12, T0, str(received.id))
    assert record.payload.encode() == body  # unchanged, byte for byte
    assert (record.event_id, record.sequence, record.known) == (str(received.id), 12, True)
    assert (record.type, record.request_id, record.officer_id, record.role) == (
        "warta.request.received.v1",
        RID,
        "siti",
        "admin",
    )
    assert record.event() == received


def test_an_event_this_version_does_not_know_is_kept_with_what_can_be_read_of_it(journey):
    newer = (
        b'{"id": "e-9", "type": "warta.request.escalated.v2", "subject": "req-1", "time": "2026-12-01T08:00:00+07:00"}'
    )
    record = record_of("warta.request.escalated.v2", newer, 40, T0, "e-9")
    assert (record.event_id, record.known, record.type, record.request_id) == (
        "e-9",
        False,
        "warta.request.escalated.v2",
        "req-1",
    )
    assert record.time == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert record.event() is None
    # A known type whose payload breaks its contract (a newer minor version, say) is kept too.
    broken = b'{"id": "e-10", "type": "warta.request.received.v1", "subject": "req-1"}'
    assert record_of("warta.request.received.v1", broken, 41, T0, None).known is False
    garbage = record_of("warta.request.received.v1", b"\xff\x00 not json", 42, T0, None)
    assert (garbage.event_id, garbage.known, garbage.request_id) == ("seq-42", False, None)


def test_a_dossier_follows_the_request_to_its_end(journey):
    kept = records(journey(RID, T0))
    states = [dossier_of(kept[: n + 1]).state for n in range(len(kept))]  # type: ignore[union-attr]
    assert states == [
        DossierState.RECEIVED,
        DossierState.DISPOSED,
        DossierState.ASSIGNED,
        DossierState.IN_REVIEW,
        DossierState.RETURNED,
        DossierState.IN_REVIEW,
        DossierState.IN_REVIEW,
        DossierState.APPROVED,
        DossierState.PUBLISHED,
    ]
    dossier = dossier_of(kept)
    assert dossier is not None
    assert (dossier.agenda_number, dossier.sender, dossier.leader, dossier.title) == (
        "0007/PROKOPIM/2026",
        "Dinas Kesehatan",
        "wali_kota",
        "Peresmian Taman Literasi",
    )
    assert (dossier.received_at, dossier.ended_at) == (T0, kept[-1].time)
    assert dossier.website_url == "https://tangerangkota.go.id/berita/7"
    assert (dossier.events, dossier.unknown_events) == (9, 0)


def test_the_timeline_times_every_run_of_every_step_against_its_standard(journey):
    kept = records(journey(RID, T0))
    timeline = timeline_of(RID, kept, wall)
    assert [e.sequence for e in timeline.entries] == list(range(1, 10))
    assert timeline.entries[4].what == "versi 1 dikembalikan Ketua Tim Dokumentasi Pimpinan: Ejaan."
    assert timeline.entries[4].officer_id == "rina"
    runs = [(r.step, r.run, r.seconds / 60 if r.seconds is not None else None, r.over) for r in timeline.steps]
    assert runs == [
        (1, 1, 40.0, False),
        (2, 1, 40.0, True),  # 10 minutes over its 30
        (3, 1, 20.0, False),
        (4, 1, 120.0, False),  # from the event's start, not from the assignment
        (5, 1, 10.0, False),
        (4, 2, 30.0, False),  # the returned version: step 4 again
        (5, 2, 5.0, False),
        (6, 1, 5.0, False),
        (7, 1, 15.0, False),
    ]


def test_an_unknown_event_in_the_middle_changes_no_step_and_shows_in_the_timeline(journey):
    kept = records(journey(RID, T0))
    odd = record_of("warta.request.escalated.v2", b'{"id": "x", "subject": "req-arsip"}', 99, T0, None)
    timeline = timeline_of(RID, [*kept[:3], odd, *kept[3:]], wall)
    assert timeline.entries[3].what == "peristiwa yang belum dikenali (tanpa jenis)"
    assert len(timeline.steps) == 9
    dossier = dossier_of([*kept, odd])
    assert dossier is not None
    assert (dossier.state, dossier.events, dossier.unknown_events) == (DossierState.PUBLISHED, 10, 1)


def test_the_sop_summary_counts_runs_within_and_over_and_names_who_answers_for_an_overrun(journey):
    done = timeline_of(RID, records(journey(RID, T0)), wall)
    started = timeline_of("req-open", records(journey("req-open", T0)[:3]), wall)  # assigned, step 4 open
    now = T0 + timedelta(days=1)
    summary = summarize({RID: done.steps, "req-open": started.steps}, T0, T0 + timedelta(days=1), now)
    by_step = {s.step: (s.finished, s.within, s.over) for s in summary.steps}
    assert by_step == {
        1: (2, 2, 0),
        2: (2, 0, 2),  # 40 minutes of 30, twice
        3: (2, 2, 0),
        4: (2, 2, 0),
        5: (2, 2, 0),
        6: (1, 1, 0),
        7: (1, 1, 0),
    }
    assert summary.steps[1].within_percent == 0.0
    assert summary.steps[0].within_percent == 100.0
    assert [(o.officer_id, o.overruns, o.overrun_minutes) for o in summary.officers] == [("hendra", 2, 20.0)]
    [late] = summary.overdue  # step 4 of the open request started at the event and ran past 180 minutes
    assert (late.request_id, late.step) == ("req-open", 4)
    assert late.over_minutes == round((now - (T0 + timedelta(hours=3))).total_seconds() / 60 - 180, 1)
    # Runs finished outside the period are not counted.
    empty = summarize({RID: done.steps}, T0 + timedelta(days=2), T0 + timedelta(days=3), now)
    assert all(s.finished == 0 and s.within_percent is None for s in empty.steps)


def test_stored_step_runs_are_timed_again_on_todays_calendar(journey):
    """A dossier keeps its runs as they were timed when its last event came; the summary and the
    export time them again, so a day off declared since counts as it does in the timeline."""
    kept = records(journey(RID, T0))
    stored = step_runs_of(kept, wall)

    def half(step: int, start: datetime, end: datetime) -> float:  # a calendar that counts half the hours
        return wall(step, start, end) / 2

    again = remeasured(stored, half)
    assert [r.seconds for r in again] == [r.seconds / 2 for r in stored if r.seconds is not None]
    assert again == timeline_of(RID, kept, half).steps
    assert [r.over for r in again][:2] == [False, False]  # step 2's 40 minutes count as 20 of its 30
    assert minutes_per_step(again)[4] == 75.0  # both runs of step 4 added up: (120 + 30) / 2
    open_run = remeasured(step_runs_of(records(journey("req-open", T0)[:3]), wall), half)[-1]
    assert (open_run.step, open_run.seconds, open_run.over) == (4, None, None)
