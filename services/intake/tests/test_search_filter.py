"""Every query the register's search sends has a shape SecantusDB answers through an index: the
criteria as one flat filter with the most selective indexed field first, and the word index's
windows, vocabulary ranges and candidate loads."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from warta.contracts import Leader
from warta.intake.domain import RequestState, WordSearch, format_agenda_number
from warta.intake.search import TERMS, WORDS, candidates_filter, vocabulary_filter, window_filter
from warta.intake.store import REQUESTS, RequestQuery, create_indexes


def test_every_criterion_but_the_words_is_a_field_of_one_flat_filter_the_indexed_ones_first():
    query = RequestQuery(
        subject="peliputan  peresmian",
        sender="Dinas",
        letter_number="b-7",
        state=RequestState.AWAITING_DISPOSITION,
        received_from=date(2026, 11, 2),
        received_to=date(2026, 11, 8),
        agenda_number="12",
        leader=Leader.REGIONAL_SECRETARY,
    )
    criteria = query.to_filter()

    assert not [key for key in criteria if key.startswith("$")]  # a top-level $and is a scan in SecantusDB
    assert list(criteria) == ["agenda_number", "received_at", "state", "event.leader", "letter.number"]
    assert set(criteria["received_at"]) == {"$gte", "$lt"}
    # The words are the word index's to answer, never a pattern over every request.
    assert query.words() == WordSearch((("sender", "dinas"), ("subject", "peliputan"), ("subject", "peresmian")))
    # The candidates the index yields are read through the `_id` index and checked against the rest
    # (SecantusDB's explain reports such a filter as a COLLSCAN; ADR 0004).
    assert list(candidates_filter(["a", "b"], criteria)) == ["_id", *criteria]
    # So is a window of the agenda number's entries (a handful: one a year), through its index.
    agenda_window = window_filter({"agenda_number": criteria["agenda_number"]}, None, datetime.now(UTC))
    assert list(agenda_window) == ["agenda_number", "registered_at"]


def test_a_bare_number_finds_that_entry_of_every_year_and_no_other():
    numbers = RequestQuery(agenda_number=" 12 ").to_filter()["agenda_number"]

    def found(agenda_number: str) -> bool:
        return numbers["$gte"] <= agenda_number < numbers["$lt"]

    assert found(format_agenda_number(12, 2026))
    assert found(format_agenda_number(12, 2025))
    assert not [n for n in (1, 2, 11, 13, 120, 1200, 10012) if found(format_agenda_number(n, 2026))]


def _index_scan(plan: dict[str, Any]) -> dict[str, Any] | None:
    while plan and plan.get("stage") != "IXSCAN":
        plan = plan.get("inputStage", {})
    return plan or None


async def test_every_window_and_lookup_of_the_word_search_is_an_index_scan(mongo):
    db = mongo[f"t{uuid4().hex[:10]}_explain"]
    await create_indexes(db)
    day = datetime(2026, 11, 2, tzinfo=UTC)
    windows = [(day, None), (day - timedelta(days=1), day), (None, day)]  # the first, one between, the last
    word = {"field": "subject", "word": "festival"}
    shapes = [
        *[(TERMS, window_filter(word, lo, hi)) for lo, hi in windows],
        *[(REQUESTS, window_filter({"state": "registered"}, lo, hi)) for lo, hi in windows],
        *[(REQUESTS, window_filter({"event.leader": "sekda"}, lo, hi)) for lo, hi in windows],
        *[(REQUESTS, window_filter({}, lo, hi)) for lo, hi in windows[:2]],  # no word is narrow enough
        (REQUESTS, candidates_filter(["a", "b"], {})),
        (WORDS, vocabulary_filter("sender", "pend")),
    ]
    try:
        for collection, shape in shapes:
            plan = (await db[collection].find(shape).explain())["queryPlanner"]["winningPlan"]
            scan = _index_scan(plan)
            assert scan is not None, (collection, shape, plan)
            assert list(scan["keyPattern"])[: len(shape)] == list(shape), (collection, shape, scan)
    finally:
        await mongo.drop_database(db.name)


def test_a_window_is_a_half_open_range_of_registration_time():
    day = datetime(2026, 11, 2, tzinfo=UTC)
    assert window_filter({"state": "x"}, day, None) == {"state": "x", "registered_at": {"$gte": day}}
    assert window_filter({}, None, day) == {"registered_at": {"$lt": day}}
    assert vocabulary_filter("subject", "kese") == {"field": "subject", "word": {"$gte": "kese", "$lt": "kesf"}}
