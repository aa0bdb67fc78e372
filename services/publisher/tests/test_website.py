"""Step 7 on the city website: a real WordPress on loopback (Debian's package, MariaDB, PHP's
built-in server) and a real HTTP server standing in for a custom CMS behind a signed webhook.
A retry after a timeout — the post made, the answer lost — leaves exactly one post."""

import base64
import hashlib
import hmac
import html
import io
import json
import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from warta.contracts import AssetRef, PressRelease, Published, Quote, Role
from warta.devstack.proxy import delaying_proxy
from warta.devstack.pytest_plugin import ServiceCaller, eventually, running_app
from warta.devstack.samples import jpeg
from warta.devstack.smtp import EmailAsRead, read_email, smtp_server
from warta.devstack.stub_http import PhotoHandler, QuietHandler, served_photos, serving
from warta.devstack.wordpress import WordPressSite, wordpress_site
from warta.publisher.app import PublisherSettings, create_app
from warta.publisher.website import post_key
from warta.runtime.release import render_release

DEWI = (Role.COVERAGE_TEAM, "dewi")
RELEASE = PressRelease(
    title="Wali Kota Resmikan Taman Literasi Cikokol",
    body="Taman dibuka untuk warga setiap hari.\n\nKoleksinya 3.000 buku.",
    dateline="Tangerang, 30 November 2026",
    lead="Wali Kota Tangerang meresmikan Taman Literasi Cikokol, Senin.",
    tags=("Taman Literasi", "Cikokol"),
)
REGISTRY = (
    "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
    "Tangerang Ekspres,print,ya,PWI,Budi,Redaksi,budi@tangex.co.id,ya\n"
)


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory) -> Iterator[WordPressSite]:
    with wordpress_site(tmp_path_factory.mktemp("wordpress")) as site:
        yield site


def publisher(namespace, **overrides: Any):
    return create_app(namespace.settings(PublisherSettings, **overrides))


def on_wordpress(site: WordPressSite, url: str | None = None, password: str | None = None) -> dict[str, Any]:
    """Settings of a publisher whose website is ``site`` (reached at ``url``, e.g. through a proxy)."""
    return {
        "website_channel": "wordpress",
        "wordpress_url": url or site.url,
        "wordpress_username": site.username,
        "wordpress_application_password": password or site.application_password,
    }


async def read(site: WordPressSite, route: str, **params: Any) -> Any:
    """What the site stores, read back as its administrator (``context=edit`` gives raw fields)."""
    async with httpx.AsyncClient(auth=site.admin, timeout=30) as wp:
        answer = await wp.get(f"{site.url}/", params={"rest_route": f"/wp/v2/{route}", **params})
        assert answer.status_code == 200, answer.text
        return answer.json()


async def public_page(url: str) -> str:
    async with httpx.AsyncClient(timeout=30, follow_redirects=True) as reader:
        page = await reader.get(url)
        assert page.status_code == 200
        return page.text


