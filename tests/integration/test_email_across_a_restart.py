"""The publisher is killed in the middle of emailing the media and started again: every active
contact still receives the release exactly once."""

import signal
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from warta.contracts import (
    Approved,
    ApprovedData,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    PressRelease,
    ReviewLevel,
    Role,
    subject_for,
)
from warta.devstack.pytest_plugin import eventually
from warta.devstack.smtp import smtp_server

RID = "req-restart"
CONTACTS = [f"wartawan{i}@media{i}.id" for i in range(6)]


@pytest.mark.slow
async def test_a_restart_mid_send_leaves_no_contact_without_and_none_with_two(namespace, service_processes, tmp_path):
    with smtp_server(tmp_path) as relay:
        publisher = service_processes("publisher")
        relay_env = {
            "WARTA_SMTP_HOST": relay.host,
            "WARTA_SMTP_PORT": str(relay.port),
            "WARTA_SMTP_CA_FILE": relay.ca_file,
            "WARTA_MAIL_CONCURRENCY": "1",
            "WARTA_MAIL_PER_SECOND": "100",
        }
        publisher.start(**relay_env, WARTA_FAULT_POINTS="email.after_record@2")
        headers = namespace.token(Role.COVERAGE_TEAM, "dewi")
        registry = "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
        registry += "".join(f"Media {i},online,ya,,Wartawan {i},,{email},ya\n" for i, email in enumerate(CONTACTS))
        now = datetime.now(UTC)
        submitted = CoverageSubmitted.occurred(
            data=CoverageSubmittedData(
                request_id=RID,
                version=1,
                press_release=PressRelease(title="Judul", body="Isi"),
                assets=(AssetRef(kind=AssetKind.PHOTO, uri="http://c/a", sha256="a" * 64),),
                submitted_by="dewi",
                contributors=("dewi",),
            ),
            request_id=RID,
            time=now - timedelta(minutes=5),
        )
        approved = Approved.occurred(
            data=ApprovedData(request_id=RID, version=1, level=ReviewLevel.SECTION_HEAD), request_id=RID, time=now
        )
        for event in (submitted, approved):
            suffix = subject_for(type(event)).removeprefix("warta.")
            await namespace.publish_raw(suffix, event.model_dump_json().encode(), str(event.id))

        async with httpx.AsyncClient(base_url=publisher.url, headers=headers, timeout=30) as client:
            r = await client.post("/media/import", params={"dry_run": "false"}, content=registry.encode())
            assert r.status_code == 200, r.text
            await eventually(lambda: _ok(client.get(f"/publications/{RID}")))
            website = {"website_url": "https://tangerangkota.go.id/b/9"}
            r = await client.post(f"/publications/{RID}/website", json=website)
            assert r.status_code == 200, r.text
            with pytest.raises(httpx.TransportError):
                await client.post(f"/publications/{RID}/publish")
        publisher.process.wait(10)
        assert publisher.exit_code() == -signal.SIGKILL
        assert len(relay.mailbox.delivered_to()) == 2
        print("injected: SIGKILL of the publisher after the second recorded delivery of six")

        publisher.start(**relay_env)
        async with httpx.AsyncClient(base_url=publisher.url, headers=headers, timeout=30) as client:
            r = await client.post(f"/publications/{RID}/publish", params={"channel": "email"})
            assert r.status_code == 200, r.text
            tally = r.json()["email"]
            assert (tally["recipients"], tally["sent"], tally["waiting"], tally["failed"]) == (6, 6, 0, 0)
            assert r.json()["state"] == "published"
        assert relay.mailbox.delivered_to() == sorted(CONTACTS)
        print("checked: after the restart each of the six contacts holds exactly one message")


async def _ok(response) -> bool:
    return (await response).status_code == 200
