"""``warta``: operator and developer commands.

``warta token --role admin --officer siti`` prints a development bearer token for the dev stack.
"""

import argparse
import sys
from datetime import timedelta

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
    args = parser.parse_args(argv)

    settings = ServiceSettings(service_name="cli")
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


if __name__ == "__main__":
    raise SystemExit(main())
