"""Turns by key: holders of a shared key one after another in arrival order, holders of
different keys side by side, and nothing kept once a key is free."""

import asyncio

import pytest

from warta.runtime.turns import Turns


async def test_holders_of_a_shared_key_go_one_at_a_time_in_the_order_they_came():
    turns, holding, order = Turns(), {}, []

    async def hold(name: str, keys: list[str]) -> None:
        async with turns.taking(keys):
            shared = {holding[k] for k in keys if k in holding}
            assert not shared, f"{name} entered while {shared} held one of {keys}"
            holding.update(dict.fromkeys(keys, name))
            order.append(name)
            await asyncio.sleep(0.01)
            for key in keys:
                del holding[key]

    # Each arrives while the one before holds: a and c share "x", b and c share "y".
    await asyncio.gather(hold("a", ["x"]), hold("b", ["y", "z"]), hold("c", ["y", "x"]), hold("d", ["x"]))
    assert order.index("c") < order.index("d"), order  # d came after c and waits behind it
    assert turns.keys_in_use == 0


async def test_holders_of_different_keys_do_not_wait_for_each_other():
    turns = Turns()
    both_inside = asyncio.Event()
    inside = 0

    async def hold(key: str) -> None:
        nonlocal inside
        async with turns.taking([key]):
            inside += 1
            if inside == 2:
                both_inside.set()
            await asyncio.wait_for(both_inside.wait(), timeout=5)

    await asyncio.gather(hold("officer:agus"), hold("officer:dewi"))


async def test_keys_taken_in_opposite_orders_never_wait_in_a_circle():
    turns = Turns()

    async def hold(keys: list[str]) -> None:
        for _ in range(20):
            async with turns.taking(keys):
                await asyncio.sleep(0)

    await asyncio.wait_for(asyncio.gather(hold(["a", "b"]), hold(["b", "a"])), timeout=5)


async def test_a_waiter_cancelled_or_failed_leaves_no_key_behind():
    turns = Turns()

    async def wait_then_hold() -> None:
        async with turns.taking(["x", "w"]):  # takes w, then waits for x
            pass

    async with turns.taking(["x"]):
        waiting = asyncio.create_task(wait_then_hold())
        await asyncio.sleep(0.01)
        assert turns.keys_in_use == 2
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    with pytest.raises(RuntimeError):
        async with turns.taking(["z"]):
            raise RuntimeError("the work failed")
    assert turns.keys_in_use == 0
    async with turns.taking(["w", "x", "z"]):  # all free again
        assert turns.keys_in_use == 3
