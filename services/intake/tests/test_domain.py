from datetime import UTC, datetime, timedelta

import pytest

from warta.contracts import (
    Actor,
    ContactPerson,
    DispositionInstruction,
    DispositionIssued,
    IllegalTransition,
    InvalidInput,
    LeadershipEvent,
    Letter,
    RequestCorrected,
    RequestDeclined,
    RequestReceived,
    Role,
)
from warta.intake.domain import (
    FacilitationRequest,
    RequestDetails,
    RequestState,
    ScanType,
    agenda_year,
    clashes_with,
    format_agenda_number,
    letter_key,
    scan_type_of,
)

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ADMIN = Actor(officer_id="siti", role=Role.ADMIN)
HEAD = Actor(officer_id="hendra", role=Role.SECTION_HEAD)
LETTER = Letter(number="005/12/2026", date=NOW.date(), sender="Dinas Kesehatan", sender_kind="opd", subject="Liputan")
EVENT = LeadershipEvent(
    title="Rapat", starts_at=NOW, ends_at=NOW + timedelta(hours=2), location="Puspem", leader="wali_kota"
)
COVER = (DispositionInstruction.COVER_AND_PUBLISH,)


def details(**changes) -> RequestDetails:
    base = RequestDetails(letter=LETTER, event=EVENT, received_at=NOW - timedelta(minutes=30))
    return base.model_copy(update=changes)


def registered(**changes) -> FacilitationRequest:
    return FacilitationRequest.register(
        request_id="r1", agenda_number="0007/PROKOPIM/2026", details=details(**changes), now=NOW, actor=ADMIN
    )


def awaiting() -> FacilitationRequest:
    request = registered()
    request.issue_sheet(now=NOW + timedelta(minutes=10), actor=ADMIN)
    return request


def test_registering_announces_nothing_until_the_sheet_is_issued():
    request = registered()
    assert request.state is RequestState.REGISTERED
    assert request.events == []
    assert request.waiting().number == 1
    assert request.waiting().started_at == NOW - timedelta(minutes=30)

    assert request.issue_sheet(now=NOW + timedelta(minutes=10), actor=ADMIN)
    [event] = request.events
    assert isinstance(event, RequestReceived)
    assert event.data.received_at == NOW - timedelta(minutes=30)
    assert event.time == NOW + timedelta(minutes=10)
    assert request.state is RequestState.AWAITING_DISPOSITION
    assert request.waiting().number == 2
    # Printing it again is not a second step 1.
    assert not request.issue_sheet(now=NOW + timedelta(minutes=20), actor=ADMIN)
    assert len(request.events) == 1
    assert request.sheet.issued_at == NOW + timedelta(minutes=10)


def test_a_letter_cannot_arrive_in_the_future_or_before_its_own_date():
    with pytest.raises(InvalidInput) as refused:
        registered(received_at=NOW + timedelta(seconds=1))
    assert refused.value.fields[0].field == "received_at"
    with pytest.raises(InvalidInput) as refused:
        registered(letter=LETTER.model_copy(update={"date": (NOW + timedelta(days=1)).date()}))
    assert refused.value.fields[0].field == "letter.date"


def test_dispose_needs_the_sheet_then_nothing_else():
    request = registered()
    with pytest.raises(IllegalTransition):
        request.dispose(instructions=COVER, notes=None, now=NOW, actor=HEAD)
    request.issue_sheet(now=NOW, actor=ADMIN)
    request.dispose(instructions=COVER * 2, notes="Segera", now=NOW, actor=HEAD)
    assert request.state is RequestState.DISPOSED
    assert request.waiting() is None
    issued = request.events[-1]
    assert isinstance(issued, DispositionIssued)
    assert issued.data.event == EVENT
    assert issued.data.instructions == COVER  # a box ticked twice is one instruction
    with pytest.raises(IllegalTransition):
        request.dispose(instructions=COVER, notes=None, now=NOW, actor=HEAD)
    with pytest.raises(IllegalTransition):
        request.decline(reason="late", now=NOW, actor=HEAD)
    assert len(request.events) == 2


def test_decline_ends_the_request():
    request = awaiting()
    request.decline(reason="Bentrok dengan agenda lain", now=NOW, actor=HEAD)
    assert request.state is RequestState.DECLINED
    assert isinstance(request.events[-1], RequestDeclined)
    with pytest.raises(IllegalTransition):
        request.dispose(instructions=COVER, notes=None, now=NOW, actor=HEAD)


def test_corrections_record_each_field_and_are_announced_only_after_the_sheet():
    request = registered()
    correction = request.correct(
        details(event=EVENT.model_copy(update={"location": "Gedung Cisadane"})), now=NOW, actor=ADMIN
    )
    assert [(c.field, c.before, c.after) for c in correction.changes] == [
        ("event.location", "Puspem", "Gedung Cisadane")
    ]
    assert request.events == []
    assert request.revision == 2

    request.issue_sheet(now=NOW, actor=ADMIN)
    contact = ContactPerson(name="Ani", phone="08123456789")
    request.correct(details(event=request.event, contact=contact), now=NOW, actor=ADMIN)
    corrected = request.events[-1]
    assert isinstance(corrected, RequestCorrected)
    assert corrected.data.changed == ("contact.name", "contact.phone")  # no position before or after
    assert corrected.data.event.location == "Gedung Cisadane"
    assert len(request.corrections) == 2