def visible_text(page: str) -> str:
    """A page's text as a reader sees it: no tags, entities as the characters they stand for."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).tobytes()


async def published_on(
    wordpress: WordPressSite,
    namespace: Any,
    mongo: Any,
    approve: Any,
    rid: str,
    release: PressRelease,
    photos: tuple[AssetRef, ...],
    work: Path,
    **settings: Any,
) -> tuple[dict[str, Any], list[EmailAsRead]]:
    """``release`` approved and published on ``wordpress`` by a publisher in this process (with
    ``settings`` besides), with one newsroom registered; the publication, and the emails as the
    relay kept them."""
    keep = work / "mail"
    keep.mkdir(exist_ok=True)
    with smtp_server(work, keep_in=keep) as relay:
        mail = {"smtp_host": relay.host, "smtp_port": relay.port, "smtp_ca_file": relay.ca_file}
        app = publisher(namespace, **on_wordpress(wordpress), **mail, **settings)
        async with running_app(app) as client:
            desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
            await desk.ok((Role.ADMIN, "siti"), "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY)
            await approve(desk, rid, release, photos)
            publication = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")
    assert publication["state"] == "published", publication
    return publication, [read_email(eml.read_bytes()) for eml in sorted(keep.glob("*.eml"))]


async def test_a_release_is_on_wordpress_with_featured_image_gallery_category_and_tags(
    namespace, mongo, wordpress, photos, approve, tmp_path
):
    rid = "a1b2c3d4-0000-4000-8000-000000000001"
    publication, [message] = await published_on(wordpress, namespace, mongo, approve, rid, RELEASE, photos, tmp_path)
    website = publication["website"]
    assert website["channel"] == "wordpress"
    post = await read(wordpress, f"posts/{website['post_id']}", context="edit")
    media = {m["id"]: m for m in await read(wordpress, "media", per_page=50, context="edit")}
    categories = await read(wordpress, "categories")
    tags = await read(wordpress, "tags", per_page=100)
    page = await public_page(website["url"])

    assert post["status"] == "publish"
    assert post["slug"] == f"wali-kota-resmikan-taman-literasi-cikokol-{rid[-12:]}"
    assert (post["comment_status"], post["ping_status"]) == ("closed", "closed")
    assert post["title"]["rendered"] == RELEASE.title
    assert post["author"] == (await read(wordpress, "users", search=wordpress.username))[0]["id"]
    featured = media[post["featured_media"]]
    assert featured["source_url"] == website["picture_urls"][photos[0].sha256]
    assert featured["alt_text"] == "Wali Kota menggunting pita"
    assert featured["caption"]["raw"] == "Wali Kota menggunting pita (Foto: Dewi Lestari/Prokopim Kota Tangerang)"
    # Every photo is uploaded once, named by its hash, and attached to the post.
    attached = [m for m in media.values() if m["post"] == post["id"]]
    assert sorted(m["slug"] for m in attached) == sorted(f"{post['slug']}-{p.sha256[:12]}" for p in photos)
    assert {c["name"] for c in categories if c["id"] in post["categories"]} == {"Siaran Pers"}
    assert {t["name"] for t in tags if t["id"] in post["tags"]} == {"Taman Literasi", "Cikokol"}
    # The public page, as a reader gets it: the release, and the other two photos as a gallery
    # with their captions and credit.
    assert RELEASE.title in page
    assert "Koleksinya 3.000 buku." in page
    # Every photo's caption and credit where a reader sees them: the lead photo's under the
    # photo the theme shows above the article, the others under each of them.
    for photo in photos:
        assert f"{photo.caption} (Foto: Dewi Lestari/Prokopim Kota Tangerang)" in visible_text(page)
    assert page.count('<figure class="wp-block-image') == len(photos) - 1
    for photo in photos[1:]:
        assert website["picture_urls"][photo.sha256] in page
    # The newsroom's email links the website and the photos' public copies, never the coverage service.
    assert website["url"] in message.text
    assert all(website["picture_urls"][p.sha256] in message.text for p in photos)
    assert not any(p.uri in message.text + message.html for p in photos)
    [published] = await eventually(lambda: namespace.events("publication.published.v1"))
    assert isinstance(published, Published)
    assert str(published.data.website_url) == website["url"]
    assert (published.data.emails_sent, published.data.emails_failed) == (1, 0)


XSS = "warta-xss"  # in every hostile piece below, so that any of it surviving is found
HOSTILE = (
    f"<script>alert('{XSS}')</script><iframe src='https://{XSS}.example/'></iframe><img src=x onerror=\"{XSS}()\">"
)
SHORTCODES = '[audio src="https://suara.example/a.mp3"] dan [gallery]'
HOSTILE_RELEASE = PressRelease(
    title=f"Wali Kota Resmikan {HOSTILE}Taman & Perpustakaan",
    lead=f"Wali Kota Tangerang meresmikan taman {HOSTILE}di Cikokol, Senin.",
    dateline=f"Tangerang, <iframe src=//{XSS}.example></iframe><img src=x onerror={XSS}()>5 Desember 2026",
    quotes=(
        Quote(
            speaker=f"Sachrudin{HOSTILE}",
            function=f"Wali Kota {HOSTILE}Tangerang",
            text=f"Taman ini {HOSTILE}untuk warga.",
        ),
    ),
    body=(
        "## Fasilitas Taman\n\n"
        "Wali Kota **Sachrudin** membuka taman, lihat [peta lokasi](https://maps.tangerangkota.go.id/taman) "
        f"atau [ini](javascript:alert('{XSS}')).\n\n"
        "- rak buku anak\n- ruang baca *lansia*\n- pojok internet\n\n"
        "| Fasilitas | Jumlah |\n|---|---|\n| Buku | 3.000 |\n\n"
        f"{HOSTILE}\n\n"
        f'Teks dengan <b onclick="{XSS}()">tebal</b> dan <a href="javascript:{XSS}()">tautan</a>.\n\n'
        # WordPress would run these as a player and a gallery of the site's own photos.
        f"{SHORTCODES}"
    ),
    tags=(
        f"Taman <b onmouseover='{XSS}'>Literasi</b>",
        f"<img src=x onerror={XSS}()>Cikokol",
        f"<script>{XSS}</script>Kota",
        f"<iframe src=//{XSS}.example></iframe>Sungai",
    ),
)


@pytest.fixture(scope="module")
def wordpress_utc(tmp_path_factory) -> Iterator[WordPressSite]:
    with wordpress_site(tmp_path_factory.mktemp("wordpress-utc"), timezone="UTC") as site:
        yield site


async def test_the_website_account_is_an_author_whose_markup_wordpress_filters_too(wordpress):
    """Least privilege: the account the publisher signs in with may publish its own posts and no
    more; without ``unfiltered_html`` WordPress's own filter is a second line after ours."""
    async with httpx.AsyncClient(auth=(wordpress.username, wordpress.application_password), timeout=30) as wp:
        me = await wp.get(f"{wordpress.url}/", params={"rest_route": "/wp/v2/users/me", "context": "edit"})
        assert me.status_code == 200, me.text
        assert me.json()["roles"] == ["author"]
        assert not me.json()["capabilities"].get("unfiltered_html")
        assert not me.json()["capabilities"].get("manage_options")
        typed = {"title": "Uji", "status": "draft", "content": f"<p>Isi</p><script>{XSS}()</script>"}
        made = await wp.post(f"{wordpress.url}/", params={"rest_route": "/wp/v2/posts"}, json=typed)
        assert made.status_code == 201, made.text
        kept = await read(wordpress, f"posts/{made.json()['id']}", context="edit")
        assert "<script" not in kept["content"]["raw"]
        assert "<p>Isi</p>" in kept["content"]["raw"]


