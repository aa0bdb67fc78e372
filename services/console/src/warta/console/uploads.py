"""Photos and videos sent from the workspace page over tus 1.0: the browser's tus client (served
from ``static/``) speaks to the console, which passes each request on to the coverage service's
tus endpoint with the officer's token, the bytes streamed through. A dropped connection is resumed
by the client from the offset the coverage service keeps; the console keeps nothing."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from .i18n import field_message, refusal_message
from .pages import services, token

router = APIRouter()

# What a tus client sends and must be told, passed on as they are.
ASKED = ("tus-resumable", "upload-length", "upload-metadata", "upload-offset", "content-type")
TOLD = ("tus-resumable", "upload-offset", "upload-length", "cache-control")


def _coverage_path(request_id: str, upload_id: str | None = None) -> str:
    return f"/coverage/{request_id}/tus" + (f"/{upload_id}" if upload_id else "")


async def _relay(request: Request, method: str, path: str, request_id: str, **kwargs: Any) -> Response:
    asked = {k: v for k, v in request.headers.items() if k.lower() in ASKED}
    answer = await services(request).call(token(request), method, "coverage", path, headers=asked, **kwargs)
    told = {k: v for k, v in answer.headers.items() if k.lower() in TOLD}
    if "location" in answer.headers:  # the upload, at the console's address
        told["Location"] = answer.headers["location"].replace(
            f"/coverage/{request_id}/tus", f"/liputan/{request_id}/tus"
        )
    if answer.ok:
        return Response(status_code=answer.status, headers=told)
    # The refusal in the officer's words, for the page to show beside the file input.
    body = answer.body if isinstance(answer.body, dict) else {}
    lang = request.state.lang
    problems = [field_message(p, lang) for p in body.get("fields", []) if isinstance(p, dict)]
    said = "; ".join(p for p in problems if p) or refusal_message(body, lang)
    return JSONResponse({**body, "said": said}, status_code=answer.status, headers=told)


@router.post("/liputan/{request_id}/tus")
async def create(request: Request, request_id: str) -> Response:
    return await _relay(request, "POST", _coverage_path(request_id), request_id)


@router.head("/liputan/{request_id}/tus/{upload_id}")
async def offset(request: Request, request_id: str, upload_id: str) -> Response:
    return await _relay(request, "HEAD", _coverage_path(request_id, upload_id), request_id)


@router.patch("/liputan/{request_id}/tus/{upload_id}")
async def append(request: Request, request_id: str, upload_id: str) -> Response:
    path = _coverage_path(request_id, upload_id)
    return await _relay(request, "PATCH", path, request_id, content=request.stream())


@router.delete("/liputan/{request_id}/tus/{upload_id}")
async def terminate(request: Request, request_id: str, upload_id: str) -> Response:
    return await _relay(request, "DELETE", _coverage_path(request_id, upload_id), request_id)
