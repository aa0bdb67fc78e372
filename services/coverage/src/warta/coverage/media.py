"""Photos and video: what they are (judged from their bytes), how big they may be, and the state
of a resumable upload.

An upload is declared first (name, size, kind), then its bytes arrive in any number of requests,
each saying at which offset it continues. A dropped connection loses at most the request in
flight: the client asks where the upload stands and sends the rest.
"""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import AssetKind, Conflict, FieldProblem, PayloadTooLarge, UnsupportedMediaType, label
from warta.runtime.filetypes import KIND_OF, SNIFF_BYTES, MediaType, media_type_of
from warta.runtime.indonesian import format_size

__all__ = ["KIND_OF", "SNIFF_BYTES", "MediaType", "media_type_of"]  # the coverage's names for them


def require_media(head: bytes, declared: AssetKind | None) -> MediaType:
    """The file's type from its first bytes; one that is not a photo or video, or not the kind
    the upload was declared as (when it was), is refused."""
    kind = media_type_of(head)
    if kind is None:
        raise UnsupportedMediaType(
            "the file is not a JPEG, PNG or HEIC photo nor an MP4 or MOV video",
            fields=[
                FieldProblem(
                    "file", "must be JPEG, PNG, HEIC, MP4 or MOV (judged from its contents)", type="not_photo_or_video"
                )
            ],
        )
    if declared is not None and KIND_OF[kind] is not declared:
        raise UnsupportedMediaType(
            f"the upload was declared a {declared.value} but the file is {kind.value}",
            fields=[
                FieldProblem(
                    "file",
                    f"is {kind.value}, not a {declared.value}",
                    type="not_declared_kind",
                    limits={
                        "format": kind.name,
                        "declared": label(declared).lower(),
                        "actual": label(KIND_OF[kind]).lower(),
                    },
                )
            ],
        )
    return kind


class SizeLimits(BaseModel):
    photo_bytes: int
    video_bytes: int

    def check(self, kind: AssetKind | None, size: int) -> None:
        """``kind`` None: not known until the first bytes say; the larger limit holds till then."""
        if kind is None:
            kind = AssetKind.PHOTO if self.photo_bytes >= self.video_bytes else AssetKind.VIDEO
        limit = self.photo_bytes if kind is AssetKind.PHOTO else self.video_bytes
        if size > limit:
            raise PayloadTooLarge(
                f"a {kind.value} may be at most {limit} bytes",
                fields=[
                    FieldProblem(
                        "size",
                        f"{size} bytes is over the {kind.value} limit of {limit} bytes",
                        type="file_too_large",
                        limits={"limit": format_size(limit), "size": format_size(size), "max_bytes": str(limit)},
                    )
                ],
            )


class UploadState(StrEnum):
    RECEIVING = "receiving"
    COMPLETE = "complete"


class Upload(BaseModel):
    """A resumable upload's progress. ``offset`` bytes are stored: whole GridFS chunks plus a
    ``tail`` shorter than a chunk, kept here until the next request completes it."""

    upload_id: str
    request_id: str
    file_id: str
    filename: str = Field(min_length=1, max_length=255)
    kind: AssetKind | None = Field(description="None until the first bytes say, when the client did not declare it.")
    size: int = Field(ge=1)
    offset: int = 0
    tail: bytes = b""
    media_type: MediaType | None = None
    state: UploadState = UploadState.RECEIVING
    started_by: str
    started_at: AwareDatetime
    asset_id: str | None = None
    lease_until: AwareDatetime | None = None

    @property
    def progress(self) -> float:
        return round(100 * self.offset / self.size, 1)

    def check_continues_at(self, offset: int) -> None:
        if self.state is UploadState.COMPLETE:
            # Its state, not the bytes, refuses them: a conflict (tus answers so too).
            raise Conflict(
                "the upload is complete",
                fields=[FieldProblem("Upload-Offset", "nothing more to send", type="upload_complete")],
            )
        if offset != self.offset:
            raise Conflict(
                f"the upload stands at byte {self.offset}; continue from there",
                fields=[
                    FieldProblem(
                        "Upload-Offset",
                        f"must be {self.offset}",
                        type="upload_offset",
                        limits={"offset": str(self.offset)},
                    )
                ],
            )


class Asset(BaseModel):
    """A stored photo or video of a workspace."""

    asset_id: str
    request_id: str
    kind: AssetKind
    media_type: MediaType
    filename: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_by_name: str | None = None  # the photographer's credit where published
    uploaded_at: AwareDatetime
    width: int | None = None
    height: int | None = None
    captured_at: AwareDatetime | None = None
    duration_seconds: float | None = None
    thumbnail_id: str | None = None