@pytest.mark.parametrize("site", ["wordpress", "wordpress_utc"])
async def test_a_hostile_release_is_published_formatted_with_nothing_of_its_markup_in_plain_fields(
    namespace, mongo, photos, approve, request, site, tmp_path
):
    """WordPress in Asia/Jakarta and in UTC: the post's time is sent in UTC and shown in each
    site's own zone; the formatting arrives as HTML elements and the hostile markup nowhere."""
    wordpress: WordPressSite = request.getfixturevalue(site)
    rid = f"a1b2c3d4-0000-4000-8000-00000000010{1 if site == 'wordpress' else 2}"
    hostile_photos = tuple(
        p.model_copy(update={"caption": f"Pita {HOSTILE}digunting[gallery]", "credit": f"Dewi {HOSTILE}Lestari"})
        for p in photos[:2]
    )
    # The publisher's clock ten minutes behind the site's: the post's time is the one it sends.
    behind = tmp_path / "clock"
    behind.write_text("-600")
    publication, [checked] = await published_on(
        wordpress, namespace, mongo, approve, rid, HOSTILE_RELEASE, hostile_photos, tmp_path, dev_clock_file=str(behind)
    )
    website = publication["website"]
    post = await read(wordpress, f"posts/{website['post_id']}", context="edit")
    tags = [t for t in await read(wordpress, "tags", per_page=100, context="edit") if t["id"] in post["tags"]]
    media = [m for m in await read(wordpress, "media", per_page=50, context="edit") if m["post"] == post["id"]]
    plain = [post["title"]["raw"], post["excerpt"]["raw"], *(t["name"] for t in tags)]
    plain += [m[field]["raw"] for m in media for field in ("title", "caption")] + [m["alt_text"] for m in media]
    print("stored as plain text:", plain)
    for text in plain:
        assert "<" not in text
        assert ">" not in text
        assert XSS not in text
    assert post["title"]["raw"] == "Wali Kota Resmikan Taman &amp; Perpustakaan"
    assert sorted(t["name"] for t in tags) == ["Cikokol", "Kota", "Sungai", "Taman Literasi"]
    assert post["excerpt"]["raw"] == "Wali Kota Tangerang meresmikan taman di Cikokol, Senin."
    content = post["content"]["raw"]
    lead_photo, opening = content.split("\n")[:2]
    assert lead_photo == (
        '<p class="keterangan-foto"><em>Pita digunting&#091;gallery&#093; '
        "(Foto: Dewi Lestari/Prokopim Kota Tangerang)</em></p>"
    )
    assert opening == (
        "<p><strong>Tangerang, 5 Desember 2026</strong> — Wali Kota Tangerang meresmikan taman di Cikokol, Senin.</p>"
    )
    for element in (
        "<h2>Fasilitas Taman</h2>",
        "<strong>Sachrudin</strong>",
        '<a href="https://maps.tangerangkota.go.id/taman" rel="noopener">peta lokasi</a>',
        "<li>ruang baca <em>lansia</em></li>",
        "<td>3.000</td>",
    ):
        assert element in content
    assert XSS not in content
    assert "Taman ini untuk warga." in content
    assert "Sachrudin, Wali Kota Tangerang" in content
    # What readers get: the post and the home page with the formatting and without the attack.
    page = await public_page(website["url"])
    home = await public_page(wordpress.url + "/")
    for shown in (page, home):
        assert XSS not in shown
        assert "Wali Kota Resmikan Taman & Perpustakaan" in visible_text(shown)
    for element in (
        "<h2>Fasilitas Taman</h2>",
        "<strong>Sachrudin</strong>",
        '<a href="https://maps.tangerangkota.go.id/taman" rel="noopener">peta lokasi</a>',
        "<li>ruang baca <em>lansia</em></li>",
        "<table>",
    ):
        assert element in page
    for shown in (page, home):
        assert "<iframe" not in shown  # the theme has none; the release's never gets there
        assert "javascript:" not in shown
    # A shortcode typed into the release is its text, not a player or the site's own gallery.
    shown = visible_text(page)
    assert "[audio src=" in shown
    assert "a.mp3" in shown
    assert "[gallery]" in shown
    assert "<audio" not in page
    assert "class='gallery" not in page
    assert 'class="gallery' not in page
    assert "Wali Kota Tangerang meresmikan taman di Cikokol, Senin." in home
    # The time: sent in UTC (the publisher's, not the site's own ten minutes later), shown in the site's zone.
    published_at = publication["website"]["recorded_at"]
    assert abs(_utc(post["date_gmt"]) - _utc(published_at[:19])) < 60
    assert _utc(post["date_gmt"]) < datetime.now(UTC).timestamp() - 500
    offset = 7 * 3600 if wordpress.timezone == "Asia/Jakarta" else 0
    assert _utc(post["date"]) - _utc(post["date_gmt"]) == offset

    # The media's email, as the relay keeps it: the release's paragraphs each in a <p>, every
    # photo linked with its caption, and attached.
    assert checked.attachments == ["foto-1-pita-digunting-gallery.jpg", "foto-2-pita-digunting-gallery.jpg"]
    assert XSS not in checked.html
    assert XSS not in checked.text
    for element in (
        "<h2>Fasilitas Taman</h2>",
        "<strong>Sachrudin</strong>",
        "<li>rak buku anak</li>",
        "<td>3.000</td>",
    ):
        assert element in checked.html
    assert "<iframe" not in checked.html
    assert "<script" not in checked.html
    blocks = checked.text.split("\n\n")
    assert "Fasilitas Taman" in blocks
    assert "- rak buku anak\n- ruang baca lansia\n- pojok internet" in blocks
    for url in (website["picture_urls"][p.sha256] for p in hostile_photos):
        assert checked.links[url] == "Pita digunting[gallery] (Foto: Dewi Lestari/Prokopim Kota Tangerang)"
    # The photo as the public downloads it: its caption and the photographer's credit as text.
    async with httpx.AsyncClient(timeout=30) as reader:
        published = (await reader.get(website["picture_urls"][hostile_photos[0].sha256])).content
    written = exiftool(published)
    print("written in the photo:", {k: v for k, v in written.items() if k.startswith(("IPTC:", "XMP-"))})
    assert written["IPTC:Caption-Abstract"] == "Pita digunting[gallery]"
    assert written["IPTC:By-line"] == "Dewi Lestari"
    assert written["IPTC:Credit"] == "Dewi Lestari/Prokopim Kota Tangerang"
    assert not [v for v in written.values() if XSS in str(v)]


