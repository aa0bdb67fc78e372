"""How often one officer or one address may do a costly thing: sign in, upload a file.

Each process counts for itself, so with n replicas behind the ingress the bound is n times the
setting; the ingress's own limits are the first line, these the last.
"""

import math
import time
from collections import deque
from collections.abc import Callable

from fastapi import Depends, Request

from warta.contracts import TooManyRequests

from .auth import Officer


class RateLimit:
    """At most ``count`` uses in any ``window`` seconds by one key (a sliding window)."""

    def __init__(self, count: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.count, self.window, self._clock = count, window, clock
        self._uses: dict[str, deque[float]] = {}

    def take(self, key: str, what: str) -> None:
        """Count one use, or refuse it with the seconds until the oldest counted use expires."""
        now = self._clock()
        uses = self._uses.setdefault(key, deque())
        while uses and uses[0] <= now - self.window:
            uses.popleft()
        if len(uses) >= self.count:
            wait = max(1, math.ceil(uses[0] + self.window - now))
            raise TooManyRequests(
                f"too many {what}: at most {self.count} in {self.window:g} seconds; try again in {wait} seconds",
                retry_after=wait,
            )
        uses.append(now)
        if len(self._uses) > 10_000:  # forget keys with nothing left in their window
            self._uses = {k: v for k, v in self._uses.items() if v and v[-1] > now - self.window}


async def _count_upload(request: Request, officer: Officer) -> None:
    request.app.state.upload_limit.take(officer.officer_id, "uploads")


# In the ``dependencies`` of a route starting a file upload: each officer may start at most
# ``uploads_per_minute`` of them (the pieces of one upload are not counted).
COUNTED_UPLOAD = Depends(_count_upload)
