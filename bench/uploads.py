"""Upload throughput and the coverage service's memory while a large video arrives.

For 100 MB and 1 GB videos: the coverage service runs as its own process, as in production, and
receives the file in 64 MB resumable requests; its resident memory is sampled all along. The
same bytes are then written straight into GridFS with PyMongo in this process, as the baseline.
Targets (issue): peak RSS under 150 MB during the 1 GB upload, and upload throughput at least half
the raw GridFS write. Run with ``make bench`` (or ``python bench/uploads.py 100`` for one size).
"""

import asyncio
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import httpx
import nats
from bson import ObjectId
from gridfs import AsyncGridFSBucket
from pymongo import AsyncMongoClient

from warta.contracts import LeadershipEvent, Role, TeamAssigned, TeamAssignedData, TeamMember, subject_for
from warta.devstack.samples import mp4_header
from warta.devstack.servers import free_port, provide_servers, wait_for_port
from warta.runtime import ServiceSettings, issue_dev_token
from warta.runtime.gridfs import Progress, ResumableGridFSFile

MB = 1024 * 1024
REQUEST_BYTES = 64 * MB
BLOCK = os.urandom(MB)


def video_bytes(size: int) -> tuple[bytes, int]:
    """The header, and how many payload bytes follow it, for a video of ``size`` bytes."""
    header = mp4_header()
    payload = size - len(header) - 8
    return header + payload.to_bytes(4, "big") + b"mdat", payload


async def pieces(size: int, start: int, end: int) -> AsyncIterator[bytes]:
    """Bytes ``start`` to ``end`` of the video, generated as they are sent (never held whole)."""
    head, _ = video_bytes(size)
    position = start
    while position < end:
        if position < len(head):
            piece = head[position : min(end, len(head))]
        else:
            offset = (position - len(head)) % MB
            piece = BLOCK[offset : offset + min(end - position, MB - offset, 1024 * 1024)]
        position += len(piece)
        yield piece


def digest_of(size: int) -> str:
    head, payload = video_bytes(size)
    digest = hashlib.sha256(head)
    full, rest = divmod(payload, MB)
    for _ in range(full):
        digest.update(BLOCK)
    digest.update(BLOCK[:rest])
    return digest.hexdigest()


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            try:
                for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except FileNotFoundError:
                return
            time.sleep(0.02)


def start_service(settings: dict[str, str], port: int, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {**os.environ, **settings, "WARTA_HTTP_PORT": str(port)}
    return subprocess.Popen([sys.executable, "-m", "warta.coverage"], env=env, stdout=log, stderr=subprocess.STDOUT)


async def measure(size: int, servers_nats: str, servers_mongo: str, work: Path) -> dict[str, float]:
    key = uuid.uuid4().hex[:8]
    settings = {
        "WARTA_NATS_URL": servers_nats,
        "WARTA_MONGODB_URL": servers_mongo,
        "WARTA_MONGODB_DATABASE": f"bench_{key}",
        "WARTA_STREAM_NAME": f"BENCH{key.upper()}",
        "WARTA_SUBJECT_PREFIX": f"bench{key}",
        "WARTA_VIDEO_MAX_BYTES": str(4 * 1024 * MB),
    }
    port = free_port()
    log = (work / f"coverage-{key}.log").open("wb")
    process = start_service(settings, port, log)
    try:
        wait_for_port("127.0.0.1", port, 60, process)
        rid = f"bench-{key}"
        now = datetime.now(UTC)
        assigned = TeamAssigned.occurred(
            data=TeamAssignedData(
                request_id=rid,
                revision=1,
                members=(TeamMember(officer_id="yoga", role="videographer"),),
                event=LeadershipEvent(
                    title="t", starts_at=now, ends_at=now + timedelta(hours=1), location="l", leader="sekda"
                ),
                coverage_starts_at=now,
            ),
            request_id=rid,
            time=now,
        )
        nc = await nats.connect(servers_nats)
        subject = f"bench{key}." + subject_for(TeamAssigned).removeprefix("warta.")
        await nc.jetstream().publish(
            subject, assigned.model_dump_json().encode(), headers={"Nats-Msg-Id": str(assigned.id)}
        )
        await nc.close()

        token = issue_dev_token(ServiceSettings(service_name="bench"), officer_id="yoga", role=Role.COVERAGE_TEAM)
        headers = {"Authorization": f"Bearer {token}"}
        sampler = RssSampler(process.pid)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=600) as client:
            for _ in range(200):
                if (await client.get(f"/coverage/{rid}")).status_code == 200:
                    break
                await asyncio.sleep(0.05)
            declared = {"filename": "pidato.mp4", "size": size, "kind": "video"}
            upload = (await client.post(f"/coverage/{rid}/uploads", json=declared)).json()
            sampler.start()
            started = time.perf_counter()
            offset, answer = 0, {}
            while offset < size:
                end = min(size, offset + REQUEST_BYTES)
                r = await client.patch(
                    f"/coverage/{rid}/uploads/{upload['upload_id']}",
                    content=pieces(size, offset, end),
                    headers={"Upload-Offset": str(offset), "Content-Length": str(end - offset)},
                )
                r.raise_for_status()
                answer = r.json()
                offset = answer["offset"]
            upload_seconds = time.perf_counter() - started
            sampler.running = False
            sampler.join()
        if answer["asset"]["sha256"] != digest_of(size):
            raise RuntimeError("the stored video does not hash to what was sent")

        client_db: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(servers_mongo)
        bucket = AsyncGridFSBucket(client_db[f"bench_raw_{key}"])
        started = time.perf_counter()
        stream = bucket.open_upload_stream("raw.mp4")
        async for piece in pieces(size, 0, size):
            await stream.write(piece)
        await stream.close()
        raw_seconds = time.perf_counter() - started

        # The service's own writer without HTTP in front: tells the database's share from the web's.
        resumable = ResumableGridFSFile(client_db[f"bench_raw_{key}"], "direct", ObjectId())
        started = time.perf_counter()
        await resumable.append(Progress(0, b""), pieces(size, 0, size), size=size)
        direct_seconds = time.perf_counter() - started
        await client_db.drop_database(f"bench_raw_{key}")
        await client_db.drop_database(f"bench_{key}")
        await client_db.close()
        return {
            "size_mb": size / MB,
            "upload_mb_s": size / MB / upload_seconds,
            "raw_mb_s": size / MB / raw_seconds,
            "direct_mb_s": size / MB / direct_seconds,
            "peak_rss_mb": sampler.peak_kb / 1024,
        }
    finally:
        process.terminate()
        process.wait(30)
        log.close()


async def main(sizes_mb: list[int]) -> None:
    with tempfile.TemporaryDirectory() as work:
        servers = provide_servers(Path(work))
        try:
            for size_mb in sizes_mb:
                result = await measure(size_mb * MB, servers.nats_url, servers.mongodb_url, Path(work))
                ratio = result["upload_mb_s"] / result["raw_mb_s"]
                print(
                    f"upload {size_mb} MB ({servers.backend}): {result['upload_mb_s']:.1f} MB/s through the service, "
                    f"{result['raw_mb_s']:.1f} MB/s raw GridFS ({ratio:.2f}x, target >= 0.5); "
                    f"service peak RSS {result['peak_rss_mb']:.0f} MB (target < 150); "
                    f"the service's chunk writer alone, without HTTP: {result['direct_mb_s']:.1f} MB/s"
                )
        finally:
            servers.close()


if __name__ == "__main__":
    asyncio.run(main([int(a) for a in sys.argv[1:]] or [100, 1024]))