THREE_PARAGRAPHS = PressRelease(
    title="Wali Kota Resmikan Taman Literasi Cikokol",
    lead="Wali Kota Tangerang meresmikan Taman Literasi Cikokol, Senin.",
    dateline="Tangerang, 30 November 2026",
    body=(
        "Taman dibuka untuk warga setiap hari\nsejak pukul 07.00 WIB.\n\n"
        "Koleksinya **3.000 buku**, dari cerita anak sampai sejarah kota.\n\n"
        "Warga dapat [mendaftar](https://tangerangkota.go.id/taman) sebagai anggota."
    ),
)


async def test_a_publisher_clock_ahead_of_the_site_still_puts_the_post_up_at_once(
    namespace, mongo, wordpress, approve, tmp_path
):
    """WordPress schedules a post dated in its future: ten minutes ahead, the publisher's time is
    replaced by the site's own, and the post is public when the media are told of it. With no
    photo, WordPress breaks paragraphs at their newlines itself: a line break typed inside one is
    not there for it to find."""
    rid = "a1b2c3d4-0000-4000-8000-000000000401"
    ahead = tmp_path / "clock"
    ahead.write_text("600")
    publication, [mail] = await published_on(
        wordpress, namespace, mongo, approve, rid, THREE_PARAGRAPHS, (), tmp_path, dev_clock_file=str(ahead)
    )
    website = publication["website"]
    post = await read(wordpress, f"posts/{website['post_id']}", context="edit")
    print("the site's post:", post["status"], post["date_gmt"], "sent by a publisher at", website["recorded_at"])
    assert post["status"] == "publish"
    assert abs(_utc(post["date_gmt"]) - datetime.now(UTC).timestamp()) < 120  # the site's time, not ours
    page = await public_page(website["url"])  # as anyone reads it, signed in as nobody
    assert "Taman dibuka untuk warga setiap hari sejak pukul 07.00 WIB." in page
    assert website["url"] in mail.text


