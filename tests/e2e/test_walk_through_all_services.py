"""One request from letter to Published across the five services, each its own OS process."""

import hashlib
import io
import json
import re
import subprocess
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from warta.contracts import (
    SOP,
    Approved,
    CoverageSubmitted,
    DispositionIssued,
    Published,
    Rejected,
    RequestReceived,
    ReviewLevel,
    Role,
    TeamAssigned,
)
from warta.devstack.demo import walk
from warta.devstack.pytest_plugin import SERVICES, eventually
from warta.devstack.smtp import SmtpServer, smtp_server
from warta.devstack.wordpress import WordPressSite, wordpress_site
from warta.runtime import ServiceSettings, issue_dev_token

TL, SH = ReviewLevel.TEAM_LEAD, ReviewLevel.SECTION_HEAD


def step_counts(metrics_text: str) -> dict[int, int]:
    pattern = re.compile(r'^warta_sop_step_duration_seconds_count\{sop="58/2025",step="(\d)"\} (\S+)$', re.M)
    return {int(step): int(float(n)) for step, n in pattern.findall(metrics_text)}


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory) -> Iterator[WordPressSite]:
    with wordpress_site(tmp_path_factory.mktemp("wordpress")) as site:
        yield site


@pytest.fixture
def relay(tmp_path) -> Iterator[SmtpServer]:
    with smtp_server(tmp_path) as server:
        yield server


def publisher_env(wordpress: WordPressSite, relay: SmtpServer) -> dict[str, str]:
    """The publisher on the real WordPress and mail relay; its photos come from the coverage process."""
    return {
        "WARTA_WEBSITE_CHANNEL": "wordpress",
        "WARTA_WORDPRESS_URL": wordpress.url,
        "WARTA_WORDPRESS_USERNAME": wordpress.username,
        "WARTA_WORDPRESS_APPLICATION_PASSWORD": wordpress.application_password,
        "WARTA_SMTP_HOST": relay.host,
        "WARTA_SMTP_PORT": str(relay.port),
        "WARTA_SMTP_CA_FILE": relay.ca_file,
    }


