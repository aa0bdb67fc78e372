"""Named fault points for fault-injection tests.

A test starts a service with ``WARTA_FAULT_POINTS=outbox.after_commit`` and the process kills
itself with SIGKILL when it reaches that point, exactly as a crashed pod would: no cleanup, no
flush. Unset (always, in production) a fault point costs one set lookup.
"""

import os
import signal

_ARMED = frozenset(p for p in os.environ.get("WARTA_FAULT_POINTS", "").split(",") if p)


def fault_point(name: str) -> None:
    if name in _ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
