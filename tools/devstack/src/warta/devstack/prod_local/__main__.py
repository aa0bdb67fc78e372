"""``python -m warta.devstack.prod_local [--requests N] [--kills K]``: bring the prod overlay up on
this machine, walk N requests to publication while the stream leader is SIGKILLed K times, and
print what happened."""

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from . import Cluster, chart_values, drill, evidence, production, render


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=12)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, data) afterwards")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="warta-prod-local-"))
    print(f"work folder: {work}")
    try:
        with production(Cluster(render("prod"), chart_values()), work) as prod:
            result = asyncio.run(drill(prod, args.requests, args.kills))
            found = asyncio.run(evidence(prod))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for kill in result.kills:
        print(f"SIGKILL of stream leader {kill.node}: next write {kill.stall:.1f} s later, back in {kill.back:.1f} s")
    twice = sum(1 for n in found.event_ids.values() if n > 1)
    print(
        f"{len(result.requests)} requests walked in {result.seconds:.0f} s, {len(found.published)} published; "
        f"{sum(found.event_ids.values())} events ({twice} twice), {found.dead_letters} dead letters, "
        f"{len(found.emails)} emails (most copies of one: {max(found.emails.values(), default=0)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