async def test_the_media_email_reads_as_the_release_with_each_photo_linked_and_attached(
    namespace, mongo, wordpress, photos, approve, tmp_path
):
    """The .eml the relay keeps, read as a newsroom's mail program shows it."""
    rid = "a1b2c3d4-0000-4000-8000-000000000201"
    two = photos[:2]
    publication, [mail] = await published_on(wordpress, namespace, mongo, approve, rid, THREE_PARAGRAPHS, two, tmp_path)
    paragraphs = [
        "Tangerang, 30 November 2026 — Wali Kota Tangerang meresmikan Taman Literasi Cikokol, Senin.",
        "Taman dibuka untuk warga setiap hari sejak pukul 07.00 WIB.",
        "Koleksinya 3.000 buku, dari cerita anak sampai sejarah kota.",
        "Warga dapat mendaftar sebagai anggota.",
    ]
    print("paragraphs of the HTML part:", mail.paragraphs)
    for paragraph in paragraphs:
        assert mail.paragraphs.count(paragraph) == 1
    assert "<strong>3.000 buku</strong>" in mail.html
    assert mail.links["https://tangerangkota.go.id/taman"] == "mendaftar"
    credit = "(Foto: Dewi Lestari/Prokopim Kota Tangerang)"
    for photo in two:
        assert mail.links[publication["website"]["picture_urls"][photo.sha256]] == f"{photo.caption} {credit}"
    assert mail.links[publication["website"]["url"]] == "Selengkapnya di situs Pemerintah Kota Tangerang"
    # The text part: the same paragraphs, one block each, and every photo with its address.
    blocks = mail.text.split("\n\n")
    for paragraph in paragraphs[:3]:
        assert paragraph in blocks
    assert "Warga dapat mendaftar (https://tangerangkota.go.id/taman) sebagai anggota." in blocks
    for photo in two:
        assert f"- {photo.caption} {credit} — {publication['website']['picture_urls'][photo.sha256]}" in mail.text
    assert mail.attachments == ["foto-1-wali-kota-menggunting-pita.jpg", "foto-2-warga-membaca-di-taman.jpg"]
    assert abs(mail.date - datetime.now(UTC)).total_seconds() < 120
    for photo, data in zip(two, mail.attached.values(), strict=True):
        assert pixels(data) == pixels(PhotoHandler.photos[photo.sha256][0])


async def test_an_earlier_attempts_photo_is_found_by_its_slug_and_put_right(
    namespace, mongo, wordpress, photos, approve, tmp_path
):
    """What an attempt cut short could leave: the photo on the site by its slug, without its
    caption or alt text and named by the camera. The next attempt finds it, puts it right and
    attaches it; nothing is uploaded twice."""
    rid = "a1b2c3d4-0000-4000-8000-000000000203"
    photo = photos[0]
    slug = f"{post_key(rid, THREE_PARAGRAPHS.title)}-{photo.sha256[:12]}"
    # Left by the publisher's own account, as its earlier attempt would have.
    async with httpx.AsyncClient(auth=(wordpress.username, wordpress.application_password), timeout=30) as wp:
        left = await wp.post(
            f"{wordpress.url}/",
            params={"rest_route": "/wp/v2/media", "slug": slug, "title": "OLYMPUS DIGITAL CAMERA"},
            content=jpeg(),
            headers={"Content-Type": "image/jpeg", "Content-Disposition": f'attachment; filename="{slug}.jpg"'},
        )
        assert left.status_code == 201, left.text
    assert left.json()["caption"]["raw"] == ""
    publication, _ = await published_on(wordpress, namespace, mongo, approve, rid, THREE_PARAGRAPHS, (photo,), tmp_path)
    [kept] = [m for m in await read(wordpress, "media", per_page=100, context="edit") if m["slug"].startswith(slug)]
    assert kept["id"] == left.json()["id"]
    assert kept["title"]["raw"] == photo.caption
    assert kept["caption"]["raw"] == f"{photo.caption} (Foto: Dewi Lestari/Prokopim Kota Tangerang)"
    assert kept["alt_text"] == photo.caption
    assert str(kept["post"]) == publication["website"]["post_id"]


