"""The newest documents of a long history, a page at a time, at a cost that follows the page and
not the history.

SecantusDB (the development database) reads whatever an index range yields whole before it sorts
and cuts to the limit (ADR 0004), so "an officer's newest 50 of ten thousand" is never asked as one
sorted, limited query. Windows of time are asked newest first instead, each an equality prefix and
a range of one compound index (``equal`` fields, then ``field``), each sized from how many entries
the window before held, until the page is full. MongoDB answers the same queries from the same
index; the windows cost it little. The register's word search walks its postings the same way
with several streams at once (``warta.intake.search``)."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

FIRST_SPAN = timedelta(days=7)
# A window that would span this long takes everything older instead, and is the last.
LONGEST_SPAN = timedelta(days=3 * 365)
# A window is resized to hold about this many entries (at least the page), at most doubling: after
# a quiet stretch a dense one would otherwise come in one oversized window.
WINDOW_TARGET = 100
# Below a window that held nothing the density is unknown, and doubling blind would read a whole
# dense stretch at once (a year of history after a quiet month). So thin slices spread over the
# next window are read first, newest first: PROBES of them, each 1/THIN of the window. Probed, a
# window may grow faster while it finds nothing: EMPTY_GROWTH times the one before, no more than
# PROBES times, so that the probes stand no further apart than the window before was long (a dense
# stretch narrower than that could fall between them and be read at once).
PROBES = 4
THIN = 256
EMPTY_GROWTH = 4.0

Probe = Callable[[datetime, datetime], Awaitable[int]]


async def span_below(hi: datetime, span: timedelta, target: int, probe: Probe) -> timedelta:
    """How far below ``hi`` the next window reaches, at most ``span``, when what lies below is
    unknown: ``probe(lo, hi)`` counts the entries in ``[lo, hi)``. The newest thin slice holding
    any is found (then the newest such between it and the slice above, by halving), and the window
    reaches from ``hi`` to there and on for about ``target`` entries at the densest slice's
    density. With no slice holding any, what lies below is sparse: the whole span."""
    thin = span / THIN
    above = hi
    for k in range(PROBES):
        end = hi - span * k / PROBES
        found = await probe(end - thin, end)
        if found:
            break
        above = end - thin
    else:
        return span
    # Entries just below ``end``, none in the slice just below ``above``: the newest lies between.
    # The densest slice sets the pace: a slice at the edge of a dense stretch holds only part.
    densest = found
    while above - end > 2 * thin:
        middle = end + (above - end) / 2
        if more := await probe(middle - thin, middle):
            end, densest = middle, max(densest, more)
        else:
            above = middle - thin
    return min(span, hi - end + thin * target / densest)


def resized(span: timedelta, entries: int, target: int, held_since: timedelta | None = None) -> timedelta:
    """The next window's span after one of ``span`` held ``entries``: about ``target`` entries at
    its density, at most doubling; after an empty one, ``EMPTY_GROWTH`` times (then probed). The
    density is taken over ``held_since`` when given (from the window's start to its newest
    entry): the caller gives it for a window probed through a quiet stretch, which holds its
    entries in only its older part."""
    if not entries:
        factor, span = EMPTY_GROWTH, span
    else:
        factor = min(2.0, max(0.125, target / entries))
        if held_since is not None:
            span = min(span, held_since)
    return timedelta(milliseconds=max(1, round(span / timedelta(milliseconds=1) * factor)))  # BSON keeps ms


async def newest(
    collection: AsyncCollection[Any],
    equal: dict[str, Any],
    field: str,
    *,
    limit: int,
    now: datetime,
    before: datetime | None = None,
) -> list[dict[str, Any]]:
    """Up to ``limit`` documents matching ``equal``, newest ``field`` first (ties by ``_id``,
    also newest first), only those before ``before`` if given. The first window reaches from
    ``now - FIRST_SPAN`` (or ``before``'s) with no upper bound when ``before`` is None, so a
    document stamped a little ahead of this clock is not lost."""

    async def probe(lo: datetime, hi: datetime) -> int:
        return len(await collection.find({**equal, field: {"$gte": lo, "$lt": hi}}, {"_id": 1}).to_list())

    found: list[dict[str, Any]] = []
    hi, span, unknown = before, FIRST_SPAN, False
    target = max(WINDOW_TARGET, limit)
    while len(found) < limit:
        probed = unknown and span < LONGEST_SPAN
        if probed:
            span = await span_below(hi or now, span, target, probe)
        lo = (hi or now) - span if span < LONGEST_SPAN else None
        bounds = {op: at for op, at in (("$gte", lo), ("$lt", hi)) if at is not None}
        window = [doc async for doc in collection.find({**equal, field: bounds} if bounds else dict(equal))]
        window.sort(key=lambda doc: (doc[field], str(doc["_id"])), reverse=True)
        found += window
        if lo is None:
            break
        held_since = window[0][field] - lo if window and probed else None
        hi, span, unknown = lo, resized(span, len(window), target, held_since), not window
    return found[:limit]
