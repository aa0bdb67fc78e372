"""Turns by key within one process: work that would only abort itself at the database (two
transactions writing the same lock document) waits here instead, each key held in the order it
was asked for.

The database stays what guarantees correctness, across processes and replicas; a turn only keeps
a process's own transactions from colliding. Without it, many at once abort each other and the
driver retries them after jittered, growing pauses (up to half a second each): the unlucky ones
starve while the machine idles.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable


class Turns:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}  # holders and waiters of each key, so an unused key is forgotten

    @contextlib.asynccontextmanager
    async def taking(self, keys: Iterable[str]) -> AsyncIterator[None]:
        """Wait until no other holder in this process has any of ``keys``, then hold them all.
        Keys are taken in sorted order, so holders of overlapping sets never wait in a circle. Not
        reentrant: a holder asking again for a key it holds waits forever."""
        async with contextlib.AsyncExitStack() as stack:
            for key in sorted(set(keys)):
                await stack.enter_async_context(self._one(key))
            yield

    @property
    def keys_in_use(self) -> int:
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def _one(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]
