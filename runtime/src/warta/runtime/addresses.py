"""What a service reaches and what it gives people, as production must have them: with the city's
sign-in (``auth_mode=oidc``) no such address may be left at its development default on this
machine, and the addresses people open from outside must be the city's public ones.

A settings field says which it is by ``reaching(...)``; ``ServiceSettings`` checks them all when
it is read, so a Deployment that forgets one fails at start, naming the setting, instead of
sending the media's email to ``127.0.0.1``."""

import ipaddress
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

REACH = "warta_reach"  # the key of a field's json_schema_extra
OPTIONAL = "warta_optional"  # ... and of its mark that production may leave it unset


class Reach(StrEnum):
    NEARBY = "nearby"  # another service or server: anywhere but this machine
    PUBLIC = "public"  # opened by people outside the cluster: https on a full domain name


def reaching(reach: Reach, default: Any = None, *, optional: bool = False, **field: Any) -> Any:
    """A settings field holding an address of kind ``reach`` (a URL, or a host name); ``optional``:
    production may leave it unset (what it names is then not used), but not at this machine."""
    return Field(default=default, json_schema_extra={REACH: reach.value, OPTIONAL: optional}, **field)


def _host(value: str) -> str | None:
    return urlsplit(value).hostname if "://" in value else value.strip() or None


def _on_this_machine(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def problem(setting: str, reach: Reach, value: Any) -> str | None:
    """Why ``value`` cannot serve as ``setting`` in production, or None when it can."""
    if value is None or not str(value).strip():
        return f"{setting} is not set"
    text = str(value)
    hosts = [_host(part) for part in text.split(",")]  # a list of servers, e.g. NATS's
    if any(host is None for host in hosts):
        return f"{setting}={text!r} names no host"
    if any(_on_this_machine(host) for host in hosts if host):
        return f"{setting}={text!r} is this machine, not the server production needs"
    if reach is Reach.PUBLIC:
        parts = urlsplit(text)
        if parts.scheme != "https" or "." not in (parts.hostname or ""):
            return f"{setting}={text!r} is not a public https address people outside can open"
    return None


def problems(settings: BaseModel, prefix: str = "WARTA_") -> list[str]:
    """Every address field of ``settings`` that production could not use."""
    found = []
    for name, field in type(settings).model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and isinstance(extra.get(REACH), str):
            value = getattr(settings, name)
            if value is None and extra.get(OPTIONAL):
                continue
            said = problem(f"{prefix}{name.upper()}", Reach(str(extra[REACH])), value)
            if said is not None:
                found.append(said)
    return found
