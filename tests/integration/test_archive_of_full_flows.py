"""The archive, added beside the five services as one more process, records whole requests as the
stream holds them: every message once and in stream order, each request's seven steps timed, also
when the archive is killed between keeping a message and acknowledging it."""

import asyncio
import json
import signal
from contextlib import ExitStack

import httpx
import pytest

from warta.contracts import Role
from warta.devstack.demo import walk
from warta.devstack.pytest_plugin import SERVICES, eventually
from warta.devstack.smtp import smtp_server
from warta.runtime import ServiceSettings, issue_dev_token


@pytest.mark.slow
async def test_full_flows_land_in_the_archive_once_and_in_order(namespace, service_processes, mongo, tmp_path):
    with ExitStack() as stack:
        await _walk_and_check(stack, namespace, service_processes, mongo, tmp_path)


async def _walk_and_check(stack, namespace, service_processes, mongo, tmp_path) -> None:
    settings = ServiceSettings(service_name="test")

    def token_for(officer_id: str, role: Role) -> str:
        return issue_dev_token(settings, officer_id=officer_id, role=role)

    relay = stack.enter_context(smtp_server(tmp_path))
    mail = {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port), "WARTA_SMTP_CA_FILE": relay.ca_file}
    processes = {name: service_processes(name) for name in SERVICES}
    for process in processes.values():
        process.start(**mail)
    archive = service_processes("archive")
    # Killed after keeping its fifth message and before acknowledging it: that one comes again.
    archive.start(WARTA_FAULT_POINTS="consume.after_handle@5")
    urls = {name: p.url for name, p in processes.items()}

    async def restart_the_archive() -> None:
        # Polled, not waited on in a thread: if the walks fail first, cancelling this ends it,
        # where a thread blocked in wait() would hold the test's event loop open for good.
        while archive.exit_code() is None:  # noqa: ASYNC110 - a process's exit sets no asyncio.Event
            await asyncio.sleep(0.1)
        assert archive.exit_code() == -signal.SIGKILL, archive.log()[-2000:]
        await asyncio.to_thread(archive.start)

    restarted = asyncio.create_task(restart_the_archive())
    try:
        straight = await walk(urls, token_for, straight=True, patience=60)
        returned = await walk(urls, token_for, patience=60)  # returned once at each review level
        await asyncio.wait_for(restarted, 60)
    finally:
        restarted.cancel()
    print("injected: SIGKILL of the archive between keeping its fifth message and acknowledging it; restarted")

    stream = await namespace.stored()
    records = mongo[namespace.database("archive")].records

    async def all_kept() -> list[dict]:
        found = [doc async for doc in records.find().sort("sequence", 1)]
        return found if len(found) == len(stream) else []

    kept = await eventually(all_kept, timeout=30)
    assert [(r["subject"], r["payload"].encode()) for r in kept] == [(s, data) for s, data, _ in stream]
    assert [json.loads(r["payload"])["id"] for r in kept] == [r["_id"] for r in kept]
    assert all(r["known"] for r in kept)

    head = {"Authorization": f"Bearer {token_for('hendra', Role.SECTION_HEAD)}"}
    async with httpx.AsyncClient(base_url=archive.url, headers=head) as client:
        # Returned by the team lead the team writes version 2; the section head's return the team
        # lead corrects within step 5: two runs of step 4.
        for timeline, rounds in ((straight, 1), (returned, 2)):
            r = await client.get(f"/requests/{timeline.request_id}/timeline")
            assert r.status_code == 200, r.text
            story = r.json()
            steps = [run["step"] for run in story["steps"] if run["finished_at"]]
            assert sorted(set(steps)) == list(range(1, 8))
            assert steps.count(4) == rounds  # every version the team wrote is a run of step 4
            dossier = (await client.get(f"/requests/{timeline.request_id}")).json()
            assert (dossier["state"], dossier["agenda_number"]) == ("published", timeline.agenda_number)
    print(f"checked: {len(kept)} records equal the {len(stream)} stream messages, in order; both requests timed")
