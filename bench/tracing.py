"""What tracing costs: one request's system time (its officers' waits on HTTP answers) with the
services exporting every span by OTLP to a receiver in this process, against the same services
with tracing off, and against the services as they were before tracing was built.

Three systems run side by side on the same servers (their own databases and streams): one with
``WARTA_OTLP_ENDPOINT`` set, one without, and one running the services' code of the last commit
without tracing (``BEFORE``, taken from git into a temporary folder and put first on the
processes' ``PYTHONPATH``). Requests are walked one at a time, in turn on each, so whatever else
loads the machine weighs on all alike. The targets: with tracing on, the median system time per
request within 10 % of tracing off; off, within the noise of the build before it (5 %).

Writes bench/results/tracing.md. ``python bench/tracing.py [--requests N] [--before COMMIT]``.
"""

import argparse
import asyncio
import platform
import statistics
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from system import RESULTS, System, code_of, running, token_for  # beside this script

from warta.devstack.demo import walk
from warta.devstack.otlp import otlp_receiver
from warta.devstack.servers import provide_servers
from warta.devstack.smtp import smtp_server

TARGET = 1.10  # tracing on: at most this times the system time of tracing off
UNCHANGED = 0.05  # tracing off: within this of the build before tracing, either way
REQUESTS = 20  # on each side
BEFORE = "a529195"  # the last commit whose services know nothing of tracing


@dataclass
class Comparison:
    requests: int
    median_s: dict[str, float]  # by side: "before", "off", "on"
    p90_s: dict[str, float]
    spans: int  # received from the traced side
    backend: str
    before: str  # the commit the "before" side ran

    @property
    def ratio(self) -> float:
        return self.median_s["on"] / self.median_s["off"]

    @property
    def off_against_before(self) -> float:
        return self.median_s["off"] / self.median_s["before"]


async def compare(requests: int, before: str) -> Comparison:
    with tempfile.TemporaryDirectory(prefix="warta-bench-tracing-") as folder:
        work = Path(folder)
        old_code = code_of(before, work / "before-code")
        servers = provide_servers(work)
        try:
            with smtp_server(work) as relay, otlp_receiver() as receiver:
                smtp = {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port)}
                smtp["WARTA_SMTP_CA_FILE"] = relay.ca_file
                traced = smtp | {"WARTA_OTLP_ENDPOINT": receiver.url}
                with (
                    running(System(servers, work / "before", smtp | {"PYTHONPATH": old_code})) as old,
                    running(System(servers, work / "off", smtp)) as off,
                    running(System(servers, work / "on", traced)) as on,
                ):
                    waits: dict[str, list[float]] = {"before": [], "off": [], "on": []}
                    for number in range(requests + 1):
                        for side, system in (("before", old), ("off", off), ("on", on)):
                            timeline = await walk(
                                system.urls,
                                token_for,
                                straight=True,
                                event_starts_in=timedelta(days=1, hours=3 * number),
                                patience=600,
                            )
                            if number:  # the first of each side warms its processes up
                                waits[side].append(timeline.waiting_seconds)
                spans = len(receiver.spans)
        finally:
            servers.close()
    return Comparison(
        requests=requests,
        median_s={side: statistics.median(values) for side, values in waits.items()},
        p90_s={side: statistics.quantiles(values, n=10)[-1] for side, values in waits.items()},
        spans=spans,
        backend=servers.backend,
        before=before,
    )


def report(found: Comparison, started: datetime) -> str:
    median, p90, ratio, unchanged = found.median_s, found.p90_s, found.ratio, found.off_against_before
    verdict = "met" if ratio <= TARGET else "**not met**"
    kept = "met" if abs(unchanged - 1) <= UNCHANGED else "**not met**"
    return "\n".join(
        [
            "# Warta: what tracing costs",
            "",
            f"Run {started:%Y-%m-%dT%H:%M} UTC (python bench/tracing.py) on {platform.platform()}, "
            f"Python {platform.python_version()}, servers: {found.backend}.",
            "",
            f"{found.requests} requests walked through all seven steps on each of three systems side by side, "
            "one at a time and in turn: one exporting every span by OTLP/HTTP to a receiver in the bench's "
            f"process ({found.spans} spans received), one with tracing off, and one running the services' code "
            f"of {found.before}, the last commit before tracing was built. System time: the officers' waits "
            "on HTTP answers. Off against before also carries what was added since that commit beside tracing "
            "(each answer timed, each database write counted, the mail relay's connections kept).",
            "",
            "| services | median system time per request | p90 |",
            "|---|---|---|",
            f"| before tracing ({found.before}) | {median['before'] * 1000:.0f} ms | {p90['before'] * 1000:.0f} ms |",
            f"| tracing off | {median['off'] * 1000:.0f} ms | {p90['off'] * 1000:.0f} ms |",
            f"| tracing on | {median['on'] * 1000:.0f} ms | {p90['on'] * 1000:.0f} ms |",
            "",
            f"On / off: {ratio:.2f}; the target (at most {TARGET:.2f}) is {verdict}.",
            f"Off / before tracing: {unchanged:.2f}; the target (within {UNCHANGED:.0%} of 1) is {kept}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--before", default=BEFORE, help="the commit whose services run as 'before tracing'")
    args = parser.parse_args()
    started = datetime.now(UTC)
    found = asyncio.run(compare(args.requests, args.before))
    text = report(found, started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tracing.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
