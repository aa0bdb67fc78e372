"""Many requests from letter to publication while random services are SIGKILLed every few seconds
for two minutes and started again, as a cluster would. Seeded: the same seed kills the same
services at the same moments of the run (``WARTA_CHAOS_SEED`` to replay one). At the end every
request is published, every event exists once, every media contact has each release (a second copy
only of a message a kill left in doubt, with the same Message-ID), and every service's database
holds its invariants."""

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest

from warta.contracts import Published, Role, parse_event
from warta.devstack.demo import DemoFailed, walk
from warta.devstack.pytest_plugin import SERVICES, eventually
from warta.devstack.smtp import smtp_server
from warta.runtime import ServiceSettings, issue_dev_token

FLOWS = int(os.environ.get("WARTA_CHAOS_FLOWS", "200"))
SIDE_BY_SIDE = 12  # officers working at once
CHAOS_SECONDS = 120
SEED = int(os.environ.get("WARTA_CHAOS_SEED", "58"))
CONTACTS = 2  # DEV_MEDIA in the walk


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_requests_complete_and_nothing_happens_twice_under_random_kills(
    namespace, service_processes, mongo, tmp_path
):
    settings = ServiceSettings(service_name="test")

    def token_for(officer_id: str, role: Role) -> str:
        return issue_dev_token(settings, officer_id=officer_id, role=role)

    chance = random.Random(SEED)
    plan = []  # (second of the run, service) of every kill, fixed by the seed
    moment = 2.0
    while moment < CHAOS_SECONDS:
        plan.append((moment, chance.choice(SERVICES)))
        moment += chance.uniform(2.0, 6.0)
    print(f"seed {SEED}: {len(plan)} kills planned over {CHAOS_SECONDS} s: {Counter(s for _, s in plan)}")

    with smtp_server(tmp_path) as relay:
        env = {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port), "WARTA_SMTP_CA_FILE": relay.ca_file}
        # The production retry budget, not the other tests' quick one: an approval that overtakes
        # its submission waits for it while the service holding that submission is restarted,
        # maybe more than once, and its ack wait runs out each time.
        production = ServiceSettings.model_fields
        env |= {
            "WARTA_MAX_DELIVER": str(production["max_deliver"].default),
            "WARTA_REDELIVERY_BACKOFF_SECONDS": json.dumps(production["redelivery_backoff_seconds"].default),
            # One scripted administrator imports the media registry for all 200 requests, faster
            # than the per-officer upload limit lets a person; the limit has its own tests.
            "WARTA_UPLOADS_PER_MINUTE": "1000000",
        }
        processes = {name: service_processes(name) for name in SERVICES}
        for process in processes.values():
            process.start(**env)
        urls = {name: p.url for name, p in processes.items()}
        restarts: Counter[str] = Counter()
        stop = asyncio.Event()

        async def chaos() -> None:
            started = time.monotonic()
            for at, service in plan:
                await asyncio.sleep(max(0.0, started + at - time.monotonic()))
                processes[service].kill()

        async def supervise() -> None:
            while not stop.is_set():
                for name, process in processes.items():
                    if process.exit_code() is not None:
                        assert process.exit_code() == -signal.SIGKILL, process.log()[-2000:]
                        restarts[name] += 1
                        # Killed again while starting, it is simply started once more.
                        with contextlib.suppress(RuntimeError):
                            await asyncio.to_thread(process.start, **env)
                await asyncio.sleep(0.1)

        gate = asyncio.Semaphore(SIDE_BY_SIDE)

        async def one(number: int) -> str:
            async with gate:
                # Each event three hours after the one before: the same team covers them all.
                # Patient officers: a transaction left open by a killed process holds its documents
                # until the database aborts it, and writes to them wait that long.
                timeline = await walk(
                    urls,
                    token_for,
                    straight=True,
                    event_starts_in=timedelta(days=1, hours=3 * number),
                    patience=240,
                )
                return timeline.request_id

        supervisor = asyncio.create_task(supervise())
        killer = asyncio.create_task(chaos())
        try:
            request_ids = await asyncio.gather(*(one(n) for n in range(FLOWS)))
        except DemoFailed as failure:
            print(f"restarts by service {dict(restarts)}; dead letters: {await namespace.dead_letters()}")
            for stuck in set(re.findall(r"[0-9a-f]{8}-[0-9a-f-]{27}", str(failure))):
                for name, process in processes.items():
                    lines = [line for line in process.log().splitlines() if stuck in line]
                    print(f"{name} on {stuck}:", *lines[-20:], sep="\n  ")
            raise
        await killer
        stop.set()
        await supervisor
        print(f"injected: {sum(restarts.values())} SIGKILLs, restarts by service {dict(restarts)}")

        async def all_published() -> list:
            events = [parse_event(data) for data in await namespace.raw_messages()]
            done = {e.subject for e in events if isinstance(e, Published)}
            return events if done >= set(request_ids) else []

        events = await eventually(all_published, timeout=120)

        # Every event once; every request the straight shape.
        assert len({e.id for e in events}) == len(events)
        shape = Counter(e.type for e in events)
        assert shape == {
            "warta.request.received.v1": FLOWS,
            "warta.disposition.issued.v1": FLOWS,
            "warta.team.assigned.v1": FLOWS,
            "warta.coverage.submitted.v1": FLOWS,
            "warta.review.approved.v1": 2 * FLOWS,
            "warta.publication.published.v1": FLOWS,
        }, shape
        # Every contact has each release, and a second copy only of a message whose outcome the
        # publisher never learned: handed to the relay, then the process was killed before it
        # could record the relay's answer. That copy is resent with the same Message-ID, so the
        # newsroom's mail client shows it once; no other message goes twice.
        message_ids = Counter(m["Message-ID"] for m in relay.mailbox.received)
        assert len(message_ids) == CONTACTS * FLOWS
        log = processes["publisher"].log()
        # No message is recorded as sent twice (a second successful send would be). The log line
        # follows the ledger's write, so a kill between the two leaves a sent message without
        # its line: the ledger, checked below, is what says each of the 400 was sent.
        recorded = Counter(re.findall(r"email (<[^>]+>) recorded as sent", log))
        assert set(recorded) <= set(message_ids)
        assert max(recorded.values()) == 1
        assert len(recorded) >= CONTACTS * FLOWS - restarts["publisher"] * 4  # a line lost only to a kill
        twice = {mid: n for mid, n in message_ids.items() if n > 1}
        for mid, copies in twice.items():
            assert log.count(f"email {mid} handed to the relay") == copies, mid
        assert len(twice) <= restarts["publisher"] * 4  # at most WARTA_MAIL_CONCURRENCY in doubt per kill
        assert await namespace.dead_letters() == []

        db = {name: mongo[namespace.database(name)] for name in SERVICES}
        for name in SERVICES:  # everything committed was relayed
            assert await db[name].outbox.count_documents({"sent_at": None}) == 0, name
        numbers = sorted([int(r["agenda_number"].split("/")[0]) async for r in db["intake"].requests.find()])
        assert numbers == list(range(1, FLOWS + 1))  # one agenda number each, no gap, none twice
        assert await db["intake"].requests.count_documents({"state": "disposed"}) == FLOWS
        assert await db["scheduler"].agenda.count_documents({"state": "assigned"}) == FLOWS
        assert await db["coverage"].versions.count_documents({}) == FLOWS
        assert await db["coverage"].workspaces.count_documents({"versions": 1}) == FLOWS
        assert await db["review"].reviews.count_documents({"state": "approved"}) == FLOWS
        assert await db["publisher"].publications.count_documents({"state": "published"}) == FLOWS
        assert await db["publisher"].deliveries.count_documents({"state": "sent"}) == CONTACTS * FLOWS
        clocks = {name: await db[name].step_clocks.count_documents({"finished_at": None}) for name in SERVICES}
        assert clocks == dict.fromkeys(SERVICES, 0)  # every step clock that started has stopped
    print(
        f"checked: {FLOWS} requests published, {len(events)} events each once, "
        f"{len(message_ids)} emails, {len(twice)} sent again after a kill left them in doubt, "
        f"agenda numbers 1..{FLOWS}, every outbox drained, "
        "every clock stopped, no dead letters"
    )
