"""The drill: requests walked to publication while the JetStream stream's leader is SIGKILLed and
started again, and what it leaves behind to check."""

import asyncio
import contextlib
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any, TypeVar

import nats
from nats.js.client import JetStreamContext
from pymongo import AsyncMongoClient

from warta.contracts import parse_event

from ..demo import walk
from .system import Production

T = TypeVar("T")
EVENTS_PER_REQUEST = 7  # a straight walk: received, disposition, assigned, submitted, two approvals, published


@dataclass
class Kill:
    node: str
    stall: float  # seconds from the SIGKILL to the first message the stream stored after it
    back: float  # seconds from the SIGKILL until the node was restarted and its replica current


@dataclass
class Drill:
    requests: list[str]
    kills: list[Kill]
    seconds: float


async def drill(prod: Production, requests: int, kills: int, patience: float = 300) -> Drill:
    """``requests`` walked at once to publication while the stream's leader is SIGKILLed ``kills``
    times, each once the stream holds its share of the walks' events, and started again."""
    urls = {name: pod.url for name, pod in prod.pods.items()}
    started = time.monotonic()
    walks = [
        asyncio.create_task(
            walk(
                urls,
                prod.token_for,
                straight=True,
                event_starts_in=timedelta(days=1, hours=3 * n),  # one team covers them all in turn
                patience=patience,
            )
        )
        for n in range(requests)
    ]
    killer = asyncio.create_task(_kill_leaders(prod, requests * EVENTS_PER_REQUEST, kills))
    try:
        timelines = await asyncio.gather(*walks)
        # The last node restarted and caught up, or the drill fails here instead of hanging.
        done = await asyncio.wait_for(killer, patience)
    finally:
        for task in (*walks, killer):
            task.cancel()
    return Drill([t.request_id for t in timelines], done, time.monotonic() - started)


