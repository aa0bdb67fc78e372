"""A message to one officer on one channel, kept in the send ledger (``warta.runtime.sends``).

A message is written in the same transaction as what caused it (an event applied, a timer's
alarm), so it exists once. It goes out from ``pending`` once its time has come (after the
officer's quiet hours), and then as every send of Warta does.
"""

from datetime import timedelta

from pydantic import AwareDatetime

from warta.runtime.sends import Send

from .domain import Channel


class Message(Send):
    """One notice to one officer on one channel."""

    RETRY_AFTER = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))

    key: str  # the cause, the officer and the channel
    cause: str  # the event id, or the timer alarm, that caused it
    kind: str
    request_id: str
    officer_id: str
    channel: Channel
    address: str | None
    text: str
    created_at: AwareDatetime
    not_before: AwareDatetime