@pytest.mark.slow
async def test_letter_to_published_with_a_rejection_at_each_level(
    namespace, service_processes, mongo, wordpress, relay
):
    processes = {name: service_processes(name) for name in SERVICES}
    for name, process in processes.items():
        process.start(**(publisher_env(wordpress, relay) if name == "publisher" else {}))
    settings = ServiceSettings(service_name="test")

    def token_for(officer_id: str, role: Role) -> str:
        return issue_dev_token(settings, officer_id=officer_id, role=role)

    timeline = await walk({name: p.url for name, p in processes.items()}, token_for)
    rid = timeline.request_id
    print(timeline.render())

    events = await eventually(lambda: _complete(namespace.events()))
    shape = [(type(e), getattr(e.data, "version", None), getattr(e.data, "level", None)) for e in events]
    assert shape == [
        (RequestReceived, None, None),
        (DispositionIssued, None, None),
        (TeamAssigned, None, None),
        (CoverageSubmitted, 1, None),
        (Rejected, 1, TL),
        (CoverageSubmitted, 2, None),
        (Approved, 2, TL),
        (Rejected, 2, SH),
        (CoverageSubmitted, 3, None),  # the team lead's own correction
        (Approved, 3, TL),
        (Approved, 3, SH),
        (Published, 3, None),
    ]
    assert {e.subject for e in events} == {rid}
    assert {e.correlation_id for e in events} == {rid}
    assert len({e.id for e in events}) == len(events)
    acting_roles = {type(e): e.actor.role for e in reversed(events) if e.actor}  # the first of each type
    assert acting_roles[RequestReceived] is Role.ADMIN
    assert acting_roles[DispositionIssued] is Role.SECTION_HEAD
    assert acting_roles[TeamAssigned] is Role.TEAM_LEAD
    assert acting_roles[CoverageSubmitted] is Role.COVERAGE_TEAM
    assert acting_roles[Published] is Role.COVERAGE_TEAM
    correction = events[-4]
    assert (correction.actor.role, correction.data.corrected_by) == (Role.TEAM_LEAD, correction.actor.officer_id)
    assert await namespace.raw_messages(stream=f"{namespace.stream_name}_DLQ") == []

    db = {name: mongo[namespace.database(name)] for name in SERVICES}
    request = await db["intake"].requests.find_one({"_id": rid})
    assert (request["state"], request["agenda_number"]) == ("disposed", timeline.agenda_number)
    entry = await db["scheduler"].agenda.find_one({"_id": rid})
    assert entry["state"] == "assigned"
    assert len(entry["assignment"]["members"]) == 4
    workspace = await db["coverage"].workspaces.find_one({"_id": rid})
    assert (workspace["state"], workspace["versions"]) == ("submitted", 3)
    assert workspace["last_return"]["reason"] == "sensitivity"
    assert await db["coverage"].versions.count_documents({"request_id": rid}) == 3
    review = await db["review"].reviews.find_one({"_id": rid})
    assert review["state"] == "approved"
    assert [(d["level"], d["outcome"]) for d in review["history"]] == [
        ("team_lead", "reject"),
        ("team_lead", "approve"),
        ("section_head", "reject"),
        ("team_lead", "approve"),
        ("section_head", "approve"),
    ]
    publication = await db["publisher"].publications.find_one({"_id": rid})
    assert (publication["state"], publication["version"]) == ("published", 3)
    website = publication["website"]
    assert (website["channel"], website["url"]) == ("wordpress", str(events[-1].data.website_url))
    # The public page carries the approved version and the photo the photographer uploaded to the
    # coverage service, fetched from it by the publisher (checked against its hash) and published
    # as a newsroom does: the same pixels, its caption and credit written in, and nothing of where
    # it was taken or by which camera. The coverage service keeps the original as it came.
    [photo] = [a for a in publication["assets"] if a["kind"] == "photo"]
    coverage_team = {"Authorization": f"Bearer {token_for('agus.fotografer', Role.COVERAGE_TEAM)}"}
    async with httpx.AsyncClient(timeout=30) as client:
        page = (await client.get(website["url"])).text
        [picture_url] = website["picture_urls"].values()
        picture = (await client.get(picture_url)).content
        original = (await client.get(photo["uri"], headers=coverage_team)).content
    assert hashlib.sha256(original).hexdigest() == photo["sha256"]
    assert pixels(picture) == pixels(original)
    published_tags, original_tags = exiftool(picture), exiftool(original)
    print("exiftool, published copy:", published_tags)
    assert published_tags["IPTC:Caption-Abstract"] == photo["caption"]
    assert published_tags["IPTC:Credit"] == "Prokopim Kota Tangerang"  # the walk's tokens name nobody
    assert published_tags["XMP-dc:Rights"].endswith("Pemerintah Kota Tangerang")
    assert not [tag for tag in published_tags if "GPS" in tag or "Serial" in tag]
    assert original_tags["GPS:GPSLatitude"]
    assert original_tags["ExifIFD:SerialNumber"] == "BHX204512"
    assert publication["press_release"]["title"] in page
    posts = "SELECT COUNT(*) FROM wp_posts WHERE post_type='post' AND post_status='publish'"
    assert wordpress.sql(posts) == [["1"]]
    assert relay.mailbox.delivered_to() == ["budi@tangerangekspres.example", "sari@radiokota.example"]
    assert all(website["url"] in m.get_body(("plain",)).get_content() for m in relay.mailbox.received)

    async def outboxes_drained():
        # A relay marks an event sent just after JetStream took it, so allow it that moment.
        return all([await db[name].outbox.count_documents({"sent_at": None}) == 0 for name in SERVICES])

    await eventually(outboxes_drained)
    # scheduler: the disposition; coverage: the assignment and both rejections; review: the three
    # versions; publisher: the letter's arrival (for the lead time), the three versions and the one
    # approval that orders publication (the team lead's approvals pass it by without a write).
    # Nothing in the walk waits for coverage to take the section head's rejection, so its inbox may
    # still be catching up when Published is seen.
    expected_inbox = {"intake": 0, "scheduler": 1, "coverage": 3, "review": 3, "publisher": 5}

    async def inbox_counts():
        counts = {name: await db[name].inbox.count_documents({}) for name in SERVICES}
        return counts if counts == expected_inbox else None

    await eventually(inbox_counts)

    counts: dict[int, int] = {}
    async with httpx.AsyncClient() as client:
        for process in processes.values():
            counts |= step_counts((await client.get(f"{process.url}/metrics")).text)
            assert (await client.get(f"{process.url}/readyz")).json()["status"] == "ready"
        publisher_metrics = (await client.get(f"{processes['publisher'].url}/metrics")).text
    # The whole request, from the letter's arrival 20 minutes before the walk to publication.
    assert "warta_request_lead_time_seconds_count 1.0" in publisher_metrics
    assert 'warta_requests_completed_total{outcome="within",sop="58/2025"} 1.0' in publisher_metrics
    # Step 4 ran twice (one rejection; the team lead's correction is not step 4), step 5 three
    # times, step 6 twice.
    assert counts == {1: 1, 2: 1, 3: 1, 4: 2, 5: 3, 6: 2, 7: 1}
    assert len(SOP.revision("58/2025").steps) == len(counts)
    print("checked: 11 events in order, final state of all five databases, outboxes drained, step metrics")


def pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).tobytes()


def exiftool(data: bytes) -> dict[str, object]:
    """Every tag exiftool (Debian's, independent of the publisher's own library) reads, by group."""
    read = subprocess.run(["exiftool", "-j", "-G1", "-"], input=data, capture_output=True, check=True)
    tags: dict[str, object] = json.loads(read.stdout)[0]
    return tags


async def _complete(events):
    found = await events
    return found if found and isinstance(found[-1], Published) else None
