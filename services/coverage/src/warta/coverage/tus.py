"""The coverage's resumable uploads spoken as tus 1.0 (https://tus.io/protocols/resumable-upload):
core, creation and termination (no OPTIONS discovery: every route here takes an officer's token),
so any tus client, the console's in the browser or a phone's,
uploads a photo or video and resumes it after a dropped connection. A thin adapter over the same
uploads the JSON API drives: the upload's kind is left to its first bytes."""

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from warta.contracts import FieldProblem, InvalidInput, Line, UnsupportedMediaType
from warta.runtime import Officer
from warta.runtime.http import FILE_REFUSALS, raw_body, service_handlers
from warta.runtime.ratelimit import COUNTED_UPLOAD

from .handlers import CoverageHandlers

router = APIRouter(tags=["tus"])
Handlers = Annotated[CoverageHandlers, Depends(service_handlers)]
VERSION = "1.0.0"
OFFSET_STREAM = "application/offset+octet-stream"


def _tus(response: Response) -> Response:
    response.headers["Tus-Resumable"] = VERSION
    return response


def _require_tus(tus_resumable: str | None) -> None:
    if tus_resumable != VERSION:
        problem = FieldProblem("Tus-Resumable", f"must be {VERSION}", type="tus_version", limits={"version": VERSION})
        raise InvalidInput(f"this server speaks tus {VERSION}", fields=[problem])


_FILENAME: TypeAdapter[str] = TypeAdapter(Line)


def filename_of(metadata: str | None) -> str:
    """The ``filename`` of ``Upload-Metadata`` (comma-separated ``key base64value`` pairs), under
    the text policy of every name typed into Warta (``Line``): one that hides or turns its text
    around is refused, naming ``Upload-Metadata``."""
    for pair in (metadata or "").split(","):
        key, _, value = pair.strip().partition(" ")
        if key == "filename" and value:
            try:
                name = base64.b64decode(value, validate=True).decode("utf-8").strip()
            except (binascii.Error, UnicodeDecodeError):
                break
            if name:
                try:
                    return _FILENAME.validate_python(name[:255])
                except ValidationError as refused:
                    where = ("header", "upload-metadata", "filename")
                    raise RequestValidationError([{**e, "loc": where} for e in refused.errors()]) from None
    return "berkas"


@router.post(
    "/coverage/{request_id}/tus",
    status_code=status.HTTP_201_CREATED,
    responses=FILE_REFUSALS,
    dependencies=[COUNTED_UPLOAD],
    response_class=Response,
)
async def create(
    request_id: str,
    officer: Officer,
    handlers: Handlers,
    upload_length: Annotated[int, Header(ge=1, le=2**62, description="The file's size in bytes.")],
    tus_resumable: Annotated[str | None, Header()] = None,
    upload_metadata: Annotated[str | None, Header(max_length=4096)] = None,
) -> Response:
    """Creation: an upload of ``Upload-Length`` bytes, named by ``Upload-Metadata``'s filename."""
    _require_tus(tus_resumable)
    upload = await handlers.uploads.start_upload(
        request_id, filename=filename_of(upload_metadata), size=upload_length, kind=None, officer=officer
    )
    response = Response(status_code=status.HTTP_201_CREATED)
    response.headers["Location"] = f"/coverage/{request_id}/tus/{upload.upload_id}"
    return _tus(response)


@router.head("/coverage/{request_id}/tus/{upload_id}", response_class=Response)
async def offset(request_id: str, upload_id: str, officer: Officer, handlers: Handlers) -> Response:
    """Where the upload stands: a client resumes from ``Upload-Offset``."""
    upload = (await handlers.uploads.upload_status(request_id, upload_id, officer)).upload
    headers = {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.size), "Cache-Control": "no-store"}
    return _tus(Response(status_code=status.HTTP_200_OK, headers=headers))


@router.patch(
    "/coverage/{request_id}/tus/{upload_id}",
    responses=FILE_REFUSALS,
    openapi_extra=raw_body(OFFSET_STREAM, description="The next bytes of the file"),
    response_class=Response,
    status_code=status.HTTP_204_NO_CONTENT,
)
async def append(
    request_id: str,
    upload_id: str,
    request: Request,
    officer: Officer,
    handlers: Handlers,
    upload_offset: Annotated[int, Header(ge=0, le=2**62, description="Where these bytes start.")],
    tus_resumable: Annotated[str | None, Header()] = None,
) -> Response:
    """The next bytes at ``Upload-Offset``; the answer's ``Upload-Offset`` is how far it is."""
    _require_tus(tus_resumable)
    if request.headers.get("content-type", "").split(";")[0].strip() != OFFSET_STREAM:
        problem = FieldProblem("Content-Type", f"must be {OFFSET_STREAM}", type="tus_content_type")
        raise UnsupportedMediaType(f"tus bytes come as {OFFSET_STREAM}", fields=[problem])
    pieces = (piece async for piece in request.stream() if piece)
    outcome = await handlers.uploads.continue_upload(
        request_id, upload_id, offset=upload_offset, pieces=pieces, officer=officer
    )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.headers["Upload-Offset"] = str(outcome.upload.offset)
    return _tus(response)


@router.delete(
    "/coverage/{request_id}/tus/{upload_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response
)
async def terminate(
    request_id: str,
    upload_id: str,
    officer: Officer,
    handlers: Handlers,
    tus_resumable: Annotated[str | None, Header()] = None,
) -> Response:
    """Termination: the upload given up (nothing of it kept)."""
    _require_tus(tus_resumable)
    await handlers.uploads.cancel_upload(request_id, upload_id, officer)
    return _tus(Response(status_code=status.HTTP_204_NO_CONTENT))
