"""Step 4 of SOP 58/2025: the coverage team turns an event into a press release, photos, video and
social-media posts.

A workspace is opened by ``TeamAssigned``. The team drafts the release, uploads media and
prepares posts while it is open; submitting freezes version N and sends it to review. A
team-lead rejection reopens it, with the reviewer's reason shown; the next submission is N+1.
"""

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import (
    FIRST_SOP,
    Actor,
    AssetKind,
    AssetRef,
    CoverageSubmitted,
    CoverageSubmittedData,
    FieldProblem,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    LeadershipEvent,
    Line,
    NotFound,
    PressRelease,
    Rejected,
    RejectionReason,
    ReviewLevel,
    Role,
    SocialChannel,
    SocialPost,
    TeamAssigned,
    TeamMember,
    Text,
)
from warta.runtime.aggregate import Aggregate
from warta.runtime.release import html_text, inline_text, markdown_html

from .media import Asset
from .press import Draft
from .social import check_post


class WorkspaceState(StrEnum):
    OPEN = "open"  # the team is working (step 4's clock runs)
    SUBMITTED = "submitted"  # a version waits in review
    RETURNED_TO_TEAM_LEAD = "returned_to_team_lead"  # the section head sent it back: the team lead may correct it


class Return(BaseModel):
    """Why the team lead sent the work back; shown to the team in the reopened workspace."""

    version: int
    reason: RejectionReason
    note: str
    returned_by: str
    returned_by_name: str | None = None  # as the reviewer's sign-in gave it, for the team to read
    returned_at: AwareDatetime


class PostDraft(BaseModel):
    text: Text = Field(default="", max_length=70_000)
    title: Line | None = Field(default=None, max_length=200)
    media: tuple[str, ...] = Field(default=(), max_length=40, description="Asset ids, in order.")


class CoverageVersion(BaseModel):
    """A submitted version: frozen forever once written."""

    request_id: str
    version: int
    press_release: PressRelease
    assets: tuple[AssetRef, ...]
    social_posts: tuple[SocialPost, ...] = ()
    asset_ids: tuple[str, ...] = ()
    corrected_by: str | None = None
    submitted_by: str
    submitted_at: AwareDatetime
    contributors: tuple[str, ...]


def missing_outputs(draft: Draft, assets: list[Asset], needs_video: bool) -> list[FieldProblem]:
    """The SOP's outputs of step 4: a press release, photos and (unless not needed) a video."""
    # Read as the public will read them: a title or body of markup alone renders to nothing.
    missing = []
    if not inline_text(draft.title):
        missing.append(
            FieldProblem("press_release.title", "the press release needs a title", type="release_needs_title")
        )
    if not html_text(markdown_html(draft.body)):
        missing.append(FieldProblem("press_release.body", "the press release needs a body", type="release_needs_body"))
    for n, quote in enumerate(draft.quotes):
        if not inline_text(quote.text):
            missing.append(
                FieldProblem(
                    f"press_release.quotes.{n}.text",
                    "the quotation has no words a reader would see",
                    type="nothing_to_read",
                )
            )
    kinds = {a.kind for a in assets}
    if AssetKind.PHOTO not in kinds:
        missing.append(FieldProblem("assets", "at least one photo is required", type="photo_needed"))
    if needs_video and AssetKind.VIDEO not in kinds:
        missing.append(FieldProblem("assets", "a video is required for this assignment", type="assignment_needs_video"))
    return missing


