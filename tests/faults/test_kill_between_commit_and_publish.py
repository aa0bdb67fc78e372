"""A service killed between its database write and its publish loses no event."""

import signal

import httpx
import pytest

from warta.contracts import RequestReceived, Role
from warta.devstack import samples
from warta.devstack.pytest_plugin import eventually

LETTER = samples.registration("800/77/2026")


@pytest.mark.slow
async def test_sigkill_after_commit_then_restart_relays_the_event(namespace, service_processes, mongo):
    intake = service_processes("intake")
    headers = namespace.token(Role.ADMIN, "siti")
    intake.start()
    async with httpx.AsyncClient(timeout=10) as client:
        registered = await client.post(f"{intake.url}/requests", json=LETTER, headers=headers)
    assert registered.status_code == 201, registered.text
    intake.stop()

    intake.start(WARTA_FAULT_POINTS="outbox.after_commit")
    print("injected: SIGKILL of intake right after the commit that issues the disposition sheet, before any publish")
    with pytest.raises(httpx.TransportError):
        async with httpx.AsyncClient(timeout=10) as client:
            await client.post(f"{intake.url}/requests/{registered.json()['id']}/disposition-sheet", headers=headers)
    intake.process.wait(10)
    assert intake.exit_code() == -signal.SIGKILL

    db = mongo[namespace.database("intake")]
    [request] = await db.requests.find().to_list(None)
    [pending] = await db.outbox.find().to_list(None)
    assert pending["sent_at"] is None
    assert await namespace.events() == [], "nothing may be published before the relay runs"
    print(f"checked: request {request['_id']} committed, its event {pending['_id']} pending, stream empty")

    intake.start()  # no fault this time
    events = await eventually(namespace.events)
    assert [(type(e), str(e.id)) for e in events] == [(RequestReceived, pending["_id"])]
    assert events[0].data.request_id == request["_id"]
    relayed = await eventually(lambda: db.outbox.find_one({"_id": pending["_id"], "sent_at": {"$ne": None}}))
    assert relayed["sent_at"] is not None
    print("checked: after restart the outbox relayed exactly that event, once, and marked it sent")
