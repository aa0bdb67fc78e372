"""Every route that takes a body refuses one larger than the service's limit with 413, naming the
body, before reading it and without changing anything; the routes that take files keep their own,
larger limits (a scan of a few megabytes is still accepted)."""

import json

import pytest

from warta.contracts import Role
from warta.devstack import samples
from warta.devstack.pytest_plugin import settled
from warta.runtime import ServiceSettings

LIMIT = ServiceSettings.model_fields["max_body_bytes"].default


@pytest.mark.slow
async def test_a_body_over_the_limit_is_refused_with_413_on_every_route_that_takes_one(
    namespace, every_app, allowed_role, mongo
):
    oversized = json.dumps({"padding": "x" * LIMIT}).encode()
    checked = []
    for name, client in every_app.items():
        schema = (await client.get("/openapi.json")).json()
        database = mongo[namespace.database(name)]
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                content = operation.get("requestBody", {}).get("content", {})
                if "application/json" not in content:
                    continue  # files: their own limits, below and in each service's tests
                key = (name, method.upper(), path)
                role = allowed_role(key)
                before = await settled(database)
                answer = await client.request(
                    method.upper(),
                    path.replace("{", "x-").replace("}", ""),
                    content=oversized,
                    headers={**namespace.token(role, "limit.tester"), "Content-Type": "application/json"},
                )
                assert answer.status_code == 413, (key, answer.status_code, answer.text[:300])
                body = answer.json()
                assert body["error"] == "payload_too_large"
                assert body["fields"][0]["field"] == "body"
                assert body["fields"][0]["limits"] == {"max_bytes": str(LIMIT)}
                assert await settled(database) == before, key
                checked.append(key)
    assert len(checked) >= 20, checked  # the JSON routes of the five services at least

    async def streamed():  # no Content-Length: the limit must hold while the bytes arrive
        for _ in range(3):
            yield oversized[: LIMIT // 2]

    intake = mongo[namespace.database("intake")]
    before = await settled(intake)
    chunked = await every_app["intake"].post(
        "/requests",
        content=streamed(),
        headers={**namespace.token(Role.ADMIN, "siti.admin"), "Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in chunked.request.headers}
    assert chunked.status_code == 413, chunked.text
    assert chunked.json()["fields"][0]["field"] == "body"
    assert await settled(intake) == before

    scan = samples.pdf(1, padding=3 * LIMIT)
    taken = await every_app["intake"].post(
        "/scans", content=scan, headers={**namespace.token(Role.ADMIN, "siti.admin"), "Content-Type": "application/pdf"}
    )
    assert taken.status_code == 201, taken.text
    assert taken.json()["size"] == len(scan)
    print(f"injected: a {len(oversized)}-byte JSON body to each of {len(checked)} routes; a {len(scan)}-byte scan")
    print("checked: each route answered 413 naming the body and changed nothing; the scan was taken")