async def test_photos_past_the_attachment_budget_are_linked_and_not_attached(
    namespace, mongo, wordpress, photos, approve, tmp_path
):
    """A newsroom's mailbox takes so much: past ``WARTA_MAIL_ATTACHMENTS_MAX_BYTES`` the photos
    are still in the email, as links with their captions, in both parts."""
    rid = "a1b2c3d4-0000-4000-8000-000000000202"
    two = photos[:2]
    publication, [mail] = await published_on(
        wordpress, namespace, mongo, approve, rid, THREE_PARAGRAPHS, two, tmp_path, mail_attachments_max_bytes=1
    )
    assert mail.attachments == []
    credit = "(Foto: Dewi Lestari/Prokopim Kota Tangerang)"
    for photo in two:
        url = publication["website"]["picture_urls"][photo.sha256]
        assert mail.links[url] == f"{photo.caption} {credit}"
        assert f"- {photo.caption} {credit} — {url}" in mail.text


async def test_a_photo_larger_than_the_site_shows_is_linked_at_full_size_with_its_caption_and_credit(
    namespace, mongo, wordpress, approve, tmp_path
):
    """WordPress shows a copy scaled to 2,560 pixels, made without the photo's metadata; the
    newsroom is sent the photo as published, at full size, caption and credit in it."""
    rid = "a1b2c3d4-0000-4000-8000-000000000301"
    with served_photos(("Wali Kota menyapa warga",), size=(3200, 2400)) as large:
        publication, [mail] = await published_on(
            wordpress, namespace, mongo, approve, rid, THREE_PARAGRAPHS, large, tmp_path
        )
    [linked] = publication["website"]["picture_urls"].values()
    assert "-scaled" not in linked
    async with httpx.AsyncClient(timeout=30) as reader:
        original = (await reader.get(linked)).content
    assert Image.open(io.BytesIO(original)).size == (3200, 2400)
    tags = exiftool(original)
    assert tags["IPTC:Caption-Abstract"] == "Wali Kota menyapa warga"
    assert tags["IPTC:Credit"] == "Dewi Lestari/Prokopim Kota Tangerang"
    assert not [tag for tag in tags if "GPS" in tag]
    assert mail.links[linked] == "Wali Kota menyapa warga (Foto: Dewi Lestari/Prokopim Kota Tangerang)"
    page = await public_page(publication["website"]["url"])
    assert "-scaled.jpg" in page  # the site shows its own smaller copy


def exiftool(data: bytes) -> dict[str, Any]:
    read = subprocess.run(["exiftool", "-j", "-G1", "-"], input=data, capture_output=True, check=True)
    tags: dict[str, Any] = json.loads(read.stdout)[0]
    return tags


def _utc(stamp: str) -> float:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp()


async def test_a_retry_after_a_timeout_finds_the_post_it_made_instead_of_making_a_second(
    namespace, mongo, wordpress, photos, approve
):
    rid = "a1b2c3d4-0000-4000-8000-000000000002"
    key = post_key(rid, RELEASE.title)
    held: list[bytes] = []

    def hold_the_first_post_creation(request_line: bytes) -> float:
        creates_post = request_line.startswith(b"POST /?rest_route=%2Fwp%2Fv2%2Fposts ")
        if creates_post and not held:
            held.append(request_line)
            return 4.0
        return 0.0

    async with delaying_proxy("127.0.0.1", int(wordpress.url.rsplit(":", 1)[1]), hold_the_first_post_creation) as proxy:
        app = publisher(namespace, **on_wordpress(wordpress, url=proxy.url), website_timeout=1.5)
        async with running_app(app) as client:
            desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
            await approve(desk, rid, RELEASE, photos)
            first = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")
            assert proxy.delayed == held != []
            assert first["state"] == "ready"
            assert first["website"] is None
            trouble = first["website_trouble"]
            assert (trouble["attempts"], trouble["transient"]) == (1, True)
            assert "did not answer in time" in trouble["error"]
            # WordPress did make the post; only its answer was lost.
            made = wordpress.sql(f"SELECT ID FROM wp_posts WHERE post_type='post' AND post_name='{key}'")
            assert len(made) == 1

            second = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish", params={"channel": "website"})

    assert second["state"] == "published"
    assert second["website_trouble"] is None
    assert second["website"]["post_id"] == made[0][0]
    posts = wordpress.sql(f"SELECT ID, post_status FROM wp_posts WHERE post_type='post' AND post_name LIKE '{key}%'")
    assert posts == [[made[0][0], "publish"]]
    pictures = wordpress.sql(
        f"SELECT post_name FROM wp_posts WHERE post_type='attachment' AND post_name LIKE '{key}-%'"
    )
    assert len(pictures) == len(photos)


