"""A message to one officer on one channel, and the ledger rules that send it once.

A message is written in the same transaction as what caused it (an event applied, a timer's
alarm), so it exists once. It goes out from ``pending`` once its time has come (after the
officer's quiet hours), from ``transient`` when its retry is due, or from ``sending`` when the
claim of a sender that died has lapsed.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel

from .domain import Channel

RETRY_AFTER = (timedelta(seconds=10), timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))


class MessageState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    TRANSIENT = "transient"  # the channel failed for now; retried
    FAILED = "failed"  # refused for good, out of retries, or no address: shown to supervisors


class Message(BaseModel):
    key: str
    cause: str  # the event id, or the timer alarm, that caused it
    kind: str
    request_id: str
    officer_id: str
    channel: Channel
    address: str | None
    text: str
    created_at: AwareDatetime
    not_before: AwareDatetime
    state: MessageState = MessageState.PENDING
    attempts: int = 0
    claimed_at: AwareDatetime | None = None
    retry_at: AwareDatetime | None = None
    last_error: str | None = None
    sent_at: AwareDatetime | None = None

    def due(self, now: datetime, lease: timedelta) -> bool:
        if self.state is MessageState.PENDING:
            return self.not_before <= now
        if self.state is MessageState.TRANSIENT:
            return self.retry_at is None or self.retry_at <= now
        if self.state is MessageState.SENDING:
            return self.claimed_at is None or self.claimed_at + lease <= now
        return False

    def accepted(self, now: datetime) -> None:
        self.attempts += 1
        self.state, self.sent_at, self.claimed_at, self.retry_at, self.last_error = (
            MessageState.SENT,
            now,
            None,
            None,
            None,
        )

    def refused(self, error: str, *, transient: bool, now: datetime) -> None:
        self.attempts += 1
        self.claimed_at, self.last_error = None, error[:500]
        if transient and self.attempts <= len(RETRY_AFTER):
            self.state, self.retry_at = MessageState.TRANSIENT, now + RETRY_AFTER[self.attempts - 1]
        else:
            self.state, self.retry_at = MessageState.FAILED, None
