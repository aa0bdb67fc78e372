"""The notifier's use cases: apply an event (learn, start and stop timers, write its messages),
ring the timers whose time has come, and send what is due, each message once."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from prometheus_client import Counter

from warta.contracts import Event, NotFound, Role
from warta.runtime import Clock, ServiceMetrics, Tx, UnitOfWork
from warta.runtime.faults import fault_point
from warta.runtime.sends import Refusal, SendState

from .domain import (
    Audience,
    Case,
    Channel,
    Digests,
    Notice,
    Officer,
    alarm,
    notices_for,
    steps_stopped,
    timers_started,
)
from .messages import DigestItem, Message, digest_key, digest_text
from .store import NotifierStore

log = logging.getLogger(__name__)


class Sender(Protocol):
    async def send(self, message: Message) -> Refusal | None: ...


@dataclass(frozen=True)
class Rules:
    warn_ratio: float  # share of a standard at which the responsible officers are warned
    console_url: str  # base of the links to a request's page
    urgent_within: timedelta  # an event this close (or under way) is worth a message at night
    zone: ZoneInfo


class NotifierHandlers:
    def __init__(
        self,
        store: NotifierStore,
        uow: UnitOfWork,
        clock: Clock,
        metrics: ServiceMetrics,
        rules: Rules,
        channels: dict[Channel, Sender],
        claim_lease: timedelta,
    ) -> None:
        self._store = store
        self._uow = uow
        self._clock = clock
        self._rules = rules
        self._channels = channels
        self._lease = claim_lease
        self._wake = asyncio.Event()
        self._sent = Counter(
            "warta_notifications",
            "Messages to officers by channel and outcome of each attempt: sent, transient, failed.",
            ["channel", "outcome"],
            registry=metrics.registry,
        )
        self._registry = metrics.registry
        self._withheld = Counter(
            "warta_notifications_withheld",
            "Notices not sent to an officer, by reason: own_action (the officer's own action caused them).",
            ["reason"],
            registry=metrics.registry,
        )

    # -- events ---------------------------------------------------------------------------------

    async def apply(self, event: Event) -> None:
        """Learn from the event, stop and start its steps' timers, and write the messages it
        causes, in one transaction with the event's inbox entry."""
        withheld: list[str] = []  # of the attempt that commits: a repeat delivery runs it again

        async def work(tx: Tx) -> None:
            withheld.clear()
            case = await self._store.case(event.subject, tx) or Case(request_id=event.subject)
            case.learn(event)
            ready = case.address(str(event.id), notices_for(event, case))
            await self._store.put_case(tx, case)
            stopped = steps_stopped(event)
            for step in stopped:
                await self._store.stop_timers(tx, event.subject, step)
            for timer in timers_started(event, self._rules.warn_ratio):
                # A step that starts and stops on the same event (step 1) needs no timer, and a
                # step already running keeps its timer (a reassigned team keeps its clock).
                if timer.step not in stopped and await self._store.open_timer(tx, event.subject, timer.step) is None:
                    await self._store.start_timer(tx, timer)
            messages = []
            for cause, notice in ready:
                messages += await self._messages(tx, cause, notice, case, withheld)
            await self._store.add_messages(tx, messages)

        await self._uow.run(work, consumes=event)
        self._count_withheld(withheld)
        self._wake.set()

    async def _messages(self, tx: Tx, cause: str, notice: Notice, case: Case, withheld: list[str]) -> list[Message]:
        """The notice's messages to write at once; those its recipients want gathered join their
        digests here. The officer it is not for (who did the action it tells of) goes in
        ``withheld``, counted once the transaction commits."""
        now = self._clock.now()
        officers = await self._audience(tx, notice.audience, case)
        urgent = case.happening(now, self._rules.urgent_within)
        out = []
        for officer_id, officer in officers.items():
            if officer_id == notice.not_for:
                withheld.append(officer_id)
                continue
            text = f"{notice.text}\n{self._rules.console_url.rstrip('/')}/permohonan/{case.request_id}"
            if notice.kind == "assigned":  # the console shows the officer their own calendar feed
                text += f"\nKalender tugas Anda: {self._rules.console_url.rstrip('/')}/kalender"
            every = officer.digest_every(notice.kind, urgent) if officer else None
            channels: list[Channel | None] = list(officer.reachable_on()) if officer else []
            for channel in channels or [None]:
                if officer and channel and every:
                    item = DigestItem(cause=cause, kind=notice.kind, request_id=case.request_id, text=text)
                    await self._gather(tx, officer, channel, item, officer.next_digest(now, every, self._rules.zone))
                    continue
                message = Message(
                    key=f"{cause}:{notice.kind}:{officer_id}:{channel.value if channel else 'none'}",
                    cause=cause,
                    kind=notice.kind,
                    request_id=case.request_id,
                    requests=[case.request_id],
                    officer_id=officer_id,
                    channel=channel or Channel.EMAIL,
                    address=officer.address(channel) if officer and channel else None,
                    text=text,
                    created_at=now,
                    not_before=now if urgent else (officer.next_awake(now, self._rules.zone) if officer else now),
                )
                if channel is None:  # nobody to send it to: shown to supervisors as failed
                    message.state, message.last_error = SendState.FAILED, "no email or WhatsApp in the directory"
                out.append(message)
        return out

    async def _gather(self, tx: Tx, officer: Officer, channel: Channel, item: DigestItem, round_at: datetime) -> None:
        """Add a notice to the officer's digest for the round, starting the digest if it is the first."""
        key = digest_key(item.kind, officer.officer_id, channel, round_at)
        digest = await self._store.pending_digest(tx, key)
        if digest is None:
            digest = Message(
                key=key,
                cause="digest",
                kind=f"digest.{item.kind.split('.', 1)[0]}",
                request_id=item.request_id,
                officer_id=officer.officer_id,
                channel=channel,
                address=officer.address(channel),
                text="",
                created_at=self._clock.now(),
                not_before=round_at,
            )
        if any(i.cause == item.cause and i.kind == item.kind for i in digest.items):
            return
        digest.items.append(item)
        digest.requests = list(dict.fromkeys([*digest.requests, item.request_id]))
        digest.text = digest_text(digest.items, round_at)
        await self._store.put_digest(tx, digest)

    async def _audience(self, tx: Tx, audience: Audience, case: Case) -> dict[str, Officer | None]:
        if audience.role is not None:
            found = {o.officer_id: o for o in await self._store.officers(audience.role, tx) if o.active}
            if not found:
                log.warning("no active officer with role %s in the directory", audience.role.value)
            return dict(found)
        if not case.team:
            log.warning("request %s has no team assigned to tell", case.request_id)
        found = await self._store.officers_named(list(case.team), tx)
        return {officer_id: found.get(officer_id) for officer_id in case.team}

    def _count_withheld(self, withheld: list[str]) -> None:
        if withheld:
            self._withheld.labels("own_action").inc(len(withheld))

    def withheld(self, reason: str) -> float:
        """How many notices were not sent for ``reason`` since the start (the metric's value)."""
        return self._registry.get_sample_value("warta_notifications_withheld_total", {"reason": reason}) or 0.0

    # -- timers -----------------------------------------------------------------------------------

    async def ring_timers(self) -> int:
        """Send each due alarm once: the timer's state moves on in the same transaction as the
        messages it writes, so a repeat finds nothing left to ring."""
        rung = 0
        for due in await self._store.ringing(self._clock.now()):
            withheld: list[str] = []

            async def work(tx: Tx, key: str = due.key, withheld: list[str] = withheld) -> bool:
                withheld.clear()
                timer = await self._store.timer(tx, key)
                if timer is None or timer.next_alarm() is None or timer.next_alarm() > self._clock.now():  # type: ignore[operator]
                    return False
                case = await self._store.case(timer.request_id, tx) or Case(request_id=timer.request_id)
                state, notice = alarm(timer, case)
                timer.state = state
                await self._store.save_timer(tx, timer)
                cause = f"timer:{timer.key}:{state.value}"
                await self._store.add_messages(tx, await self._messages(tx, cause, notice, case, withheld))
                return True

            rung += await self._uow.run(work)
            self._count_withheld(withheld)
        if rung:
            self._wake.set()
        return rung

    # -- sending ----------------------------------------------------------------------------------

    async def send_due(self) -> int:
        """Send every message whose time has come, each by the one sender that claims it."""
        sent = 0
        for message in await self._store.due_messages(self._clock.now(), self._lease):
            if not await self._store.claim(message, self._clock.now()):
                continue
            fault_point("notify.after_claim")
            refusal = await self._addressed(message) or await self._channels[message.channel].send(message)
            now = self._clock.now()
            if refusal is None:
                message.accepted(now)
                sent += 1
            else:
                message.refused(refusal, now)
                log.warning(
                    "message %s by %s: %s (%s)", message.key, message.channel.value, refusal.error, message.state.value
                )
            await self._store.record(message)
            self._sent.labels(message.channel.value, message.state.value).inc()
        return sent

    async def _addressed(self, message: Message) -> Refusal | None:
        """A message made while its officer had no address (sent again by a supervisor once the
        directory has one) takes the directory's address now; without one it fails for good."""
        if message.address:
            return None
        officer = await self._store.officer(message.officer_id)
        message.address = officer.address(message.channel) if officer else None
        return None if message.address else Refusal("no address for this channel in the directory", transient=False)

    async def run(self, every: float) -> None:
        """The notifier's own loop: ring timers and send, every ``every`` seconds or when woken."""
        while True:
            for work in (self.ring_timers, self.send_due):
                try:
                    await work()
                except Exception:  # one failing round must not stop the other, nor the next round
                    log.exception("notifier round %s failed", work.__name__)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), every)

    # -- reading ----------------------------------------------------------------------------------

    async def messages(
        self, *, request_id: str | None, officer_id: str | None, state: SendState | None, limit: int
    ) -> list[Message]:
        query = {
            k: v
            for k, v in {
                "request_id": request_id,
                "officer_id": officer_id,
                "state": state.value if state else None,
            }.items()
            if v is not None
        }
        return await self._store.messages(query, limit, self._clock.now())

    async def send_failed_again(self, *, request_id: str | None, officer_id: str | None) -> int:
        """Every failed message (of a request, or to an officer) goes once more, as new: for a
        supervisor, once its cause is put right (an address added to the directory, say)."""
        query = {k: v for k, v in {"request_id": request_id, "officer_id": officer_id}.items() if v is not None}
        reopened = await self._store.reopen_failed(query)
        if reopened:
            self._wake.set()
        return reopened

    async def put_officer(self, officer: Officer) -> Officer:
        """The administrator's entry for an officer; the officer's own choice of digests is kept
        unless the entry names one."""
        if "digests" not in officer.model_fields_set:
            existing = await self._store.officer(officer.officer_id)
            if existing is not None:
                officer = officer.model_copy(update={"digests": existing.digests})
        await self._store.put_officer(officer)
        return officer

    async def officer(self, officer_id: str) -> Officer:
        found = await self._store.officer(officer_id)
        if found is None:
            raise NotFound(f"officer {officer_id} is not in the directory")
        return found

    async def choose_digests(self, officer_id: str, digests: Digests) -> Officer:
        """The officer's own choice of digests; the rest of their entry is the administrator's."""
        chosen = Officer.model_validate({**(await self.officer(officer_id)).model_dump(), "digests": digests})
        await self._store.set_digests(officer_id, chosen.digests)
        return chosen

    async def officers(self, role: Role | None = None) -> list[Officer]:
        return await self._store.officers(role)
