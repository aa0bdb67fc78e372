from warta.runtime import AlreadyApplied, Bus, StreamMessage

from .domain import record_of
from .handlers import ArchiveHandlers


def subscribe(bus: Bus, handlers: ArchiveHandlers) -> None:
    async def keep(message: StreamMessage) -> None:
        record = record_of(message.subject, message.body, message.sequence, message.stored_at, message.msg_id)
        if not await handlers.keep(record):
            raise AlreadyApplied(record.event_id)

    bus.consume_stream(keep)
