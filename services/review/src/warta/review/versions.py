"""What reviewers look at: the submitted versions, word-level diffs between them, and comments
anchored to their parts. Pure."""

import re
from datetime import datetime
from enum import StrEnum
from uuid import uuid4

from diff_match_patch import diff_match_patch
from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import (
    AssetRef,
    CoverageSubmitted,
    FieldProblem,
    InvalidInput,
    PressRelease,
    SocialChannel,
    SocialPost,
)


class SubmittedVersion(BaseModel):
    """A copy of one ``CoverageSubmitted``: the review service's own record of what it judged."""

    request_id: str
    version: int
    press_release: PressRelease
    assets: tuple[AssetRef, ...]
    social_posts: tuple[SocialPost, ...] = ()
    submitted_by: str
    corrected_by: str | None = None
    submitted_at: AwareDatetime

    @classmethod
    def of(cls, submitted: CoverageSubmitted) -> "SubmittedVersion":
        d = submitted.data
        return cls(
            request_id=d.request_id,
            version=d.version,
            press_release=d.press_release,
            assets=d.assets,
            social_posts=d.social_posts,
            submitted_by=d.submitted_by,
            corrected_by=d.corrected_by,
            submitted_at=submitted.time,
        )

    @property
    def paragraphs(self) -> list[str]:
        return self.press_release.paragraphs()


# -- diff ------------------------------------------------------------------------------------------


class WordChange(BaseModel):
    op: str = Field(description="equal, insert, delete or replace")
    old: str = ""
    new: str = ""


class AssetChange(BaseModel):
    change: str = Field(description="added, removed, replaced or recaptioned")
    old: AssetRef | None = None
    new: AssetRef | None = None


class PostChange(BaseModel):
    channel: SocialChannel
    change: str = Field(description="added, removed or changed")
    text: list[WordChange] = []


class VersionDiff(BaseModel):
    from_version: int
    to_version: int
    corrected_by: str | None = Field(description="Set when the newer version is a team lead's correction.")
    title: list[WordChange]
    lead: list[WordChange]
    body: list[WordChange]
    assets: list[AssetChange]
    posts: list[PostChange]


DIFF_SECONDS = 1.0  # the most a comparison may take; past it the diff is correct, if less tight
_WORD = re.compile(r"\S+\s*")
_OPS = {(True, False): "delete", (False, True): "insert", (True, True): "replace"}


def word_diff(old: str | None, new: str | None) -> list[WordChange]:
    """Runs of equal, inserted, deleted and replaced words (whitespace kept with its word).

    Each word is one symbol for Myers' algorithm (diff-match-patch), which stops refining at
    ``DIFF_SECONDS``: two releases of 11,000 words, however repetitive, are compared in well under
    a second, where comparing every word with every other once took a minute."""
    symbols: dict[str, str] = {}

    def encoded(text: str | None) -> str:
        return "".join(symbols.setdefault(w, chr(0xF0000 + len(symbols))) for w in _WORD.findall(text or ""))

    before, after = encoded(old), encoded(new)
    words = {symbol: word for word, symbol in symbols.items()}
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_SECONDS
    runs: list[WordChange] = []
    gone, came = "", ""
    for op, text in [*engine.diff_main(before, after, checklines=False), (0, "")]:
        plain = "".join(words[symbol] for symbol in text)
        if op == -1:
            gone += plain
        elif op == 1:
            came += plain
        else:
            if gone or came:
                runs.append(WordChange(op=_OPS[bool(gone), bool(came)], old=gone, new=came))
                gone, came = "", ""
            if plain:
                runs.append(WordChange(op="equal", old=plain, new=plain))
    return runs


def diff_versions(old: SubmittedVersion, new: SubmittedVersion) -> VersionDiff:
    return VersionDiff(
        from_version=old.version,
        to_version=new.version,
        corrected_by=new.corrected_by,
        title=word_diff(old.press_release.title, new.press_release.title),
        lead=word_diff(old.press_release.lead, new.press_release.lead),
        body=word_diff(old.press_release.body, new.press_release.body),
        assets=_asset_changes(old.assets, new.assets),
        posts=_post_changes(old.social_posts, new.social_posts),
    )


