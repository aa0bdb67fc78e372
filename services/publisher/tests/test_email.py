"""Step 7's email against a real SMTP server (aiosmtpd with STARTTLS): every active contact gets
the release once, refusals are retried or recorded, and a repeated send sends nothing twice."""

import asyncio
from datetime import UTC, datetime, timedelta

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
    SocialChannel,
    SocialPost,
)
from warta.devstack.pytest_plugin import ServiceCaller, running_app
from warta.devstack.smtp import smtp_server
from warta.publisher.app import PublisherSettings, create_app

RID = "req-mail"
DEWI = (Role.COVERAGE_TEAM, "dewi")
LEAD = (Role.TEAM_LEAD, "rina")
ADMIN = (Role.ADMIN, "siti")
REGISTRY = (
    "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
    "Tangerang Ekspres,print,ya,PWI,Budi,Redaksi,budi@tangex.co.id,ya\n"
    "Tangerang Ekspres,print,ya,PWI,Rina,Foto,rina@tangex.co.id,ya\n"
    "Radar TV,tv,ya,IJTI,Sementara,Liputan,sementara@radar.tv,ya\n"
    "Radar TV,tv,ya,IJTI,Ditolak,Liputan,ditolak@radar.tv,ya\n"
    "Antara,news_agency,ya,,Sari,Banten,sari@antaranews.com,ya\n"
    "Antara,news_agency,ya,,Lama,Banten,lama@antaranews.com,tidak\n"
    "Kabar Kota,online,tidak,AJI,Berhenti,Kota,berhenti@kabarkota.id,ya\n"
)


def relay_policy(address: str, tries: int) -> str | None:
    if address.startswith("sementara@") and tries == 0:
        return "450 4.2.1 Mailbox busy, try later"
    if address.startswith("ditolak@"):
        return "550 5.1.1 No such user"
    return None


@pytest.fixture
def relay(tmp_path):
    with smtp_server(tmp_path, relay_policy) as server:
        yield server


@pytest.fixture
async def desk(namespace, mongo, relay):
    settings = namespace.settings(
        PublisherSettings,
        smtp_host=relay.host,
        smtp_port=relay.port,
        smtp_ca_file=relay.ca_file,
        mail_per_second=200,
        public_url="https://warta.tangerangkota.go.id/publisher",
    )
    app = create_app(settings)
    async with running_app(app) as client:
        yield ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])


async def ordered(desk: ServiceCaller, embargo_until: datetime | None = None) -> None:
    """The approved version 1 of a release, as the publisher receives it from review."""
    now = datetime.now(UTC)
    submitted = CoverageSubmitted.occurred(
        data=CoverageSubmittedData(
            request_id=RID,
            version=1,
            press_release=PressRelease(
                title="Wali Kota Resmikan Taman Literasi",
                body="Taman dibuka untuk warga.\n\nSetiap hari.",
                dateline="Tangerang, 30 November 2026",
                lead="Wali Kota meresmikan taman.",
                embargo_until=embargo_until,
            ),
            assets=(
                AssetRef(kind=AssetKind.PHOTO, uri="http://c/a", sha256="a" * 64, caption="Pita digunting"),
                AssetRef(kind=AssetKind.VIDEO, uri="http://c/v", sha256="b" * 64),
            ),
            submitted_by="dewi",
            contributors=("dewi",),
            social_posts=(
                SocialPost(channel=SocialChannel.INSTAGRAM, text="Taman dibuka #Tangerang", media=("http://c/a",)),
            ),
        ),
        request_id=RID,
        time=now - timedelta(minutes=30),
    )
    handlers = desk.app.state.handlers
    await handlers.keep_submission(submitted)
    approved = Approved.occurred(
        data=ApprovedData(request_id=RID, version=1, level=ReviewLevel.SECTION_HEAD), request_id=RID, time=now
    )
    await handlers.order_publication(approved)