async def _kill_leaders(prod: Production, expected_events: int, kills: int) -> list[Kill]:
    nc = await prod.nats.connect()
    js = nc.jetstream(timeout=2)
    try:
        return [await _kill_leader_once(prod, js, expected_events * (k + 1) // (kills + 2)) for k in range(kills)]
    finally:
        await nc.close()


async def _until(check: Callable[[], Awaitable[T | None]], interval: float = 0.2) -> T:
    """Poll ``check`` until it answers (the walks' patience bounds the drill)."""
    while True:
        if (found := await check()) is not None:
            return found
        await asyncio.sleep(interval)


async def _stream_state(js: JetStreamContext, stream: str) -> tuple[int, str | None, bool]:
    """(last sequence, leader, every replica current), or zeros while the stream cannot answer."""
    try:
        info = await js.stream_info(stream)
    except (nats.errors.Error, TimeoutError):
        return 0, None, False
    cluster = info.cluster
    replicas = (cluster.replicas or []) if cluster else []
    whole = len(replicas) > 0 and all(p.current and not p.offline for p in replicas)
    return info.state.last_seq, cluster.leader if cluster else None, whole


async def _kill_leader_once(prod: Production, js: JetStreamContext, threshold: int) -> Kill:
    """Once the stream holds ``threshold`` messages and every replica is current, SIGKILL its
    leader; the stall ends with the first message it stores after the kill (by the stream's own
    clock). Then the node is started again on its data and caught up before the next kill."""

    async def ready() -> tuple[int, str] | None:
        last, leader, whole = await _stream_state(js, prod.stream)
        return (last, leader) if last >= threshold and whole and leader is not None else None

    before, leader = await _until(ready)
    node = prod.nats.node(leader)
    killed_at = time.time()
    node.kill()  # SIGKILL
    stall = await _next_write(js, prod.stream, before, killed_at)
    await asyncio.to_thread(node.start)
    await asyncio.to_thread(prod.nats.wait_healthy, [leader])

    async def caught_up() -> bool | None:
        return (await _stream_state(js, prod.stream))[2] or None

    await _until(caught_up)
    return Kill(leader, stall, time.time() - killed_at)


async def _next_write(js: JetStreamContext, stream: str, before: int, since: float) -> float:
    """Seconds from ``since`` to the stored time of the first message after sequence ``before``
    stored later than ``since`` (one stored between reading ``before`` and the kill is passed)."""
    seq = before + 1

    async def stored_after() -> float | None:
        nonlocal seq
        if (await _stream_state(js, stream))[0] < seq:
            return None
        try:
            message = await js.get_msg(stream, seq)
        except (nats.errors.Error, TimeoutError):
            return None
        seq += 1
        at = message.time.timestamp() if message.time else 0.0
        return at - since if at > since else None

    return await _until(stored_after, interval=0.05)


# -- what it leaves behind -----------------------------------------------------------------------------------


async def stored(prod: Production, stream: str) -> list[tuple[str, bytes, dict[str, str]]]:
    """(subject, data, headers) of every message in a stream, read with the operators' login."""
    nc = await prod.nats.connect()
    try:
        js = nc.jetstream(timeout=10)
        try:
            info = await js.stream_info(stream)
        except nats.js.errors.NotFoundError:
            return []
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else ():
            with contextlib.suppress(nats.js.errors.NotFoundError):
                msg = await js.get_msg(stream, seq)
                found.append((msg.subject or "", msg.data or b"", dict(msg.headers or {})))
        return found
    finally:
        await nc.close()


@dataclass
class Evidence:
    """What the run left in the stream, the dead-letter stream, the mail relay, the gateway and
    the databases."""

    event_ids: Counter[str]  # by the event's own id
    message_ids: Counter[str]  # by Nats-Msg-Id, the stream's duplicate key
    published: set[str]  # request ids with a Published event
    event_types: Counter[str]
    dead_letters: int
    emails: Counter[str]  # by Message-ID: one per release and recipient
    releases_sent: Counter[tuple[str, str]]  # (recipient, the release's address on the website)
    opt_out_links: list[str]  # each email's List-Unsubscribe address
    whatsapp_refs: Counter[str]
    unrelayed: dict[str, int]  # per database, outbox entries never relayed
    archived: int  # the archive's records


def _release(message: EmailMessage) -> str:
    """Which release an email carries: the address of its post on the website (the walks' releases
    share a title)."""
    body = message.get_body(("plain",))
    found = re.search(r"Selengkapnya: (\S+)", body.get_content() if body is not None else "")
    return found.group(1) if found else ""


async def evidence(prod: Production) -> Evidence:
    messages = await stored(prod, prod.stream)
    events = [parse_event(data) for _, data, _ in messages]
    dead = await stored(prod, f"{prod.stream}_DLQ")
    received = list(prod.smtp.mailbox.received)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(prod.database.admin_url)
    try:
        databases = {
            name: pod.spec.rendered["WARTA_MONGODB_DATABASE"]
            for name, pod in prod.pods.items()
            if "WARTA_MONGODB_DATABASE" in pod.spec.rendered
        }
        unrelayed = {n: await client[db].outbox.count_documents({"sent_at": None}) for n, db in databases.items()}
        archived = await client[databases["archive"]].records.count_documents({}) if "archive" in databases else 0
    finally:
        await client.close()
    return Evidence(
        event_ids=Counter(str(e.id) for e in events),
        message_ids=Counter(headers.get("Nats-Msg-Id", "") for _, _, headers in messages),
        published={e.subject for e in events if e.type.startswith("warta.publication.published")},
        event_types=Counter(e.type for e in events),
        dead_letters=len(dead),
        emails=Counter(str(m["Message-ID"]) for m in received),
        releases_sent=Counter((str(m["To"]), _release(m)) for m in received),
        opt_out_links=[str(m["List-Unsubscribe"]).strip("<>") for m in received if m["List-Unsubscribe"]],
        whatsapp_refs=Counter(str(m.get("ref")) for m in prod.gateway.received),
        unrelayed=unrelayed,
        archived=archived,
    )