def _asset_changes(old: tuple[AssetRef, ...], new: tuple[AssetRef, ...]) -> list[AssetChange]:
    """Assets are the same when their bytes are; a removed and an added one of the same kind at
    the same place is a replacement."""
    old_by_hash, new_by_hash = {a.sha256: a for a in old}, {a.sha256: a for a in new}
    removed = [a for a in old if a.sha256 not in new_by_hash]
    added = [a for a in new if a.sha256 not in old_by_hash]
    changes: list[AssetChange] = []
    for gone in list(removed):
        slot = old.index(gone)
        arrived = next((a for a in added if a.kind is gone.kind and new.index(a) == slot), None)
        if arrived is not None:
            changes.append(AssetChange(change="replaced", old=gone, new=arrived))
            removed.remove(gone)
            added.remove(arrived)
    changes += [AssetChange(change="removed", old=a) for a in removed]
    changes += [AssetChange(change="added", new=a) for a in added]
    changes += [
        AssetChange(change="recaptioned", old=old_by_hash[h], new=a)
        for h, a in new_by_hash.items()
        if h in old_by_hash and old_by_hash[h].caption != a.caption
    ]
    return changes


def _post_changes(old: tuple[SocialPost, ...], new: tuple[SocialPost, ...]) -> list[PostChange]:
    before, after = {p.channel: p for p in old}, {p.channel: p for p in new}
    changes = []
    for channel in sorted(before.keys() | after.keys()):
        if channel not in after:
            changes.append(PostChange(channel=channel, change="removed"))
        elif channel not in before:
            changes.append(PostChange(channel=channel, change="added", text=word_diff("", after[channel].text)))
        elif before[channel] != after[channel]:
            changes.append(
                PostChange(channel=channel, change="changed", text=word_diff(before[channel].text, after[channel].text))
            )
    return changes


# -- comments --------------------------------------------------------------------------------------


class Part(StrEnum):
    TITLE = "title"
    LEAD = "lead"
    PARAGRAPH = "paragraph"
    ASSET = "asset"
    POST = "post"


class Anchor(BaseModel):
    """Where in a version a comment points: ``paragraph`` takes a 0-based index, ``asset`` the
    asset's SHA-256, ``post`` a channel; title and lead need no reference."""

    part: Part
    ref: str | None = Field(default=None, max_length=100)

    def check_in(self, version: SubmittedVersion) -> None:
        problem = None
        number = str(version.version)
        if self.part is Part.PARAGRAPH:
            # Digits as typed on a keyboard: "²" and "٣" are digits to Python but no index here.
            if (
                self.ref is None
                or not re.fullmatch(r"[0-9]{1,6}", self.ref)
                or int(self.ref) >= len(version.paragraphs)
            ):
                count = len(version.paragraphs)
                problem = FieldProblem(
                    "anchor.ref",
                    f"version {version.version} has paragraphs 0 to {count - 1}",
                    type="no_such_paragraph",
                    limits={"version": number, "count": str(count), "last": str(count - 1)},
                )
        elif self.part is Part.ASSET:
            if self.ref not in {a.sha256 for a in version.assets}:
                message = f"no asset with that hash in version {version.version}"
                problem = FieldProblem("anchor.ref", message, type="no_such_asset", limits={"version": number})
        elif self.part is Part.POST:
            if self.ref not in {p.channel.value for p in version.social_posts}:
                message = f"no post for that channel in version {version.version}"
                problem = FieldProblem("anchor.ref", message, type="no_such_post", limits={"version": number})
        elif self.part is Part.LEAD and not version.press_release.lead:
            message = f"version {version.version} has no lead"
            problem = FieldProblem("anchor.ref", message, type="no_lead", limits={"version": number})
        if problem:
            raise InvalidInput("the comment points at nothing", fields=[problem])


class Comment(BaseModel):
    comment_id: str = Field(default_factory=lambda: uuid4().hex)
    request_id: str
    version: int
    anchor: Anchor
    text: str = Field(min_length=1, max_length=5000)
    author: str
    author_name: str | None = Field(default=None, description="As the author's sign-in gave it.")
    written_at: AwareDatetime
    reply_to: str | None = None
    resolved_by: str | None = None
    resolved_by_name: str | None = None
    resolved_at: AwareDatetime | None = None

    def resolve(self, *, by: str, now: datetime, by_name: str | None = None) -> None:
        if self.reply_to is not None:
            raise InvalidInput(
                "only a thread is resolved",
                fields=[FieldProblem("comment_id", "this is a reply", type="reply_not_thread")],
            )
        self.resolved_by, self.resolved_at, self.resolved_by_name = by, now, by_name
