"""The media's opt-out link: signed per contact, opened with no officer's token, a GET that only
asks, RFC 8058's one-click POST that opts out, and a link changed in any way refused with nothing
changed. On the real database; the email carrying the link is in tests/integration."""

import re
from urllib.parse import urlsplit

import pytest

from warta.contracts import Role
from warta.devstack.pytest_plugin import ServiceCaller, running_app, settled
from warta.publisher.app import DEV_OPT_OUT_SECRET, PublisherSettings, create_app
from warta.publisher.opt_out import ONE_CLICK, OptOutLinks, contact_segment, email_of

ADMIN = (Role.ADMIN, "siti")
REGISTRY = (
    "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
    "Tangerang Ekspres,print,ya,PWI,Budi,Redaksi,budi@tangex.co.id,ya\n"
    "Kabar Kota,online,tidak,AJI,Sari,Kota,sari+redaksi@kabarkota.id,ya\n"
)
PUBLIC = "https://warta.tangerangkota.go.id"
LINKS = OptOutLinks("rahasia-uji", PUBLIC)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_a_link_opens_its_own_contact_and_nothing_else():
    link = urlsplit(LINKS.link("sari+redaksi@kabarkota.id"))
    assert (link.scheme, link.netloc) == ("https", "warta.tangerangkota.go.id")
    segment, key = link.path.rsplit("/", 1)[1], link.query.removeprefix("key=")
    assert link.path == f"/media/opt-out/{segment}"
    assert LINKS.opened(segment, key) == "sari+redaksi@kabarkota.id"
    other = contact_segment("budi@tangex.co.id")
    assert LINKS.opened(other, key) is None  # another contact's address with this key
    assert LINKS.opened(segment, key[:-1] + ("0" if key[-1] != "0" else "1")) is None  # one character changed
    assert LINKS.opened(segment, key.upper()) is None
    assert OptOutLinks("another-secret", PUBLIC).opened(segment, key) is None  # a rotated secret
    for odd in ("x-contact", "²", "%2F", "YnVkaUB0YW5nZXguY28uaWQ=", "!!!!", "", "/" * 4):
        assert LINKS.opened(odd, key) is None, odd


@pytest.mark.parametrize("email", ["budi@tangex.co.id", "a/b?c#d%e@x.id", "wartawan@koran.example", "ñ@ü.id"])
def test_every_address_is_one_path_segment_that_reads_back(email):
    segment = contact_segment(email)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", segment), segment
    assert email_of(segment) == email


def test_production_refuses_the_development_secret():
    with pytest.raises(ValueError, match="opt_out_secret"):
        PublisherSettings(auth_mode="oidc", loopback_peers=True, public_url=PUBLIC)
    PublisherSettings(auth_mode="oidc", loopback_peers=True, public_url=PUBLIC, opt_out_secret="from-the-cluster")
    assert PublisherSettings().opt_out_secret.get_secret_value() == DEV_OPT_OUT_SECRET  # development


@pytest.fixture
async def desk(namespace, mongo):
    app = create_app(namespace.settings(PublisherSettings, public_url=PUBLIC, opt_out_secret="rahasia-uji"))
    async with running_app(app) as client:
        caller = ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])
        await caller.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
        yield caller


def path_of(email: str) -> str:
    """The link's path and query: what the Ingress passes on to the publisher."""
    link = urlsplit(LINKS.link(email))
    return f"{link.path}?{link.query}"


async def contacts(desk: ServiceCaller) -> dict[str, str | None]:
    return {c["email"]: c["opted_out_at"] for c in await desk.ok(ADMIN, "GET", "/media/contacts")}


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


async def test_opening_the_link_asks_in_indonesian_and_changes_nothing(desk):
    before = await settled(desk.db)
    page = await desk.client.get(path_of("budi@tangex.co.id"))  # no Authorization
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"  # the key is in the address
    assert '<html lang="id">' in page.text
    assert "Berhenti menerima siaran pers" in text_of(page.text)
    assert "budi@tangex.co.id" in page.text
    # The button posts the one-click body to the page's own address, its key included.
    assert '<form method="post">' in page.text
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in page.text
    assert await settled(desk.db) == before  # a mail scanner opening every link opts nobody out


