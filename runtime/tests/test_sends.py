"""The send ledger's rules, which every outgoing message follows: refused for now is tried on a
schedule, refused for good waits for a person, and a channel that cannot be reached says nothing
about the recipient, so it is retried for as long as it stays away."""

from datetime import UTC, datetime, timedelta

from warta.runtime.sends import UNREACHABLE_RETRY, Refusal, Send, SendState

T0 = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
LEASE = timedelta(minutes=3)


class Note(Send):
    RETRY_AFTER = (timedelta(seconds=1), timedelta(seconds=5))
    to: str

    @property
    def key(self) -> str:
        return self.to


def test_a_refusal_for_now_is_tried_on_the_schedule_and_then_fails_for_a_person():
    note, now = Note(to="budi"), T0
    for delay in Note.RETRY_AFTER:
        note.refused(Refusal("450 busy", transient=True), now)
        assert (note.state, note.retry_at) == (SendState.TRANSIENT, now + delay)
        now = note.retry_at
    note.refused(Refusal("450 busy", transient=True), now)
    assert (note.state, note.attempts, note.retry_at) == (SendState.FAILED, 3, None)
    assert not note.due(now + timedelta(days=30), LEASE)


def test_a_channel_away_for_days_never_fails_the_message_and_the_retries_space_out():
    note, now = Note(to="budi"), T0
    delays = []
    for _ in range(200):
        note.refused(Refusal("the relay cannot be reached", transient=True, unreachable=True), now)
        assert note.state is SendState.TRANSIENT
        delays.append(note.retry_at - now)
        now = note.retry_at
    assert now - T0 > timedelta(hours=12)
    assert note.attempts == 0  # the recipient was never tried
    assert delays[0] == UNREACHABLE_RETRY[0]
    assert max(delays) == UNREACHABLE_RETRY[-1]
    note.accepted(now)
    assert (note.state, note.unreachable_since, note.last_error) == (SendState.SENT, None, None)


def test_a_permanent_refusal_fails_at_once():
    note = Note(to="ditolak")
    note.refused(Refusal("550 no such user", transient=False), T0)
    assert (note.state, note.last_error) == (SendState.FAILED, "550 no such user")


def test_what_was_never_made_fails_and_a_pending_message_waits_for_its_time():
    note = Note(to="budi", not_before=T0 + timedelta(hours=8))
    assert not note.due(T0, LEASE)
    assert note.due(T0 + timedelta(hours=8), LEASE)
    note.failed("the message could not be built: no address")
    assert note.state is SendState.FAILED
