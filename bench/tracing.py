"""What tracing costs: one request's system time (its officers' waits on HTTP answers) with the
services exporting every span by OTLP to a receiver in this process, against the same services
with tracing off.

Two systems run side by side on the same servers (their own databases and streams), one with
``WARTA_OTLP_ENDPOINT`` set and one without; requests are walked one at a time, alternately on
each, so whatever else loads the machine weighs on both alike. The issue's target: with tracing
on, the median system time per request within 10 % of tracing off.

Writes bench/results/tracing.md. ``python bench/tracing.py [--requests N]``.
"""

import argparse
import asyncio
import platform
import statistics
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from system import RESULTS, System, running, token_for  # beside this script

from warta.devstack.demo import walk
from warta.devstack.otlp import otlp_receiver
from warta.devstack.servers import provide_servers
from warta.devstack.smtp import smtp_server

TARGET = 1.10  # tracing on: at most this times the system time of tracing off
REQUESTS = 20  # on each side


@dataclass
class Comparison:
    requests: int
    median_s: dict[str, float]  # by side: "off", "on"
    p90_s: dict[str, float]
    spans: int  # received from the traced side
    backend: str

    @property
    def ratio(self) -> float:
        return self.median_s["on"] / self.median_s["off"]


async def compare(requests: int) -> Comparison:
    with tempfile.TemporaryDirectory(prefix="warta-bench-tracing-") as folder:
        work = Path(folder)
        servers = provide_servers(work)
        try:
            with smtp_server(work) as relay, otlp_receiver() as receiver:
                smtp = {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port)}
                smtp["WARTA_SMTP_CA_FILE"] = relay.ca_file
                traced = smtp | {"WARTA_OTLP_ENDPOINT": receiver.url}
                with (
                    running(System(servers, work / "off", smtp)) as off,
                    running(System(servers, work / "on", traced)) as on,
                ):
                    waits: dict[str, list[float]] = {"off": [], "on": []}
                    for number in range(requests + 1):
                        for side, system in (("off", off), ("on", on)):
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
    )


def report(found: Comparison, started: datetime) -> str:
    median, p90, ratio = found.median_s, found.p90_s, found.ratio
    verdict = "met" if ratio <= TARGET else "**not met**"
    return "\n".join(
        [
            "# Warta: what tracing costs",
            "",
            f"Run {started:%Y-%m-%dT%H:%M} UTC (python bench/tracing.py) on {platform.platform()}, "
            f"Python {platform.python_version()}, servers: {found.backend}.",
            "",
            f"{found.requests} requests walked through all seven steps on each of two systems side by side, "
            "one at a time and alternately: one exporting every span by OTLP/HTTP to a receiver in the bench's "
            f"process ({found.spans} spans received), one with tracing off. System time: the officers' waits "
            "on HTTP answers.",
            "",
            "| tracing | median system time per request | p90 |",
            "|---|---|---|",
            f"| off | {median['off'] * 1000:.0f} ms | {p90['off'] * 1000:.0f} ms |",
            f"| on | {median['on'] * 1000:.0f} ms | {p90['on'] * 1000:.0f} ms |",
            "",
            f"On / off: {ratio:.2f}; the target (at most {TARGET:.2f}) is {verdict}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    started = datetime.now(UTC)
    found = asyncio.run(compare(args.requests))
    text = report(found, started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tracing.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
