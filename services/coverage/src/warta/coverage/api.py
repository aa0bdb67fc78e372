"""The coverage service's HTTP API: the team's workspace, resumable media uploads, asset delivery
with range requests, and the submissions of step 4."""

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from warta.contracts import AssetKind, LeadershipEvent, Line, SocialChannel, TeamMember
from warta.runtime import Officer
from warta.runtime.http import FILE_REFUSALS, error_body, raw_body, service_handlers
from warta.runtime.ratelimit import COUNTED_UPLOAD

from .domain import CoverageVersion, PostDraft, Workspace
from .handlers import CoverageHandlers
from .media import Asset
from .press import Draft, Reading
from .uploads import UploadOutcome

router = APIRouter()
Handlers = Annotated[CoverageHandlers, Depends(service_handlers)]
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class WorkspaceView(BaseModel):
    workspace: Workspace
    reading: Reading = Field(description="Word count and style warnings of the draft.")
    assets: list[Asset]


class DraftSaved(BaseModel):
    draft: Draft
    reading: Reading


class StartUpload(BaseModel):
    filename: Line = Field(min_length=1, max_length=255)
    size: int = Field(ge=1, le=2**62, description="Bytes; a file over the limit for its kind is refused here.")
    kind: AssetKind


class UploadView(BaseModel):
    upload_id: str
    filename: str
    kind: AssetKind | None = Field(description="Photo or video; None until the first bytes say, if not declared.")
    size: int
    offset: int = Field(description="Bytes stored; send the rest from here with Upload-Offset.")
    progress: float = Field(description="Percent stored.")
    state: str
    asset: Asset | None = None
    duplicate: bool = Field(default=False, description="The same bytes are already in the workspace.")

    @classmethod
    def of(cls, outcome: UploadOutcome) -> "UploadView":
        u = outcome.upload
        return cls(
            upload_id=u.upload_id,
            filename=u.filename,
            kind=u.kind,
            size=u.size,
            offset=u.offset,
            progress=u.progress,
            state=u.state.value,
            asset=outcome.asset,
            duplicate=outcome.duplicate,
        )


class Submit(BaseModel):
    assets: list[str] | None = Field(default=None, max_length=200, description="Asset ids; default: all of them.")


class OpenCoverage(BaseModel):
    """One open workspace as a work list shows it."""

    request_id: str
    event: LeadershipEvent | None
    members: tuple[TeamMember, ...]
    clock_started_at: datetime = Field(description="When step 4's clock started.")
    versions: int = Field(description="Versions submitted so far; more than 0 after a return.")
    sop: str = Field(description="The SOP revision the request runs under: its step 4 standard is that one's.")


# -- the workspace -------------------------------------------------------------------------------


@router.get("/coverage", tags=["workspace"])
async def open_work(
    officer: Officer, handlers: Handlers, limit: Annotated[int, Query(ge=1, le=200)] = 100
) -> list[OpenCoverage]:
    """Coverage still being worked on, the longest-running first: a coverage team member sees
    their own; everyone else of the section sees all."""
    return [
        OpenCoverage.model_validate(w, from_attributes=True) for w in await handlers.open_work(officer, limit=limit)
    ]


@router.get("/coverage/{request_id}", tags=["workspace"])
async def get_workspace(request_id: str, officer: Officer, handlers: Handlers) -> WorkspaceView:
    workspace, reading, assets = await handlers.workspace(request_id, officer)
    return WorkspaceView(workspace=workspace, reading=reading, assets=assets)


@router.put("/coverage/{request_id}/draft", tags=["workspace"])
async def save_draft(request_id: str, body: Draft, officer: Officer, handlers: Handlers) -> DraftSaved:
    """Save the press release draft (any number of times); answers with its style reading."""
    workspace, reading = await handlers.save_draft(request_id, body, officer)
    return DraftSaved(draft=workspace.draft, reading=reading)


@router.put("/coverage/{request_id}/social/{channel}", tags=["workspace"])
async def set_post(
    request_id: str, channel: SocialChannel, body: PostDraft, officer: Officer, handlers: Handlers
) -> Workspace:
    return await handlers.set_post(request_id, channel, body, officer)


@router.delete("/coverage/{request_id}/social/{channel}", tags=["workspace"])
async def remove_post(request_id: str, channel: SocialChannel, officer: Officer, handlers: Handlers) -> Workspace:
    return await handlers.remove_post(request_id, channel, officer)


@router.delete("/coverage/{request_id}/assets/{asset_id}", tags=["workspace"])
async def remove_asset(request_id: str, asset_id: str, officer: Officer, handlers: Handlers) -> Workspace:
    return await handlers.remove_asset(request_id, asset_id, officer)


# -- uploads -------------------------------------------------------------------------------------


