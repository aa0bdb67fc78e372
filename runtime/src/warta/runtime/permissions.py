"""What each service may do on NATS, derived from the contracts' ownership table: publish the
events it owns and its own dead letters, and use JetStream for the streams and its consumers;
nothing else. A compromised service therefore cannot publish another service's event (an approval,
a publication). Rendered as a nats-server ``authorization`` block for the dev stack, the tests and
``deploy/nats/``.

Consumers are not restricted by name: NATS wildcards match whole tokens only, and a durable's name
(``review__warta_coverage_submitted_v1``) is one token; every service may read the event stream.
"""

import json
from collections.abc import Iterable, Mapping

from warta.contracts import CATALOGUE, owner_of, subject_for

API = "$JS.API"
OPERATOR = "warta-operator"  # the operators' command line and the tests: everything


def user_for(service: str) -> str:
    return f"warta-{service}"


def streams_of(stream: str) -> tuple[str, str, str]:
    """The event stream, its dead letters and its kept max-deliveries advisories."""
    return stream, f"{stream}_DLQ", f"{stream}_ADVISORIES"


def bus_permissions(service: str, *, stream: str, prefix: str) -> dict[str, dict[str, list[str]]]:
    owned = [subject_for(event, prefix) for event in CATALOGUE if owner_of(event) == service]
    events, _, advisories = streams_of(stream)
    publish = [
        *owned,
        f"{prefix}_dlq.{service}.>",
        f"{API}.INFO",
        f"{API}.STREAM.NAMES",
        *(f"{API}.STREAM.{verb}.{name}" for name in streams_of(stream) for verb in ("INFO", "CREATE", "UPDATE")),
        f"{API}.STREAM.MSG.GET.{events}",  # the original of a message that ran out of deliveries
    ]
    for name in (events, advisories):
        publish += [
            f"{API}.CONSUMER.CREATE.{name}.*",
            f"{API}.CONSUMER.CREATE.{name}.*.>",
            f"{API}.CONSUMER.DURABLE.CREATE.{name}.*",
            f"{API}.CONSUMER.INFO.{name}.*",
            f"{API}.CONSUMER.MSG.NEXT.{name}.*",
            f"$JS.ACK.{name}.>",
        ]
    return {"publish": {"allow": publish}, "subscribe": {"allow": ["_INBOX.>"]}}


def authorization(
    passwords: Mapping[str, str], operator_password: str, *, stream: str, prefix: str, literal: bool = True
) -> str:
    """A nats-server ``authorization`` block: one user per service in ``passwords`` and the
    operator. With ``literal=False`` each password is written as a variable (``$NAME``) that
    nats-server reads from its environment, for a configuration kept in version control."""

    def secret(value: str) -> str:
        return json.dumps(value) if literal else value

    def user(name: str, password: str, permissions: object) -> str:
        return f"    {{user: {json.dumps(name)}, password: {secret(password)}, permissions: {json.dumps(permissions)}}}"

    everything = {"publish": ">", "subscribe": ">"}
    users = [user(OPERATOR, operator_password, everything)]
    users += [
        user(user_for(service), password, bus_permissions(service, stream=stream, prefix=prefix))
        for service, password in passwords.items()
    ]
    return "authorization {\n  users: [\n" + ",\n".join(users) + "\n  ]\n}\n"


def password_variables(services: Iterable[str]) -> dict[str, str]:
    """The environment variable nats-server reads each service's password from."""
    return {service: f"$WARTA_NATS_PASSWORD_{service.upper()}" for service in services}
