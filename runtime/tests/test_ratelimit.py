"""The sliding window behind the sign-in and upload limits."""

import pytest

from warta.contracts import TooManyRequests
from warta.runtime.ratelimit import RateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_count_uses_per_window_and_is_told_how_long_to_wait():
    clock = Clock()
    limit = RateLimit(3, 60, clock)
    for second in (0, 10, 20):
        clock.now = 1000 + second
        limit.take("siti.admin", "uploads")
    clock.now = 1030
    with pytest.raises(TooManyRequests) as refused:
        limit.take("siti.admin", "uploads")
    assert refused.value.retry_after == 30  # the use at 1000 leaves the window at 1060
    assert refused.value.status == 429
    assert "at most 3 in 60 seconds" in refused.value.message
    limit.take("dewi.tim", "uploads")  # another officer has a window of her own
    clock.now = 1060
    limit.take("siti.admin", "uploads")  # the first use has left the window
    with pytest.raises(TooManyRequests):
        limit.take("siti.admin", "uploads")


def test_a_refused_use_is_not_counted():
    clock = Clock()
    limit = RateLimit(1, 10, clock)
    limit.take("a", "sign-ins")
    for _ in range(5):
        clock.now += 1
        with pytest.raises(TooManyRequests):
            limit.take("a", "sign-ins")
    clock.now = 1010
    limit.take("a", "sign-ins")
