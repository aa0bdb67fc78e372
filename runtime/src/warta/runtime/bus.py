"""NATS JetStream for Warta: the event stream, the dead-letter stream, publishing with dedupe ids and
durable pull consumers with an explicit failure policy.

FastStream 0.7's NATS default (REJECT_ON_ERROR) terminates a message whose handler raises, so it
is never retried. Every Warta consumer instead nacks with a growing delay, and after
``max_deliver`` attempts copies the message with its error to the dead-letter stream and
terminates it. A payload that breaks its contract can never succeed: it goes to the dead-letter
stream at once.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fast_depends.library import CustomField
from faststream import AckPolicy, Context
from faststream.exceptions import NackMessage, RejectMessage
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.message import NatsMessage as Message
from faststream.nats.security import NatsUserPassword
from nats.errors import Error as NatsError
from nats.js.api import AckPolicy as ConsumerAckPolicy
from nats.js.api import ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError
from pydantic import ValidationError

from warta.contracts import Event, subject_for

from . import tracing
from .faults import fault_point, slow_point
from .logs import bound
from .metrics import ServiceMetrics
from .settings import ServiceSettings
from .unit_of_work import AlreadyApplied

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[E], Awaitable[None]]

EVERY_EVENT = "all"  # the key of a stream subscriber's consumer among those of single event types


@dataclass(frozen=True)
class StreamMessage:
    """A message of the event stream as JetStream stored it, for a subscriber that keeps every
    message, understood or not (the archive)."""

    subject: str
    body: bytes
    sequence: int
    stored_at: datetime
    msg_id: str | None


StreamHandler = Callable[[StreamMessage], Awaitable[None]]


class _InHand(CustomField):
    """The message being handled, handed to a subscriber on the event loop. FastStream's own
    ``Context`` is a synchronous field, which FastDepends resolves in AnyIO's worker threads: one
    round trip through them, and the GIL, for every message consumed, and none at all while the
    threads are taken."""

    def __init__(self) -> None:
        super().__init__(cast=False, required=True)
        self._context = Context("message")

    async def use(self, /, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        self._context.param_name = self.param_name
        resolved: dict[str, Any] = self._context.use(**kwargs)
        return resolved


NatsMessage = Annotated[Message, _InHand()]


class RetryLater(Exception):
    """The event cannot be applied yet (it arrived before one it depends on); redeliver it later."""


def dead_letter_subject(prefix: str, service: str, subject: str) -> str:
    return f"{prefix}_dlq.{service}.{subject}"


class Bus:
    def __init__(self, settings: ServiceSettings, metrics: ServiceMetrics) -> None:
        self.settings = settings
        self._metrics = metrics
        login = settings.nats_login()
        self.broker = NatsBroker(
            settings.nats_servers,
            security=NatsUserPassword(login["user"], login["password"]) if login else None,
            logger=logging.getLogger(f"warta.{settings.service_name}.bus"),
            graceful_timeout=settings.shutdown_grace_seconds,
            # A NATS outage of any length is waited out: the outbox holds what is committed.
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
        )
        # Streams are declared by ``declare_streams`` with Warta's own configuration; FastStream
        # only binds consumers to them.
        self.stream = JStream(settings.stream_name, declare=False)
        self._consumed: set[str] = set()
        self._durables: dict[str, str] = {}  # event type -> durable consumer name

    @property
    def dead_letter_stream_name(self) -> str:
        return f"{self.settings.stream_name}_DLQ"

    @property
    def advisory_stream_name(self) -> str:
        return f"{self.settings.stream_name}_ADVISORIES"

    @property
    def max_deliveries_subject(self) -> str:
        return f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{self.settings.stream_name}"

    def subject(self, event: type[Event] | str) -> str:
        return subject_for(event, self.settings.subject_prefix)

    def stream_configs(self) -> list[StreamConfig]:
        s = self.settings
        return [
            StreamConfig(
                name=s.stream_name,
                description="Warta events (SOP 58/2025)",
                subjects=[f"{s.subject_prefix}.>"],
                storage=StorageType.FILE,
                duplicate_window=s.stream_duplicate_window_seconds,
                num_replicas=s.stream_replicas,
            ),
            StreamConfig(
                name=self.dead_letter_stream_name,
                description="Warta events that a consumer could not apply",
                subjects=[f"{s.subject_prefix}_dlq.>"],
                storage=StorageType.FILE,
                duplicate_window=s.stream_duplicate_window_seconds,
                num_replicas=s.stream_replicas,
            ),
            # JetStream's word that a message ran out of deliveries unacknowledged (a handler that
            # crashed its process each time, say), kept so a service that was down still sees it.
            StreamConfig(
                name=self.advisory_stream_name,
                description="Max-deliveries advisories of the Warta event stream",
                subjects=[f"{self.max_deliveries_subject}.*"],
                storage=StorageType.FILE,
                max_age=7 * 24 * 3600,
                num_replicas=s.stream_replicas,
            ),
        ]

    async def connect(self) -> None:
        await self.broker.connect()
        await self.declare_streams()
        if self._durables:
            self._watch_max_deliveries()

    def _watch_max_deliveries(self) -> None:
        """Dead-letter what ran out of deliveries without an answer from the handler; the
        handler's own dead-lettering covers failures it saw, with the same dedupe id."""
        s = self.settings

        @self._durable_subscriber(
            f"{self.max_deliveries_subject}.*",
            JStream(self.advisory_stream_name, declare=False),
            f"{s.service_name}__max_deliveries",
        )
        async def on_advisory(msg: NatsMessage) -> None:
            advisory = json.loads(msg.body)
            if advisory.get("consumer") not in self._durables.values():
                return  # another service's consumer
            js = self.broker.connection.jetstream()
            try:
                original = await js.get_msg(s.stream_name, advisory["stream_seq"])
            except NotFoundError:
                log.error("max deliveries of seq %s, which the stream no longer holds", advisory["stream_seq"])
                return
            event_type = next(t for t, d in self._durables.items() if d == advisory["consumer"])
            await self._send_to_dead_letters(
                original.data or b"",
                original.subject or "",
                event_type,
                f"no acknowledgement after {advisory.get('deliveries')} deliveries "
                "(the handler outlived its ack wait or its process died each time)",
                int(advisory["stream_seq"]),
                int(advisory.get("deliveries") or 0),
            )

    async def declare_streams(self) -> None:
        js = self.broker.connection.jetstream()
        for config in self.stream_configs():
            try:
                await js.add_stream(config)
            except BadRequestError:
                # Exists with another configuration (e.g. a changed duplicate window): converge.
                await js.update_stream(config)

    async def publish(self, event_type: str, payload: str, event_id: str, traceparent: str | None = None) -> None:
        """Publish through JetStream and wait for its acknowledgement (a duplicate is fine)."""
        js = self.broker.connection.jetstream()
        headers = {"Nats-Msg-Id": event_id, "content-type": "application/json"}
        if traceparent:
            headers[tracing.TRACEPARENT] = traceparent
        await js.publish(self.subject(event_type), payload.encode(), headers=headers, timeout=5)

    async def refresh_gauges(self) -> None:
        """Lag and redeliveries of this service's consumers and its dead letters, read from
        JetStream when Prometheus scrapes; nothing is shown while NATS is away."""
        if not self.connected():
            return
        js = self.broker.connection.jetstream()
        try:
            for event_type, durable in self._durables.items():
                info = await js.consumer_info(self.settings.stream_name, durable, timeout=2)
                self._metrics.consumer_pending.labels(event_type).set(info.num_pending or 0)
                self._metrics.consumer_ack_pending.labels(event_type).set(info.num_ack_pending or 0)
                self._metrics.consumer_redelivered.labels(event_type).set(info.num_redelivered or 0)
            own = f"{self.settings.subject_prefix}_dlq.{self.settings.service_name}.>"
            dead = await js.stream_info(self.dead_letter_stream_name, subjects_filter=own)
            self._metrics.dead_letters.set(sum((dead.state.subjects or {}).values()))
        except (NatsError, TimeoutError) as away:
            log.warning("JetStream state for metrics not read: %s", away)

    @property
    def durable_consumers(self) -> tuple[str, ...]:
        """The durable consumers this service reads the event stream through (an autoscaler
        watches their lag)."""
        return tuple(self._durables.values())

    def consume(self, event: type[E], handler: Handler[E]) -> None:
        """Bind ``handler`` to ``event`` through this service's durable pull consumer for it.

        One handler per event type per service: the inbox that makes consumers idempotent is keyed
        by event id within the service's database.
        """
        if event.event_type() in self._consumed:
            raise ValueError(f"{event.event_type()} already has a handler in this service")
        self._consumed.add(event.event_type())
        s = self.settings
        subject = self.subject(event)
        durable = f"{s.service_name}__{event.event_type().replace('.', '_')}"
        self._durables[event.event_type()] = durable

        @self._durable_subscriber(subject, self.stream, durable)
        async def on_message(msg: NatsMessage) -> None:
            await self._deliver(event, handler, msg, subject)

    def consume_stream(self, handler: StreamHandler) -> None:
        """Bind ``handler`` to every message of the event stream, of any type or version, through
        one durable consumer; failures are retried and dead-lettered as for single event types."""
        if EVERY_EVENT in self._consumed:
            raise ValueError("this service already consumes the whole stream")
        self._consumed.add(EVERY_EVENT)
        subject = f"{self.settings.subject_prefix}.>"
        durable = f"{self.settings.service_name}__{EVERY_EVENT}"
        self._durables[EVERY_EVENT] = durable

        @self._durable_subscriber(subject, self.stream, durable)
        async def on_message(msg: NatsMessage) -> None:
            raw = msg.raw_message
            message = StreamMessage(
                subject=raw.subject,
                body=msg.body,
                sequence=raw.metadata.sequence.stream,
                stored_at=raw.metadata.timestamp,
                msg_id=(raw.headers or {}).get("Nats-Msg-Id"),
            )
            event_type = "warta." + raw.subject.removeprefix(f"{self.settings.subject_prefix}.")  # its type's name
            with (
                tracing.consuming(raw.headers, None, f"{event_type} receive", raw.metadata.num_delivered),
                bound(event_id=message.msg_id, event_type=event_type),
            ):
                await self._apply(EVERY_EVENT, f"seq {message.sequence}", lambda: handler(message), msg, raw.subject)

    def _durable_subscriber(
        self, subject: str, stream: JStream, durable: str
    ) -> Callable[[Callable[[NatsMessage], Awaitable[None]]], object]:
        """A durable pull consumer with explicit acks that nacks what its handler raises."""
        s = self.settings
        return self.broker.subscriber(
            subject,
            stream=stream,
            durable=durable,
            config=ConsumerConfig(
                durable_name=durable,
                ack_policy=ConsumerAckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                max_deliver=s.max_deliver,
                ack_wait=s.ack_wait_seconds,
            ),
            pull_sub=PullSub(batch_size=s.consumer_fetch_batch, timeout=1.0),
            max_workers=s.consumer_workers,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            title=durable,
        )

    async def _deliver(self, event_cls: type[E], handler: Handler[E], msg: Any, subject: str) -> None:
        event_type = event_cls.event_type()
        try:
            event = event_cls.model_validate_json(msg.body)
        except ValidationError as exc:
            deliveries = msg.raw_message.metadata.num_delivered
            await self._dead_letter(
                msg, subject, event_type, f"payload breaks the {event_type} contract: {exc}", deliveries
            )
            raise RejectMessage() from exc
        officer = event.actor.officer_id if event.actor else None
        raw = msg.raw_message
        with (
            tracing.consuming(raw.headers, event.subject, f"{event_type} receive", raw.metadata.num_delivered),
            bound(request_id=event.subject, event_id=str(event.id), event_type=event_type, officer_id=officer),
        ):
            await self._apply(event_type, str(event.id), lambda: handler(event), msg, subject)

    async def _apply(
        self, event_type: str, what: str, handle: Callable[[], Awaitable[None]], msg: Any, subject: str
    ) -> None:
        """Run a handler under Warta's failure policy: a repeat is acknowledged, a failure is
        retried after a growing delay, and the last allowed failure goes to the dead letters."""
        deliveries = msg.raw_message.metadata.num_delivered
        try:
            await self._handle_with_heartbeat(handle, msg)
        except AlreadyApplied:
            self._metrics.events_consumed.labels(event_type, "duplicate").inc()
            return
        except Exception as exc:
            if deliveries >= self.settings.max_deliver:
                await self._dead_letter(msg, subject, event_type, f"{type(exc).__name__}: {exc}", deliveries)
                raise RejectMessage() from exc
            backoff = self.settings.redelivery_backoff_seconds
            delay = backoff[min(deliveries, len(backoff)) - 1] if backoff else 0.0
            self._metrics.events_consumed.labels(event_type, "retried").inc()
            level = logging.INFO if isinstance(exc, RetryLater) else logging.WARNING
            log.log(
                level,
                "%s %s failed (delivery %d), retry in %.0fs: %s",
                event_type,
                what,
                deliveries,
                delay,
                exc,
            )
            raise NackMessage(delay=delay) from exc
        # Between the handler's commit and the acknowledgement: a crash here means a redelivery,
        # which the inbox answers without effect.
        fault_point("consume.after_handle")
        self._metrics.events_consumed.labels(event_type, "applied").inc()

    async def _handle_with_heartbeat(self, handle: Callable[[], Awaitable[None]], msg: Any) -> None:
        """Run the handler, telling JetStream the message is in progress every third of the ack
        wait, so a slow handler keeps its message instead of getting a duplicate delivered."""
        beat = self.settings.ack_wait_seconds / 3

        async def heartbeat() -> None:
            while True:
                await asyncio.sleep(beat)
                with contextlib.suppress(Exception):
                    await msg.raw_message.in_progress()

        fault_point("consume.before_handle")
        beating = asyncio.create_task(heartbeat())
        try:
            await slow_point("consume.handling")
            await handle()
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating

    async def _dead_letter(self, msg: Any, subject: str, event_type: str, error: str, deliveries: int) -> None:
        stream_seq = msg.raw_message.metadata.sequence.stream
        await self._send_to_dead_letters(msg.body, subject, event_type, error, stream_seq, deliveries)

    async def _send_to_dead_letters(
        self, body: bytes, subject: str, event_type: str, error: str, stream_seq: int, deliveries: int
    ) -> None:
        s = self.settings
        js = self.broker.connection.jetstream()
        await js.publish(
            dead_letter_subject(s.subject_prefix, s.service_name, subject),
            body,
            headers={
                "Nats-Msg-Id": f"dlq:{s.service_name}:{stream_seq}",
                "Warta-Error": error[:2000],
                "Warta-Original-Subject": subject,
                "Warta-Stream-Sequence": str(stream_seq),
                "Warta-Deliveries": str(deliveries),
            },
            timeout=5,
        )
        self._metrics.events_consumed.labels(event_type, "dead_lettered").inc()
        log.error("dead-lettered %s seq %d after %d deliveries: %s", subject, stream_seq, deliveries, error)

    def connected(self) -> bool:
        try:
            return bool(self.broker.connection.is_connected)
        except Exception:  # FastStream raises until the first connect
            return False

    async def stop_consuming(self) -> None:
        """Take no new events; wait up to the grace period for those being handled."""
        for subscriber in self.broker.subscribers:
            await subscriber.stop()

    async def close(self) -> None:
        await self.broker.stop()
