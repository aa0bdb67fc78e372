"""The register's search filter has the shape both databases answer through an index."""

from datetime import date

from warta.intake.domain import RequestState, format_agenda_number
from warta.intake.store import RequestQuery


def test_every_criterion_is_a_field_of_one_flat_filter_the_indexed_ones_first():
    criteria = RequestQuery(
        subject="peliputan  peresmian",
        sender="Dinas",
        letter_number="b-7",
        state=RequestState.AWAITING_DISPOSITION,
        received_from=date(2026, 11, 2),
        received_to=date(2026, 11, 8),
        agenda_number="12",
    ).to_filter()

    assert not [key for key in criteria if key.startswith("$")]  # a top-level $and is a scan in SecantusDB
    assert list(criteria) == [
        "agenda_number",
        "received_at",
        "state",
        "letter.number",
        "letter.sender",
        "letter.subject",
    ]
    assert set(criteria["received_at"]) == {"$gte", "$lt"}


def test_a_bare_number_finds_that_entry_of_every_year_and_no_other():
    numbers = RequestQuery(agenda_number=" 12 ").to_filter()["agenda_number"]

    def found(agenda_number: str) -> bool:
        return numbers["$gte"] <= agenda_number < numbers["$lt"]

    assert found(format_agenda_number(12, 2026))
    assert found(format_agenda_number(12, 2025))
    assert not [n for n in (1, 2, 11, 13, 120, 1200, 10012) if found(format_agenda_number(n, 2026))]
