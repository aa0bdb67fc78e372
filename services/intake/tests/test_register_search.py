"""Searching the register by words over the API, against the real database: the word index is
written with each registration and correction, and walked newest first."""

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pymongo import DESCENDING

from warta.contracts import Role
from warta.devstack.pytest_plugin import running_app
from warta.intake.app import IntakeSettings, create_app
from warta.intake.search import BUILT, TERMS, TOTAL_BOUND, WORDS, SearchIndex, Stream, newest_first
from warta.intake.store import COUNTERS, REQUESTS, RequestStore
from warta.runtime import ServiceRuntime
from warta.runtime.indonesian import JAKARTA

ADMIN = (Role.ADMIN, "siti")
HEAD = (Role.SECTION_HEAD, "hendra")
LEAD = (Role.TEAM_LEAD, "rina")

_numbers = itertools.count(1)


class Hands:
    """The service's clock, set by the test: registrations spread over months in seconds."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _millis(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


# Events a week after the day the tests run: to come, whatever the clock says.
NEXT_WEEK = _millis(datetime.now(UTC)) + timedelta(days=7)


@dataclass
class Register:
    app: FastAPI
    client: httpx.AsyncClient
    namespace: Any
    db: Any
    hands: Hands

    async def call(self, officer: tuple[Role, str], method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, headers=self.namespace.token(*officer), **kwargs)

    async def register(
        self,
        *,
        sender: str = "Dinas Kesehatan",
        subject: str = "Permohonan peliputan",
        leader: str = "wali_kota",
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Registered at ``at``, or a second after the one before."""
        self.hands.at = at or self.hands.at + timedelta(seconds=1)
        r = await self.call(ADMIN, "POST", "/requests", json=self.letter(sender=sender, subject=subject, leader=leader))
        assert r.status_code == 201, r.text
        return r.json()

    def letter(self, *, sender: str, subject: str, leader: str = "wali_kota") -> dict[str, Any]:
        return {
            "letter": {
                "number": f"005/{next(_numbers)}/2026",
                "date": self.hands.now().astimezone(JAKARTA).date().isoformat(),
                "sender": sender,
                "sender_kind": "opd",
                "subject": subject,
                "nature": "biasa",
            },
            "event": {
                "title": "Kegiatan pimpinan",
                "starts_at": NEXT_WEEK.isoformat(),
                "ends_at": (NEXT_WEEK + timedelta(hours=2)).isoformat(),
                "location": "Pusat Pemerintahan Kota Tangerang",
                "leader": leader,
            },
        }

    async def search(self, **params: Any) -> dict[str, Any]:
        r = await self.call(LEAD, "GET", "/requests", params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def subjects(self, **params: Any) -> list[str]:
        return [item["letter"]["subject"] for item in (await self.search(**params))["items"]]


@pytest.fixture
async def register(namespace, mongo) -> AsyncIterator[Register]:
    settings = namespace.settings(IntakeSettings)
    hands = Hands(_millis(datetime.now(UTC)))
    app = create_app(settings, ServiceRuntime(settings, clock=hands))
    async with running_app(app) as client:
        yield Register(app, client, namespace, mongo[namespace.database("intake")], hands)


async def test_a_typed_word_finds_the_words_it_begins_whatever_their_case_and_accents(register):
    await register.register(sender="Sekolah Ciledug", subject="Undangan Café Literasi")
    await register.register(sender="Dinas Kesehatan", subject="Peluncuran Posyandu")

    assert await register.subjects(sender="ciledug") == ["Undangan Café Literasi"]
    assert await register.subjects(sender="CILEDUG") == ["Undangan Café Literasi"]
    assert await register.subjects(q="cafe") == ["Undangan Café Literasi"]
    assert await register.subjects(q="CAFÉ literasi") == ["Undangan Café Literasi"]
    assert await register.subjects(sender="kese") == ["Peluncuran Posyandu"]
    assert await register.subjects(sender="sehatan") == []  # a word is found by its beginning
    assert await register.subjects(q="posyandux") == []
    assert await register.subjects(q="(") == []  # no word at all: nothing
    assert await register.subjects(q="posyandu (") == ["Peluncuran Posyandu"]  # "(" is no word


async def test_every_typed_word_must_begin_a_word_of_its_own_field(register):
    await register.register(sender="Dinas Pendidikan", subject="Wisuda sekolah")
    await register.register(sender="Dinas Kesehatan", subject="Pendidikan kader posyandu")
    await register.register(sender="Badan Pendapatan Daerah", subject="Sosialisasi pajak")

    assert await register.subjects(sender="Dinas Pendidikan") == ["Wisuda sekolah"]
    assert await register.subjects(sender="dinas") == ["Pendidikan kader posyandu", "Wisuda sekolah"]
    assert await register.subjects(sender="pend") == ["Sosialisasi pajak", "Wisuda sekolah"]
    assert await register.subjects(q="pendidikan") == ["Pendidikan kader posyandu"]  # the subject's, not the sender's
    assert await register.subjects(sender="dinas", q="kader") == ["Pendidikan kader posyandu"]
    assert await register.subjects(sender="dinas", q="pajak") == []


async def test_words_combine_with_state_dates_and_leader(register):
    def on(day: int) -> datetime:
        return datetime(2026, 3, day, 10, tzinfo=JAKARTA).astimezone(UTC)

    mayor = await register.register(subject="Festival kuliner", leader="wali_kota", at=on(2))
    secretary = await register.register(subject="Festival budaya", leader="sekda", at=on(9))
    deputy = await register.register(subject="Festival kuliner malam", leader="wakil_wali_kota", at=on(16))
    await register.register(subject="Rapat koordinasi", leader="sekda")
    assert (await register.call(ADMIN, "POST", f"/requests/{secretary['id']}/disposition-sheet")).status_code == 200

    assert await register.subjects(q="festival", leader="sekda") == ["Festival budaya"]
    assert await register.subjects(q="festival", state="awaiting_disposition") == ["Festival budaya"]
    assert await register.subjects(q="festival", state="registered") == ["Festival kuliner malam", "Festival kuliner"]
    assert await register.subjects(q="kuliner", received_from="2026-03-09") == ["Festival kuliner malam"]
    assert await register.subjects(q="festival", received_to="2026-03-09") == ["Festival budaya", "Festival kuliner"]
    assert await register.subjects(q="festival", agenda_number=mayor["agenda_number"]) == ["Festival kuliner"]
    assert await register.subjects(q="festival", agenda_number="3") == ["Festival kuliner malam"]
    assert await register.subjects(q="festival", leader="sekda", state="registered") == []
    # Without words the leader is a criterion of its own, counted exactly.
    by_leader = await register.search(leader="sekda")
    assert [i["letter"]["subject"] for i in by_leader["items"]] == ["Rapat koordinasi", "Festival budaya"]
    assert (by_leader["total"], by_leader["more"]) == (2, False)
    assert deputy["event"]["leader"] == "wakil_wali_kota"
    r = await register.call(LEAD, "GET", "/requests", params={"leader": "gubernur"})
    assert r.status_code == 422, r.text


async def test_pages_of_a_search_walk_every_match_once_newest_first(register):
    """250 matches over a year and a half among other letters, some registered at the same
    instant: the walk crosses many windows and load batches."""
    start = register.hands.at - timedelta(days=600)
    matching: list[dict[str, Any]] = []
    at = start
    for n in range(300):
        if n % 25 != 1:  # every 25th is registered at the same instant as the one before
            at = start + timedelta(days=2 * n, minutes=n)
        if n % 6 == 5:
            await register.register(subject=f"Rapat koordinasi {n}", at=at)
        else:
            matching.append(await register.register(subject=f"Festival kuliner {n}", at=at))
    register.hands.at = start + timedelta(days=620)
    expected = [r["id"] for r in sorted(sorted(matching, key=lambda r: r["id"]), key=_registered, reverse=True)]
    assert len(expected) == 250

    walked = []
    for offset in range(0, 300, 50):
        page = await register.search(q="kuliner fest", limit=50, offset=offset)
        assert (page["total"], page["more"]) == (250, False)
        walked += [item["id"] for item in page["items"]]
    assert walked == expected


def _registered(request: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(request["registered_at"])


async def test_a_search_by_a_common_word_counts_to_its_bound_and_says_there_are_more(register):
    """Fifty requests past the count's bound, of a register kept before the word index, indexed
    as an upgrade would."""
    seeds, bound = TOTAL_BOUND + 50, TOTAL_BOUND
    template = await register.register(subject="Permohonan peliputan festival")
    stored = await register.db[REQUESTS].find_one({"_id": template["id"]})
    start = register.hands.at
    await register.db[REQUESTS].insert_many(
        [
            {
                **stored,
                "_id": f"seed-{n:04d}",
                "id": f"seed-{n:04d}",
                "agenda_number": f"{n:04d}/SEED/2025",
                "letter_key": f"seed|{n}",
                "registered_at": start - timedelta(hours=n + 1),
            }
            for n in range(seeds)
        ]
    )
    await register.db[COUNTERS].delete_one({"_id": BUILT})
    assert await RequestStore(register.db).index.backfill() == seeds

    first = await register.search(q="festival")
    assert (first["total"], first["more"], len(first["items"])) == (bound, True, 50)
    assert [i["id"] for i in first["items"][:2]] == [template["id"], "seed-0000"]
    # Counting goes as far as the page asks.
    assert (await register.search(q="festival", offset=bound))["total"] == bound + 50
    last = await register.search(q="festival", offset=bound + 1)
    assert (last["total"], last["more"]) == (seeds + 1, False)
    assert [i["id"] for i in last["items"]] == [f"seed-{n:04d}" for n in range(bound, seeds)]
    # A search without words is walked and counted alike: a count of every match would read them all.
    by_state = await register.search(state="registered")
    assert (by_state["total"], by_state["more"]) == (bound, True)
    assert [i["id"] for i in by_state["items"][:2]] == [template["id"], "seed-0000"]
    everything = await register.search(offset=bound + 1)
    assert (everything["total"], everything["more"]) == (seeds + 1, False)
    assert [i["id"] for i in everything["items"]] == [f"seed-{n:04d}" for n in range(bound, seeds)]
    assert (await register.search(q="festival peliputan", agenda_number="7"))["total"] == 1


async def test_a_correction_indexes_the_new_words_and_forgets_the_old(register):
    request = await register.register(sender="Kecamatan Cipondoh", subject="Festival kuliner")
    body = register.letter(sender="Kelurahan Poris", subject="Pameran batik")
    r = await register.call(ADMIN, "PATCH", f"/requests/{request['id']}", json={"letter": body["letter"]})
    assert r.status_code == 200, r.text

    assert await register.subjects(q="kuliner") == []
    assert await register.subjects(sender="cipondoh") == []
    assert await register.subjects(q="batik") == ["Pameran batik"]
    assert await register.subjects(sender="poris") == ["Pameran batik"]
    postings = await register.db[TERMS].find({"request_id": request["id"]}).to_list()
    assert sorted((p["field"], p["word"]) for p in postings) == [
        ("sender", "kelurahan"),
        ("sender", "poris"),
        ("subject", "batik"),
        ("subject", "pameran"),
    ]


async def test_a_registration_that_fails_after_writing_its_postings_leaves_none(register, monkeypatch):
    written = SearchIndex.add_new

    async def then_fail(self, tx, requests):
        await written(self, tx, requests)
        ids = [request.id for request in requests]
        assert await self._terms.count_documents({"request_id": {"$in": ids}}, session=tx.session) > 0
        raise RuntimeError("the registration fails after its postings are written")

    monkeypatch.setattr(SearchIndex, "add_new", then_fail)
    with pytest.raises(RuntimeError, match="postings are written"):
        await register.call(ADMIN, "POST", "/requests", json=register.letter(sender="Yayasan Zamrud", subject="Zebra"))
    monkeypatch.undo()

    assert await register.db[REQUESTS].count_documents({}) == 0
    assert await register.db[TERMS].count_documents({}) == 0
    assert await register.db[WORDS].count_documents({"word": {"$in": ["zamrud", "zebra"]}}) == 0
    assert (await register.search(q="zebra"))["total"] == 0


async def test_requests_registered_before_the_word_index_are_indexed_when_the_service_starts(register):
    first = await register.register(sender="Dinas Perhubungan", subject="Uji coba jalur sepeda")
    second = await register.register(sender="Dinas Perhubungan", subject="Peresmian halte")
    # An upgraded database: the register as it was, no postings, no vocabulary, no mark.
    await register.db[TERMS].delete_many({})
    await register.db[WORDS].delete_many({})
    await register.db[COUNTERS].delete_one({"_id": BUILT})
    assert (await register.search(sender="perhubungan"))["total"] == 0

    settings = register.namespace.settings(IntakeSettings)
    async with running_app(create_app(settings)):
        pass
    found = await register.search(sender="perhubungan")
    assert [i["id"] for i in found["items"]] == [second["id"], first["id"]]
    postings = await register.db[TERMS].count_documents({})

    # Again, with one request's postings lost: only that request is indexed, nothing twice.
    await register.db[TERMS].delete_many({"request_id": first["id"]})
    await register.db[COUNTERS].delete_one({"_id": BUILT})
    assert await RequestStore(register.db).index.backfill() == 1
    assert await RequestStore(register.db).index.backfill() == 0  # the mark is back: nothing to do
    assert await register.db[TERMS].count_documents({}) == postings
    assert (await register.search(q="jalur"))["total"] == 1


async def test_a_dense_stretch_below_a_quiet_one_is_walked_whole_and_once(register):
    """A hundred letters in three days, a hundred days ago, under a quiet season, with fifty more
    spread over the year before: every search (by words, by state, the whole register) pages
    through all of them once, newest first, however its windows are probed and sized."""
    now = register.hands.at
    made: list[dict[str, Any]] = []
    for n in range(150):
        at = now - timedelta(days=100, minutes=43 * n) if n < 100 else now - timedelta(days=110 + 6 * (n - 100))
        made.append(await register.register(subject=f"Festival kuliner {n}", at=at))
    register.hands.at = now
    expected = [r["id"] for r in sorted(sorted(made, key=lambda r: r["id"]), key=_registered, reverse=True)]

    for params in ({"q": "festival"}, {"state": "registered"}, {}):
        walked = []
        for offset in range(0, 150, 40):
            page = await register.search(**params, limit=40, offset=offset)
            assert (page["total"], page["more"]) == (150, False), params
            walked += [item["id"] for item in page["items"]]
        assert walked == expected, params


async def test_counting_past_a_quiet_season_reads_about_what_it_counts(register):
    """The walk's cost, in documents read (not time): a hundred quiet days, then sixty letters a
    day going back a hundred days. Counting to the bound reads about the bound (probes included),
    not the thousands of the dense stretch a window sized blind would hold."""
    now = register.hands.at
    collection = register.db["walked"]
    await collection.create_index([("registered_at", DESCENDING)])
    await collection.insert_many(
        [{"_id": f"r{n:05d}", "registered_at": now - timedelta(days=100, minutes=24 * n)} for n in range(6000)]
    )
    read = 0
    find = collection.find

    def counted(*args: Any, **kwargs: Any) -> Any:
        cursor = find(*args, **kwargs)

        class Counted:
            async def __aiter__(self) -> Any:
                nonlocal read
                async for doc in cursor:
                    read += 1
                    yield doc

        return Counted()

    collection.find = counted  # type: ignore[method-assign]
    walked: list[str] = []
    async for ids, _ in newest_first([Stream(collection, ({},), "_id")], now=now, floor=None):
        walked += ids
        if len(walked) > TOTAL_BOUND:
            break
    assert walked[: TOTAL_BOUND + 1] == [f"r{n:05d}" for n in range(TOTAL_BOUND + 1)]
    print(f"counting to {TOTAL_BOUND} past 100 quiet days read {read} documents")
    assert read <= 2 * TOTAL_BOUND
