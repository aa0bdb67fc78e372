import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from warta.contracts import (
    CATALOGUE,
    SOP,
    Approved,
    ApprovedData,
    LeadershipEvent,
    Rejected,
    RejectedData,
    RejectionReason,
    RequestDeclined,
    RequestDeclinedData,
    ReviewLevel,
    Role,
    UnknownEventType,
    owner_of,
    parse_event,
    subject_for,
)
from warta.contracts.schemas import schema_documents

SCHEMAS = Path(__file__).parents[1] / "schemas"
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def test_committed_schemas_equal_the_models():
    expected = schema_documents()
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.json")}
    assert committed.keys() == expected.keys(), "run `make schemas` and commit contracts/schemas"
    for name, text in expected.items():
        assert committed[name] == text, f"{name} differs from its model: run `make schemas`"


def test_every_event_has_a_unique_versioned_type_and_subject():
    types = [cls.event_type() for cls in CATALOGUE]
    assert len(set(types)) == len(types)
    for event_type in types:
        assert event_type.startswith("warta.")
        assert event_type.rsplit(".", 1)[1].startswith("v")
    subjects = {subject_for(cls) for cls in CATALOGUE}
    assert len(subjects) == len(CATALOGUE)
    assert subject_for(RequestDeclined, "t42") == "t42.request.declined.v1"
    assert {owner_of(cls) for cls in CATALOGUE} == {"intake", "scheduler", "coverage", "review", "publisher"}


def test_events_round_trip_and_ignore_fields_added_later():
    event = Approved.occurred(
        data=ApprovedData(request_id="r1", version=2, level=ReviewLevel.TEAM_LEAD), request_id="r1", time=NOW
    )
    raw = json.loads(event.model_dump_json())
    raw["data"]["added_in_a_later_minor_version"] = True
    assert parse_event(json.dumps(raw)) == event
    assert event.correlation_id == "r1"
    assert event.source == "warta/review"


def test_causation_and_correlation_follow_the_cause():
    cause = RequestDeclined.occurred(
        data=RequestDeclinedData(request_id="r1", reason="x"), request_id="r1", time=NOW, correlation_id="c-9"
    )
    effect = Approved.occurred(
        data=ApprovedData(request_id="r1", version=1, level=ReviewLevel.TEAM_LEAD),
        request_id="r1",
        time=NOW,
        causation=cause,
    )
    assert effect.correlation_id == "c-9"
    assert effect.causation_id == str(cause.id)


def test_unknown_types_and_broken_payloads_are_refused():
    with pytest.raises(UnknownEventType):
        parse_event('{"type": "warta.something.else.v1"}')
    good = RequestDeclined.occurred(data=RequestDeclinedData(request_id="r", reason="x"), request_id="r", time=NOW)
    broken = json.loads(good.model_dump_json())
    broken["data"]["reason"] = ""
    with pytest.raises(ValidationError):
        parse_event(json.dumps(broken))
    naive = json.loads(good.model_dump_json())
    naive["time"] = "2026-11-30T09:00:00"
    with pytest.raises(ValidationError):
        parse_event(json.dumps(naive))


def test_an_event_must_end_after_it_starts():
    with pytest.raises(ValidationError, match="ends_at"):
        LeadershipEvent(title="t", starts_at=NOW, ends_at=NOW, location="l", leader="wali_kota")


SOP_58 = SOP.revision("58/2025")
step = SOP_58.step


def test_the_sop_table():
    assert [s.standard_minutes for s in SOP_58.steps] == [60, 30, 30, 180, 30, 30, 20]
    assert SOP_58.total_standard_minutes == 380
    assert [s.actor for s in SOP_58.steps] == [
        Role.ADMIN,
        Role.SECTION_HEAD,
        Role.TEAM_LEAD,
        Role.COVERAGE_TEAM,
        Role.TEAM_LEAD,
        Role.SECTION_HEAD,
        Role.COVERAGE_TEAM,
    ]


def test_review_events_start_and_stop_the_right_clocks():
    def rejected(level: ReviewLevel) -> Rejected:
        data = RejectedData(request_id="r", version=1, level=level, reason=RejectionReason.OTHER, note="n")
        return Rejected.occurred(data=data, request_id="r", time=NOW)

    tl, sh = rejected(ReviewLevel.TEAM_LEAD), rejected(ReviewLevel.SECTION_HEAD)
    # A team-lead rejection stops step 5 and restarts step 4; a section-head one stops 6, restarts 5.
    assert step(5).stopped_by(tl) == NOW
    assert step(4).started_by(tl) == NOW
    assert step(6).stopped_by(tl) is None
    assert step(6).stopped_by(sh) == NOW
    assert step(5).started_by(sh) == NOW
    assert step(4).started_by(sh) is None


def test_step_one_starts_when_the_letter_arrived():
    from warta.contracts import Letter, RequestReceived, RequestReceivedData

    received = NOW - timedelta(minutes=45)
    event = RequestReceived.occurred(
        data=RequestReceivedData(
            request_id="r",
            agenda_number="0001/PROKOPIM/2026",
            letter=Letter(number="1", date=NOW.date(), sender="s", sender_kind="opd", subject="p"),
            event=LeadershipEvent(
                title="t", starts_at=NOW, ends_at=NOW + timedelta(hours=1), location="l", leader="sekda"
            ),
            received_at=received,
        ),
        request_id="r",
        time=NOW,
    )
    assert step(1).started_by(event) == received
    assert step(1).stopped_by(event) == NOW
    assert step(2).started_by(event) == NOW


def test_every_vocabulary_value_has_an_indonesian_label():
    from enum import StrEnum

    from warta.contracts import LABELS, roles

    vocabularies = [
        v for v in vars(roles).values() if isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum
    ]
    missing = [
        f"{vocabulary.__name__}.{value.name}"
        for vocabulary in vocabularies
        for value in vocabulary
        if (vocabulary, value.value) not in LABELS
    ]
    assert len(vocabularies) >= 9
    assert missing == []


def test_a_value_shared_by_two_vocabularies_keeps_each_its_own_label():
    from warta.contracts import Leader, ReviewLevel, Role, SenderKind, label

    assert label(Role.SECTION_HEAD) == "Kepala Bagian Protokol dan Komunikasi Pimpinan"
    assert label(ReviewLevel.SECTION_HEAD) == "Kepala Bagian"
    assert label(Leader.OTHER) == "Pimpinan lainnya"
    assert label(SenderKind.OTHER) == "Lainnya"


def test_an_event_ending_before_it_starts_is_refused_at_its_end_time():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as refused:
        LeadershipEvent(title="t", starts_at=NOW, ends_at=NOW, location="l", leader="sekda")
    assert [error["loc"] for error in refused.value.errors()] == [("ends_at",)]
