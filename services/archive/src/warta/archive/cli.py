"""``warta-archive``: the archive's operator commands.

``warta-archive rebuild --into NAME`` reads the event stream from its first message into the empty
database NAME, the way the service itself keeps each message, skipping what the retention schedule
removed, and marks NAME finished. ``warta-archive swap --from NAME`` then puts NAME's collections in
place of the archive's own, so the archive keeps its database, its user and its consumer; run it with
the archive stopped. Both need a database user that may write NAME as well as the archive's database
(the maintenance user of docs/operations.md): the archive's own may write its database only.
``warta-archive retention report`` shows what the retention schedule would remove today;
``warta-archive retention dispose --officer ID --reason TEXT`` removes it and notes the disposal.
Settings come from the same ``WARTA_`` variables as the service's.
"""

import argparse
import asyncio
import sys
from typing import Any

from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pymongo.errors import OperationFailure

from warta.runtime import ServiceRuntime

from .app import ArchiveSettings, archive_handlers
from .domain import record_of
from .store import DISPOSALS, RECORDS, create_indexes

REBUILT = "rebuilt"  # a finished rebuild's mark, in its own database only
UNAUTHORIZED = 13


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="warta-archive")
    commands = parser.add_subparsers(dest="command", required=True)
    rebuild = commands.add_parser("rebuild", help="replay the event stream into a fresh archive database")
    rebuild.add_argument("--into", required=True, help="name of the new, empty database")
    swap = commands.add_parser("swap", help="put a finished rebuild in place of the archive's collections")
    swap.add_argument("--from", dest="source", required=True, help="the database a rebuild finished")
    retention = commands.add_parser("retention", help="the retention schedule")
    what = retention.add_subparsers(dest="retention_command", required=True)
    what.add_parser("report", help="what would be removed today (removes nothing)")
    dispose = what.add_parser("dispose", help="remove what the schedule allows, noting the disposal")
    dispose.add_argument("--officer", required=True, help="the officer ordering the disposal")
    dispose.add_argument("--reason", required=True, help="the disposal's basis, e.g. the minutes' number")
    args = parser.parse_args(argv)
    settings = ArchiveSettings()
    try:
        if args.command == "rebuild":
            return asyncio.run(_rebuild(settings, args.into))
        if args.command == "swap":
            return asyncio.run(_swap(settings, args.source))
        return asyncio.run(_retention(settings, args))
    except OperationFailure as exc:
        if exc.code != UNAUTHORIZED:
            raise
        # The archive's own login may write its database only (docs/operations.md).
        print(f"{exc.details.get('errmsg') if exc.details else exc}: run this as the maintenance user", file=sys.stderr)
        return 3


async def _rebuild(settings: ArchiveSettings, into: str) -> int:
    runtime = ServiceRuntime(settings)
    target = runtime.mongo[into]
    if into == settings.database_name() or await target[RECORDS].find_one({}) is not None:
        print(f"{into} is not a fresh database; rebuild into an empty one", file=sys.stderr)
        return 2
    await create_indexes(target)
    removed: set[str] = set()
    async for disposal in runtime.db[DISPOSALS].find():
        await target[DISPOSALS].replace_one({"_id": disposal["_id"]}, disposal, upsert=True)
        removed.update(disposal["event_ids"])
    handlers = archive_handlers(settings, runtime, into)
    await runtime.bus.broker.connect()
    js = runtime.bus.broker.connection.jetstream()
    stream = settings.stream_name
    pending = (await js.stream_info(stream)).state.messages
    # An ephemeral consumer of the whole stream, from its first message, without acks.
    subscription = await js.pull_subscribe(
        f"{settings.subject_prefix}.>",
        stream=stream,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=60),
    )
    kept = skipped = 0
    try:
        while pending > 0:
            for msg in await subscription.fetch(batch=256, timeout=10):
                pending = msg.metadata.num_pending
                record = record_of(
                    msg.subject,
                    msg.data,
                    msg.metadata.sequence.stream,
                    msg.metadata.timestamp,
                    (msg.headers or {}).get("Nats-Msg-Id"),
                )
                if record.event_id in removed:
                    skipped += 1
                elif await handlers.keep(record):
                    kept += 1
        await target[REBUILT].replace_one({"_id": "rebuild"}, {"kept": kept, "skipped": skipped}, upsert=True)
    finally:
        await subscription.unsubscribe()
        await runtime.bus.close()
        await runtime.mongo.close()
    print(f"rebuilt {into}: {kept} records kept, {skipped} skipped as disposed")
    return 0


async def _swap(settings: ArchiveSettings, source: str) -> int:
    runtime = ServiceRuntime(settings)
    target = settings.database_name()
    rebuilt = runtime.mongo[source]
    try:
        # Only a rebuild that reached the stream's end: a half one would lose records.
        if source == target or await rebuilt[REBUILT].find_one({"_id": "rebuild"}) is None:
            print(f"{source} holds no finished rebuild; run warta-archive rebuild --into {source}", file=sys.stderr)
            return 2
        names = sorted(n for n in await rebuilt.list_collection_names() if n != REBUILT)
        for name in names:
            # Across databases the server copies the collection and its indexes, then drops it
            # from the source; a swap cut short is finished by running it again.
            await runtime.mongo.admin.command(
                "renameCollection", f"{source}.{name}", to=f"{target}.{name}", dropTarget=True
            )
        await rebuilt.drop_collection(REBUILT)
        print(f"swapped {', '.join(names)} of {source} into {target}")
        return 0
    finally:
        await runtime.mongo.close()


async def _retention(settings: ArchiveSettings, args: Any) -> int:
    runtime = ServiceRuntime(settings)
    handlers = archive_handlers(settings, runtime)
    try:
        if args.retention_command == "report":
            for line in await handlers.retention_report():
                oldest = line.oldest_end.date().isoformat() if line.oldest_end else "-"
                print(
                    f"{line.record_class.value}: kept {line.keep_years} years; due now: "
                    f"{line.requests} requests, {line.records} records (oldest ended {oldest})"
                )
            return 0
        disposed = await handlers.dispose(args.officer, args.reason)
        print(f"disposed of {sum(len(d.event_ids) for d in disposed)} records of {len(disposed)} entries")
        return 0
    finally:
        await runtime.mongo.close()


if __name__ == "__main__":
    raise SystemExit(main())