async def test_every_active_contact_gets_the_release_once(desk, relay):
    await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
    await desk.ok(ADMIN, "POST", "/media/contacts/berhenti@kabarkota.id/opt-out")
    await ordered(desk)
    await desk.refused(409, DEWI, "POST", f"/publications/{RID}/email")  # not on the website yet
    await desk.ok(DEWI, "POST", f"/publications/{RID}", json={"website_url": "https://tangerangkota.go.id/berita/1"})
    await desk.refused(403, LEAD, "POST", f"/publications/{RID}/email")

    report = await desk.ok(DEWI, "POST", f"/publications/{RID}/email")
    assert report == {"recipients": 5, "sent": 4, "waiting": 0, "failed": 1}
    assert relay.mailbox.delivered_to() == [
        "budi@tangex.co.id",
        "rina@tangex.co.id",
        "sari@antaranews.com",
        "sementara@radar.tv",  # refused for now (450), accepted on the retry
    ]
    deliveries = {d["email"]: d for d in await desk.ok(DEWI, "GET", f"/publications/{RID}/deliveries")}
    assert deliveries["ditolak@radar.tv"]["state"] == "failed"
    assert deliveries["ditolak@radar.tv"]["last_error"].startswith("550")
    assert deliveries["sementara@radar.tv"]["attempts"] == 2
    assert "lama@antaranews.com" not in deliveries  # inactive
    assert "berhenti@kabarkota.id" not in deliveries  # opted out

    message = next(m for m in relay.mailbox.received if m["To"] == "budi@tangex.co.id")
    assert message["Subject"] == "[Siaran Pers] Wali Kota Resmikan Taman Literasi"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Yth. Budi,")
    assert "https://tangerangkota.go.id/berita/1" in text
    assert "- Pita digunting: http://c/a" in text
    assert "http://c/v" not in text  # photos only; the video is on the website
    assert "https://warta.tangerangkota.go.id/publisher/media/contacts/budi@tangex.co.id/opt-out" in text
    assert message.get_body(("html",)) is not None

    # Sending again (a retry, a restart) sends nothing twice.
    again = await desk.ok(DEWI, "POST", f"/publications/{RID}/email")
    assert again == report
    assert len(relay.mailbox.received) == 4
    metrics = (await desk.client.get("/metrics")).text
    assert 'warta_media_emails_total{outcome="sent"} 4.0' in metrics
    assert 'warta_media_emails_total{outcome="transient"} 1.0' in metrics
    assert 'warta_media_emails_total{outcome="failed"} 1.0' in metrics


async def test_nothing_goes_out_before_the_embargo(desk, relay):
    await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
    until = datetime.now(UTC) + timedelta(seconds=2)
    await ordered(desk, embargo_until=until)
    website = {"website_url": "https://tangerangkota.go.id/berita/2"}
    refused = await desk.refused(409, DEWI, "POST", f"/publications/{RID}", json=website)
    assert "embargo" in refused["message"]
    assert relay.mailbox.received == []
    await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.1)
    await desk.ok(DEWI, "POST", f"/publications/{RID}", json=website)
    assert (await desk.ok(DEWI, "POST", f"/publications/{RID}/email"))["sent"] == 5  # nobody opted out here


async def test_each_social_post_is_a_ready_package_whose_address_is_recorded_once(desk):
    await ordered(desk)
    [package] = (await desk.ok(DEWI, "GET", f"/publications/{RID}"))["social"]
    assert package["post"]["text"] == "Taman dibuka #Tangerang"
    assert package["post"]["media"] == ["http://c/a"]
    assert package["posted_url"] is None
    path = f"/publications/{RID}/social/instagram"
    posted = await desk.ok(DEWI, "POST", path, json={"url": "https://www.instagram.com/p/abc/"})
    assert (posted["posted_url"], posted["posted_by"]) == ("https://www.instagram.com/p/abc/", "dewi")
    assert (await desk.ok(DEWI, "POST", path, json={"url": "https://www.instagram.com/p/abc/"})) == posted
    await desk.refused(409, DEWI, "POST", path, json={"url": "https://www.instagram.com/p/other/"})
    await desk.refused(404, DEWI, "POST", f"/publications/{RID}/social/tiktok", json={"url": "https://tiktok.com/x"})
    await desk.refused(403, LEAD, "POST", path, json={"url": "https://www.instagram.com/p/abc/"})
    await desk.refused(422, DEWI, "POST", path, json={"url": "bukan alamat"}, field="url")
