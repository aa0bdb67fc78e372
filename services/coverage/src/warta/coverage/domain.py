"""Step 4 of SOP 58/2025: the coverage team turns an event into a press release, photos and video."""

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel

from warta.contracts import (
    Actor,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    FieldProblem,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    PressRelease,
    Rejected,
    RejectionReason,
    ReviewLevel,
    Role,
    TeamAssigned,
    TeamMember,
)
from warta.runtime.aggregate import Aggregate


class WorkspaceState(StrEnum):
    OPEN = "open"  # the team is working (step 4's clock runs)
    SUBMITTED = "submitted"  # a version waits in review


class Return(BaseModel):
    """Why the team lead sent the work back; shown to the team in the reopened workspace."""

    version: int
    reason: RejectionReason
    note: str
    returned_by: str
    returned_at: AwareDatetime


class CoverageVersion(BaseModel):
    """A submitted version: frozen forever once written."""

    request_id: str
    version: int
    press_release: PressRelease
    assets: tuple[AssetRef, ...]
    submitted_by: str
    submitted_at: AwareDatetime
    contributors: tuple[str, ...]


def missing_outputs(assets: tuple[AssetRef, ...], needs_video: bool) -> list[FieldProblem]:
    """The SOP's outputs of step 4: a press release (required by the form), photos and a video."""
    kinds = {a.kind for a in assets}
    missing = []
    if AssetKind.PHOTO not in kinds:
        missing.append(FieldProblem("assets", "at least one photo is required"))
    if needs_video and AssetKind.VIDEO not in kinds:
        missing.append(FieldProblem("assets", "a video is required for this assignment"))
    return missing


class Workspace(Aggregate):
    """The team's workspace for one assignment; opened by ``TeamAssigned``."""

    request_id: str
    correlation_id: str
    assignment_revision: int
    members: tuple[TeamMember, ...]
    needs_video: bool
    clock_started_at: AwareDatetime
    state: WorkspaceState = WorkspaceState.OPEN
    versions: int = 0
    last_return: Return | None = None

    @classmethod
    def open(cls, assigned: TeamAssigned) -> "Workspace":
        return cls(
            request_id=assigned.data.request_id,
            correlation_id=assigned.correlation_id,
            assignment_revision=assigned.data.revision,
            members=assigned.data.members,
            needs_video=assigned.data.needs_video,
            clock_started_at=assigned.data.coverage_starts_at,
        )

    def reassign(self, assigned: TeamAssigned) -> bool:
        """Take a later revision of the assignment (a member or item replaced); an older or
        repeated revision changes nothing. Step 4's clock keeps running from where it started."""
        if assigned.data.revision <= self.assignment_revision:
            return False
        self.assignment_revision = assigned.data.revision
        self.members = assigned.data.members
        self.needs_video = assigned.data.needs_video
        self.changed()
        return True

    def may_edit(self, actor: Actor) -> bool:
        """Members of the assigned team edit and submit; the team lead may too."""
        return actor.role is Role.TEAM_LEAD or (
            actor.role is Role.COVERAGE_TEAM and any(m.officer_id == actor.officer_id for m in self.members)
        )

    def submit(
        self,
        *,
        press_release: PressRelease,
        assets: tuple[AssetRef, ...],
        now: datetime,
        actor: Actor,
    ) -> CoverageVersion:
        """Freeze the next version and send it to review (step 4 done)."""
        if not self.may_edit(actor):
            raise Forbidden("only members of the assigned coverage team or a team lead may submit")
        if self.state is not WorkspaceState.OPEN:
            raise IllegalTransition(current=self.state.value, attempted="submit coverage")
        missing = missing_outputs(assets, self.needs_video)
        if missing:
            raise InvalidInput("the coverage is not complete", fields=missing)
        self.versions += 1
        self.state = WorkspaceState.SUBMITTED
        contributors = tuple(dict.fromkeys([*(m.officer_id for m in self.members), actor.officer_id]))
        version = CoverageVersion(
            request_id=self.request_id,
            version=self.versions,
            press_release=press_release,
            assets=assets,
            submitted_by=actor.officer_id,
            submitted_at=now,
            contributors=contributors,
        )
        self.changed(
            CoverageSubmitted.occurred(
                data=CoverageSubmittedData(
                    request_id=self.request_id,
                    version=version.version,
                    press_release=press_release,
                    assets=assets,
                    submitted_by=actor.officer_id,
                    contributors=contributors,
                ),
                request_id=self.request_id,
                time=now,
                correlation_id=self.correlation_id,
                actor=actor,
            )
        )
        return version

    def reopen(self, rejected: Rejected) -> bool:
        """A team-lead rejection of the current version returns the work here (step 4 again).

        Returns False when the rejection does not concern this workspace's current version.
        """
        if rejected.data.level is not ReviewLevel.TEAM_LEAD or rejected.data.version != self.versions:
            return False
        if self.state is not WorkspaceState.SUBMITTED:
            return False
        self.state = WorkspaceState.OPEN
        self.clock_started_at = rejected.time
        self.last_return = Return(
            version=rejected.data.version,
            reason=rejected.data.reason,
            note=rejected.data.note,
            returned_by=rejected.actor.officer_id if rejected.actor else "",
            returned_at=rejected.time,
        )
        self.changed()
        return True
