"""Step 7's email against a real SMTP server (aiosmtpd with STARTTLS): every active contact gets
the release once, refusals are retried or recorded, and a repeated send sends nothing twice."""

import asyncio
import io
import time
from datetime import UTC, datetime, timedelta

import pytest
import trustme
from PIL import Image

from warta.contracts import (
    AssetKind,
    AssetRef,
    PressRelease,
    Published,
    ReviewLevel,
    Role,
    SocialChannel,
    SocialPost,
)
from warta.devstack.pytest_plugin import ServiceCaller, eventually, running_app
from warta.devstack.servers import free_port
from warta.devstack.smtp import smtp_server
from warta.devstack.stub_http import PhotoHandler
from warta.publisher.app import DEV_OPT_OUT_SECRET, PublisherSettings, create_app
from warta.publisher.mail import ReleaseEmail
from warta.publisher.opt_out import ONE_CLICK, OptOutLinks

RID = "req-mail"
DEWI = (Role.COVERAGE_TEAM, "dewi")
LEAD = (Role.TEAM_LEAD, "rina")
HEAD = (Role.SECTION_HEAD, "hendra")
OUTSIDER = (Role.COVERAGE_TEAM, "joko")  # of the coverage team, not assigned to this event
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


@pytest.fixture
def ordered(approve, photos):
    async def ordered(
        desk: ServiceCaller, embargo_until: datetime | None = None, level: ReviewLevel = ReviewLevel.SECTION_HEAD
    ) -> None:
        release = PressRelease(
            title="Wali Kota Resmikan Taman Literasi",
            body="Taman dibuka untuk warga.\n\nSetiap hari.",
            dateline="Tangerang, 30 November 2026",
            lead="Wali Kota meresmikan taman.",
            embargo_until=embargo_until,
        )
        assets = (photos[0], AssetRef(kind=AssetKind.VIDEO, uri="http://c/v", sha256="b" * 64))
        instagram = SocialPost(channel=SocialChannel.INSTAGRAM, text="Taman dibuka #Tangerang", media=(photos[0].uri,))
        await approve(desk, RID, release, assets, (instagram,), level)

    return ordered


def tally(publication: dict) -> tuple[int, int, int, int]:
    email = publication["email"]
    return email["recipients"], email["sent"], email["waiting"], email["failed"]