def test_an_unchanged_correction_is_no_correction():
    request = registered()
    same_time_other_zone = details(received_at=(NOW - timedelta(minutes=30)).astimezone(EVENT.starts_at.tzinfo))
    assert request.correct(same_time_other_zone, now=NOW, actor=ADMIN) is None
    assert request.corrections == []
    assert request.revision == 1


def test_after_the_decision_the_letter_is_read_only():
    request = awaiting()
    request.dispose(instructions=COVER, notes=None, now=NOW, actor=HEAD)
    with pytest.raises(IllegalTransition):
        request.correct(details(letter=LETTER.model_copy(update={"subject": "x"})), now=NOW, actor=ADMIN)


def test_a_correction_cannot_move_the_arrival_after_the_registration():
    request = registered()
    with pytest.raises(InvalidInput) as refused:
        request.correct(details(received_at=NOW + timedelta(minutes=1)), now=NOW + timedelta(hours=1), actor=ADMIN)
    assert refused.value.fields[0].field == "received_at"


def test_agenda_numbers_run_per_jakarta_year():
    # 31 December 18:00 UTC is already 1 January in Jakarta.
    assert agenda_year(datetime(2026, 12, 31, 18, 0, tzinfo=UTC)) == 2027
    assert format_agenda_number(7, 2026) == "0007/PROKOPIM/2026"


def test_the_same_letter_is_recognised_despite_spacing_and_case():
    other = LETTER.model_copy(update={"number": " 005/12/2026", "sender": "dinas  kesehatan", "subject": "x"})
    assert letter_key(other) == letter_key(LETTER)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", ScanType.PDF),
        (b"\xff\xd8\xff\xe1\x00\x10Exif", ScanType.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00", ScanType.PNG),
        (b"GIF89a\x00\x00", None),
        (b"PK\x03\x04", None),  # a .docx
        (b"%PD", None),
        (b"", None),
    ],
)
def test_a_scan_is_typed_by_its_first_bytes(head, kind):
    assert scan_type_of(head) is kind


def test_clashes_are_overlaps_with_accepted_events_same_leader_first():
    def accepted(request_id: str, start_hour: float, hours: float, leader: str) -> FacilitationRequest:
        starts = NOW + timedelta(hours=start_hour)
        event = EVENT.model_copy(
            update={"starts_at": starts, "ends_at": starts + timedelta(hours=hours), "leader": leader}
        )
        request = registered(event=event).model_copy(update={"id": request_id})
        request.issue_sheet(now=NOW, actor=ADMIN)
        request.dispose(instructions=COVER, notes=None, now=NOW, actor=HEAD)
        return request

    asked = registered()  # 0:00-2:00, wali_kota
    others = [
        accepted("sekda", 0.5, 1, "sekda"),
        accepted("walkot", 1, 2, "wali_kota"),
        accepted("after", 2, 1, "wali_kota"),  # starts as the asked event ends
        accepted("lain-a", 0, 1, "lainnya"),
    ]
    clashes = clashes_with(asked, others)
    assert [(c.request_id, c.same_leader) for c in clashes] == [
        ("walkot", True),
        ("lain-a", False),
        ("sekda", False),
    ]
    # Two "other leader" events are not known to be the same person.
    asked_other = registered(event=EVENT.model_copy(update={"leader": "lainnya"}))
    assert [c.same_leader for c in clashes_with(asked_other, others) if c.request_id == "lain-a"] == [False]


def test_a_letter_for_an_event_long_over_is_refused_and_one_a_day_late_is_taken():
    long_over = EVENT.model_copy(update={"starts_at": NOW - timedelta(days=900), "ends_at": NOW - timedelta(days=899)})
    with pytest.raises(InvalidInput) as refused:
        registered(event=long_over)
    assert [f.field for f in refused.value.fields] == ["event.ends_at"]
    assert "can no longer be covered" in refused.value.fields[0].message
    just_over = EVENT.model_copy(update={"starts_at": NOW - timedelta(hours=25), "ends_at": NOW - timedelta(hours=23)})
    assert registered(event=just_over).event == just_over
    with pytest.raises(InvalidInput):
        FacilitationRequest.register(
            request_id="r2",
            agenda_number="0008/PROKOPIM/2026",
            details=details(event=just_over),
            now=NOW,
            actor=ADMIN,
            late_grace=timedelta(hours=12),
        )


def test_a_correction_may_keep_an_event_that_has_since_ended_but_not_move_it_into_the_past():
    request = registered()
    later = NOW + timedelta(days=3)  # the event is over; the letter's number is still corrected
    fixed_number = LETTER.model_copy(update={"number": "005/12/2026-A"})
    assert request.correct(details(letter=fixed_number), now=later, actor=ADMIN) is not None
    moved = EVENT.model_copy(
        update={"starts_at": NOW - timedelta(days=30), "ends_at": NOW - timedelta(days=30, hours=-2)}
    )
    with pytest.raises(InvalidInput) as refused:
        request.correct(details(letter=fixed_number, event=moved), now=later, actor=ADMIN)
    assert [f.field for f in refused.value.fields] == ["event.ends_at"]
