from datetime import UTC, datetime, timedelta

import pytest

from warta.contracts import (
    Actor,
    Approved,
    ApprovedData,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    IllegalTransition,
    PressRelease,
    Published,
    ReviewLevel,
    Role,
)
from warta.publisher.domain import (
    WEBSITE_LEASE,
    EmailTally,
    Publication,
    PublicationState,
    Submission,
    WebsiteRecord,
)
from warta.publisher.handlers import FanoutReport
from warta.publisher.mail import Delivery
from warta.runtime.sends import Refusal, SendState

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
MAYA = Actor(officer_id="maya", role=Role.COVERAGE_TEAM)


def publication() -> Publication:
    submitted = CoverageSubmitted.occurred(
        data=CoverageSubmittedData(
            request_id="r1",
            version=2,
            press_release=PressRelease(title="t", body="b"),
            assets=(AssetRef(kind=AssetKind.PHOTO, uri="p", sha256="a" * 64),),
            submitted_by="dewi",
            contributors=("dewi",),
        ),
        request_id="r1",
        time=T0,
    )
    approved = Approved.occurred(
        data=ApprovedData(request_id="r1", version=2, level=ReviewLevel.SECTION_HEAD),
        request_id="r1",
        time=T0 + timedelta(minutes=40),
    )
    return Publication.order(approved, Submission.of(submitted))


def website(url: str, at: datetime) -> WebsiteRecord:
    return WebsiteRecord(channel="wordpress", url=url, post_id="7", recorded_by="maya", recorded_at=at)


def tally(*, sent: int, waiting: int, failed: int, at: datetime) -> EmailTally:
    return EmailTally(recipients=sent + waiting + failed, sent=sent, waiting=waiting, failed=failed, at=at)


def test_published_once_the_post_is_on_the_website_and_every_email_is_final():
    p = publication()
    at = T0 + timedelta(hours=1)
    assert p.ordered_at == T0 + timedelta(minutes=40)
    p.emailed(tally(sent=3, waiting=1, failed=0, at=at))
    assert not p.complete(now=at, actor=MAYA)  # no website post yet
    p.website_published(website("https://tangerangkota.go.id/berita/1", at))
    assert not p.complete(now=at, actor=MAYA)  # one recipient still waits
    p.emailed(tally(sent=3, waiting=0, failed=1, at=at))
    assert p.complete(now=at, actor=MAYA)
    assert p.state is PublicationState.PUBLISHED
    [published] = [e for e in p.events if isinstance(e, Published)]
    assert published.data.version == 2
    assert (published.data.emails_sent, published.data.emails_failed) == (3, 1)
    assert [c.channel for c in published.data.channels] == ["website", "email"]
    assert not p.complete(now=at, actor=MAYA)
    assert len([e for e in p.events if isinstance(e, Published)]) == 1


def test_a_second_website_address_is_refused_and_the_same_one_changes_nothing():
    p = publication()
    at = T0 + timedelta(hours=1)
    p.website_published(website("https://tangerangkota.go.id/berita/1", at))
    revision = p.revision
    p.website_published(website("https://tangerangkota.go.id/berita/1", at))
    assert p.revision == revision
    with pytest.raises(IllegalTransition):
        p.website_published(website("https://tangerangkota.go.id/berita/2", at))


def test_one_attempt_at_the_website_at_a_time_until_its_lease_runs_out():
    p = publication()
    at = T0 + timedelta(hours=1)
    p.begin_website_attempt(at)
    with pytest.raises(IllegalTransition, match="under way"):
        p.begin_website_attempt(at + timedelta(seconds=30))
    p.begin_website_attempt(at + WEBSITE_LEASE)  # the first attempt's process died
    p.website_failed("WordPress answered 502", transient=True, now=at + WEBSITE_LEASE)
    assert (p.website_trouble.attempts, p.website_trouble.transient) == (1, True)
    p.begin_website_attempt(at + WEBSITE_LEASE)  # a failure frees it at once
    p.website_published(website("https://tangerangkota.go.id/berita/1", at))
    assert p.website_trouble is None
    with pytest.raises(IllegalTransition, match="berita/1"):
        p.begin_website_attempt(at + WEBSITE_LEASE)


def test_an_email_claimed_by_a_sender_waits_for_it_until_its_lease_runs_out():
    lease = timedelta(minutes=3)
    d = Delivery(request_id="r", version=1, email="budi@tangex.co.id", name="Budi")
    assert d.due(T0, lease)
    d.state, d.claimed_at = SendState.SENDING, T0
    assert not d.due(T0 + lease - timedelta(seconds=1), lease)  # its sender is still at the relay
    assert d.next_chance(lease) == T0 + lease
    assert d.due(T0 + lease, lease)  # that sender died: the message goes again, same Message-ID
    d.refused(Refusal("450 Mailbox busy", transient=True), T0 + lease)
    assert (d.state, d.claimed_at, d.retry_at) == (SendState.TRANSIENT, None, T0 + lease + Delivery.RETRY_AFTER[0])
    assert not d.due(T0 + lease, lease)
    assert d.due(d.retry_at, lease)
    d.accepted(d.retry_at)
    assert (d.state, d.claimed_at, d.next_chance(lease)) == (SendState.SENT, None, None)
    assert not d.due(T0 + timedelta(days=1), lease)


def test_a_fanouts_tally_counts_each_recipient_once_by_where_its_message_stands():
    states = [SendState.SENT] * 3 + [SendState.PENDING, SendState.SENDING, SendState.TRANSIENT] + [SendState.FAILED] * 2
    entries = [
        Delivery(request_id="r", version=1, email=f"k{n}@tangex.co.id", name=f"K{n}", state=state)
        for n, state in enumerate(states)
    ]
    assert FanoutReport.of(entries) == FanoutReport(recipients=8, sent=3, waiting=3, failed=2)
    assert FanoutReport.of([]) == FanoutReport(recipients=0, sent=0, waiting=0, failed=0)
