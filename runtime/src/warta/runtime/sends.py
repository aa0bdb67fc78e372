"""Sending a message to someone once: the ledger every outgoing message of Warta is kept in (the
media's emails, the officers' notifications).

Each message has one entry, written before anything is sent. A sender takes an entry by a
conditional update (the claim): of two senders only one wins, also over a lapsed claim. It sends,
and records the outcome. A sender that dies holding a claim leaves the entry ``sending``; once
the claim's lease has run out it is due again, and sent again with the same identity (its
``Message-ID``), which is the one copy a crash can cost.

What is refused for now is tried again on a schedule; what is refused for good is ``failed``
until a person sends it again (``reopen``). A channel that cannot be reached at all (the relay or
the gateway down) says nothing about the recipient: it is retried for as long as it takes, never
counted as a refusal.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel
from pymongo.asynchronous.collection import AsyncCollection

from .documents import from_document, to_document

UNREACHABLE_RETRY = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=5))


class SendState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; a crash leaves it here until the claim's lease runs out
    SENT = "sent"
    TRANSIENT = "transient"  # refused for now, or the channel unreachable: tried again later
    FAILED = "failed"  # refused for good or out of retries, until a person sends it again


WAITING = (SendState.PENDING, SendState.SENDING, SendState.TRANSIENT)


@dataclass(frozen=True)
class Refusal:
    """Why a message did not go: ``transient`` refusals are retried up to the schedule;
    ``unreachable`` means the channel itself could not be reached, retried without end."""

    error: str
    transient: bool
    unreachable: bool = False


class Send(BaseModel):
    """One message's entry; a subclass adds who it is for and what it says, and its schedule."""

    RETRY_AFTER: ClassVar[tuple[timedelta, ...]] = ()

    state: SendState = SendState.PENDING
    attempts: int = 0
    not_before: AwareDatetime | None = None  # not sent before this (an officer's quiet hours)
    claimed_at: AwareDatetime | None = None
    retry_at: AwareDatetime | None = None
    last_error: str | None = None
    sent_at: AwareDatetime | None = None
    unreachable_since: AwareDatetime | None = None

    def due(self, now: datetime, lease: timedelta) -> bool:
        if self.state is SendState.PENDING:
            return self.not_before is None or self.not_before <= now
        chance = self.next_chance(lease)
        return chance is not None and chance <= now

    def next_chance(self, lease: timedelta) -> datetime | None:
        """When a waiting entry may be tried again: a retry's time, or the end of a claim's lease
        (a live sender has its answer well before then)."""
        if self.state is SendState.TRANSIENT:
            return self.retry_at or datetime.min.replace(tzinfo=UTC)
        if self.state is SendState.SENDING:
            return self.claimed_at + lease if self.claimed_at else datetime.min.replace(tzinfo=UTC)
        return None

    def accepted(self, now: datetime) -> None:
        self.attempts += 1
        self.state, self.sent_at = SendState.SENT, now
        self.claimed_at = self.retry_at = self.last_error = self.unreachable_since = None

    def refused(self, refusal: Refusal, now: datetime) -> None:
        self.claimed_at, self.last_error = None, refusal.error[:500]
        if refusal.unreachable:
            # Not an attempt at the recipient: the channel was away. Retried while it stays away.
            self.unreachable_since = self.unreachable_since or now
            waited = now - self.unreachable_since
            delay = next((d for d in UNREACHABLE_RETRY if d > waited / 4), UNREACHABLE_RETRY[-1])
            self.state, self.retry_at = SendState.TRANSIENT, now + delay
            return
        self.attempts += 1
        self.unreachable_since = None
        if refusal.transient and self.attempts <= len(self.RETRY_AFTER):
            self.state, self.retry_at = SendState.TRANSIENT, now + self.RETRY_AFTER[self.attempts - 1]
        else:
            self.state, self.retry_at = SendState.FAILED, None

    def failed(self, error: str) -> None:
        """The message could not even be made: it never reached a channel."""
        self.attempts += 1
        self.claimed_at, self.retry_at = None, None
        self.state, self.last_error = SendState.FAILED, error[:500]


S = TypeVar("S", bound=Send)


class SendLedger(Generic[S]):
    """The entries of one kind of message, in one collection, each under its ``key``."""

    def __init__(self, collection: AsyncCollection[Any], kind: type[S], key: Callable[[S], str]) -> None:
        self._entries = collection
        self._kind = kind
        self._key = key

    async def claim(self, entry: S, now: datetime) -> bool:
        """Take a due entry for sending; False if another sender took it first. The entry as it
        was read is the condition, so of two senders only one wins, also over a lapsed claim."""
        taken = await self._entries.update_one(
            {
                "_id": self._key(entry),
                "state": entry.state.value,
                "attempts": entry.attempts,
                "claimed_at": entry.claimed_at,
            },
            {"$set": {"state": SendState.SENDING.value, "claimed_at": now}},
        )
        if taken.modified_count != 1:
            return False
        entry.state, entry.claimed_at = SendState.SENDING, now
        return True

    async def record(self, entry: S) -> None:
        await self._entries.replace_one({"_id": self._key(entry)}, to_document(entry, _id=self._key(entry)))

    async def reopen_failed(self, query: dict[str, Any]) -> int:
        """Every failed entry matching ``query`` is due again, with a fresh count of attempts:
        a person sends it again once its cause is put right. Returns how many."""
        reopened = await self._entries.update_many(
            {**query, "state": SendState.FAILED.value},
            {"$set": {"state": SendState.PENDING.value, "attempts": 0, "retry_at": None, "claimed_at": None}},
        )
        return reopened.modified_count

    async def find(self, query: dict[str, Any], sort: Any, limit: int = 0) -> list[S]:
        cursor = self._entries.find(query).sort(sort).limit(limit)
        return [self._parse(doc) async for doc in cursor]

    def _parse(self, doc: dict[str, Any]) -> S:
        return from_document(self._kind, doc)