async def test_one_click_opts_out_with_no_token_once_and_a_second_click_changes_nothing(desk):
    done = await desk.client.post(path_of("sari+redaksi@kabarkota.id"), content=ONE_CLICK, headers=FORM)
    assert done.status_code == 200, done.text
    assert "Anda tidak akan menerima siaran pers lagi" in text_of(done.text)
    assert "prokopim@tangerangkota.go.id" in done.text  # where to write if it was a mistake
    opted = (await contacts(desk))["sari+redaksi@kabarkota.id"]
    assert opted is not None
    assert (await contacts(desk))["budi@tangex.co.id"] is None  # nobody else
    # Pressed again, as multipart this time (RFC 8058's preference): fine, and the first time stands.
    again = await desk.client.post(
        path_of("sari+redaksi@kabarkota.id"), files={"List-Unsubscribe": (None, "One-Click")}
    )
    assert again.status_code == 200, again.text
    assert (await contacts(desk))["sari+redaksi@kabarkota.id"] == opted
    page = await desk.client.get(path_of("sari+redaksi@kabarkota.id"))
    assert "Anda sudah berhenti menerima siaran pers" in text_of(page.text)
    assert "<form" not in page.text
    # The registry's rule stands for the link's opt-out too: a later import does not undo it.
    await desk.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=REGISTRY.encode())
    assert (await contacts(desk))["sari+redaksi@kabarkota.id"] == opted


async def test_a_post_without_the_one_click_body_only_asks(desk):
    before = await settled(desk.db)
    page = await desk.client.post(path_of("budi@tangex.co.id"))
    assert page.status_code == 200, page.text
    assert "<form" in page.text
    assert await settled(desk.db) == before


async def test_a_forged_or_altered_link_is_refused_in_indonesian_and_changes_nothing(desk):
    budi, sari = urlsplit(LINKS.link("budi@tangex.co.id")), urlsplit(LINKS.link("sari+redaksi@kabarkota.id"))
    key = budi.query.removeprefix("key=")
    flipped = key[:-1] + ("0" if key[-1] != "0" else "1")
    forged = {
        "a key changed by one character": f"{budi.path}?key={flipped}",
        "another contact's key": f"{budi.path}?{sari.query}",
        "another contact's address with this key": f"{sari.path}?{budi.query}",
        "signed with another secret": path_of_signed_by("not-the-secret", "budi@tangex.co.id"),
        "a made-up key": f"{budi.path}?key=forged",
        "an address that is no address": f"/media/opt-out/x-contact?{budi.query}",
    }
    before = await settled(desk.db)
    for what, path in forged.items():
        for answer in (
            await desk.client.get(path),
            await desk.client.post(path, content=ONE_CLICK, headers=FORM),
        ):
            assert answer.status_code == 403, (what, answer.request.method, answer.text)
            assert "Tautan tidak sah" in answer.text, what
            assert "Tidak ada yang berubah" in text_of(answer.text), what
    assert await settled(desk.db) == before
    assert set((await contacts(desk)).values()) == {None}
    metrics = (await desk.client.get("/metrics")).text
    assert f'warta_denied_requests_total{{reason="forbidden"}} {2.0 * len(forged)}' in metrics


def path_of_signed_by(secret: str, email: str) -> str:
    link = urlsplit(OptOutLinks(secret, PUBLIC).link(email))
    return f"{link.path}?{link.query}"


async def test_a_signed_link_of_a_contact_not_in_the_registry_says_so(desk):
    before = await settled(desk.db)
    for answer in (
        await desk.client.get(path_of("nobody@x.id")),
        await desk.client.post(path_of("nobody@x.id"), content=ONE_CLICK, headers=FORM),
    ):
        assert answer.status_code == 404, answer.text
        assert "Alamat tidak terdaftar" in answer.text
    assert await settled(desk.db) == before


async def test_the_officers_opt_out_still_needs_an_officer(desk):
    answer = await desk.client.post("/media/contacts/budi@tangex.co.id/opt-out")
    assert answer.status_code == 401
    assert (await contacts(desk))["budi@tangex.co.id"] is None
