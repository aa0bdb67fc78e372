"""The publisher is killed at every point of putting a release on the real WordPress, after each
photo's upload, after the post, and after WordPress is done but before the publisher records it,
and started again: the website ends with one post, one attachment per photo, each attached to the
post and captioned as approved, whatever the camera wrote into the photo."""

import signal
from collections.abc import Iterator

import httpx
import pytest

from warta.contracts import (
    AssetRef,
    PressRelease,
    Role,
)
from warta.devstack.pytest_plugin import eventually, publish_approved
from warta.devstack.stub_http import served_photos
from warta.devstack.wordpress import WordPressSite, wordpress_site
from warta.publisher.website import post_key

CAPTIONS = ("Wali Kota menggunting pita", "Warga membaca di taman", "Rak buku anak")
CREDIT = "(Foto: Dewi Lestari/Prokopim Kota Tangerang)"
# Each point, and what the site holds when the publisher dies there: so each kill is known to
# land in the window it names (photos uploaded whole, then the post, then the photos attached).
KILL_POINTS = {
    "website.after_media@1": {"posts": 0, "attachments": 1, "attached": 0, "captioned": 1},
    "website.after_media@2": {"posts": 0, "attachments": 2, "attached": 0, "captioned": 2},
    "website.after_media@3": {"posts": 0, "attachments": 3, "attached": 0, "captioned": 3},
    "website.after_post": {"posts": 1, "attachments": 3, "attached": 0, "captioned": 3},
    "website.before_record": {"posts": 1, "attachments": 3, "attached": 3, "captioned": 3},
}


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory) -> Iterator[WordPressSite]:
    with wordpress_site(tmp_path_factory.mktemp("wordpress")) as site:
        yield site


@pytest.fixture
def photos() -> Iterator[tuple[AssetRef, ...]]:
    # Every one carries the camera's own description, which WordPress would name it by.
    with served_photos(CAPTIONS, seed=70) as refs:
        yield refs


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", KILL_POINTS)
async def test_a_kill_at_any_point_of_the_website_leaves_one_post_and_every_photo_once_as_approved(
    namespace, service_processes, wordpress, photos, kill_at
):
    rid = f"kill-{kill_at.replace('.', '-').replace('@', '-')}-{namespace.key}"
    release = PressRelease(
        title="Wali Kota Resmikan Taman Literasi", body="Taman dibuka untuk warga.", lead="Taman dibuka, Senin."
    )
    key = post_key(rid, release.title)
    publisher = service_processes("publisher")
    env = {
        "WARTA_WEBSITE_CHANNEL": "wordpress",
        "WARTA_WORDPRESS_URL": wordpress.url,
        "WARTA_WORDPRESS_USERNAME": wordpress.username,
        "WARTA_WORDPRESS_APPLICATION_PASSWORD": wordpress.application_password,
        # A killed attempt's hold on the website, and its press's hold on the publication, lapse
        # quickly here (two minutes and fifteen seconds in production).
        "WARTA_WEBSITE_LEASE_SECONDS": "1",
        "WARTA_PUBLISH_HOLD_SECONDS": "1",
    }
    publisher.start(**env, WARTA_FAULT_POINTS=kill_at)
    headers = namespace.token(Role.COVERAGE_TEAM, "dewi")
    await publish_approved(namespace, rid, release, photos)
    async with httpx.AsyncClient(base_url=publisher.url, headers=headers, timeout=60) as client:
        await eventually(lambda: _answers(client.get(f"/publications/{rid}")))
        with pytest.raises(httpx.TransportError):
            await client.post(f"/publications/{rid}/publish")
    publisher.process.wait(10)
    assert publisher.exit_code() == -signal.SIGKILL
    before = _on_the_site(wordpress, key)
    print(f"killed at {kill_at}: the site held {before['posts']} post(s), {before['attachments']} photo(s)")
    before.pop("post_id")
    assert before == KILL_POINTS[kill_at]

    publisher.start(**env)
    async with httpx.AsyncClient(base_url=publisher.url, headers=headers, timeout=60) as client:
        answer = await eventually(lambda: _published(client, rid), timeout=30)
    after = _on_the_site(wordpress, key)
    print(
        f"after the restart: {after['posts']} post, {after['attachments']} attachments, "
        f"{after['attached']} attached to it, {after['captioned']} captioned as approved"
    )
    post_id = after.pop("post_id")
    assert after == {"posts": 1, "attachments": 3, "attached": 3, "captioned": 3}
    assert answer["website"]["post_id"] == post_id
    assert sorted(answer["website"]["picture_urls"]) == sorted(p.sha256 for p in photos)


def _on_the_site(site: WordPressSite, key: str) -> dict[str, int | str | None]:
    """What the site's database holds of this release, counted straight from its tables."""
    posts = site.sql(f"SELECT ID FROM wp_posts WHERE post_type='post' AND post_name LIKE '{key}%'")
    post_id = posts[0][0] if len(posts) == 1 else None
    photos = site.sql(
        "SELECT p.post_parent, p.post_excerpt, m.meta_value FROM wp_posts p LEFT JOIN wp_postmeta m "
        "ON m.post_id = p.ID AND m.meta_key = '_wp_attachment_image_alt' "
        f"WHERE p.post_type='attachment' AND p.post_name LIKE '{key}-%'"
    )
    approved = {(f"{caption} {CREDIT}", caption) for caption in CAPTIONS}
    return {
        "posts": len(posts),
        "attachments": len(photos),
        "attached": sum(parent == post_id for parent, _, _ in photos),
        "captioned": len({(caption, alt) for _, caption, alt in photos} & approved),
        "post_id": post_id,
    }


async def _answers(response) -> bool:
    return (await response).status_code == 200


async def _published(client: httpx.AsyncClient, rid: str) -> dict | None:
    """Publishing again once the killed attempt's hold has lapsed; the publication once it is out."""
    answer = await client.post(f"/publications/{rid}/publish")
    if answer.status_code == 409 and "under way" in answer.text:
        return None
    assert answer.status_code == 200, answer.text
    publication = answer.json()
    return publication if publication["state"] == "published" else None
