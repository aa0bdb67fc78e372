"""The figures of the efficiency work, for the services as they were before it and as they are:
the same workload on the same servers in the same run, so the two columns are comparable.

Two systems run side by side on the same servers (their own databases and streams): one runs the
services' code of ``BEFORE`` (taken from git, put first on the processes' ``PYTHONPATH``), one
this tree's. Rounds alternate between them, so whatever else loads the machine weighs on both
alike, and every other round the other side goes first: requests one at a time, then 10 at once,
then 100 at once. While one side walks its round, the other stands idle beside it; the
database's and the NATS server's CPU in a round is counted to the side that walked it. A last
round of 10 on each side counts the work one request costs (``accounted_round``). Then the email
fan-out (``media_email.py``) runs with each side's publisher.

Figures, each side:
- throughput: requests published per second at 100 at once, and its share of the bound the raw
  write rate and the writes per request imply;
- CPU per published request at 10 at once: every server process (services, database, NATS);
- system time p99 at 10 at once against one at a time;
- hop p99 (publish to applied) against the floor (raw JetStream round trip + one raw write, both
  p99), the slowest hop, one at a time and 10 at once;
- write commands per request (``system.write_count``), and the email rate against a bare loop.

Writes bench/results/before-after.md (and .json). ``python bench/before_after.py [--before COMMIT]
[--rounds N]``.
"""

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from system import (  # beside this script
    RESULTS,
    System,
    accounted_round,
    all_running,
    code_of,
    drive,
    hop_latencies,
    percentiles,
    quiet,
    raw_database,
    raw_jetstream,
    relay_env,
    write_count,
)

from warta.devstack.servers import provide_servers
from warta.devstack.smtp import smtp_server

BEFORE = "55af5ef"  # the last commit before the efficiency work
ROUNDS = 3  # of each kind, on each side
ALONE = 5  # requests one after another in each round of one at a time
SIDES = ("before", "after")


async def compare(before: str, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="warta-bench-before-after-") as folder:
        work = Path(folder)
        old_code = code_of(before, work / "before-code")
        servers = provide_servers(work)
        try:
            floor = {
                "jetstream_round_trip_s": await raw_jetstream(servers.nats_url),
                **await raw_database(servers.mongodb_url),
            }
            with smtp_server(work) as relay:
                smtp = relay_env(relay)
                systems = {
                    "before": System(servers, work / "before", smtp | {"PYTHONPATH": old_code}),
                    "after": System(servers, work / "after", smtp),
                }
                with all_running(systems):
                    found = await _rounds(systems, rounds)
        finally:
            servers.close()
        email = {"before": _email(old_code), "after": _email(None)}
    return {"baseline": floor, "sides": found, "email": email, "backend": servers.backend}


async def _rounds(systems: dict[str, System], rounds: int) -> dict[str, Any]:
    """Long: each side's rounds in turn, and what each figure is taken from, kept side by side."""
    numbers = dict.fromkeys(systems, 0)  # each system's next event slot: no two of its events clash
    found: dict[str, dict[str, Any]] = {
        side: {"alone": [], "ten": [], "hundred": [], "hops_alone": [], "hops_ten": []} for side in systems
    }

    async def round_of(side: str, count: int) -> dict[str, Any]:
        system = systems[side]
        writes = await write_count(system)
        outcome = await drive(system, count, numbers[side])
        numbers[side] += count
        await quiet(system)  # the last events' writes are the round's too
        outcome["writes_per_request"] = (await write_count(system) - writes) / count
        outcome["hops"] = await hop_latencies(system, set(outcome.pop("request_ids")))
        return outcome

    for side in systems:  # warm each side's processes, and register its office
        await drive(systems[side], 2, numbers[side])
        numbers[side] += 2
        await quiet(systems[side])
    for number in range(rounds):
        # Each round the other side goes first: the one walking second finds the shared servers
        # with the other's requests just added.
        for side in list(systems)[:: 1 if number % 2 == 0 else -1]:
            alone = [await round_of(side, 1) for _ in range(ALONE)]
            found[side]["alone"] += [a["system_per_request_s"]["p50"] for a in alone]
            found[side]["hops_alone"] += [a["hops"] for a in alone]
            ten = await round_of(side, 10)
            found[side]["ten"].append(ten)
            found[side]["hops_ten"].append(ten["hops"])
            hundred = await round_of(side, 100)
            found[side]["hundred"].append(hundred)
            print(f"round {number + 1}, {side}: {hundred['requests_per_s']:.2f} requests/s at 100", flush=True)
    for side in systems:
        found[side]["per_request"] = await accounted_round(systems[side], 10, numbers[side])
        numbers[side] += 10
    return found


