"""A request's journey as events, for the archive's tests."""

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from warta.contracts import (
    Actor,
    Approved,
    ApprovedData,
    CoverageRole,
    CoverageSubmitted,
    CoverageSubmittedData,
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    Event,
    Leader,
    LeadershipEvent,
    Letter,
    PressRelease,
    Published,
    PublishedData,
    Rejected,
    RejectedData,
    RejectionReason,
    RequestReceived,
    RequestReceivedData,
    ReviewLevel,
    Role,
    SenderKind,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
)

ADMIN = Actor(officer_id="siti", role=Role.ADMIN)
HEAD = Actor(officer_id="hendra", role=Role.SECTION_HEAD)
LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD)
DEWI = Actor(officer_id="dewi", role=Role.COVERAGE_TEAM)


def activity(t0: datetime) -> LeadershipEvent:
    return LeadershipEvent(
        starts_at=t0 + timedelta(hours=3),
        ends_at=t0 + timedelta(hours=5),
        title="Peresmian Taman Literasi",
        location="Taman Cikokol",
        leader=Leader.MAYOR,
    )


def journey_of(request_id: str, t0: datetime) -> list[Event]:
    """A request whose first version the team lead returns, published on the second."""
    held = activity(t0)
    minute = timedelta(minutes=1)
    received = RequestReceived.occurred(
        data=RequestReceivedData(
            request_id=request_id,
            agenda_number="0007/PROKOPIM/2026",
            letter=Letter(
                number="005/12-Dinkes",
                date=date(2026, 11, 30),
                sender="Dinas Kesehatan",
                sender_kind=SenderKind.REGIONAL_AGENCY,
                subject="Permohonan liputan",
            ),
            event=held,
            received_at=t0,
        ),
        request_id=request_id,
        time=t0 + 40 * minute,
        actor=ADMIN,
    )
    disposed = DispositionIssued.occurred(
        data=DispositionIssuedData(
            request_id=request_id,
            agenda_number="0007/PROKOPIM/2026",
            event=held,
            instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
        ),
        request_id=request_id,
        time=t0 + 80 * minute,  # 40 minutes after registration: 10 over step 2's 30
        actor=HEAD,
    )
    assigned = TeamAssigned.occurred(
        data=TeamAssignedData(
            request_id=request_id,
            revision=1,
            members=(TeamMember(officer_id="dewi", role=CoverageRole.WRITER),),
            event=held,
            coverage_starts_at=held.starts_at,
        ),
        request_id=request_id,
        time=t0 + 100 * minute,
        actor=LEAD,
    )

    def submitted(version: int, at: datetime) -> CoverageSubmitted:
        return CoverageSubmitted.occurred(
            data=CoverageSubmittedData(
                request_id=request_id,
                version=version,
                press_release=PressRelease(title="Taman Literasi Dibuka", body="Isi."),
                assets=(),
                submitted_by="dewi",
                contributors=("dewi",),
            ),
            request_id=request_id,
            time=at,
            actor=DEWI,
        )

    v1 = submitted(1, held.starts_at + 120 * minute)
    returned = Rejected.occurred(
        data=RejectedData(
            request_id=request_id,
            version=1,
            level=ReviewLevel.TEAM_LEAD,
            reason=RejectionReason.LANGUAGE,
            note="Ejaan.",
        ),
        request_id=request_id,
        time=v1.time + 10 * minute,
        actor=LEAD,
    )
    v2 = submitted(2, returned.time + 30 * minute)
    by_lead = Approved.occurred(
        data=ApprovedData(request_id=request_id, version=2, level=ReviewLevel.TEAM_LEAD),
        request_id=request_id,
        time=v2.time + 5 * minute,
        actor=LEAD,
    )
    by_head = Approved.occurred(
        data=ApprovedData(request_id=request_id, version=2, level=ReviewLevel.SECTION_HEAD),
        request_id=request_id,
        time=by_lead.time + 5 * minute,
        actor=HEAD,
    )
    published = Published.occurred(
        data=PublishedData(request_id=request_id, version=2, website_url="https://tangerangkota.go.id/berita/7"),
        request_id=request_id,
        time=by_head.time + 15 * minute,
        actor=DEWI,
    )
    return [received, disposed, assigned, v1, returned, v2, by_lead, by_head, published]


@pytest.fixture
def journey() -> Callable[[str, datetime], list[Event]]:
    return journey_of