async def test_every_active_contact_gets_the_release_once(desk, relay, ordered, photos):
    await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
    await desk.ok(ADMIN, "POST", "/media/contacts/berhenti@kabarkota.id/opt-out")
    await ordered(desk)
    # No website channel is connected here: the officer posts by hand and records the address.
    refused = await desk.refused(409, DEWI, "POST", f"/publications/{RID}/publish")
    assert "record its address" in refused["message"]
    refused = await desk.refused(409, DEWI, "POST", f"/publications/{RID}/publish", params={"channel": "email"})
    assert "website first" in refused["message"]
    assert relay.mailbox.received == []
    # An address typed with a space in it is a typo, not a page: refused, and nothing recorded
    # (an address that goes out to the media as typed cannot be taken back).
    for typo in ("https://tangerangkota.go.id/berita wisuda", "https://tangerangkota.go.id/berita/1 2"):
        refused = await desk.refused(
            422, DEWI, "POST", f"/publications/{RID}/website", json={"website_url": typo}, field="website_url"
        )
        assert [f["type"] for f in refused["fields"]] == ["url_parsing"]
    website = {"website_url": "https://tangerangkota.go.id/berita/1"}
    recorded = await desk.ok(DEWI, "POST", f"/publications/{RID}/website", json=website)
    assert (recorded["state"], recorded["website"]["channel"]) == ("ready", "manual")  # the email is not done
    # Step 7 is the assigned team's (and the team lead's): neither another coverage officer nor
    # the section head publishes it.
    await desk.refused(403, OUTSIDER, "POST", f"/publications/{RID}/publish")
    await desk.refused(403, HEAD, "POST", f"/publications/{RID}/publish")

    publication = await desk.ok(DEWI, "POST", f"/publications/{RID}/publish")
    assert tally(publication) == (5, 4, 0, 1)
    assert publication["state"] == "published"
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
    # A post made by hand gives no public copies of the photos, and newsrooms cannot open the
    # coverage service's addresses: no photo links then (the WordPress test has them), but the
    # photo is attached, as published: its caption and credit in it, no location.
    assert "/assets/" not in message.get_body(("html",)).get_content()
    assert "http://c/v" not in text
    [(name, attached)] = [(p.get_filename(), p.get_content()) for p in message.iter_attachments()]
    assert name == "foto-1-wali-kota-menggunting-pita.jpg"
    assert "Wali Kota menggunting pita (Foto: Dewi Lestari/Prokopim Kota Tangerang) — terlampir: " + name in text
    shown = Image.open(io.BytesIO(attached))
    assert 0x8825 not in shown.getexif()
    assert shown.tobytes() == Image.open(io.BytesIO(PhotoHandler.photos[photos[0].sha256][0])).tobytes()
    # The contact's own signed link, in the text and for a mail program's one-click (RFC 8058).
    link = OptOutLinks(DEV_OPT_OUT_SECRET, "https://warta.tangerangkota.go.id/publisher").link("budi@tangex.co.id")
    assert f"Berhenti menerima siaran pers: {link}" in text
    assert (message["List-Unsubscribe"], message["List-Unsubscribe-Post"]) == (f"<{link}>", ONE_CLICK)
    assert message.get_body(("html",)) is not None

    [published] = await eventually(lambda: desk.ns.events("publication.published.v1"))
    assert isinstance(published, Published)
    assert str(published.data.website_url) == "https://tangerangkota.go.id/berita/1"
    assert (published.data.emails_sent, published.data.emails_failed) == (4, 1)
    assert [(c.channel, c.outcome.value) for c in published.data.channels] == [
        ("website", "published"),
        ("email", "sent"),
        ("instagram", "package_ready"),
    ]
    # Published once; pressing again changes and sends nothing.
    await desk.refused(409, DEWI, "POST", f"/publications/{RID}/publish")
    assert len(relay.mailbox.received) == 4
    metrics = (await desk.client.get("/metrics")).text
    assert 'warta_media_emails_total{outcome="sent"} 4.0' in metrics
    assert 'warta_media_emails_total{outcome="transient"} 1.0' in metrics
    assert 'warta_media_emails_total{outcome="failed"} 1.0' in metrics
    assert 'warta_sop_step_duration_seconds_count{sop="58/2025",step="7"} 1.0' in metrics


async def test_nothing_goes_out_before_the_embargo(desk, relay, ordered):
    await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
    until = datetime.now(UTC) + timedelta(seconds=2)
    await ordered(desk, embargo_until=until)
    website = {"website_url": "https://tangerangkota.go.id/berita/2"}
    refused = await desk.refused(409, DEWI, "POST", f"/publications/{RID}/website", json=website)
    assert "embargo" in refused["message"]
    assert relay.mailbox.received == []
    await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.1)
    await desk.ok(DEWI, "POST", f"/publications/{RID}/website", json=website)
    publication = await desk.ok(DEWI, "POST", f"/publications/{RID}/publish")
    assert tally(publication) == (6, 5, 0, 1)  # nobody opted out here


async def test_publishing_what_the_section_head_has_not_approved_is_refused_and_sends_nothing(desk, relay, ordered):
    await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
    await ordered(desk, level=ReviewLevel.TEAM_LEAD)
    for path in ("publish", "website"):
        refused = await desk.refused(
            409, DEWI, "POST", f"/publications/{RID}/{path}", json={"website_url": "https://tangerangkota.go.id/b/3"}
        )
        assert "section head" in refused["message"]
    assert relay.mailbox.received == []
    assert await desk.db.publications.count_documents({}) == 0