def _email(code: str | None) -> dict[str, float]:
    """``media_email.py`` at 1,000 contacts with this side's publisher. Run by the script's own
    ``main``: the process it measures in is started from that small one, not from this one (a
    process's peak memory starts at its parent's size)."""
    env = {**os.environ, **({"PYTHONPATH": code} if code else {})}
    script = Path(__file__).parent / "media_email.py"
    run = subprocess.run(
        [sys.executable, str(script), "--json", "1000"], capture_output=True, text=True, env=env, check=False
    )
    if run.returncode:
        sys.exit(run.stderr[-3000:])
    found: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    return found


def figures(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Each side's figures of the issue's table, from the rounds kept."""
    base = result["baseline"]
    floor = base["jetstream_round_trip_s"]["p99"] + base["write"]["p99"]
    out: dict[str, dict[str, float]] = {}
    for side, f in result["sides"].items():
        hundred = max(f["hundred"], key=lambda r: r["requests_per_s"])
        ten_cpu = [sum(v for k, v in r["cores_used"].items() if k != "officers (this script)") for r in f["ten"]]
        ten_rate = [r["requests_per_s"] for r in f["ten"]]
        writes = sorted(r["writes_per_request"] for r in f["ten"])[len(f["ten"]) // 2]
        ten_times = [t for r in f["ten"] for t in _spread(r["system_per_request_s"])]

        def by_hop(rounds: list[dict[str, dict[str, float]]]) -> dict[str, list[float]]:
            found: dict[str, list[float]] = {}
            for hops in rounds:
                for hop, p in hops.items():
                    found.setdefault(hop, []).append(p["p99"])
            return found

        def slowest_hop(rounds: list[dict[str, dict[str, float]]]) -> float:
            """The slowest hop's median over rounds of each round's p99."""
            return max(sorted(values)[len(values) // 2] for values in by_hop(rounds).values())

        def slowest_lone_hop(requests: list[dict[str, dict[str, float]]]) -> float:
            """The slowest hop's p99 over every lone request (each its own round of one, whose p99
            is its time): with fifteen of them, the slowest."""
            return max(percentiles(values)["p99"] for values in by_hop(requests).values())

        out[side] = {
            "requests_per_s": hundred["requests_per_s"],
            "share_of_bound": hundred["requests_per_s"] / (base["write_rate_per_s"] / writes),
            "cpu_per_request_s": sorted(c / r for c, r in zip(ten_cpu, ten_rate, strict=True))[len(ten_rate) // 2],
            "system_p99_alone_s": percentiles(f["alone"])["p99"],
            "system_p99_ten_s": percentiles(ten_times)["p99"],
            "hop_alone": slowest_lone_hop(f["hops_alone"]) / floor,
            "hop_alone_median": slowest_hop(f["hops_alone"]) / floor,
            "hop_ten": slowest_hop(f["hops_ten"]) / floor,
            "writes_per_request": writes,
            "email_ratio": result["email"][side]["publisher"] / result["email"][side]["bare"],
            "email_peak_mb": result["email"][side]["peak_mb"],
        }
    return out


def _spread(timing: dict[str, float]) -> list[float]:
    # A round keeps its percentiles, not each request's time: its p50 and p99 stand for it.
    return [timing["p50"], timing["p99"]]


def report(result: dict[str, Any]) -> str:
    f = figures(result)
    b, a = f["before"], f["after"]
    rows = [
        ("throughput at 100 at once", "requests_per_s", "{:.2f} requests/s", "≥ 50 % of the write-rate bound"),
        ("share of the write-rate bound", "share_of_bound", "{:.0%}", "≥ 50 %"),
        ("CPU per published request at 10 at once, all servers", "cpu_per_request_s", "{:.3f} core-s", "≤ 0.1"),
        ("system time p99, one at a time", "system_p99_alone_s", "{:.2f} s", ""),
        ("system time p99 at 10 at once", "system_p99_ten_s", "{:.2f} s", "≤ 2x one at a time"),
        ("slowest hop p99 / floor, one at a time", "hop_alone", "{:.1f}x", "≤ 3x"),
        ("slowest hop's median / floor, one at a time", "hop_alone_median", "{:.1f}x", ""),
        ("slowest hop p99 / floor, 10 at once", "hop_ten", "{:.1f}x", "≤ 10x"),
        ("database writes per request", "writes_per_request", "{:.0f}", ""),
        ("email to 1,000 contacts / bare aiosmtplib loop", "email_ratio", "{:.2f}x", "≥ 0.8x"),
        ("publisher's peak memory, 1,000 contacts", "email_peak_mb", "{:.0f} MB", "< 150 MB"),
    ]
    lines = [
        "# Warta: before and after the efficiency work",
        "",
        f"Run {result['started_at'][:16]} UTC (python bench/before_after.py) on {platform.platform()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, servers: {result['backend']}.",
        "",
        f"Before: the services of {result['before']}; after: this tree's. {result['rounds']} rounds on each side, "
        f"in turn: {ALONE} requests one at a time, 10 at once, 100 at once. A figure over rounds is their median, "
        "but the throughput: the best round at 100 at once, as bench/system.py reports it. "
        + "; ".join(
            f"{side}'s rounds at 100 at once: "
            + ", ".join(f"{r['requests_per_s']:.2f}" for r in result["sides"][side]["hundred"])
            + " requests/s"
            for side in SIDES
        )
        + ".",
        "",
        "| figure | before | after | after / before | target |",
        "|---|---|---|---|---|",
    ]
    for name, key, form, target in rows:
        ratio = a[key] / b[key] if b[key] else float("nan")
        lines.append(f"| {name} | {form.format(b[key])} | {form.format(a[key])} | {ratio:.2f} | {target} |")
    lines += [
        "",
        "The system time p99 at 10 at once is over each round's p50 and p99 (a round keeps its percentiles). "
        "A hop one at a time: its p99 is over every lone request; the median beside it is the figure the "
        "earlier versions of this script reported under the p99's name.",
        "",
    ]
    for side in SIDES:
        account = result["sides"][side]["per_request"]
        lines += [f"## The work one request costs, {side} (10 at once)", ""]
        lines += [f"- NATS messages: {sum(account['bus'].values()):.1f}: " + _listed(account["bus"])]
        cpu = account["cpu_s"]
        lines += [f"- CPU seconds of the servers: {sum(cpu.values()):.3f}: " + _listed(cpu, 3)]
        if account["http"]:
            lines += [f"- HTTP answers: {sum(account['http'].values()):.1f}"]
        if account["writes_by"]:
            lines += [f"- documents written, as the services count them: {sum(account['writes_by'].values()):.1f}"]
        lines.append("")
    return "\n".join(lines)


def _listed(by: dict[str, float], digits: int = 1) -> str:
    return ", ".join(f"{key} {n:.{digits}f}" for key, n in by.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE, help="the commit whose services run as 'before'")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    started = datetime.now(UTC).isoformat()
    result = asyncio.run(compare(args.before, args.rounds))
    result |= {"started_at": started, "before": args.before, "rounds": args.rounds}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "before-after.json").write_text(json.dumps(result, indent=1, default=str))
    text = report(result)
    (RESULTS / "before-after.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
