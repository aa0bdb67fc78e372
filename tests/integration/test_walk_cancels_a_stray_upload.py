"""The scripted officers do what a refusal tells a person to do. An upload declared by a request
whose answer was lost, and declared again, leaves the first at 0 %; the submission is refused
until it is finished or cancelled, and the walk (used by the chaos test and the benchmarks)
cancels it and submits again, as the officer would."""

import pytest

from warta.contracts import Role
from warta.devstack.demo import PHOTOGRAPHER, walk
from warta.devstack.pytest_plugin import SERVICES, routed_apps
from warta.devstack.smtp import smtp_server


@pytest.mark.slow
async def test_a_stray_upload_is_cancelled_before_the_submission(namespace, mongo, tmp_path):
    workspaces = mongo[namespace.database("coverage")].workspaces
    uploads = mongo[namespace.database("coverage")].uploads
    with smtp_server(tmp_path) as relay:
        mail = {"smtp_host": relay.host, "smtp_port": relay.port, "smtp_ca_file": relay.ca_file}
        async with routed_apps(namespace, SERVICES, {"publisher": mail}) as client:
            strays: list[str] = []

            def token_for(officer_id: str, role: Role) -> str:
                return namespace.token(role, officer_id)["Authorization"].removeprefix("Bearer ")

            async def before(step: int) -> None:
                if step != 4:
                    return
                workspace = await workspaces.find_one({"state": "open"})
                assert workspace is not None
                declared = {"filename": "peresmian.jpg", "size": 1000, "kind": "photo"}
                headers = namespace.token(Role.COVERAGE_TEAM, PHOTOGRAPHER[0])
                r = await client.post(
                    f"http://coverage/coverage/{workspace['_id']}/uploads", json=declared, headers=headers
                )
                assert r.status_code == 201, r.text
                strays.append(r.json()["upload_id"])
                assert await uploads.find_one({"_id": strays[0]}) is not None

            timeline = await walk(
                {n: f"http://{n}" for n in SERVICES},
                token_for,
                before=before,
                straight=True,
                client=client,
                patience=30,
            )

    assert len(strays) == 1
    assert timeline.request_id
    assert await uploads.find_one({"_id": strays[0]}) is None  # cancelled: nothing of it is kept
    workspace = await workspaces.find_one({"_id": timeline.request_id})
    assert workspace["versions"] == 1
