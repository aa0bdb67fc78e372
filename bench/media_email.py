"""Emailing 1,000 media contacts: messages per second through the publisher, against a bare
aiosmtplib loop to the same test SMTP server (aiosmtpd with STARTTLS) in the same run.

Target (issue): at least half the bare loop's rate. The publisher's own rate limit is set high
here: the limit is the relay's policy, the benchmark measures the machinery. Run with
``make bench`` (or ``python bench/media_email.py 1000``).
"""

import asyncio
import resource
import ssl
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

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


async def through_publisher(contacts: int, work: Path) -> tuple[float, float]:
    servers = provide_servers(work)
    try:
        with smtp_server(work) as relay:
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
                started = time.perf_counter()
                r = await client.post(f"/publications/{rid}/publish", headers=headers, timeout=600)
                seconds = time.perf_counter() - started
                r.raise_for_status()
                assert r.json()["email"]["sent"] == contacts, r.text
                assert len(relay.mailbox.received) == contacts
            publisher_rate = contacts / seconds

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
        return publisher_rate, bare_rate
    finally:
        servers.close()


def main(contacts: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        publisher_rate, bare_rate = asyncio.run(through_publisher(contacts, Path(work)))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"email {contacts} contacts: {publisher_rate:.0f} msg/s through the publisher, {bare_rate:.0f} msg/s bare "
        f"aiosmtplib ({publisher_rate / bare_rate:.2f}x, target >= 0.5); peak RSS of the process {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
