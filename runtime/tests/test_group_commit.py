"""Group commit: items that arrive while one is written go together in the next batch, in the
order they came, bounded; a failed batch is written item by item; a caller that stops waiting
before its item is taken is left out."""

import asyncio

import pytest

from warta.runtime.group_commit import GroupCommit


class Ledger:
    """Writes numbers as a counter would hand them out, recording each transaction; the first
    waits for ``release`` so that the others arrive while it is open."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.release = asyncio.Event()
        self.writes: list[list[str]] = []
        self.refuse = refuse
        self.taken = 0

    async def alone(self, item: str) -> int:
        return (await self.together([item]))[0]

    async def together(self, items: list[str]) -> list[int]:
        self.writes.append(items)
        if len(self.writes) == 1:
            await self.release.wait()
        if refused := self.refuse.intersection(items):
            raise ValueError(f"refused: {sorted(refused)}")
        first, self.taken = self.taken + 1, self.taken + len(items)
        return list(range(first, self.taken + 1))


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def while_the_first_is_written(ledger: Ledger, first: str, rest: str) -> list[object]:
    """Answers to ``first`` and then to each of ``rest``, sent while ``first`` is written."""
    commit = GroupCommit(alone=ledger.alone, together=ledger.together)
    writing = asyncio.create_task(commit.submit(first))
    await settle()
    waiting = [asyncio.create_task(commit.submit(name)) for name in rest]
    await settle()
    ledger.release.set()
    return await asyncio.gather(writing, *waiting, return_exceptions=True)


async def test_items_that_arrive_while_one_is_written_go_together_in_the_order_they_came():
    ledger = Ledger()
    assert await while_the_first_is_written(ledger, "a", "bcde") == [1, 2, 3, 4, 5]
    assert ledger.writes == [["a"], ["b", "c", "d", "e"]]


async def test_a_batch_holds_at_most_the_bound():
    ledger = Ledger()
    commit = GroupCommit(alone=ledger.alone, together=ledger.together, most=3)
    tasks = [asyncio.create_task(commit.submit(str(n))) for n in range(8)]
    await settle()
    ledger.release.set()
    assert await asyncio.gather(*tasks) == list(range(1, 9))
    assert ledger.writes == [["0", "1", "2"], ["3", "4", "5"], ["6", "7"]]


async def test_a_failed_batch_is_written_item_by_item_and_each_caller_gets_its_own_answer():
    ledger = Ledger(refuse=frozenset({"c"}))
    a, b, c, d = await while_the_first_is_written(ledger, "a", "bcd")
    assert (a, b, d) == (1, 2, 3)  # the refused item took no number
    assert isinstance(c, ValueError)
    assert ledger.writes == [["a"], ["b", "c", "d"], ["b"], ["c"], ["d"]]


async def test_a_caller_that_stops_waiting_before_its_item_is_taken_is_left_out():
    ledger = Ledger()
    commit = GroupCommit(alone=ledger.alone, together=ledger.together)
    first = asyncio.create_task(commit.submit("a"))
    await settle()
    gone, staying = asyncio.create_task(commit.submit("b")), asyncio.create_task(commit.submit("c"))
    await settle()
    gone.cancel()
    await settle()
    ledger.release.set()
    assert (await first, await staying) == (1, 2)
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert ledger.writes == [["a"], ["c"]]


async def test_a_caller_that_stops_waiting_after_its_item_is_taken_leaves_it_written():
    ledger = Ledger()
    commit = GroupCommit(alone=ledger.alone, together=ledger.together)
    taken = asyncio.create_task(commit.submit("a"))
    await settle()
    taken.cancel()
    ledger.release.set()
    with pytest.raises(asyncio.CancelledError):
        await taken
    assert await commit.submit("b") == 2  # "a" took the first
    assert ledger.writes == [["a"], ["b"]]


async def test_a_fault_of_the_writer_itself_answers_its_batch_and_the_next_is_written():
    async def one_answer_short(items: list[str]) -> list[int]:
        return list(range(len(items) - 1))

    async def alone(item: str) -> int:
        return 0

    commit = GroupCommit(alone=alone, together=one_answer_short)
    answers = await asyncio.gather(*(commit.submit(name) for name in "abc"), return_exceptions=True)
    assert all(isinstance(answer, RuntimeError) for answer in answers), answers
    assert await commit.submit("d") == 0


async def test_callers_waiting_when_the_writer_is_cancelled_are_cancelled_too():
    ledger = Ledger()
    commit = GroupCommit(alone=ledger.alone, together=ledger.together)
    callers = [asyncio.create_task(commit.submit(name)) for name in "abc"]
    await settle()
    assert commit._writer is not None
    commit._writer.cancel()
    answers = await asyncio.wait_for(asyncio.gather(*callers, return_exceptions=True), timeout=5)
    assert all(isinstance(answer, asyncio.CancelledError) for answer in answers), answers