async def test_a_wrong_application_password_is_a_failure_for_a_person_and_holds_back_nothing_else(
    namespace, mongo, wordpress, approve
):
    rid = "a1b2c3d4-0000-4000-8000-000000000003"
    app = publisher(namespace, **on_wordpress(wordpress, password="salah salah salah salah"))
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        await approve(desk, rid, RELEASE)
        publication = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")
        assert publication["website_trouble"]["transient"] is False
        assert "401" in publication["website_trouble"]["error"]
        assert publication["email"] is not None  # the email went on (to nobody: the registry is empty)
        assert publication["state"] == "ready"
        # The officer posts by hand instead, and the publication completes.
        done = await desk.ok(
            DEWI, "POST", f"/publications/{rid}/website", json={"website_url": "https://tangerangkota.go.id/b/1"}
        )
        assert done["state"] == "published"
    assert wordpress.sql(f"SELECT COUNT(*) FROM wp_posts WHERE post_name LIKE '{post_key(rid, RELEASE.title)}%'") == [
        ["0"]
    ]


class Cms(QuietHandler):
    """A custom CMS: checks the signature, keeps one post per idempotency key."""

    secret = b"rahasia-cms-kota"
    posts: dict[str, dict[str, Any]] = {}
    seen: list[tuple[str, bool]] = []  # (key, signature valid) per request
    slow_first = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers["X-Warta-Timestamp"]
        expected = "sha256=" + hmac.new(self.secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(expected, self.headers.get("X-Warta-Signature", ""))
        fresh = abs(time.time() - int(timestamp)) < 300
        key = self.headers["Idempotency-Key"]
        self.seen.append((key, valid))
        if not (valid and fresh):
            self.send_error(401, "bad signature")
            return
        post = self.posts.setdefault(key, {"id": len(self.posts) + 1})
        post.update(json.loads(body))
        if Cms.slow_first:
            Cms.slow_first = False
            time.sleep(3)
        url = f"https://tangerangkota.go.id/berita/{post['id']}"
        pictures = {p["sha256"]: f"https://tangerangkota.go.id/foto/{p['filename']}" for p in post["pictures"]}
        self.answer(json.dumps({"id": post["id"], "url": url, "pictures": pictures}).encode(), "application/json")


def on_webhook(url: str, secret: str | None = None) -> dict[str, Any]:
    """Settings of a publisher whose website is the CMS at ``url``, signing with ``secret`` (the
    CMS's own unless given)."""
    return {"website_channel": "webhook", "webhook_url": url, "webhook_secret": secret or Cms.secret.decode()}


@pytest.fixture
def cms() -> Iterator[str]:
    Cms.posts, Cms.seen, Cms.slow_first = {}, [], False
    with serving(Cms) as port:
        yield f"http://127.0.0.1:{port}/warta"


async def test_a_signed_webhook_publishes_once_across_a_lost_answer(namespace, mongo, cms, photos, approve):
    rid = "a1b2c3d4-0000-4000-8000-000000000004"
    Cms.slow_first = True
    app = publisher(namespace, **on_webhook(cms), website_timeout=1)
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        await approve(desk, rid, RELEASE, photos)
        first = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")
        assert first["website_trouble"]["transient"] is True
        second = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish", params={"channel": "website"})

    assert second["state"] == "published"
    assert second["website"] == second["website"] | {
        "channel": "webhook",
        "url": "https://tangerangkota.go.id/berita/1",
    }
    assert second["website"]["picture_urls"][photos[0].sha256] == (
        f"https://tangerangkota.go.id/foto/{post_key(rid, RELEASE.title)}-{photos[0].sha256[:12]}.jpg"
    )
    assert Cms.seen == [(post_key(rid, RELEASE.title), True)] * 2
    [post] = Cms.posts.values()
    assert post["title"] == RELEASE.title
    assert post["tags"] == ["Taman Literasi", "Cikokol"]
    # The same rendering the website and the email get.
    rendered = render_release(RELEASE)
    assert (post["html"], post["text"], post["excerpt"]) == (rendered.html, rendered.text, rendered.excerpt)
    assert [p["featured"] for p in post["pictures"]] == [True, False, False]
    # Each picture is the approved photo (named by its hash) as published: the same pixels, with
    # its caption and credit and without the camera's location.
    assert [p["sha256"] for p in post["pictures"]] == [p.sha256 for p in photos]
    for sent, photo in zip(post["pictures"], photos, strict=True):
        assert pixels(base64.b64decode(sent["data"])) == pixels(PhotoHandler.photos[photo.sha256][0])
        assert (sent["caption"], sent["credit"]) == (photo.caption, "Dewi Lestari/Prokopim Kota Tangerang")
        assert 0x8825 not in Image.open(io.BytesIO(base64.b64decode(sent["data"]))).getexif()  # no GPS


async def test_a_press_of_publish_writes_the_publication_three_times(namespace, mongo, cms, photos, approve):
    """The press's hold with the website attempt's, then the post, then the email's tally with the
    completion and the hold's release: three writes, each in a transaction that reads the
    publication once, where each step of the press was once a transaction of its own. Counted by
    the database's profiler (the hold is long enough that it is never extended meanwhile)."""
    rid = "a1b2c3d4-0000-4000-8000-000000000007"
    app = publisher(namespace, **on_webhook(cms), publish_hold_seconds=600)
    db = mongo[namespace.database("publisher")]
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, db)
        await approve(desk, rid, RELEASE, photos)
        admin = mongo["admin"]  # where the unit of work's combined writes run (ADR 0036)
        for profiled in (db, admin):
            await profiled.command({"profile": 2})
        try:
            publication = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")
        finally:
            for profiled in (db, admin):
                await profiled.command({"profile": 0})
        [published] = await eventually(lambda: desk.ns.events("publication.published.v1"))

    assert (publication["state"], publication["publishing_until"]) == ("published", None)
    assert str(published.data.website_url) == publication["website"]["url"] == "https://tangerangkota.go.id/berita/1"
    ours = f"{db.name}.publications"
    entries = await db["system.profile"].find({"ns": ours}).to_list(None)
    # A profiler names an update by its command (this database) or by its op (MongoDB's own).
    commands = Counter("update" if e.get("op") == "update" else next(iter(e["command"])) for e in entries)
    # Each write to the publication inside a combined write: an op naming its namespace.
    for entry in await admin["system.profile"].find({"command.nsInfo.ns": ours}).to_list(None):
        namespaces = [ns["ns"] for ns in entry["command"]["nsInfo"]]
        for op in entry["command"]["ops"]:
            kind = next(k for k in ("insert", "update", "delete") if k in op)
            commands[kind] += namespaces[op[kind]] == ours
    # One read before the press (a refusal changes nothing), then one in each transaction.
    assert (commands["find"], commands["update"], commands["insert"]) == (4, 3, 0), commands


