"""NATS JetStream for Warta: the event stream, the dead-letter stream, publishing with dedupe ids and
durable pull consumers with an explicit failure policy.

FastStream 0.7's NATS default (REJECT_ON_ERROR) terminates a message whose handler raises, so it
is never retried. Every Warta consumer instead nacks with a growing delay, and after
``max_deliver`` attempts copies the message with its error to the dead-letter stream and
terminates it. A payload that breaks its contract can never succeed: it goes to the dead-letter
stream at once.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from faststream import AckPolicy
from faststream.exceptions import NackMessage, RejectMessage
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.errors import Error as NatsError
from nats.js.api import AckPolicy as ConsumerAckPolicy
from nats.js.api import ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError
from pydantic import ValidationError

from warta.contracts import Event, subject_for

from .metrics import ServiceMetrics
from .settings import ServiceSettings
from .unit_of_work import AlreadyApplied

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[E], Awaitable[None]]


class RetryLater(Exception):
    """The event cannot be applied yet (it arrived before one it depends on); redeliver it later."""


def dead_letter_subject(prefix: str, service: str, subject: str) -> str:
    return f"{prefix}_dlq.{service}.{subject}"


class Bus:
    def __init__(self, settings: ServiceSettings, metrics: ServiceMetrics) -> None:
        self.settings = settings
        self._metrics = metrics
        self.broker = NatsBroker(settings.nats_url, logger=logging.getLogger(f"warta.{settings.service_name}.bus"))
        # Streams are declared by ``declare_streams`` with Warta's own configuration; FastStream
        # only binds consumers to them.
        self.stream = JStream(settings.stream_name, declare=False)
        self._consumed: set[str] = set()
        self._durables: dict[str, str] = {}  # event type -> durable consumer name

    @property
    def dead_letter_stream_name(self) -> str:
        return f"{self.settings.stream_name}_DLQ"

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
        ]

    async def connect(self) -> None:
        await self.broker.connect()
        await self.declare_streams()

    async def declare_streams(self) -> None:
        js = self.broker.connection.jetstream()
        for config in self.stream_configs():
            try:
                await js.add_stream(config)
            except BadRequestError:
                # Exists with another configuration (e.g. a changed duplicate window): converge.
                await js.update_stream(config)

    async def publish(self, event_type: str, payload: str, event_id: str) -> None:
        """Publish through JetStream and wait for its acknowledgement (a duplicate is fine)."""
        js = self.broker.connection.jetstream()
        await js.publish(
            self.subject(event_type),
            payload.encode(),
            headers={"Nats-Msg-Id": event_id, "content-type": "application/json"},
            timeout=5,
        )

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
        config = ConsumerConfig(
            durable_name=durable,
            ack_policy=ConsumerAckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=s.max_deliver,
            ack_wait=s.ack_wait_seconds,
        )

        @self.broker.subscriber(
            subject,
            stream=self.stream,
            durable=durable,
            config=config,
            pull_sub=PullSub(batch_size=16, timeout=1.0),
            ack_policy=AckPolicy.NACK_ON_ERROR,
            title=durable,
        )
        async def on_message(msg: NatsMessage) -> None:
            await self._deliver(event, handler, msg, subject)

    async def _deliver(self, event_cls: type[E], handler: Handler[E], msg: Any, subject: str) -> None:
        event_type = event_cls.event_type()
        deliveries = msg.raw_message.metadata.num_delivered
        try:
            event = event_cls.model_validate_json(msg.body)
        except ValidationError as exc:
            await self._dead_letter(
                msg, subject, event_type, f"payload breaks the {event_type} contract: {exc}", deliveries
            )
            raise RejectMessage() from exc
        try:
            await handler(event)
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
                event.id,
                deliveries,
                delay,
                exc,
            )
            raise NackMessage(delay=delay) from exc
        self._metrics.events_consumed.labels(event_type, "applied").inc()

    async def _dead_letter(self, msg: Any, subject: str, event_type: str, error: str, deliveries: int) -> None:
        s = self.settings
        stream_seq = msg.raw_message.metadata.sequence.stream
        js = self.broker.connection.jetstream()
        await js.publish(
            dead_letter_subject(s.subject_prefix, s.service_name, subject),
            msg.body,
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

    async def close(self) -> None:
        await self.broker.stop()
