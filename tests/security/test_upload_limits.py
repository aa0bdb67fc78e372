"""Each route that starts a file upload counts the officer's uploads: past ``uploads_per_minute``
it answers 429 with Retry-After and keeps nothing, while another officer may still upload."""

import pytest

from warta.contracts import Role
from warta.devstack.pytest_plugin import apps_of, settled

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
ROUTES = {
    "intake": ("POST", "/scans", Role.ADMIN, {"content": PDF}),
    "coverage": (
        "POST",
        "/coverage/req-unknown/uploads",
        Role.COVERAGE_TEAM,
        {"json": {"filename": "foto.jpg", "size": 1000, "kind": "photo"}},
    ),
    "publisher": ("POST", "/media/import", Role.ADMIN, {"content": b"nama,email\n"}),
}


@pytest.mark.slow
async def test_an_officer_starting_too_many_uploads_is_told_to_wait(namespace, mongo, monkeypatch):
    monkeypatch.setenv("WARTA_UPLOADS_PER_MINUTE", "3")
    async with apps_of(namespace, tuple(ROUTES)) as clients:
        for name, (method, path, role, kwargs) in ROUTES.items():
            client, database = clients[name], mongo[namespace.database(name)]
            busy, other = namespace.token(role, f"{name}.busy"), namespace.token(role, f"{name}.other")
            answers = [(await client.request(method, path, **kwargs, headers=busy)).status_code for _ in range(3)]
            assert 429 not in answers, (name, answers)
            before = await settled(database)
            refused = await client.request(method, path, **kwargs, headers=busy)
            assert refused.status_code == 429, (name, refused.text)
            assert refused.json()["error"] == "too_many_requests"
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
            assert await settled(database) == before, name
            allowed = await client.request(method, path, **kwargs, headers=other)
            assert allowed.status_code == answers[0], (name, allowed.text)
    print("injected: four uploads started by one officer within a minute on each of intake, coverage and publisher")
    print("checked: the fourth answered 429 with Retry-After and changed nothing; another officer was let through")
