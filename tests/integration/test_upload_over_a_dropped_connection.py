"""A video upload whose TCP connection drops halfway resumes where it stopped, even after the
coverage service (running as its own process) restarts in between."""

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from warta.contracts import LeadershipEvent, Role, TeamAssigned, TeamAssignedData, TeamMember, subject_for
from warta.devstack import samples
from warta.devstack.pytest_plugin import eventually

RID = "req-dropped"


def video(payload: int) -> bytes:
    return samples.mp4(payload)


async def open_workspace(namespace, request_id: str) -> None:
    """The team assignment that opens a coverage workspace to a videographer, dewi."""
    now = datetime.now(UTC)
    event = LeadershipEvent(title="t", starts_at=now, ends_at=now + timedelta(hours=1), location="l", leader="sekda")
    assigned = TeamAssigned.occurred(
        data=TeamAssignedData(
            request_id=request_id,
            revision=1,
            members=(TeamMember(officer_id="dewi", role="videographer"),),
            event=event,
            coverage_starts_at=now,
        ),
        request_id=request_id,
        time=now,
    )
    suffix = subject_for(TeamAssigned).removeprefix("warta.")
    await namespace.publish_raw(suffix, assigned.model_dump_json().encode(), str(assigned.id))


@pytest.mark.slow
async def test_a_dropped_connection_loses_nothing_that_arrived(namespace, service_processes):
    coverage = service_processes("coverage")
    coverage.start()
    await open_workspace(namespace, RID)
    headers = namespace.token(Role.COVERAGE_TEAM, "dewi")

    content = video(6 * 1024 * 1024)
    async with httpx.AsyncClient(base_url=coverage.url, headers=headers, timeout=30) as client:
        await eventually(lambda: _status(client.get(f"/coverage/{RID}"), 200))
        r = await client.post(
            f"/coverage/{RID}/uploads", json={"filename": "v.mp4", "size": len(content), "kind": "video"}
        )
        upload = r.json()
        path = f"/coverage/{RID}/uploads/{upload['upload_id']}"

        # Half the body on a raw socket, then the connection is gone.
        cut = 2_700_001
        _, writer = await asyncio.open_connection("127.0.0.1", coverage.port)
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{_header_lines(headers)}"
            f"Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {len(content)}\r\n\r\n"
        )
        writer.write(head.encode() + content[:cut])
        await writer.drain()
        # Closed with the body unfinished: to the server, the phone's connection went away. (A reset
        # instead of a close could discard bytes the kernel had not yet handed over.)
        writer.close()
        print(f"injected: connection dropped after {cut} of {len(content)} bytes")

        status = await eventually(lambda: _stands_at(client.get(path), cut))
        assert status["state"] == "receiving"

        # The service restarts before the phone comes back: nothing of the upload lived only in
        # its memory (the hash is then taken from the stored bytes).
        coverage.stop()
        coverage.start()

        r = await client.patch(path, content=content[cut:], headers={"Upload-Offset": str(cut)})
        assert r.status_code == 200, r.text
        asset = r.json()["asset"]
        assert asset["sha256"] == hashlib.sha256(content).hexdigest()
        served = await client.get(f"/assets/{asset['asset_id']}")
        assert hashlib.sha256(served.content).hexdigest() == asset["sha256"]
    print("checked: resumed from the byte where the connection dropped; the stored file hashes to the original")


def _header_lines(headers: dict[str, str]) -> str:
    return "".join(f"{name}: {value}\r\n" for name, value in headers.items())


async def _status(response, expected: int) -> bool:
    return (await response).status_code == expected


async def _stands_at(response, offset: int):
    body = (await response).json()
    return body if body.get("offset") == offset and body.get("state") == "receiving" else None


@pytest.mark.slow
async def test_a_crash_after_the_asset_is_committed_completes_the_upload_once(namespace, service_processes):
    coverage = service_processes("coverage")
    coverage.start()
    await open_workspace(namespace, "req-crash-upload")
    headers = namespace.token(Role.COVERAGE_TEAM, "dewi")
    content = video(300_000)
    base = "/coverage/req-crash-upload"
    async with httpx.AsyncClient(base_url=coverage.url, headers=headers, timeout=30) as client:
        await eventually(lambda: _status(client.get(base), 200))
        declared = {"filename": "v.mp4", "size": len(content), "kind": "video"}
        upload = (await client.post(f"{base}/uploads", json=declared)).json()
        path = f"{base}/uploads/{upload['upload_id']}"
        coverage.stop()
        coverage.start(WARTA_FAULT_POINTS="upload.after_asset_commit")
        with pytest.raises(httpx.TransportError):
            await client.patch(path, content=content, headers={"Upload-Offset": "0"})
        print("injected: SIGKILL after the asset was committed, before the upload was marked complete")
        coverage.process.wait(10)
        coverage.start()
        status = (await client.get(path)).json()
        assert (status["offset"], status["state"]) == (len(content), "receiving")
        # The phone sends the (empty) rest at the offset the service reports.
        r = await client.patch(path, content=b"", headers={"Upload-Offset": str(status["offset"])})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "complete"
        assert r.json()["asset"]["sha256"] == hashlib.sha256(content).hexdigest()
        workspace = (await client.get(base)).json()
        assert workspace["workspace"]["asset_ids"] == [r.json()["asset"]["asset_id"]]
        assert [a["asset_id"] for a in workspace["assets"]] == [r.json()["asset"]["asset_id"]]
    print("checked: the retry found the committed asset and completed the upload; one asset in the workspace")