async def test_each_social_post_is_a_ready_package_whose_address_is_recorded_once(desk, ordered, photos):
    await ordered(desk)
    [package] = (await desk.ok(DEWI, "GET", f"/publications/{RID}"))["social"]
    assert package["post"]["text"] == "Taman dibuka #Tangerang"
    assert package["post"]["media"] == [photos[0].uri]
    assert package["posted_url"] is None
    path = f"/publications/{RID}/social/instagram"
    posted = await desk.ok(DEWI, "POST", path, json={"url": "https://www.instagram.com/p/abc/"})
    assert (posted["posted_url"], posted["posted_by"]) == ("https://www.instagram.com/p/abc/", "dewi")
    assert (await desk.ok(DEWI, "POST", path, json={"url": "https://www.instagram.com/p/abc/"})) == posted
    await desk.refused(409, DEWI, "POST", path, json={"url": "https://www.instagram.com/p/other/"})
    await desk.refused(404, DEWI, "POST", f"/publications/{RID}/social/tiktok", json={"url": "https://tiktok.com/x"})
    await desk.refused(403, OUTSIDER, "POST", path, json={"url": "https://www.instagram.com/p/abc/"})
    facebook = await desk.call(LEAD, "POST", f"/publications/{RID}/social/facebook", json={"url": "https://fb.com/x"})
    assert facebook.status_code == 404  # the team lead may record a post; this version has none for facebook
    await desk.refused(422, DEWI, "POST", path, json={"url": "bukan alamat"}, field="url")


async def test_an_email_whose_photos_cannot_be_had_goes_without_them_rather_than_wait(desk, relay, ordered, photos):
    await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
    await ordered(desk)
    await desk.ok(DEWI, "POST", f"/publications/{RID}/website", json={"website_url": "https://tangerangkota.go.id/b/5"})
    kept = PhotoHandler.photos.pop(photos[0].sha256)  # the coverage service cannot serve the photo
    try:
        publication = await desk.ok(DEWI, "POST", f"/publications/{RID}/publish")
    finally:
        PhotoHandler.photos[photos[0].sha256] = kept
    assert publication["state"] == "published"
    assert tally(publication) == (6, 5, 0, 1)  # nobody opted out here
    for message in relay.mailbox.received:
        assert list(message.iter_attachments()) == []
        text = message.get_body(("plain",)).get_content()
        assert "- Wali Kota menggunting pita (Foto: Dewi Lestari/Prokopim Kota Tangerang)" in text
        assert "terlampir" not in text


async def test_a_message_that_cannot_be_built_fails_alone_stays_unclaimed_and_goes_once_after_an_officers_retry(
    desk, relay, ordered, monkeypatch
):
    await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
    await ordered(desk)
    await desk.ok(DEWI, "POST", f"/publications/{RID}/website", json={"website_url": "https://tangerangkota.go.id/b/6"})
    build = ReleaseEmail.for_contact

    def breaks_for_rina(self, delivery, *args, **kwargs):
        if delivery.email == "rina@tangex.co.id":
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        return build(self, delivery, *args, **kwargs)

    monkeypatch.setattr(ReleaseEmail, "for_contact", breaks_for_rina)
    publication = await desk.ok(DEWI, "POST", f"/publications/{RID}/publish")
    deliveries = {d["email"]: d for d in await desk.ok(DEWI, "GET", f"/publications/{RID}/deliveries")}
    assert [email for email, d in deliveries.items() if d["state"] == "sending"] == []
    assert deliveries["rina@tangex.co.id"]["state"] == "failed"
    assert deliveries["rina@tangex.co.id"]["last_error"].startswith("the message could not be built: Header values")
    assert tally(publication) == (6, 4, 0, 2)  # rina's, and ditolak@ refused for good by the relay
    assert "rina@tangex.co.id" not in relay.mailbox.delivered_to()

    monkeypatch.setattr(ReleaseEmail, "for_contact", build)  # what broke it is put right
    again = await desk.ok(DEWI, "POST", f"/publications/{RID}/emails/retry")
    assert tally(again) == (6, 5, 0, 1)
    assert relay.mailbox.delivered_to().count("rina@tangex.co.id") == 1
    assert len(relay.mailbox.delivered_to()) == 5  # nobody already sent to got a second copy
    await desk.refused(403, OUTSIDER, "POST", f"/publications/{RID}/emails/retry")


