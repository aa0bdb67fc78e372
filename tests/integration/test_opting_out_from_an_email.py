"""The opt-out link in a delivered email works with no token, and a forged one is refused.

The publisher runs as its own process, as in production; a release is published and its emails go
through the real SMTP server of the tests, which keeps each message as an .eml file. The test reads
a newsroom's message as its mail program does, takes the link from ``List-Unsubscribe`` and from
both parts of the body, and follows it as the internet reaches it: the public host's path sent to
the Service the generated Ingress routes it to, with no Authorization. A forged link changes
nothing; the real one's one-click POST opts the contact out, and the next release is not sent to
them."""

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from warta.contracts import PressRelease, Role
from warta.devstack import kubernetes
from warta.devstack.pytest_plugin import ServiceProcess, eventually, publish_approved
from warta.devstack.smtp import read_email, smtp_server

PUBLIC = "https://warta.tangerangkota.go.id"
BUDI, SARI = "budi@tangex.co.id", "sari@antaranews.com"
REGISTRY = (
    "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
    f"Tangerang Ekspres,print,ya,PWI,Budi,Redaksi,{BUDI},ya\n"
    f"Antara,news_agency,ya,,Sari,Banten,{SARI},ya\n"
)
TEAM = (Role.COVERAGE_TEAM, "dewi")


def kept(folder: Path, to: str) -> list[bytes]:
    """The messages the relay kept for ``to``, as the bytes it received."""
    found = []
    for eml in sorted(folder.glob("*.eml")):
        raw = eml.read_bytes()
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        if parsed["To"] == to:
            found.append(raw)
    return found


def the_links(raw: bytes) -> tuple[str, str, str, str]:
    """The opt-out link as the header, the plain text and the HTML say it, and the one-click header."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    header = str(message["List-Unsubscribe"])
    assert re.fullmatch(r"<[^<>\s]+>", header), header  # one address, unfolded and unencoded
    seen = read_email(raw)
    [in_text] = re.findall(r"Berhenti menerima siaran pers: (\S+)", seen.text)
    [in_html] = [url for url, text in seen.links.items() if text == "Berhenti menerima siaran pers"]
    return header[1:-1], in_text, in_html, str(message["List-Unsubscribe-Post"])


async def publish(publisher: ServiceProcess, namespace, request_id: str, title: str) -> dict:
    """An approved release published by the team: its website post recorded by hand, its email sent."""
    await publish_approved(namespace, request_id, PressRelease(title=title, body="Isi siaran pers."), ())
    async with httpx.AsyncClient(base_url=publisher.url, headers=namespace.token(*TEAM), timeout=30) as team:

        async def ready() -> bool:
            return (await team.get(f"/publications/{request_id}")).status_code == 200

        await eventually(ready)
        website = {"website_url": f"https://tangerangkota.go.id/berita/{request_id}"}
        assert (await team.post(f"/publications/{request_id}/website", json=website)).status_code == 200
        published = await team.post(f"/publications/{request_id}/publish")
        assert published.status_code == 200, published.text
        return published.json()


def through_the_ingress(publisher: ServiceProcess, link: str) -> str:
    """Where the internet's request for ``link`` lands: the public host's path, sent to the Service
    the generated Ingress routes it to (here the publisher's process)."""
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC, link
    assert kubernetes.routed_to(kubernetes.ingress(), parts.path) == ("publisher", "http"), parts.path
    return f"{publisher.url}{parts.path}?{parts.query}"


@pytest.mark.slow
async def test_the_opt_out_link_in_a_delivered_email_works_with_no_token_and_a_forged_one_is_refused(
    namespace, service_processes, tmp_path
):
    mail = tmp_path / "mail"
    mail.mkdir()
    with smtp_server(tmp_path, keep_in=mail) as relay:
        publisher = service_processes("publisher")
        publisher.start(
            WARTA_SMTP_HOST=relay.host,
            WARTA_SMTP_PORT=str(relay.port),
            WARTA_SMTP_CA_FILE=relay.ca_file,
            WARTA_MAIL_PER_SECOND="100",
            WARTA_PUBLIC_URL=PUBLIC,
            WARTA_OPT_OUT_SECRET="rahasia-uji-integrasi",
        )
        async with httpx.AsyncClient(base_url=publisher.url, headers=namespace.token(Role.ADMIN, "siti")) as office:
            imported = await office.post("/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
            assert imported.status_code == 200, imported.text

            async def opted_out() -> dict[str, str | None]:
                return {c["email"]: c["opted_out_at"] for c in (await office.get("/media/contacts")).json()}

            first = await publish(publisher, namespace, "req-optout-1", "Wali Kota Resmikan Taman")
            assert first["email"]["sent"] == 2, first
            [delivered] = kept(mail, BUDI)
            header, in_text, in_html, one_click = the_links(delivered)
            assert header == in_text == in_html  # one link, wherever the newsroom finds it
            assert one_click == "List-Unsubscribe=One-Click"
            link = through_the_ingress(publisher, header)

            async with httpx.AsyncClient(timeout=30) as internet:  # no Authorization, no cookie
                # A forged or altered signature: refused, saying so, and nothing changes.
                key = urlsplit(link).query.removeprefix("key=")
                altered = link.replace(key, key[:-1] + ("0" if key[-1] != "0" else "1"))
                sari_link = through_the_ingress(publisher, the_links(kept(mail, SARI)[0])[0])
                borrowed = link.replace(urlsplit(link).query, urlsplit(sari_link).query)  # Sari's key on Budi
                for forged in (altered, borrowed, link.split("?")[0] + "?key=forged"):
                    refused = await internet.post(forged, data={"List-Unsubscribe": "One-Click"})
                    assert refused.status_code == 403, refused.text
                    assert "Tautan tidak sah" in refused.text
                assert await opted_out() == {BUDI: None, SARI: None}

                # Opened in a browser, or by a mail scanner: a page that asks, and nothing changes.
                page = await internet.get(link)
                assert page.status_code == 200, page.text
                assert "Berhenti menerima siaran pers" in page.text
                assert await opted_out() == {BUDI: None, SARI: None}

                # The mail program's one-click (RFC 8058): the contact is opted out, no page needed.
                clicked = await internet.post(link, data={"List-Unsubscribe": "One-Click"})
                assert clicked.status_code == 200, clicked.text
                assert "Anda tidak akan menerima siaran pers lagi" in clicked.text
                again = await internet.post(link, data={"List-Unsubscribe": "One-Click"})
                assert again.status_code == 200, again.text  # a second click is fine
            after = await opted_out()
            assert after[BUDI] is not None
            assert after[SARI] is None

            second = await publish(publisher, namespace, "req-optout-2", "Festival Cisadane Dibuka")
            assert (second["email"]["recipients"], second["email"]["sent"]) == (1, 1), second
        assert len(kept(mail, BUDI)) == 1  # only the first release
        assert len(kept(mail, SARI)) == 2
        assert relay.mailbox.delivered_to() == sorted([BUDI, SARI, SARI])
    print(f"checked: the link in {BUDI}'s email (header, text, HTML) opted them out with no token; 3 forgeries refused")
