"""uvloop and httptools under uvicorn and FastStream, measured: the services' CPU per published
request and the requests' system time on asyncio's own loop with h11, against uvloop with
httptools.

Two systems run side by side on the same servers (their own databases and streams), one with
``WARTA_EVENT_LOOP=asyncio`` and ``WARTA_HTTP_PARSER=h11``, one with ``uvloop`` and
``httptools``. Rounds alternate between them, so whatever else loads the machine weighs on both
alike: requests one at a time, then ten at once. CPU is the five service processes' own (user and
system time from /proc); the database and the NATS server serve both systems and are left out.

Writes bench/results/loops.md. ``python bench/loops.py [--rounds N]``.
"""

import argparse
import asyncio
import platform
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from system import RESULTS, SERVICES, System, drive  # beside this script

from warta.devstack.servers import provide_servers
from warta.devstack.smtp import smtp_server

SIDES = {
    "asyncio + h11": {"WARTA_EVENT_LOOP": "asyncio", "WARTA_HTTP_PARSER": "h11"},
    "uvloop + httptools": {"WARTA_EVENT_LOOP": "uvloop", "WARTA_HTTP_PARSER": "httptools"},
}
ROUNDS = 6  # of each kind, on each side
AT_ONCE = 10


async def compare(rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="warta-bench-loops-") as folder:
        work = Path(folder)
        servers = provide_servers(work)
        try:
            with smtp_server(work) as relay:
                smtp = {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port)}
                smtp["WARTA_SMTP_CA_FILE"] = relay.ca_file
                systems = {
                    side: System(servers, work / str(number), smtp | env)
                    for number, (side, env) in enumerate(SIDES.items())
                }
                for system in systems.values():
                    system.start()
                try:
                    found = await _rounds(systems, rounds)
                finally:
                    for system in systems.values():
                        system.stop()
        finally:
            servers.close()
    return found | {"backend": servers.backend, "rounds": rounds}


async def _rounds(systems: dict[str, System], rounds: int) -> dict[str, Any]:
    single: dict[str, list[float]] = {side: [] for side in systems}
    loaded: dict[str, list[float]] = {side: [] for side in systems}
    cpu: dict[str, list[float]] = {side: [] for side in systems}
    numbers = dict.fromkeys(systems, 0)  # each system's next event slot: no two of its events clash
    for number in range(rounds + 1):
        for side, system in systems.items():
            alone = await drive(system, 1, numbers[side])
            numbers[side] += 1
            at_once = await drive(system, AT_ONCE, numbers[side])
            numbers[side] += AT_ONCE
            if not number:
                continue  # the first round of each side warms its processes up
            single[side].append(alone["system_per_request_s"]["p50"])
            loaded[side].append(at_once["system_per_request_s"]["p50"])
            services = sum(at_once["cores_used"].get(name, 0.0) for name in SERVICES)
            cpu[side].append(services * at_once["seconds"] / at_once["published"])
    return {
        side: {
            "single_median_s": statistics.median(single[side]),
            "loaded_median_s": statistics.median(loaded[side]),
            "cpu_per_request_s": statistics.median(cpu[side]),
        }
        for side in systems
    }


def report(found: dict[str, Any], started: datetime) -> str:
    base, fast = (found[side] for side in SIDES)
    lines = [
        "# Warta: asyncio's loop and h11 against uvloop and httptools",
        "",
        f"Run {started:%Y-%m-%dT%H:%M} UTC (python bench/loops.py) on {platform.platform()}, "
        f"Python {platform.python_version()}, servers: {found['backend']}.",
        "",
        f"Two systems side by side, in turn: {found['rounds']} rounds each of one request alone and of "
        f"{AT_ONCE} at once. CPU: the five service processes' seconds per published request in the rounds of "
        f"{AT_ONCE}; every figure is the median over the rounds.",
        "",
        "| services on | system time alone | at once (each round's p50) | service CPU per request |",
        "|---|---|---|---|",
    ]
    for side in SIDES:
        f = found[side]
        lines.append(
            f"| {side} | {f['single_median_s'] * 1000:.0f} ms | {f['loaded_median_s'] * 1000:.0f} ms | "
            f"{f['cpu_per_request_s']:.3f} s |"
        )
    lines += [
        "",
        f"uvloop + httptools against asyncio + h11: service CPU per request "
        f"{fast['cpu_per_request_s'] / base['cpu_per_request_s']:.2f}, system time alone "
        f"{fast['single_median_s'] / base['single_median_s']:.2f}, at once "
        f"{fast['loaded_median_s'] / base['loaded_median_s']:.2f}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    started = datetime.now(UTC)
    text = report(asyncio.run(compare(args.rounds)), started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "loops.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
