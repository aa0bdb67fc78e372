"""SOP revisions as data: the definition files are read and checked, a request's revision is the
one in force when its letter arrived, and every event of the request carries it."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from warta.contracts import (
    FIRST_SOP,
    SOP,
    Approved,
    ApprovedData,
    ReviewLevel,
    Role,
    SopError,
    parse_revision,
)

DEFINITION = (Path(__file__).parents[1] / "src" / "warta" / "contracts" / "sop" / "58-2025.toml").read_text(
    encoding="utf-8"
)


def revised(number: str, effective: str, **replace: str) -> str:
    """SOP 58/2025's definition with another number and date, and text replaced in it."""
    text = DEFINITION.replace('number = "58/2025"', f'number = "{number}"').replace(
        "effective_from = 2025-01-01", f"effective_from = {effective}"
    )
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_sop_58_2025_is_read_from_its_definition():
    sop = SOP.revision("58/2025")
    assert sop.title.startswith("Penyusunan Bahan/Konten Media Sosial")
    assert [s.key for s in sop.steps] == [
        "registration",
        "disposition",
        "assignment",
        "coverage",
        "team_lead_review",
        "section_head_review",
        "publication",
    ]
    assert [s.service for s in sop.steps] == [
        "intake",
        "intake",
        "scheduler",
        "coverage",
        "review",
        "review",
        "publisher",
    ]
    assert sop.keyed("coverage").activity.startswith("Meliput dan mengolah bahan liputan")
    assert sop.keyed("coverage").actor is Role.COVERAGE_TEAM
    assert FIRST_SOP == "58/2025"


def test_a_revision_is_in_force_from_its_effective_day_in_jakarta():
    revision = parse_revision(revised("99/2027", "2027-01-01", **{"standard_minutes = 180": "standard_minutes = 120"}))
    assert revision.keyed("coverage").standard_minutes == 120
    assert revision.total_standard_minutes == 320
    with SOP.added(revision):
        # 31 December 2026, 17:30 UTC is 1 January 2027, 00:30 WIB
        assert SOP.in_force(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)).number == "58/2025"
        assert SOP.in_force(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)).number == "99/2027"
        assert 120 in SOP.standards_minutes
    assert "99/2027" not in {r.number for r in SOP}


def test_an_event_carries_its_cause_s_revision():
    data = ApprovedData(request_id="r", version=1, level=ReviewLevel.TEAM_LEAD)
    cause = Approved.occurred(data=data, request_id="r", time=datetime(2027, 1, 2, tzinfo=UTC), sop="99/2027")
    assert Approved.occurred(data=data, request_id="r", time=cause.time, causation=cause).sop == "99/2027"
    # An event written before events named their revision is read as the first revision's.
    old = cause.model_dump(mode="json")
    del old["sop"]
    assert Approved.model_validate(old).sop == FIRST_SOP


@pytest.mark.parametrize(
    ("replace", "why"),
    [
        (
            {'event = "TeamAssigned", at = "coverage_starts_at"': 'event = "TeamAssigned", at = "no_such_field"'},
            "carries no",
        ),
        ({'{ event = "Published" }': '{ event = "Publishd" }'}, "no event"),
        ({'actor = "admin"': 'actor = "mayor"'}, "cannot be read"),
        ({"standard_minutes = 20": "standard_minutes = 0"}, "positive"),
        (
            {'calendar = "wall"\nstarts_on = [{ event = "Dispo': 'calendar = "moon"\nstarts_on = [{ event = "Dispo'},
            "calendar",
        ),
        ({"number = 3\n": "number = 8\n"}, "numbered"),
        ({'key = "assignment"': 'key = "coverage"'}, "share a key"),
        ({'{ event = "RequestDeclined" }': '{ event = "RequestDeclined", level = "team_lead" }'}, "no review level"),
    ],
)
def test_a_definition_that_cannot_be_followed_is_refused(replace, why):
    with pytest.raises(SopError, match=why):
        parse_revision(revised("98/2027", "2027-06-01", **replace))


def test_two_revisions_cannot_take_effect_on_one_day():
    with pytest.raises(SopError, match="same day"), SOP.added(parse_revision(revised("97/2025", "2025-01-01"))):
        pass
    assert SOP.in_force(datetime(2026, 1, 1, tzinfo=UTC)).effective_from == date(2025, 1, 1)
