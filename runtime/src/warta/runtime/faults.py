"""Named fault points for fault-injection tests.

A test starts a service with ``WARTA_FAULT_POINTS=outbox.after_commit`` and the process kills
itself with SIGKILL when it reaches that point, exactly as a crashed pod would: no cleanup, no
flush. ``name@3`` waits for the third time the point is reached. ``WARTA_SLOW_POINTS=name:5`` makes
every pass through a slow point take five seconds more, as a slow disk or a long computation
would. Unset (always, in production) a point costs one dictionary lookup.
"""

import asyncio
import os
import signal

_ARMED: dict[str, int] = {}
for _spec in filter(None, os.environ.get("WARTA_FAULT_POINTS", "").split(",")):
    _name, _, _count = _spec.partition("@")
    _ARMED[_name] = int(_count or 1)


def fault_point(name: str) -> None:
    if name not in _ARMED:
        return
    _ARMED[name] -= 1
    if _ARMED[name] <= 0:
        os.kill(os.getpid(), signal.SIGKILL)


_SLOW: dict[str, float] = {}
for _spec in filter(None, os.environ.get("WARTA_SLOW_POINTS", "").split(",")):
    _name, _, _seconds = _spec.partition(":")
    _SLOW[_name] = float(_seconds or 1)


async def slow_point(name: str) -> None:
    seconds = _SLOW.get(name)
    if seconds:
        await asyncio.sleep(seconds)
