"""``warta``: operator and developer commands.

``warta token --role admin --officer siti`` prints a development bearer token for the dev stack.
``warta dlq list`` shows the events some service could not apply, ``warta dlq show SEQ`` one of
them with its error and payload, and ``warta dlq replay SEQ`` sends it again to its subject (after
the cause is fixed); services that applied it already ignore it. NATS and the stream names come
from the same ``WARTA_`` settings as the services'.
"""

import argparse
import asyncio
import json
import sys
from datetime import timedelta

import nats
from nats.js.errors import NotFoundError

from warta.contracts import Role

from .auth import issue_dev_token
from .settings import ServiceSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="warta")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="issue a development bearer token")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--officer", required=True, help="the officer id (token subject)")
    token.add_argument("--name", help="the officer's display name")
    token.add_argument("--ttl-hours", type=float, default=12.0)
    dlq = commands.add_parser("dlq", help="inspect and replay dead-lettered events")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    dlq_list = dlq_commands.add_parser("list", help="every dead letter: sequence, service, subject, error")
    dlq_list.add_argument("--service", help="only those of this service")
    dlq_show = dlq_commands.add_parser("show", help="one dead letter with its headers and payload")
    dlq_show.add_argument("seq", type=int)
    dlq_replay = dlq_commands.add_parser("replay", help="publish a dead letter again to its original subject")
    dlq_replay.add_argument("seq", type=int)
    dlq_replay.add_argument("--keep", action="store_true", help="leave it in the dead-letter stream")
    args = parser.parse_args(argv)

    settings = ServiceSettings(service_name="cli")
    if args.command == "dlq":
        return asyncio.run(_dlq(settings, args))
    if settings.auth_mode != "dev":
        print(
            "warta token issues development tokens only; production tokens come from the identity provider",
            file=sys.stderr,
        )
        return 2
    print(
        issue_dev_token(
            settings,
            officer_id=args.officer,
            role=Role(args.role),
            name=args.name,
            ttl=timedelta(hours=args.ttl_hours),
        )
    )
    return 0


async def _dlq(settings: ServiceSettings, args: argparse.Namespace) -> int:
    stream = f"{settings.stream_name}_DLQ"
    connection = await nats.connect(
        settings.nats_servers, **settings.nats_login(), connect_timeout=5, max_reconnect_attempts=1
    )
    js = connection.jetstream()
    try:
        if args.dlq_command == "list":
            info = await js.stream_info(stream)
            first, last = info.state.first_seq, info.state.last_seq
            for seq in range(first, last + 1) if info.state.messages else ():
                try:
                    msg = await js.get_msg(stream, seq)
                except NotFoundError:
                    continue  # replayed and removed
                service = (msg.subject or "").split(".")[1]
                if args.service and service != args.service:
                    continue
                headers = msg.headers or {}
                print(
                    f"{seq}\t{service}\t{headers.get('Warta-Original-Subject', '')}\t"
                    f"{headers.get('Warta-Deliveries', '')}\t{headers.get('Warta-Error', '')[:160]}"
                )
            return 0
        try:
            msg = await js.get_msg(stream, args.seq)
        except NotFoundError:
            print(f"no dead letter {args.seq}", file=sys.stderr)
            return 1
        headers = msg.headers or {}
        if args.dlq_command == "show":
            for name, value in sorted(headers.items()):
                print(f"{name}: {value}")
            print()
            print(json.dumps(json.loads(msg.data or b"{}"), indent=2, ensure_ascii=False))
            return 0
        event_id = json.loads(msg.data or b"{}").get("id", "")
        # A new dedupe id: the stream still remembers the original one and would drop the replay.
        await js.publish(
            headers["Warta-Original-Subject"],
            msg.data or b"",
            headers={"Nats-Msg-Id": f"{event_id}:replay:{args.seq}", "content-type": "application/json"},
        )
        if not args.keep:
            await js.delete_msg(stream, args.seq)
        print(f"replayed {args.seq} to {headers['Warta-Original-Subject']}")
        return 0
    finally:
        await connection.close()


if __name__ == "__main__":
    raise SystemExit(main())
