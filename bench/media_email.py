"""Emailing media contacts: messages per second through the publisher, against a bare
aiosmtplib loop (a connection and STARTTLS per message, as ``aiosmtplib.send`` does) to the same
test SMTP server (aiosmtpd with STARTTLS) in the same run, and the publisher's peak memory.

The relay runs in a process of its own, so the peak resident memory of the process that runs
the publisher is the publisher's (and this script's small client), not the messages the relay
kept. Each count of contacts runs in a fresh process, so each peak is its own: memory flat in the
number of contacts shows as the same peak for 250 and 1,000.

The rate is bound by the test relay as much as by the publisher (both share the machine's cores),
so the CPU each message costs the publisher's process and the database while the fan-out runs is
reported beside it: that is what a change to the publisher's own work shows in.

Targets (issue 30): at least 0.8 times the bare loop's rate, under 150 MB at 1,000 contacts. The
publisher's own rate limit is set high here: the limit is the relay's policy, the benchmark
measures the machinery. Run with ``make bench`` (or ``python bench/media_email.py 250 1000``).
"""

import asyncio
import contextlib
import json
import resource
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
from system import cpu_seconds  # beside this script

from warta.contracts import (
    Approved,
    ApprovedData,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    PressRelease,
    ReviewLevel,
    Role,
)
from warta.devstack.pytest_plugin import running_app
from warta.devstack.servers import provide_servers
from warta.devstack.smtp import smtp_server
from warta.publisher.app import PublisherSettings, create_app
from warta.runtime import issue_dev_token

THIS = {"officers (this script)": "publisher"}
RATE_TARGET = 0.8  # the publisher's rate, as a share of the bare loop's
MEMORY_TARGET_MB = 150  # at 1,000 contacts


@dataclass(frozen=True)
class Relay:
    host: str
    port: int
    ca_file: str


