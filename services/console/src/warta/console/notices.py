"""The pages about officers' messages: each officer's choice of digests, and a supervisor's
sending again of a request's failed messages (listed on the request's page)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .clients import notifier, scheduler
from .pages import problems, refused, render, services, token, told

router = APIRouter()

# The kinds of message an officer may have gathered (the notifier's DigestKind), in the order the
# page lists them, and how often a digest may go.
DIGEST_KINDS = ("waiting", "assigned", "returned", "published")
DIGEST_MINUTES = (15, 30, 60, 120)


async def _call(request: Request, method: str, path: str, **kwargs: Any) -> Any:
    return await services(request).call(token(request), method, "notifier", path, **kwargs)


def inbox_of(messages: list[notifier.Message]) -> list[dict[str, Any]]:
    """An officer's messages as one notice each, newest first: the same notice sent by WhatsApp
    and by email is one line, with both channels and how each went."""
    notices: dict[tuple[str, str], dict[str, Any]] = {}
    for m in messages:
        notice = notices.setdefault(
            (m.cause, m.kind),
            {"kind": m.kind, "request_id": m.request_id, "text": m.text, "at": m.created_at, "sent": []},
        )
        notice["sent"].append((m.channel, m.state))
    return sorted(notices.values(), key=lambda n: n["at"], reverse=True)


# -- an officer's own choice ------------------------------------------------------------------------


async def preferences_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    me = request.state.officer.officer_id
    found = await services(request).read(
        token(request), "notifier", f"/officers/{me}/preferences", notifier.Preferences
    )
    if found.status == 404:  # not in the directory: nothing reaches them, nothing to choose
        return render(request, "notices.html", status=status, listed=False, inbox=[], **extra)
    if not found.ok:
        return refused(request, found)
    params = {"officer_id": me, "limit": 200}
    sent = await services(request).read(token(request), "notifier", "/messages", list[notifier.Message], params=params)
    return render(
        request,
        "notices.html",
        status=status,
        listed=True,
        inbox=inbox_of(sent.body) if sent.ok else [],
        chosen=extra.pop("chosen", None) or found.body.digests or {},
        kinds=DIGEST_KINDS,
        minutes=DIGEST_MINUTES,
        **extra,
    )


@router.get("/pemberitahuan", response_class=HTMLResponse)
async def show_preferences(request: Request) -> HTMLResponse:
    return await preferences_page(request, saved=request.query_params.get("tersimpan") == "1")


@router.post("/pemberitahuan")
async def save_preferences(request: Request) -> Response:
    form = await request.form()
    digests: dict[str, int | str] = {}
    for kind in DIGEST_KINDS:
        every = str(form.get(kind) or "")
        if every:  # "" is at once; anything else goes to the notifier to judge
            digests[kind] = int(every) if every.isdigit() else every
    me = request.state.officer.officer_id
    answer = await _call(request, "PUT", f"/officers/{me}/preferences", json={"digests": digests})
    if answer.ok:
        return RedirectResponse("/pemberitahuan?tersimpan=1", status_code=303)
    return await preferences_page(
        request, status=answer.status, errors=problems(request, answer), chosen=digests, message=told(request, answer)
    )


# -- a request's failed messages, sent again by a supervisor ----------------------------------------


@router.post("/permohonan/{request_id}/pesan/kirim-ulang")
async def send_failed_again(request: Request, request_id: str) -> Response:
    answer = await _call(request, "POST", "/messages/retry", params={"request_id": request_id})
    if not answer.ok:
        return refused(request, answer)
    return RedirectResponse(f"/permohonan/{request_id}?dikirim_ulang={answer.body['reopened']}#pesan", status_code=303)


# -- an officer's calendar -------------------------------------------------------------------------


@router.get("/kalender", response_class=HTMLResponse)
async def calendar_page(request: Request) -> Response:
    """The officer's calendar subscriptions: the leadership agenda and their own assignments, as
    the scheduler signs them, served through the console's own address."""
    feeds = await services(request).read(token(request), "scheduler", "/feeds", scheduler.Feeds)
    if not feeds.ok:
        return refused(request, feeds)
    base = request.app.state.settings.public_url.rstrip("/")
    links = {name: f"{base}/kalender{path}" for name, path in feeds.body.model_dump().items()}
    return render(request, "calendar.html", links=links)


@router.get("/kalender/{path:path}")
async def calendar_feed(request: Request, path: str) -> Response:
    """A calendar app's poll of a feed, without a sign-in: the feed's key is the scheduler's to
    check. Only calendars pass through."""
    if not path.endswith(".ics"):
        return Response("not a calendar", status_code=404, media_type="text/plain")
    key = request.query_params.get("key", "")
    answer = await services(request).call(None, "GET", "scheduler", f"/{path}", params={"key": key})
    media = answer.headers.get("content-type", "text/plain") if answer.ok else "text/plain"
    body = answer.content if answer.ok else (answer.message or "kalender tidak dapat dibuka").encode()
    return Response(body, status_code=answer.status, media_type=media)
