"""The registry of Warta's services (``services.toml`` beside this module): each service's port,
its kind, who calls it, what it reaches outside the cluster and the settings its deployment must
set. The dev stack, the deployment generators and the tests read their lists of services here, so
a new service is one entry and one folder."""

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

Kind = Literal["sop-step", "subscriber", "console"]
KINDS: tuple[Kind, ...] = ("sop-step", "subscriber", "console")


class RegistryError(ValueError):
    """A registry entry that cannot be followed."""


@dataclass(frozen=True)
class EnvSetting:
    name: str
    value: str | None = None  # a literal value, or
    secret: tuple[str, str] | None = None  # (Secret name, key)


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    kind: Kind
    called_by: tuple[str, ...]
    reaches: tuple[tuple[str, int], ...]
    memory: Literal["default", "large"]
    public_routes: tuple[tuple[str, str], ...]  # (method, path) answered without an officer's token
    env: tuple[EnvSetting, ...]  # set wherever it runs
    cluster: tuple[EnvSetting, ...]  # set in the cluster beyond ``env``

    @property
    def uses_bus(self) -> bool:
        """Every service but the console has its own NATS user and database."""
        return self.kind != "console"


def parse_registry(text: str) -> dict[str, Service]:
    """The registry from its TOML text, checked: known kinds, unique ports, callers that exist."""
    try:
        raw = tomllib.loads(text)
        services = {name: _service(name, entry) for name, entry in raw.items()}
    except (KeyError, TypeError, ValueError) as e:
        raise RegistryError(f"the registry of services cannot be read: {e}") from e
    ports = [s.port for s in services.values()]
    if len(set(ports)) != len(ports):
        raise RegistryError("two services share a port")
    for service in services.values():
        unknown = set(service.called_by) - set(services)
        if unknown:
            raise RegistryError(f"{service.name} is called by unknown services: {sorted(unknown)}")
    return services


def _service(name: str, entry: dict[str, Any]) -> Service:
    if entry["kind"] not in KINDS:
        raise ValueError(f"{name}: kind must be one of {KINDS}")
    port = int(entry["port"])
    if not 1024 <= port <= 65535:
        raise ValueError(f"{name}: port {port} is not a service port")
    return Service(
        name=name,
        port=port,
        kind=entry["kind"],
        called_by=tuple(entry.get("called_by", ())),
        reaches=tuple((str(what), int(p)) for what, p in entry.get("reaches", ())),
        memory=entry.get("memory", "default"),
        public_routes=tuple((str(method).upper(), str(path)) for method, path in entry.get("public_routes", ())),
        env=_settings(entry.get("env", {}), port),
        cluster=_settings(entry.get("cluster", {}), port),
    )


def _settings(table: dict[str, Any], port: int) -> tuple[EnvSetting, ...]:
    return tuple(_env(key, str(value).replace("{port}", str(port))) for key, value in table.items())


def _env(key: str, value: str) -> EnvSetting:
    if value.startswith("secret:"):
        _, secret, field = value.split(":", 2)
        return EnvSetting(key, secret=(secret, field))
    return EnvSetting(key, value=value)


REGISTRY: dict[str, Service] = parse_registry(
    resources.files(__package__).joinpath("services.toml").read_text(encoding="utf-8")
)


def services(*kinds: Kind) -> tuple[str, ...]:
    """The names of the services of these kinds (all without any), in the registry's order."""
    return tuple(name for name, s in REGISTRY.items() if not kinds or s.kind in kinds)


def port(name: str) -> int:
    return REGISTRY[name].port


def called_by(caller: str) -> tuple[str, ...]:
    """The services whose APIs ``caller`` calls."""
    return tuple(name for name, s in REGISTRY.items() if caller in s.called_by)


def public_routes() -> set[tuple[str, str, str]]:
    """Every (service, method, path) answered without an officer's token."""
    return {(name, method, path) for name, s in REGISTRY.items() for method, path in s.public_routes}
