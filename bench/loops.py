"""Two settings of the services measured side by side: the services' CPU per published request,
the requests' system time and the slowest event hop's p99, one at a time and ten at once.

- ``loop``: asyncio's own loop with h11 against uvloop with httptools (ADR 0029);
- ``fetch``: each consumer asking JetStream for 16 events at a time against one (ADR 0031).

Two systems run side by side on the same servers (their own databases and streams), one with each
setting. Rounds alternate between them, so whatever else loads the machine weighs on both alike:
requests one at a time, then ten at once. CPU is the five service processes' own (user and system
time from /proc); the database and the NATS server serve both systems and are left out.

Writes bench/results/loops.md or fetch.md. ``python bench/loops.py [--compare loop|fetch] [--rounds N]``.
"""

import argparse
import asyncio
import platform
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from system import RESULTS, SERVICES, System, all_running, drive, hop_latencies, quiet, relay_env  # beside this script

from warta.devstack.servers import provide_servers
from warta.devstack.smtp import smtp_server

COMPARISONS = {
    "loop": {
        "asyncio + h11": {"WARTA_EVENT_LOOP": "asyncio", "WARTA_HTTP_PARSER": "h11"},
        "uvloop + httptools": {"WARTA_EVENT_LOOP": "uvloop", "WARTA_HTTP_PARSER": "httptools"},
    },
    "fetch": {
        "16 events a fetch": {"WARTA_CONSUMER_FETCH_BATCH": "16"},
        "1 event a fetch": {"WARTA_CONSUMER_FETCH_BATCH": "1"},
    },
}
TITLES = {
    "loop": "asyncio's loop and h11 against uvloop and httptools",
    "fetch": "a consumer's fetch of 16 events against one",
}
ROUNDS = 6  # of each kind, on each side
AT_ONCE = 10


async def compare(sides: dict[str, dict[str, str]], rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="warta-bench-loops-") as folder:
        work = Path(folder)
        servers = provide_servers(work)
        try:
            with smtp_server(work) as relay:
                smtp = relay_env(relay)
                systems = {
                    side: System(servers, work / str(number), smtp | env)
                    for number, (side, env) in enumerate(sides.items())
                }
                with all_running(systems):
                    found = await _rounds(systems, rounds)
        finally:
            servers.close()
    return found | {"backend": servers.backend, "rounds": rounds}


async def _rounds(systems: dict[str, System], rounds: int) -> dict[str, Any]:
    single: dict[str, list[float]] = {side: [] for side in systems}
    loaded: dict[str, list[float]] = {side: [] for side in systems}
    cpu: dict[str, list[float]] = {side: [] for side in systems}
    hops: dict[str, dict[str, list[float]]] = {side: {"alone": [], "loaded": []} for side in systems}
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
            for kind, walked in (("alone", alone), ("loaded", at_once)):
                await quiet(system)
                found = await hop_latencies(system, set(walked["request_ids"]))
                hops[side][kind].append(max(p["p99"] for p in found.values()))
    return {
        side: {
            "single_median_s": statistics.median(single[side]),
            "loaded_median_s": statistics.median(loaded[side]),
            "cpu_per_request_s": statistics.median(cpu[side]),
            "slowest_hop_alone_s": statistics.median(hops[side]["alone"]),
            "slowest_hop_loaded_s": statistics.median(hops[side]["loaded"]),
        }
        for side in systems
    }


def report(compared: str, found: dict[str, Any], started: datetime) -> str:
    (base_side, base), (other_side, other) = ((side, found[side]) for side in COMPARISONS[compared])
    lines = [
        f"# Warta: {TITLES[compared]}",
        "",
        f"Run {started:%Y-%m-%dT%H:%M} UTC (python bench/loops.py --compare {compared}) on {platform.platform()}, "
        f"Python {platform.python_version()}, servers: {found['backend']}.",
        "",
        f"Two systems side by side, in turn: {found['rounds']} rounds each of one request alone and of "
        f"{AT_ONCE} at once. CPU: the five service processes' seconds per published request in the rounds of "
        f"{AT_ONCE}. Slowest hop: the p99 of the slowest event hop (publish to applied) of each round. Every "
        "figure is the median over the rounds.",
        "",
        "| services with | system time alone | at once (each round's p50) | service CPU per request "
        "| slowest hop p99 alone | at once |",
        "|---|---|---|---|---|---|",
    ]
    for side in COMPARISONS[compared]:
        f = found[side]
        lines.append(
            f"| {side} | {f['single_median_s'] * 1000:.0f} ms | {f['loaded_median_s'] * 1000:.0f} ms | "
            f"{f['cpu_per_request_s']:.3f} s | {f['slowest_hop_alone_s'] * 1000:.1f} ms | "
            f"{f['slowest_hop_loaded_s'] * 1000:.1f} ms |"
        )
    lines += [
        "",
        f"{other_side} against {base_side}: service CPU per request "
        f"{other['cpu_per_request_s'] / base['cpu_per_request_s']:.2f}, system time alone "
        f"{other['single_median_s'] / base['single_median_s']:.2f}, at once "
        f"{other['loaded_median_s'] / base['loaded_median_s']:.2f}, slowest hop alone "
        f"{other['slowest_hop_alone_s'] / base['slowest_hop_alone_s']:.2f}, at once "
        f"{other['slowest_hop_loaded_s'] / base['slowest_hop_loaded_s']:.2f}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", choices=sorted(COMPARISONS), default="loop")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    started = datetime.now(UTC)
    text = report(args.compare, asyncio.run(compare(COMPARISONS[args.compare], args.rounds)), started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / ("loops.md" if args.compare == "loop" else "fetch.md")).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
