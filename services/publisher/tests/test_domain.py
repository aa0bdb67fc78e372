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
from warta.publisher.domain import Publication, PublicationState, Submission

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


def test_publishing_records_the_url_once():
    p = publication()
    assert p.ordered_at == T0 + timedelta(minutes=40)
    p.record(website_url="https://tangerangkota.go.id/berita/1", now=T0 + timedelta(hours=1), actor=MAYA)
    assert p.state is PublicationState.PUBLISHED
    [published] = p.events
    assert isinstance(published, Published)
    assert published.data.version == 2
    with pytest.raises(IllegalTransition):
        p.record(website_url="https://tangerangkota.go.id/berita/2", now=T0, actor=MAYA)
    assert len(p.events) == 1
