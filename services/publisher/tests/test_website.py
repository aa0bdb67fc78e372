"""Step 7 on the city website: a real WordPress on loopback (Debian's package, MariaDB, PHP's
built-in server) and a real HTTP server standing in for a custom CMS behind a signed webhook.
A retry after a timeout — the post made, the answer lost — leaves exactly one post."""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest

from warta.contracts import AssetKind, AssetRef, PressRelease, Published, Role
from warta.devstack import samples
from warta.devstack.proxy import delaying_proxy
from warta.devstack.pytest_plugin import ServiceCaller, eventually, running_app
from warta.devstack.smtp import smtp_server
from warta.devstack.wordpress import WordPressSite, wordpress_site
from warta.publisher.app import PublisherSettings, create_app
from warta.runtime import ServiceSettings

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


class QuietHandler(BaseHTTPRequestHandler):
    def answer(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


class PhotoHandler(QuietHandler):
    """Serves photos as the coverage service does: only to a bearer of a valid Warta token."""

    photos: dict[str, tuple[bytes, str]] = {}

    def do_GET(self) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        secret = ServiceSettings(service_name="test").auth_dev_secret.get_secret_value()
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], audience="warta")
        except jwt.InvalidTokenError:
            self.send_error(401)
            return
        found = self.photos.get(self.path.rsplit("/", 1)[-1])
        if found is None or claims["warta_role"] != "coverage_team":
            self.send_error(404 if found is None else 403)
            return
        self.answer(*found)


@pytest.fixture
def photos() -> Iterator[tuple[AssetRef, ...]]:
    """Three photos of the approved version, served where their references point."""
    with serving(PhotoHandler) as port:
        refs = []
        for seed, caption in enumerate(("Pita digunting", "Warga membaca", "Rak buku anak")):
            data = samples.jpeg(seed=60 * (seed + 1))  # colours far enough apart to compress differently
            sha = hashlib.sha256(data).hexdigest()
            PhotoHandler.photos[sha] = (data, "image/jpeg")
            uri = f"http://127.0.0.1:{port}/assets/{sha}"
            refs.append(AssetRef(kind=AssetKind.PHOTO, uri=uri, sha256=sha, content_type="image/jpeg", caption=caption))
        yield tuple(refs)


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