@pytest.mark.slow
async def test_a_retry_racing_a_slow_completion_makes_one_asset_not_an_error(namespace, service_processes):
    coverage = service_processes("coverage")
    # The last step of a completion (after the bytes are stored) is slow, as under load.
    coverage.start(WARTA_SLOW_POINTS="upload.completing:2")
    rid = "req-race-upload"
    await open_workspace(namespace, rid)
    headers = namespace.token(Role.COVERAGE_TEAM, "dewi")
    content = video(200_000)
    async with httpx.AsyncClient(base_url=coverage.url, headers=headers, timeout=30) as client:
        await eventually(lambda: _status(client.get(f"/coverage/{rid}"), 200))
        declared = {"filename": "v.mp4", "size": len(content), "kind": "video"}
        path = (
            f"/coverage/{rid}/uploads/"
            + (await client.post(f"/coverage/{rid}/uploads", json=declared)).json()["upload_id"]
        )
        first = asyncio.create_task(client.patch(path, content=content, headers={"Upload-Offset": "0"}))
        await eventually(lambda: _stands_at(client.get(path), len(content)))
        # The phone gave up waiting and sends the (empty) rest again while the first still completes.
        second = await client.patch(path, content=b"", headers={"Upload-Offset": str(len(content))})
        first_done = await first
        print("injected: a second completion of the same upload while the first was still committing")
    assert (first_done.status_code, second.status_code) == (200, 200), (first_done.text, second.text)
    assert first_done.json()["asset"]["asset_id"] == second.json()["asset"]["asset_id"]
    async with httpx.AsyncClient(base_url=coverage.url, headers=headers) as client:
        workspace = (await client.get(f"/coverage/{rid}")).json()
    assert len(workspace["workspace"]["asset_ids"]) == 1
    print("checked: both answered with the same asset; the workspace holds it once")


@pytest.mark.slow
async def test_a_transfer_holds_its_upload_while_it_runs_and_a_dead_one_frees_it(namespace, service_processes):
    coverage = service_processes("coverage")
    lease = {"WARTA_UPLOAD_LEASE_SECONDS": "2"}
    coverage.start(**lease)
    await open_workspace(namespace, "req-lease")
    headers = namespace.token(Role.COVERAGE_TEAM, "dewi")
    content = video(400_000)
    base = "/coverage/req-lease"
    async with httpx.AsyncClient(base_url=coverage.url, headers=headers, timeout=30) as client:
        await eventually(lambda: _status(client.get(base), 200))
        declared = {"filename": "v.mp4", "size": len(content), "kind": "video"}
        upload = (await client.post(f"{base}/uploads", json=declared)).json()
        path = f"{base}/uploads/{upload['upload_id']}"

        # A weak line: the first half trickles in over 5 s, more than twice the lease.
        async def trickle():
            half = len(content) // 2
            for at in range(0, half, half // 10):
                yield content[at : min(at + half // 10, half)]
                await asyncio.sleep(0.5)

        slow = asyncio.create_task(client.patch(path, content=trickle(), headers={"Upload-Offset": "0"}))
        await asyncio.sleep(3.5)
        second = await client.patch(path, content=content, headers={"Upload-Offset": "0"})
        assert second.status_code == 409, second.text  # the running transfer still holds it
        assert (await slow).status_code == 200
        print("checked: a transfer longer than the lease kept its upload (the second one was refused)")

        coverage.stop()
        # Long enough to outlast a restart, so the next transfer still finds the dead one's hold.
        lease = {"WARTA_UPLOAD_LEASE_SECONDS": "15"}
        coverage.start(**lease, WARTA_FAULT_POINTS="upload.leased")
        offset = (await client.get(path)).json()["offset"]
        with pytest.raises(httpx.TransportError):
            await client.patch(path, content=content[offset:], headers={"Upload-Offset": str(offset)})
        coverage.process.wait(10)
        coverage.start(**lease)
        print("injected: SIGKILL of the coverage service holding the upload's lease")
        r = await client.patch(path, content=content[offset:], headers={"Upload-Offset": str(offset)})
        assert r.status_code == 409  # the dead transfer's lease has not run out yet

        async def completed() -> bool:
            r = await client.patch(path, content=content[offset:], headers={"Upload-Offset": str(offset)})
            return r.status_code == 200 and r.json()["state"] == "complete"

        await eventually(completed, timeout=40, interval=0.5)
        status = (await client.get(path)).json()
        assert status["asset"]["sha256"] == hashlib.sha256(content).hexdigest()
    print("checked: the dead transfer's upload was free again once its lease ran out, and completed")