@router.post(
    "/coverage/{request_id}/uploads",
    tags=["uploads"],
    status_code=status.HTTP_201_CREATED,
    responses=FILE_REFUSALS,
    dependencies=[COUNTED_UPLOAD],
)
async def start_upload(request_id: str, body: StartUpload, officer: Officer, handlers: Handlers) -> UploadView:
    """Declare a photo or video upload; then send its bytes with PATCH, in one request or many."""
    upload = await handlers.uploads.start_upload(
        request_id, filename=body.filename, size=body.size, kind=body.kind, officer=officer
    )
    return UploadView.of(UploadOutcome(upload))


@router.get("/coverage/{request_id}/uploads/{upload_id}", tags=["uploads"])
async def upload_status(request_id: str, upload_id: str, officer: Officer, handlers: Handlers) -> UploadView:
    """Where an upload stands: after a dropped connection, continue from ``offset``."""
    return UploadView.of(await handlers.uploads.upload_status(request_id, upload_id, officer))


@router.patch(
    "/coverage/{request_id}/uploads/{upload_id}",
    tags=["uploads"],
    responses=FILE_REFUSALS,
    openapi_extra=raw_body("application/octet-stream", description="The next bytes of the file"),
)
async def continue_upload(
    request_id: str,
    upload_id: str,
    request: Request,
    officer: Officer,
    handlers: Handlers,
    upload_offset: Annotated[int, Header(ge=0, le=2**62, description="Where these bytes start.")],
) -> UploadView:
    """The next bytes of the file as the raw body; the response says how far the upload is."""
    pieces = (piece async for piece in request.stream() if piece)
    outcome = await handlers.uploads.continue_upload(
        request_id, upload_id, offset=upload_offset, pieces=pieces, officer=officer
    )
    return UploadView.of(outcome)


@router.delete("/coverage/{request_id}/uploads/{upload_id}", tags=["uploads"], status_code=status.HTTP_204_NO_CONTENT)
async def cancel_upload(request_id: str, upload_id: str, officer: Officer, handlers: Handlers) -> Response:
    """Give up an upload still arriving (nothing of it is kept); a complete one is removed as media."""
    await handlers.uploads.cancel_upload(request_id, upload_id, officer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- delivery ------------------------------------------------------------------------------------


@router.get("/assets/{asset_id}", tags=["assets"], response_class=Response)
async def get_asset(
    asset_id: str, officer: Officer, handlers: Handlers, range_: Annotated[str | None, Header(alias="range")] = None
) -> Response:
    """A photo or video by reference; honours a single ``Range: bytes=`` for players and downloads."""
    asset = await handlers.asset_for(asset_id, officer)
    size = asset.size
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{asset.sha256}"'}
    if range_ is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(
            handlers.asset_bytes(asset, 0, size), media_type=asset.media_type.value, headers=headers
        )
    span = _byte_range(range_, size)
    if span is None:
        return JSONResponse(
            error_body("range_not_satisfiable", f"the range cannot be served from {size} bytes"),
            status_code=status.HTTP_416_RANGE_NOT_SATISFIABLE,
            headers={"Content-Range": f"bytes */{size}"},
        )
    start, end = span
    headers |= {"Content-Range": f"bytes {start}-{end - 1}/{size}", "Content-Length": str(end - start)}
    return StreamingResponse(
        handlers.asset_bytes(asset, start, end),
        status_code=status.HTTP_206_PARTIAL_CONTENT,
        media_type=asset.media_type.value,
        headers=headers,
    )


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``[start, end)`` of one ``bytes=`` range, or None when it cannot be served."""
    match = RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # the last N bytes
        length = int(last)
        return (max(0, size - length), size) if length > 0 else None
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    return (start, end) if start < size and start < end else None


@router.get("/assets/{asset_id}/thumbnail", tags=["assets"], response_class=Response)
async def get_thumbnail(asset_id: str, officer: Officer, handlers: Handlers) -> Response:
    return Response(await handlers.thumbnail(asset_id, officer), media_type="image/jpeg")


# -- step 4 --------------------------------------------------------------------------------------


@router.post("/coverage/{request_id}/submissions", tags=["submissions"], status_code=status.HTTP_201_CREATED)
async def submit(request_id: str, officer: Officer, handlers: Handlers, body: Submit | None = None) -> CoverageVersion:
    """Freeze the draft, the media and the posts as the next version (step 4 done)."""
    # Who may submit depends on the assignment's members: the domain decides (403 otherwise).
    return await handlers.submit(request_id, asset_ids=body.assets if body else None, officer=officer)


@router.get("/coverage/{request_id}/versions/{version}", tags=["submissions"])
async def get_version(
    request_id: str, version: Annotated[int, Path(ge=1, le=10_000)], officer: Officer, handlers: Handlers
) -> CoverageVersion:
    return await handlers.get_version(request_id, version, officer)