async def test_a_press_goes_on_when_its_hold_cannot_be_extended_for_a_moment(namespace, mongo, cms, photos, approve):
    """The database away while a long press extends its hold: the press still publishes, and the
    hold is extended again at the next turn."""
    rid = "a1b2c3d4-0000-4000-8000-000000000008"
    Cms.slow_first = True  # the post takes 3 s: the hold of 0.6 s is extended every 0.2 s meanwhile
    app = publisher(namespace, **on_webhook(cms), publish_hold_seconds=0.6)
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        await approve(desk, rid, RELEASE, photos)
        store = app.state.handlers._store
        extend, tries = store.hold_publishing, []

        async def away_once(request_id, until):
            tries.append(until)
            if len(tries) == 1:
                raise ConnectionError("the database is away")
            await extend(request_id, until)

        store.hold_publishing = away_once
        publication = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")

    assert (publication["state"], publication["publishing_until"]) == ("published", None)
    assert len(tries) >= 2, tries  # extended again after the failure


async def test_a_webhook_with_the_wrong_secret_is_refused_by_the_cms_and_recorded(namespace, mongo, cms, approve):
    rid = "a1b2c3d4-0000-4000-8000-000000000005"
    app = publisher(namespace, **on_webhook(cms, secret="bukan-rahasianya"))
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        await approve(desk, rid, RELEASE)
        publication = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")
    assert Cms.seen == [(post_key(rid, RELEASE.title), False)]
    assert Cms.posts == {}
    trouble = publication["website_trouble"]
    assert (trouble["transient"], trouble["error"].startswith("the CMS answered 401")) == (False, True)


async def test_a_photo_that_is_not_the_approved_one_is_not_published(namespace, mongo, cms, photos, approve):
    rid = "a1b2c3d4-0000-4000-8000-000000000006"
    swapped = photos[0].model_copy(update={"uri": photos[1].uri})  # the bytes served differ from the hash approved
    app = publisher(namespace, **on_webhook(cms))
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        await approve(desk, rid, RELEASE, (swapped,))
        publication = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")
    assert Cms.seen == []
    trouble = publication["website_trouble"]
    assert (trouble["transient"], "is not the one approved" in trouble["error"]) == (False, True)
