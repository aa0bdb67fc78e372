"""Group commit: work that has to be written one transaction at a time (every registration takes
the next number of one counter) is written by one writer, and what arrives while a transaction
is open waits and goes into the next one together.

One at a time, a hundred registrations at once wait a hundred transactions for the last of them;
taken together they wait a few, and share a counter write and a commit. A batch that fails (one
of its items is refused, or collides with a write elsewhere) is written again item by item, so
that each caller gets its own answer and the good items still go in.

The writer runs apart from the callers: a caller that stops waiting (a client gone) leaves its
item to be written if the writer has taken it, and out of the queue if not.
"""

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        *,
        alone: Callable[[T], Awaitable[R]],
        together: Callable[[list[T]], Awaitable[list[R]]],
        most: int = 32,
    ) -> None:
        """``alone`` writes one item; ``together`` writes several in one transaction and answers
        in their order; ``most`` bounds a batch, and so the transaction's size."""
        self._alone = alone
        self._together = together
        self._most = most
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            # A context of its own: the writer serves every caller, not the one that started it
            # (whose trace and log fields it would otherwise carry into every batch).
            self._writer = asyncio.create_task(self._write_waiting(), context=contextvars.Context())
        return await future

    async def _write_waiting(self) -> None:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._waiting:
                batch = [(item, future) for item, future in self._waiting[: self._most] if not future.done()]
                del self._waiting[: self._most]
                try:
                    await self._write(batch)
                except Exception as error:  # a fault of the writer's own: its batch is told, the rest go on
                    log.exception("group commit: a batch of %d could not be written", len(batch))
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                batch = []
        finally:
            # The writer cancelled (the service stopping): no caller waits forever.
            for _, future in [*batch, *self._waiting]:
                future.cancel()
            self._waiting.clear()

    async def _write(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        if not batch:
            return
        if len(batch) > 1:
            try:
                results = await self._together([item for item, _ in batch])
            except Exception:  # each item gets its own answer from writing it alone
                log.info("group commit: a batch of %d failed; writing its items one by one", len(batch), exc_info=True)
            else:
                if len(results) != len(batch):
                    raise RuntimeError(f"a batch of {len(batch)} written, {len(results)} answers")
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():  # its caller stopped waiting
                        future.set_result(result)
                return
        for item, future in batch:
            try:
                result = await self._alone(item)
            except Exception as error:  # the caller's answer
                if not future.done():
                    future.set_exception(error)
            else:
                if not future.done():
                    future.set_result(result)
