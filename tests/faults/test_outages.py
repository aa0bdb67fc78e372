"""NATS and the database go away in the middle of 50 concurrent flows and come back: services
report not ready and answer 503 with a clear message meanwhile, recover by themselves, and every
flow reaches the scheduler once."""

import asyncio
import contextlib
from typing import Any

import httpx
import nats
import pytest
from pymongo import AsyncMongoClient

from warta.contracts import DispositionIssued, RequestReceived, subject_for
from warta.devstack.flows import FlowLog, intake_flow
from warta.devstack.pytest_plugin import eventually

FLOWS = 50


async def run_flows(intake_url: str, token_for, log: FlowLog) -> list[str]:
    return list(await asyncio.gather(*(intake_flow(n, intake_url, token_for, log) for n in range(FLOWS))))


async def watch_readiness(url: str, seen: set[int], stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=3) as client:
        while not stop.is_set():
            with contextlib.suppress(httpx.HTTPError):
                seen.add((await client.get(f"{url}/readyz")).status_code)
            await asyncio.sleep(0.2)


async def flows_through_an_outage(intake_url: str, token_for, server, seconds: float, what: str):
    """The flows, with ``server`` stopped once ten of them are registered and started again after
    ``seconds``; returns their request ids and what they met."""
    log = FlowLog()

    async def outage() -> None:
        await eventually(lambda: log.registered >= 10)
        server.stop()
        print(f"injected: {what} stopped while the flows run")
        await asyncio.sleep(seconds)
        server.start()
        print(f"injected: {what} started again with the same storage")

    request_ids, _ = await asyncio.gather(run_flows(intake_url, token_for, log), outage())
    assert log.registered == FLOWS
    return request_ids, log


async def check_every_flow_arrived_once(namespace, own_servers, request_ids: list[str]) -> None:
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(own_servers.env["WARTA_MONGODB_URL"], tz_aware=True)
    try:
        agenda = mongo[namespace.database("scheduler")].agenda

        async def all_arrived() -> bool:
            return await agenda.count_documents({}) == FLOWS

        await eventually(all_arrived, timeout=60)
        entries = await agenda.find({}, {"_id": 1}).to_list(None)
        assert sorted(e["_id"] for e in entries) == sorted(request_ids)
        intake = mongo[namespace.database("intake")]
        assert await intake.requests.count_documents({"state": "disposed"}) == FLOWS
        assert await intake.outbox.count_documents({"sent_at": None}) == 0
    finally:
        await mongo.close()


async def stream_events(own_servers, namespace) -> list[str]:
    connection = await nats.connect(own_servers.env["WARTA_NATS_URL"])
    try:
        js = connection.jetstream()
        info = await js.stream_info(namespace.stream_name)
        types = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await js.get_msg(namespace.stream_name, seq)
            types.append(msg.subject or "")
        return types
    finally:
        await connection.close()


@pytest.mark.slow
async def test_nats_stops_and_returns_in_the_middle_of_fifty_flows(
    namespace, service_processes, own_servers, token_for
):
    intake, scheduler = service_processes("intake"), service_processes("scheduler")
    intake.start(**own_servers.env)
    scheduler.start(**own_servers.env)
    readiness: set[int] = set()
    stop_watching = asyncio.Event()
    watcher = asyncio.create_task(watch_readiness(intake.url, readiness, stop_watching))
    request_ids, _ = await flows_through_an_outage(intake.url, token_for, own_servers.nats, 4.0, "NATS")
    await check_every_flow_arrived_once(namespace, own_servers, request_ids)
    stop_watching.set()
    await watcher
    assert 503 in readiness  # intake said it was not ready while NATS was away
    assert 200 in readiness
    subjects = await stream_events(own_servers, namespace)
    assert subjects.count(subject_for(RequestReceived, namespace.subject_prefix)) == FLOWS
    assert subjects.count(subject_for(DispositionIssued, namespace.subject_prefix)) == FLOWS
    assert intake.exit_code() is None
    assert scheduler.exit_code() is None
    print(
        f"checked: {FLOWS} flows registered, disposed and on the scheduler's agenda once each; "
        f"each event once in the stream; readiness answers seen {sorted(readiness)}"
    )


@pytest.mark.slow
async def test_the_database_stops_and_returns_in_the_middle_of_fifty_flows(
    namespace, service_processes, own_servers, token_for
):
    intake, scheduler = service_processes("intake"), service_processes("scheduler")
    intake.start(**own_servers.env)
    scheduler.start(**own_servers.env)
    # Longer than a request waits for the database (WARTA_MONGODB_WAIT_SECONDS), so some get a 503.
    request_ids, log = await flows_through_an_outage(intake.url, token_for, own_servers.mongo, 6.0, "the database")
    await check_every_flow_arrived_once(namespace, own_servers, request_ids)
    assert len(set(request_ids)) == FLOWS
    assert log.unavailable, "no request met the outage: it came too late to test anything"
    assert all("database is not reachable" in message for message in log.unavailable)
    subjects = await stream_events(own_servers, namespace)
    assert subjects.count(subject_for(RequestReceived, namespace.subject_prefix)) == FLOWS
    assert subjects.count(subject_for(DispositionIssued, namespace.subject_prefix)) == FLOWS
    print(
        f"checked: {len(log.unavailable)} answers were a clear 503 during the outage, {log.retries} retries; "
        f"{FLOWS} flows on the scheduler's agenda once each; each event once in the stream"
    )
