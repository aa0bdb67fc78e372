"""A message to one officer on one channel, kept in the send ledger (``warta.runtime.sends``).

A message is written in the same transaction as what caused it (an event applied, a timer's
alarm), so it exists once. It goes out from ``pending`` once its time has come (after the
officer's quiet hours), and then as every send of Warta does.

A digest is a message too: the notices of one kind an officer chose to have gathered, for one
round on one channel. Each notice joins the round's digest while it is pending; the digest goes
out at the round's time as one message, and a notice arriving after it has gone starts the next.
"""

from datetime import UTC, datetime, timedelta

from pydantic import AwareDatetime, BaseModel

from warta.runtime.indonesian import format_time
from warta.runtime.sends import Send

from .domain import Channel


class DigestItem(BaseModel):
    """One notice in a digest: what caused it, about which request, and its text with its link."""

    cause: str
    kind: str
    request_id: str
    text: str


class Message(Send):
    """One notice, or one digest of notices, to one officer on one channel."""

    RETRY_AFTER = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))

    key: str  # the cause, the officer and the channel; a digest's kind, officer, channel and round
    cause: str  # the event id, or the timer alarm, that caused it; "digest" for a digest
    kind: str
    request_id: str  # the request it is about (a digest's first)
    requests: list[str] = []  # every request it is about: one, or a digest's several
    officer_id: str
    channel: Channel
    address: str | None
    text: str
    created_at: AwareDatetime
    not_before: AwareDatetime
    items: list[DigestItem] = []  # a digest's notices, in the order they came


def digest_key(kind: str, officer_id: str, channel: Channel, round_at: datetime) -> str:
    group = kind.split(".", 1)[0]
    return f"digest:{group}:{officer_id}:{channel.value}:{round_at.astimezone(UTC).strftime('%Y%m%dT%H%MZ')}"


def digest_text(items: list[DigestItem], round_at: datetime) -> str:
    """The digest as the officer reads it: how many notices, then each with its link."""
    head = f"Ringkasan pukul {format_time(round_at)}: {len(items)} pemberitahuan"
    return "\n\n".join([head, *(f"{n}. {item.text}" for n, item in enumerate(items, start=1))])
