"""The registry of services is the one list of them: checked when read, and in agreement with the
SOP (every step performed by a registered service) and the contracts (every event owned by one)."""

import importlib

import pytest

from warta.contracts import CATALOGUE, SOP, owner_of
from warta.runtime.registry import REGISTRY, RegistryError, called_by, parse_registry, services

GOOD = """
[one]
port = 8101
kind = "sop-step"
called_by = ["two"]

[two]
port = 8102
kind = "console"
"""


def test_the_registry_names_every_service_once_with_its_own_port():
    assert services("sop-step") == ("intake", "scheduler", "coverage", "review", "publisher")
    assert services("subscriber") == ("archive", "notifier")
    assert services("console") == ("console",)
    assert len({s.port for s in REGISTRY.values()}) == len(REGISTRY)
    assert called_by("console") == ("intake", "scheduler", "coverage", "review", "publisher", "archive", "notifier")


def test_every_sop_step_and_every_event_belongs_to_a_registered_service():
    performers = {step.service for revision in SOP for step in revision.steps}
    assert performers <= set(services("sop-step"))
    assert {owner_of(event) for event in CATALOGUE} <= set(services("sop-step"))


@pytest.mark.parametrize("name", list(REGISTRY))
def test_each_service_listens_on_its_registered_port_by_default(name):
    module = importlib.import_module(f"warta.{name}.app")
    settings = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and v.__module__ == module.__name__ and "http_port" in getattr(v, "model_fields", {})
    ]
    assert settings
    assert {cls.model_fields["http_port"].default for cls in settings} == {REGISTRY[name].port}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (GOOD.replace("port = 8102", "port = 8101"), "share a port"),
        (GOOD.replace('kind = "console"', 'kind = "daemon"'), "kind must be"),
        (GOOD.replace('called_by = ["two"]', 'called_by = ["three"]'), "unknown services"),
        (GOOD.replace("port = 8102", "port = 80"), "not a service port"),
        (GOOD.replace("port = 8102\n", ""), "cannot be read"),
    ],
)
def test_a_registry_that_cannot_be_followed_is_refused(text, why):
    assert parse_registry(GOOD)["one"].called_by == ("two",)
    with pytest.raises(RegistryError, match=why):
        parse_registry(text)