async def test_a_release_is_on_wordpress_with_featured_image_gallery_category_and_tags(
    namespace, mongo, wordpress, photos, approve, tmp_path
):
    rid = "a1b2c3d4-0000-4000-8000-000000000001"
    with smtp_server(tmp_path) as relay:
        app = publisher(
            namespace,
            **on_wordpress(wordpress),
            smtp_host=relay.host,
            smtp_port=relay.port,
            smtp_ca_file=relay.ca_file,
        )
        async with running_app(app) as client:
            desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
            await desk.ok((Role.ADMIN, "siti"), "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY)
            await approve(desk, rid, RELEASE, photos)
            publication = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")

    assert publication["state"] == "published", publication
    website = publication["website"]
    assert website["channel"] == "wordpress"
    auth = (wordpress.username, wordpress.application_password)
    async with httpx.AsyncClient(auth=auth, timeout=30) as wp:
        post = (await wp.get(f"{wordpress.url}/", params={"rest_route": f"/wp/v2/posts/{website['post_id']}"})).json()
        media = {
            m["id"]: m
            for m in (await wp.get(f"{wordpress.url}/", params={"rest_route": "/wp/v2/media", "per_page": 50})).json()
        }
        categories = (await wp.get(f"{wordpress.url}/", params={"rest_route": "/wp/v2/categories"})).json()
        tags = (await wp.get(f"{wordpress.url}/", params={"rest_route": "/wp/v2/tags"})).json()
        page = await wp.get(website["url"], auth=None)

    assert post["status"] == "publish"
    assert post["slug"] == f"siaran-pers-{rid}"
    assert post["title"]["rendered"] == RELEASE.title
    featured = media[post["featured_media"]]
    assert featured["source_url"] == website["picture_urls"][photos[0].sha256]
    assert featured["alt_text"] == "Pita digunting"
    assert {c["name"] for c in categories if c["id"] in post["categories"]} == {"Siaran Pers"}
    assert {t["name"] for t in tags if t["id"] in post["tags"]} == {"Taman Literasi", "Cikokol"}
    # The public page, as a reader gets it: the release, and the other two photos as a gallery.
    assert page.status_code == 200
    assert RELEASE.title in page.text
    assert "Koleksinya 3.000 buku." in page.text
    assert "wp-block-gallery" in page.text
    for photo in photos[1:]:
        assert website["picture_urls"][photo.sha256] in page.text
    # The newsroom's email links the website and the photos' public copies, never the coverage service.
    [message] = relay.mailbox.received
    text = message.get_body(("plain",)).get_content()
    assert website["url"] in text
    assert all(website["picture_urls"][p.sha256] in text for p in photos)
    assert not any(p.uri in text for p in photos)
    [published] = await eventually(lambda: namespace.events("publication.published.v1"))
    assert isinstance(published, Published)
    assert str(published.data.website_url) == website["url"]
    assert (published.data.emails_sent, published.data.emails_failed) == (1, 0)


async def test_a_retry_after_a_timeout_finds_the_post_it_made_instead_of_making_a_second(
    namespace, mongo, wordpress, photos, approve
):
    rid = "a1b2c3d4-0000-4000-8000-000000000002"
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
            made = wordpress.sql(f"SELECT ID FROM wp_posts WHERE post_type='post' AND post_name='siaran-pers-{rid}'")
            assert len(made) == 1

            second = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish", params={"channel": "website"})

    assert second["state"] == "published"
    assert second["website_trouble"] is None
    assert second["website"]["post_id"] == made[0][0]
    posts = wordpress.sql(
        f"SELECT ID, post_status FROM wp_posts WHERE post_type='post' AND post_name LIKE 'siaran-pers-{rid}%'"
    )
    assert posts == [[made[0][0], "publish"]]
    pictures = wordpress.sql(
        f"SELECT post_name FROM wp_posts WHERE post_type='attachment' AND post_name LIKE 'siaran-pers-{rid}-%'"
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
    assert wordpress.sql(f"SELECT COUNT(*) FROM wp_posts WHERE post_name LIKE 'siaran-pers-{rid}%'") == [["0"]]


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


@pytest.fixture
def cms() -> Iterator[str]:
    Cms.posts, Cms.seen, Cms.slow_first = {}, [], False
    with serving(Cms) as port:
        yield f"http://127.0.0.1:{port}/warta"


async def test_a_signed_webhook_publishes_once_across_a_lost_answer(namespace, mongo, cms, photos, approve):
    rid = "a1b2c3d4-0000-4000-8000-000000000004"
    Cms.slow_first = True
    app = publisher(
        namespace,
        website_channel="webhook",
        webhook_url=cms,
        webhook_secret=Cms.secret.decode(),
        website_timeout=1,
    )
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
        f"https://tangerangkota.go.id/foto/siaran-pers-{rid}-{photos[0].sha256[:12]}.jpg"
    )
    assert Cms.seen == [(f"siaran-pers-{rid}", True)] * 2
    [post] = Cms.posts.values()
    assert post["title"] == RELEASE.title
    assert post["tags"] == ["Taman Literasi", "Cikokol"]
    assert [p["featured"] for p in post["pictures"]] == [True, False, False]
    assert [hashlib.sha256(base64.b64decode(p["data"])).hexdigest() for p in post["pictures"]] == [
        p.sha256 for p in photos
    ]


async def test_a_webhook_with_the_wrong_secret_is_refused_by_the_cms_and_recorded(namespace, mongo, cms, approve):
    rid = "a1b2c3d4-0000-4000-8000-000000000005"
    app = publisher(namespace, website_channel="webhook", webhook_url=cms, webhook_secret="bukan-rahasianya")
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        await approve(desk, rid, RELEASE)
        publication = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")
    assert Cms.seen == [(f"siaran-pers-{rid}", False)]
    assert Cms.posts == {}
    trouble = publication["website_trouble"]
    assert (trouble["transient"], trouble["error"].startswith("the CMS answered 401")) == (False, True)


async def test_a_photo_that_is_not_the_approved_one_is_not_published(namespace, mongo, cms, photos, approve):
    rid = "a1b2c3d4-0000-4000-8000-000000000006"
    swapped = photos[0].model_copy(update={"uri": photos[1].uri})  # the bytes served differ from the hash approved
    app = publisher(namespace, website_channel="webhook", webhook_url=cms, webhook_secret=Cms.secret.decode())
    async with running_app(app) as client:
        desk = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        await approve(desk, rid, RELEASE, (swapped,))
        publication = await desk.ok(DEWI, "POST", f"/publications/{rid}/publish")
    assert Cms.seen == []
    trouble = publication["website_trouble"]
    assert (trouble["transient"], "is not the one approved" in trouble["error"]) == (False, True)
