"""The event catalogue as AsyncAPI (contracts/asyncapi.yaml): committed as generated, a valid
AsyncAPI 3.0.0 document by the specification's own JSON Schema, and naming exactly the events of
the contracts, each with the service that owns it as its only sender and the services that bind a
consumer for it at start-up as its receivers."""

import copy
import importlib
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from warta.contracts import CATALOGUE, DEFAULT_SUBJECT_PREFIX, owner_of, subject_for
from warta.contracts.schemas import schema_documents
from warta.devstack import asyncapi
from warta.devstack.demo import settings_class
from warta.runtime import ServiceSettings
from warta.runtime.bus import Bus
from warta.runtime.metrics import ServiceMetrics
from warta.runtime.registry import services

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / asyncapi.OUTPUT
# The bundled AsyncAPI 3.0.0 schema from @asyncapi/specs (provenance and license in LICENSE beside it).
SPEC = json.loads((Path(__file__).parent / "asyncapi" / "3.0.0.json").read_text(encoding="utf-8"))
EVENT_ADDRESSES = {subject_for(event, "{prefix}"): event for event in CATALOGUE}
STREAM_ADDRESS = "{prefix}.>"
DEAD_LETTER_ADDRESS = "{prefix}_dlq.{service}.{subject}"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    return loaded


def _errors(document: dict[str, Any]) -> list[str]:
    found = Draft7Validator(SPEC).iter_errors(document)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in found]


def _channel_by_address(document: dict[str, Any], address: str) -> str:
    (found,) = (cid for cid, c in document["channels"].items() if c["address"] == address)
    return found


def _operations(document: dict[str, Any], channel: str, action: str) -> list[dict[str, Any]]:
    return [
        op
        for op in document["operations"].values()
        if op["channel"]["$ref"] == f"#/channels/{channel}" and op["action"] == action
    ]


def _service(operation: dict[str, Any]) -> str:
    (tag,) = operation["tags"]
    name: str = tag["name"]
    return name


def _pointer(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_the_committed_catalogue_is_the_generated_one():
    assert COMMITTED.read_bytes() == asyncapi.render().encode("utf-8"), "run `make schemas` and commit the result"


def test_it_is_a_valid_asyncapi_3_0_0_document(document):
    assert document["asyncapi"] == "3.0.0"
    assert _errors(document) == []


def test_the_validator_refuses_what_asyncapi_does_not_allow(document):
    # So that the test above cannot pass on a schema that accepts anything.
    broken = copy.deepcopy(document)
    first = next(iter(broken["operations"].values()))
    first["action"] = "publish"  # AsyncAPI 2's word
    del next(iter(broken["channels"].values()))["address"]
    broken["channels"]["x"] = {"address": "a.b", "unknown": 1}
    assert _errors(broken)
    assert _errors({**document, "asyncapi": "3.1.0"})


def test_each_payload_is_a_valid_asyncapi_schema_when_inlined(document):
    # The specification checks a payload only where it is written inline; here each JSON Schema is
    # put where its $ref stands, as a bundler would.
    inlined = copy.deepcopy(document)
    for message in inlined["components"]["messages"].values():
        ref = message["payload"].get("$ref")
        if ref is not None:
            message["payload"] = json.loads((COMMITTED.parent / ref).read_text(encoding="utf-8"))
    assert _errors(inlined) == []


def test_every_reference_resolves(document):
    for ref in _refs(document):
        if ref.startswith("#/"):
            assert _pointer(document, ref) is not None, ref
        else:
            target = COMMITTED.parent / ref
            assert target.is_file(), ref
            assert target.read_text(encoding="utf-8") == schema_documents()[target.name], ref


def test_operations_use_their_channels_messages_and_addresses_declare_their_parameters(document):
    # Both are MUSTs of the specification that its JSON Schema cannot express.
    for op_id, operation in document["operations"].items():
        channel = operation["channel"]["$ref"]
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"{channel}/messages/"), op_id
    for channel_id, channel in document["channels"].items():
        assert set(re.findall(r"{([^}]+)}", channel["address"])) == set(channel.get("parameters", {})), channel_id
    for op_id in document["operations"]:
        assert re.fullmatch(r"[A-Za-z0-9_\-]+", op_id), op_id
    for channel_id in document["channels"]:
        assert re.fullmatch(r"[A-Za-z0-9_\-]+", channel_id), channel_id


_ONE_SCHEMA = (
    "items",
    "additionalProperties",
    "additionalItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
)


