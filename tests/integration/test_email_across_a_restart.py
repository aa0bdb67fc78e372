"""The publisher is killed in the middle of emailing the media and started again: every active
contact still receives the release exactly once, whether the kill came after a message was
recorded as sent or after an entry was claimed for sending and before the relay saw it."""

import asyncio
import signal

import httpx
import pytest

from warta.contracts import (
    AssetKind,
    AssetRef,
    PressRelease,
    Role,
)
from warta.devstack.pytest_plugin import eventually, publish_approved
from warta.devstack.smtp import smtp_server

RID = "req-restart"
CONTACTS = [f"wartawan{i}@media{i}.id" for i in range(6)]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "settings", "left"),
    [
        # Killed after the second message was accepted and recorded: four entries still pending.
        pytest.param("email.after_record@2", {}, ["pending"] * 4 + ["sent"] * 2, id="after-a-recorded-send"),
        # Killed with the third entry claimed but not yet handed to the relay: a claim lapses after
        # twice the longest send (three exchanges of WARTA_SMTP_TIMEOUT), 6 s here, and the next
        # pass waits that out, then sends it.
        pytest.param(
            "email.after_claim@3",
            {"WARTA_SMTP_TIMEOUT": "1"},
            ["pending"] * 3 + ["sending"] + ["sent"] * 2,
            id="after-a-claim-before-the-relay",
        ),
    ],
)
async def test_a_restart_mid_send_leaves_no_contact_without_and_none_with_two(
    namespace, service_processes, tmp_path, fault, settings, left
):
    with smtp_server(tmp_path) as relay:
        publisher = service_processes("publisher")
        relay_env = {
            "WARTA_SMTP_HOST": relay.host,
            "WARTA_SMTP_PORT": str(relay.port),
            "WARTA_SMTP_CA_FILE": relay.ca_file,
            "WARTA_MAIL_CONCURRENCY": "1",
            "WARTA_MAIL_PER_SECOND": "100",
            "WARTA_PUBLISH_HOLD_SECONDS": "3",
            **settings,
        }
        publisher.start(**relay_env, WARTA_FAULT_POINTS=fault)
        headers = namespace.token(Role.COVERAGE_TEAM, "dewi")
        await _ready_to_publish(namespace, publisher.url, headers)
        async with httpx.AsyncClient(base_url=publisher.url, headers=headers, timeout=30) as client:
            with pytest.raises(httpx.TransportError):
                await client.post(f"/publications/{RID}/publish")
        publisher.process.wait(10)
        assert publisher.exit_code() == -signal.SIGKILL
        assert len(relay.mailbox.delivered_to()) == 2
        print(f"injected: SIGKILL of the publisher at {fault}, with two of six messages at the relay")

        publisher.start(**relay_env)
        async with httpx.AsyncClient(base_url=publisher.url, headers=headers, timeout=30) as client:
            states = [d["state"] for d in (await client.get(f"/publications/{RID}/deliveries")).json()]
            assert sorted(states) == left
            # The killed press still holds the publication until its hold runs out: the officer is
            # told it is under way, and pressing again once the hold has lapsed sends the rest.
            r = await client.post(f"/publications/{RID}/publish", params={"channel": "email"})
            for _ in range(20):
                if r.status_code != 409:
                    break
                assert "under way" in r.json()["message"], r.text
                await asyncio.sleep(0.5)
                r = await client.post(f"/publications/{RID}/publish", params={"channel": "email"})
            assert r.status_code == 200, r.text
            tally = r.json()["email"]
            assert (tally["recipients"], tally["sent"], tally["waiting"], tally["failed"]) == (6, 6, 0, 0)
            assert r.json()["state"] == "published"
        assert relay.mailbox.delivered_to() == sorted(CONTACTS)
        print("checked: after the restart each of the six contacts holds exactly one message")


async def _ready_to_publish(namespace, url: str, headers: dict[str, str]) -> None:
    """Contacts registered, the release approved and its website post recorded by hand."""
    registry = "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
    registry += "".join(f"Media {i},online,ya,,Wartawan {i},,{email},ya\n" for i, email in enumerate(CONTACTS))
    photo = AssetRef(kind=AssetKind.PHOTO, uri="http://c/a", sha256="a" * 64)  # never served: no attachment
    await publish_approved(namespace, RID, PressRelease(title="Judul", body="Isi"), (photo,))
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        r = await client.post("/media/import", params={"dry_run": "false"}, content=registry.encode())
        assert r.status_code == 200, r.text
        await eventually(lambda: _ok(client.get(f"/publications/{RID}")))
        r = await client.post(f"/publications/{RID}/website", json={"website_url": "https://tangerangkota.go.id/b/9"})
        assert r.status_code == 200, r.text


async def _ok(response) -> bool:
    return (await response).status_code == 200