class Workspace(Aggregate):
    """The team's workspace for one assignment; opened by ``TeamAssigned``."""

    request_id: str
    correlation_id: str
    sop: str = FIRST_SOP  # the request's SOP revision, from the event that began this record
    assignment_revision: int
    members: tuple[TeamMember, ...]
    event: LeadershipEvent | None = None  # None in workspaces opened before it was kept
    needs_video: bool
    clock_started_at: AwareDatetime
    state: WorkspaceState = WorkspaceState.OPEN
    versions: int = 0
    last_return: Return | None = None
    draft: Draft = Field(default_factory=Draft)
    asset_ids: list[str] = Field(default_factory=list)
    posts: dict[SocialChannel, PostDraft] = Field(default_factory=dict)

    @classmethod
    def open(cls, assigned: TeamAssigned) -> "Workspace":
        return cls(
            request_id=assigned.data.request_id,
            correlation_id=assigned.correlation_id,
            sop=assigned.sop,
            assignment_revision=assigned.data.revision,
            members=assigned.data.members,
            event=assigned.data.event,
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
        self.event = assigned.data.event
        self.needs_video = assigned.data.needs_video
        self.changed()
        return True

    # -- who may do what -----------------------------------------------------------------------

    def may_edit(self, actor: Actor) -> bool:
        """Members of the assigned team edit and submit; the team lead may too."""
        return actor.role is Role.TEAM_LEAD or (
            actor.role is Role.COVERAGE_TEAM and any(m.officer_id == actor.officer_id for m in self.members)
        )

    def may_read_versions(self, actor: Actor) -> bool:
        """Submitted versions are also read by the section head, who reviews them at step 6."""
        return self.may_edit(actor) or actor.role is Role.SECTION_HEAD

    def require_editor(self, actor: Actor, action: str) -> None:
        if not self.may_edit(actor):
            raise Forbidden(f"only members of the assigned coverage team or a team lead may {action}")

    def require_open(self, actor: Actor, action: str) -> None:
        self.require_editor(actor, action)
        if self.state is WorkspaceState.RETURNED_TO_TEAM_LEAD and actor.role is Role.TEAM_LEAD:
            return  # the team lead's own small corrections before approving at level 1
        if self.state is not WorkspaceState.OPEN:
            raise IllegalTransition(
                current=self.state.value,
                attempted=action,
                message=f"cannot {action}: version {self.versions} is in review; wait for the decision",
            )

    # -- the work ------------------------------------------------------------------------------

    def save_draft(self, draft: Draft, *, actor: Actor) -> None:
        self.require_open(actor, "edit the press release")
        unknown = [asset_id for asset_id in draft.captions if asset_id not in self.asset_ids]
        if unknown:
            raise InvalidInput(
                "captions name photos not in this workspace",
                fields=[
                    FieldProblem(f"captions.{asset_id}", "no such photo in this workspace", type="not_in_workspace")
                    for asset_id in unknown
                ],
            )
        self.draft = draft
        self.changed()

    def add_asset(self, asset: Asset, *, actor: Actor) -> None:
        self.require_open(actor, "add media")
        if asset.asset_id not in self.asset_ids:
            self.asset_ids.append(asset.asset_id)
            self.changed()

    def remove_asset(self, asset_id: str, *, in_a_version: bool, actor: Actor) -> None:
        self.require_open(actor, "remove media")
        if asset_id not in self.asset_ids:
            raise NotFound("no such file in this workspace")
        if in_a_version:
            raise IllegalTransition(
                current=self.state.value,
                attempted="remove media",
                message="this file belongs to a submitted version, which never changes",
            )
        self.asset_ids.remove(asset_id)
        self.draft.captions.pop(asset_id, None)
        for post in self.posts.values():
            post.media = tuple(m for m in post.media if m != asset_id)
        self.changed()

    def set_post(self, channel: SocialChannel, post: PostDraft, assets: dict[str, Asset], *, actor: Actor) -> None:
        self.require_open(actor, f"prepare the {channel.value} post")
        unknown = [i for i, asset_id in enumerate(post.media) if asset_id not in self.asset_ids]
        if unknown:
            raise InvalidInput(
                "the post names media not in this workspace",
                fields=[
                    FieldProblem(f"media.{i}", "no such photo or video in this workspace", type="not_in_workspace")
                    for i in unknown
                ],
            )
        check_post(channel, text=post.text, title=post.title, media_kinds=[assets[m].kind for m in post.media])
        self.posts[channel] = post
        self.changed()

    def remove_post(self, channel: SocialChannel, *, actor: Actor) -> None:
        self.require_open(actor, f"remove the {channel.value} post")
        if self.posts.pop(channel, None) is not None:
            self.changed()

    def submit(
        self, *, assets: list[Asset], asset_uri: Callable[[Asset], str], now: datetime, actor: Actor
    ) -> CoverageVersion:
        """Freeze the draft, the workspace's media and its posts as the next version and send it
        to review (step 4 done)."""
        self.require_open(actor, "submit coverage")
        missing = missing_outputs(self.draft, assets, self.needs_video)
        if missing:
            raise InvalidInput("the coverage is not complete", fields=missing)
        refs = self._frozen_media(assets, asset_uri)
        posts = self._frozen_posts(assets, asset_uri)
        press_release = self.draft.as_press_release()
        corrected_by = actor.officer_id if self.state is WorkspaceState.RETURNED_TO_TEAM_LEAD else None
        self.versions += 1
        self.state = WorkspaceState.SUBMITTED
        contributors = tuple(dict.fromkeys([*(m.officer_id for m in self.members), actor.officer_id]))
        version = CoverageVersion(
            request_id=self.request_id,
            version=self.versions,
            press_release=press_release,
            assets=refs,
            social_posts=posts,
            asset_ids=tuple(a.asset_id for a in assets),
            corrected_by=corrected_by,
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
                    assets=refs,
                    submitted_by=actor.officer_id,
                    contributors=contributors,
                    social_posts=posts,
                    corrected_by=corrected_by,
                ),
                request_id=self.request_id,
                time=now,
                correlation_id=self.correlation_id,
                sop=self.sop,
                actor=actor,
            )
        )
        return version

    def _frozen_media(self, assets: list[Asset], asset_uri: Callable[[Asset], str]) -> tuple[AssetRef, ...]:
        """The media as a version carries them: each with its address, hash, caption and credit."""
        return tuple(
            AssetRef(
                kind=a.kind,
                uri=asset_uri(a),
                sha256=a.sha256,
                content_type=a.media_type.value,
                size=a.size,
                caption=self.draft.captions.get(a.asset_id),
                credit=a.uploaded_by_name,
                width=a.width,
                height=a.height,
            )
            for a in assets
        )

    def _frozen_posts(self, assets: list[Asset], asset_uri: Callable[[Asset], str]) -> tuple[SocialPost, ...]:
        by_id = {a.asset_id: a for a in assets}
        return tuple(
            SocialPost(
                channel=channel,
                text=post.text,
                title=post.title,
                media=tuple(asset_uri(by_id[m]) for m in post.media if m in by_id),
            )
            for channel, post in sorted(self.posts.items())
        )

    def reopen(self, rejected: Rejected) -> bool:
        """A rejection of the current version: at team-lead level the work returns to the team
        (step 4 again); at section-head level it returns to the team lead, who may correct it here
        before deciding again. Returns False when the rejection is not about the current version."""
        if rejected.data.version != self.versions:
            return False
        if rejected.data.level is ReviewLevel.SECTION_HEAD:
            if self.state is not WorkspaceState.SUBMITTED:
                return False
            self.state = WorkspaceState.RETURNED_TO_TEAM_LEAD
        else:
            if self.state not in (WorkspaceState.SUBMITTED, WorkspaceState.RETURNED_TO_TEAM_LEAD):
                return False
            self.state = WorkspaceState.OPEN
            self.clock_started_at = rejected.time
        self.last_return = Return(
            version=rejected.data.version,
            reason=rejected.data.reason,
            note=rejected.data.note,
            returned_by=rejected.actor.officer_id if rejected.actor else "",
            returned_by_name=rejected.actor.name if rejected.actor else None,
            returned_at=rejected.time,
        )
        self.changed()
        return True