def _schema_keywords(schema: Any) -> set[str]:
    """The keywords a JSON Schema uses, descending only where the value is itself a schema."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "$defs", "definitions", "dependencies"):
            for sub in value.values():
                found |= _schema_keywords(sub)
        elif key in ("items", "allOf", "anyOf", "oneOf") and isinstance(value, list):
            for sub in value:
                found |= _schema_keywords(sub)
        elif key in _ONE_SCHEMA:
            found |= _schema_keywords(value)
    return found


def test_the_payload_schemas_use_only_keywords_asyncapi_schemas_know():
    # pydantic writes JSON Schema 2020-12; AsyncAPI 3.0 reads a payload as draft 07. They agree on
    # every keyword used today; one only 2020-12 knows (prefixItems for a tuple, say) would be
    # silently ignored by AsyncAPI tools, so it stops here first. $defs only holds definitions,
    # which the payloads reach by JSON pointer.
    draft_07 = set(Draft7Validator.META_SCHEMA["properties"]) | {"$defs"}
    for name, text in schema_documents().items():
        assert _schema_keywords(json.loads(text)) <= draft_07, name


def test_every_event_is_a_channel_at_its_subject_and_nothing_else_is(document):
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == set(EVENT_ADDRESSES) | {STREAM_ADDRESS, DEAD_LETTER_ADDRESS}
    assert set(document["components"]["messages"]) == {e.event_type() for e in CATALOGUE} | {asyncapi.DEAD_LETTER}
    for address, event in EVENT_ADDRESSES.items():
        channel = document["channels"][_channel_by_address(document, address)]
        (message,) = channel["messages"].values()
        payload = _pointer(document, message["$ref"])["payload"]
        assert payload == {"$ref": f"./schemas/{event.event_type()}.json"}
    assert document["components"]["parameters"]["prefix"]["default"] == DEFAULT_SUBJECT_PREFIX


def test_each_event_is_sent_by_its_owner_alone(document):
    for address, event in EVENT_ADDRESSES.items():
        senders = _operations(document, _channel_by_address(document, address), "send")
        assert [_service(op) for op in senders] == [owner_of(event)], event.event_type()
    assert _operations(document, _channel_by_address(document, STREAM_ADDRESS), "send") == []


def _consumers_the_services_bind() -> dict[str, set[str]]:
    """Each service's durable consumers, as its app binds them when it is made (nothing connects)."""
    found: dict[str, set[str]] = {}
    for name in services("sop-step", "subscriber"):
        app = importlib.import_module(f"warta.{name}.app").create_app(settings_class(name)())
        found[name] = set(app.state.runtime.bus.durable_consumers)
    return found


def test_the_receivers_are_the_consumers_the_services_bind_at_start_up(document):
    # Read from the apps themselves, not from the generator's stand-in bus: the durable consumer of
    # a service for an event type is `<service>__<type with _ for .>`, or `<service>__all` for the
    # whole stream (warta.runtime.bus).
    in_document: dict[str, set[str]] = {}
    for address, event in EVENT_ADDRESSES.items():
        for op in _operations(document, _channel_by_address(document, address), "receive"):
            in_document.setdefault(_service(op), set()).add(f"{_service(op)}__{event.event_type().replace('.', '_')}")
    for op in _operations(document, _channel_by_address(document, STREAM_ADDRESS), "receive"):
        in_document.setdefault(_service(op), set()).add(f"{_service(op)}__all")
    bound = {name: durables for name, durables in _consumers_the_services_bind().items() if durables}
    assert in_document == bound
    dead_letter_senders = _operations(document, _channel_by_address(document, DEAD_LETTER_ADDRESS), "send")
    assert {_service(op) for op in dead_letter_senders} == set(bound)
    assert _operations(document, _channel_by_address(document, DEAD_LETTER_ADDRESS), "receive") == []


class _JetStream:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, str]]] = []

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str], timeout: float) -> None:
        self.published.append((subject, headers))


async def test_the_headers_and_subjects_are_those_the_bus_writes(document):
    settings = ServiceSettings(service_name="review", subject_prefix="elsewhere")
    bus = Bus(settings, ServiceMetrics("review"))
    js = _JetStream()
    bus.broker = SimpleNamespace(connection=SimpleNamespace(jetstream=lambda: js))  # type: ignore[assignment]
    event_type = CATALOGUE[0].event_type()
    await bus.publish(event_type, "{}", "0b7b7c6e-2f55-4c39-9a51-0e8f9f2c1d11")
    # The one place a dead letter is written; reaching it through a consumer needs a server.
    await bus._send_to_dead_letters(b"{}", bus.subject(event_type), event_type, "boom", 42, 7)
    (subject, headers), (dead_subject, dead_headers) = js.published
    schemas = document["components"]["schemas"]

    event_channel = document["channels"][asyncapi.channel_id(CATALOGUE[0])]
    assert subject == event_channel["address"].replace("{prefix}", "elsewhere")
    assert set(headers) == set(schemas["EventHeaders"]["properties"])
    assert headers["Nats-Msg-Id"] == "0b7b7c6e-2f55-4c39-9a51-0e8f9f2c1d11"

    address = document["channels"][asyncapi.DEAD_LETTERS]["address"]
    assert dead_subject == address.format(prefix="elsewhere", service="review", subject=subject)
    assert set(dead_headers) == set(schemas["DeadLetterHeaders"]["properties"])
    assert set(dead_headers) == set(schemas["DeadLetterHeaders"]["required"])
