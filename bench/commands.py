"""The database commands one request sends, by service, command and collection.

The database's work, and a third to a half of each service's CPU (PyMongo's command path and its
socket writes), follow the number of commands more than the documents they write: on SecantusDB
each command costs the server about a millisecond of CPU whatever it does. The services' metrics
count the documents written (``bench/system.py``'s accounting); this script counts the commands,
reads included, as the database's own profiler records them.

A fresh system walks two requests (the office's officers, equipment and media registry, indexes,
connections), then the profiler is turned on for every service's database and for ``admin``
(where transactions commit) while ten requests are walked through the seven steps at once and
their last events applied. The profiler's own writes make that round slow: no time is taken from
it. Writes bench/results/commands.md (and .json). ``python bench/commands.py [--commit C]``: with
a commit, its services' code is walked instead of this tree's, and the results are only printed.
"""

import argparse
import asyncio
import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient
from system import RESULTS, SERVICES, System, bench_servers, code_of, drive, quiet, running  # beside this script

REQUESTS = 10
TRANSACTION_ENDS = ("commitTransaction", "abortTransaction")


def command_of(entry: dict[str, Any]) -> tuple[str, str, bool]:
    """A profiler entry's command name, collection, and whether it ran in a transaction."""
    command = entry.get("command") or {}
    name = next(iter(command), entry.get("op", "?"))
    collection = entry.get("ns", "").partition(".")[2]
    if name == "getMore":
        collection = command.get("collection", collection)
    return name, collection, command.get("txnNumber") is not None


def combined(entry: dict[str, Any], owners: dict[str, str]) -> tuple[str, str] | None:
    """The service and the collections of a ``bulkWrite``, which runs on ``admin`` and names its
    collections in ``nsInfo``; ``owners`` is each service by its database."""
    namespaces = [str(ns.get("ns", "")).partition(".") for ns in (entry.get("command") or {}).get("nsInfo") or ()]
    found = {owners.get(database) for database, _, _ in namespaces}
    owner = found.pop() if len(found) == 1 else None
    if owner is None:
        return None
    return owner, "+".join(dict.fromkeys(collection for _, _, collection in namespaces))


def tally(entries: dict[str, Iterable[dict[str, Any]]], requests: int, owners: dict[str, str]) -> dict[str, Any]:
    """Commands per request from each service's profiler entries (``entries[service]``) and from
    ``admin``'s: the transactions' ends, which name no service, and the combined writes, which name
    their databases (``owners``: each service by its database)."""
    by: Counter[str] = Counter()
    millis: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    for source, found in entries.items():  # a service, or admin
        for entry in found:
            name, collection, in_transaction = command_of(entry)
            service = source
            if source == "admin":
                if name in TRANSACTION_ENDS:
                    ends[name] += 1
                if name != "bulkWrite" or (owner := combined(entry, owners)) is None:
                    continue
                service, collection = owner  # the combined write counts as its service's
            if name == "profile" or collection.startswith("system."):
                continue  # the script's own switching of the profiler
            key = f"{service} · {name} {collection}{' (in a transaction)' if in_transaction else ''}"
            by[key] += 1
            millis[key] += entry.get("millis", 0)
    per_request = {key: n / requests for key, n in by.most_common()}
    services = Counter[str]()
    for key, n in by.items():
        services[key.split(" · ")[0]] += n
    return {
        "requests": requests,
        "commands": sum(by.values()) / requests,
        "transaction_ends": {name: n / requests for name, n in ends.items()},
        "by_service": {name: n / requests for name, n in services.most_common()},
        "by_command": per_request,
        # The server's own time for each, whole milliseconds per command summed: coarse, and
        # lengthened by the profiler's writes, but it ranks what costs the database most.
        "millis_by_command": {key: n / requests for key, n in millis.most_common()},
    }


def render_commands(result: dict[str, Any]) -> str:
    machine = result["machine"]
    ends = result["transaction_ends"]
    lines = [
        "# Warta: the database commands one request sends",
        "",
        f"Run {result['started_at'][:16].replace('T', ' ')} UTC (python bench/commands.py) on {machine['cpus']} CPUs, "
        f"servers: {machine['backend']}. {result['requests']} requests walked at once through the seven steps, "
        "their events applied; counted by the database's profiler.",
        "",
        f"**{result['commands']:.1f} commands per request** to the services' databases, and "
        f"{ends.get('commitTransaction', 0.0):.1f} transactions committed "
        f"({ends.get('abortTransaction', 0.0):.1f} aborted: retries after a write conflict, and refusals).",
        "",
        "| service | commands per request |",
        "|---|---|",
        *[f"| {name} | {n:.1f} |" for name, n in result["by_service"].items()],
        "",
        "| commands per request | database ms per request | service · command and collection |",
        "|---|---|---|",
        *[
            f"| {n:.1f} | {result.get('millis_by_command', {}).get(key, 0.0):.1f} | {key} |"
            for key, n in result["by_command"].items()
        ],
        "",
        "The database's milliseconds are its profiler's: whole milliseconds a command, summed, and "
        "lengthened by the profiler's own writes; they rank what costs the database most.",
        "",
        "Reads outside a transaction are mostly the scripted officers' pages (each waits for the "
        "state it needs by asking again) and the publisher fetching the photos.",
    ]
    return "\n".join(lines) + "\n"


async def run(commit: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(), "commit": commit}
    with bench_servers(result) as (servers, smtp, work):
        code = {"PYTHONPATH": code_of(commit, work / "code")} if commit else {}
        with running(System(servers, work / "c", smtp | code)) as system:
            return result | await counted(system)


async def counted(system: System) -> dict[str, Any]:
    """Two requests walked unprofiled, then ``REQUESTS`` with every service's database profiled."""
    await drive(system, 2, first=0)
    await quiet(system)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(system.mongodb_url)
    databases = {name: system.database(name) for name in SERVICES} | {"admin": "admin"}
    try:
        for database in databases.values():
            await client[database].command({"profile": 2})
        outcome = await drive(system, REQUESTS, first=2)
        await quiet(system)
        for database in databases.values():
            await client[database].command({"profile": 0})
        entries = {
            name: await client[database]["system.profile"].find({}).to_list(None)
            for name, database in databases.items()
        }
    finally:
        await client.close()
    return tally(entries, outcome["published"], {database: name for name, database in databases.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", help="walk this commit's services instead of this tree's; print only")
    args = parser.parse_args()
    result = asyncio.run(run(args.commit))
    if args.commit:
        print(render_commands(result))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "commands.json").write_text(json.dumps(result, indent=1, default=str))
    (RESULTS / "commands.md").write_text(render_commands(result))
    print((RESULTS / "commands.md").read_text())


if __name__ == "__main__":
    main()