@contextlib.contextmanager
def relay_process(work: Path) -> Iterator[tuple[Relay, list[int]]]:
    """The test relay in a process of its own; the list holds, once it stopped, how many messages
    it received."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--relay", str(work)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdin is not None
    received: list[int] = []
    try:
        yield Relay(**json.loads(child.stdout.readline())), received
    finally:
        child.stdin.close()  # the relay stops when its input ends
        received.append(int(child.stdout.readline() or -1))
        child.wait(30)


def serve_relay(work: Path) -> None:
    with smtp_server(work) as relay:
        print(json.dumps({"host": relay.host, "port": relay.port, "ca_file": relay.ca_file}), flush=True)
        sys.stdin.read()
        print(len(relay.mailbox.received), flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def through_publisher(contacts: int, work: Path) -> dict[str, Any]:
    servers = provide_servers(work)
    try:
        with relay_process(work) as (relay, received):
            key = uuid.uuid4().hex[:8]
            settings = PublisherSettings(
                nats_url=servers.nats_url,
                mongodb_url=servers.mongodb_url,
                mongodb_database=f"bench_{key}",
                stream_name=f"BENCH{key.upper()}",
                subject_prefix=f"bench{key}",
                smtp_host=relay.host,
                smtp_port=relay.port,
                smtp_ca_file=relay.ca_file,
                mail_concurrency=8,
                mail_per_second=100_000,
            )
            app = create_app(settings)
            token = issue_dev_token(settings, officer_id="dewi", role=Role.COVERAGE_TEAM)
            headers = {"Authorization": f"Bearer {token}"}
            registry = (
                "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
            )
            registry += "".join(f"Media {i},online,ya,,Wartawan {i},,w{i}@media{i}.id,ya\n" for i in range(contacts))
            async with running_app(app) as client:
                r = await client.post(
                    "/media/import", params={"dry_run": "false"}, content=registry.encode(), headers=headers
                )
                r.raise_for_status()
                now = datetime.now(UTC)
                rid = f"bench-{key}"
                submitted = CoverageSubmitted.occurred(
                    data=CoverageSubmittedData(
                        request_id=rid,
                        version=1,
                        press_release=PressRelease(title="Judul siaran pers", body="Isi. " * 200),
                        assets=(AssetRef(kind=AssetKind.PHOTO, uri="http://c/a", sha256="a" * 64),),
                        submitted_by="dewi",
                        contributors=("dewi",),
                    ),
                    request_id=rid,
                    time=now - timedelta(minutes=5),
                )
                await app.state.handlers.keep_submission(submitted)
                approved = Approved.occurred(
                    data=ApprovedData(request_id=rid, version=1, level=ReviewLevel.SECTION_HEAD),
                    request_id=rid,
                    time=now,
                )
                await app.state.handlers.order_publication(approved)
                r = await client.post(
                    f"/publications/{rid}/website",
                    json={"website_url": "https://tangerangkota.go.id/b/1"},
                    headers=headers,
                )
                r.raise_for_status()
                # The database's CPU where it is a process of this machine (embedded), not a URL's.
                database = servers.mongo.process.pid if servers.mongo and servers.mongo.process else None
                cpu_before = cpu_seconds({"database": database} if database else {})
                started = time.perf_counter()
                r = await client.post(f"/publications/{rid}/publish", headers=headers, timeout=600)
                seconds = time.perf_counter() - started
                r.raise_for_status()
                cpu_after = cpu_seconds({"database": database} if database else {})
                # This process's own time (``cpu_seconds`` calls it the driver's) is the publisher's.
                cpu_ms = {
                    THIS.get(name, name): 1000 * (cpu_after[name] - was) / contacts for name, was in cpu_before.items()
                }
                assert r.json()["email"]["sent"] == contacts, r.text
            publisher_rate, publisher_peak = contacts / seconds, peak_mb()

            # The same number of messages in a bare aiosmtplib loop, the same concurrency.
            tls = ssl.create_default_context(cafile=relay.ca_file)
            gate = asyncio.Semaphore(8)

            async def send(i: int) -> None:
                message = EmailMessage()
                message["From"], message["To"], message["Subject"] = "a@b.id", f"x{i}@media.id", "Judul siaran pers"
                message.set_content("Isi. " * 200)
                async with gate:
                    await aiosmtplib.send(
                        message, hostname=relay.host, port=relay.port, start_tls=True, tls_context=tls
                    )

            started = time.perf_counter()
            await asyncio.gather(*(send(i) for i in range(contacts)))
            bare_rate = contacts / (time.perf_counter() - started)
        assert received == [2 * contacts], received  # the relay had every message of both
        return {
            "contacts": contacts,
            "publisher": publisher_rate,
            "bare": bare_rate,
            "peak_mb": publisher_peak,
            "cpu_ms_per_message": cpu_ms,  # without the database where it is not a process of this machine
        }
    finally:
        servers.close()


def measure(contacts: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(asyncio.run(through_publisher(contacts, Path(work)))), flush=True)


def main(counts: list[int], as_json: bool = False) -> None:
    for contacts in counts:
        # A fresh process each: its peak memory is this count's alone.
        run = subprocess.run([sys.executable, __file__, "--measure", str(contacts)], capture_output=True, text=True)
        if run.returncode:
            sys.exit(run.stderr[-3000:])
        found = json.loads(run.stdout.strip().splitlines()[-1])
        if as_json:
            print(json.dumps(found), flush=True)
            continue
        ratio = found["publisher"] / found["bare"]
        print(
            f"email {contacts} contacts: {found['publisher']:.0f} msg/s through the publisher, {found['bare']:.0f} "
            f"msg/s bare aiosmtplib ({ratio:.2f}x, target >= {RATE_TARGET}); peak RSS of the publisher's process "
            f"{found['peak_mb']:.0f} MB (target < {MEMORY_TARGET_MB} MB at 1,000)"
        )
        cpu = found.get("cpu_ms_per_message", {})
        if cpu:
            parts = [f"the publisher's process {cpu['publisher']:.2f} ms"]
            parts += [f"the database {cpu['database']:.2f} ms"] if "database" in cpu else []
            print(f"  CPU a message: {', '.join(parts)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--relay"]:
        serve_relay(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--measure"]:
        measure(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--json"]:  # each count's figures as a line of JSON (bench/before_after.py)
        main([int(n) for n in sys.argv[2:]], as_json=True)
    else:
        main([int(n) for n in sys.argv[1:]] or [250, 1000])