async def test_a_relay_down_longer_than_every_retry_leaves_the_emails_owed_and_an_officers_retry_sends_each_once(
    namespace, mongo, ordered, tmp_path
):
    """No refusal can be read from a relay that does not answer: the emails wait (the publication
    says so) however long it stays away, and go once each when an officer presses again."""
    port, authority = free_port(), trustme.CA()  # where the relay will be once it is back, and its CA
    authority.cert_pem.write_to_path(str(tmp_path / "relay-ca.pem"))
    settings = namespace.settings(
        PublisherSettings, smtp_host="127.0.0.1", smtp_port=port, smtp_ca_file=str(tmp_path / "relay-ca.pem")
    )
    app = create_app(settings)
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
        await ordered(desk)
        website = {"website_url": "https://tangerangkota.go.id/b/7"}
        await desk.ok(DEWI, "POST", f"/publications/{RID}/website", json=website)
        down = await desk.ok(DEWI, "POST", f"/publications/{RID}/publish")
        assert down["state"] == "ready"
        assert down["still_owed"] | {"social_posts": []} == {
            "website": False,
            "emailed": True,
            "emails_waiting": 6,
            "emails_failed": 0,
            "social_posts": [],
        }
        deliveries = await desk.ok(DEWI, "GET", f"/publications/{RID}/deliveries")
        assert {d["state"] for d in deliveries} == {"transient"}
        assert all("cannot be reached" in d["last_error"] for d in deliveries)
        assert {d["attempts"] for d in deliveries} == {0}  # no recipient was ever tried

        with smtp_server(tmp_path, relay_policy, port=port, ca=authority) as relay:  # back
            await desk.db.deliveries.update_many({}, {"$set": {"retry_at": None}})  # as if the wait had passed
            back = await desk.ok(DEWI, "POST", f"/publications/{RID}/publish", params={"channel": "email"})
        assert back["state"] == "published"
        assert tally(back) == (6, 5, 0, 1)  # ditolak@ is refused for good by the relay itself
        assert relay.mailbox.delivered_to() == sorted(
            [
                "budi@tangex.co.id",
                "rina@tangex.co.id",
                "sari@antaranews.com",
                "sementara@radar.tv",
                "berhenti@kabarkota.id",
            ]
        )


async def test_the_fan_out_keeps_to_the_relays_rate(namespace, mongo, relay, ordered):
    per_second = 10
    settings = namespace.settings(
        PublisherSettings,
        smtp_host=relay.host,
        smtp_port=relay.port,
        smtp_ca_file=relay.ca_file,
        mail_per_second=per_second,
        mail_concurrency=4,
    )
    app = create_app(settings)
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        rows = "".join(f"Media {i},online,ya,,Wartawan {i},,w{i}@media{i}.id,ya\n" for i in range(10))
        registry = REGISTRY.splitlines(keepends=True)[0] + rows
        await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=registry.encode())
        await ordered(desk)
        await desk.ok(
            DEWI, "POST", f"/publications/{RID}/website", json={"website_url": "https://tangerangkota.go.id/b/1"}
        )
        asked = time.monotonic()
        publication = await desk.ok(DEWI, "POST", f"/publications/{RID}/publish")
    assert tally(publication) == (10, 10, 0, 0)
    # Four connections at once, yet one message per interval: the tenth message's slot is nine
    # intervals after the first's, which came no sooner than the officer's click.
    assert max(relay.mailbox.arrived) - asked >= 9 / per_second, sorted(relay.mailbox.arrived)
