"""The pages of steps 3 to 7: the assignment form, the coverage workspace, the review page, the
publication page and the media registry."""

import re
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from warta.contracts import CoverageRole, PressRelease, SocialChannel
from warta.runtime.filetypes import SNIFF_BYTES, kind_of
from warta.runtime.indonesian import format_date
from warta.runtime.release import inline_text, markdown_html, render_release
from warta.runtime.social import TEXT_LIMITS, post_length

from .forms import WIB, checklist, threads_of
from .header import request_header
from .i18n import translate
from .pages import problems, refused, render, services, token, told
from .services import Answer

router = APIRouter()

# The scheduler names each clash it lets a team lead override: "override with a reason for officer:x".
OVERRIDABLE = re.compile(r"override with a reason for ((?:officer|item):[^)\s]+)")
MEMBER_SLOTS = 4
# The platforms' own names, as their users write them.
CHANNEL_NAMES = {
    SocialChannel.INSTAGRAM: "Instagram",
    SocialChannel.FACEBOOK: "Facebook",
    SocialChannel.X: "X",
    SocialChannel.YOUTUBE: "YouTube",
    SocialChannel.TIKTOK: "TikTok",
}


async def _call(request: Request, method: str, service: str, path: str, **kwargs: Any) -> Answer:
    return await services(request).call(token(request), method, service, path, **kwargs)


async def _get(request: Request, service: str, path: str) -> Any:
    answer = await _call(request, "GET", service, path)
    return answer.body if answer.ok else None


# -- step 3: the assignment --------------------------------------------------------------------------


async def assignment_page(request: Request, request_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    entry = await _call(request, "GET", "scheduler", f"/agenda/{request_id}")
    if not entry.ok:
        return refused(request, entry)
    suggestion = await _get(request, "scheduler", f"/agenda/{request_id}/suggestion")
    return render(
        request,
        "assignment.html",
        status=status,
        header=await request_header(services(request), token(request), request_id),
        entry=entry.body,
        suggestion=suggestion,
        officers=await _get(request, "scheduler", "/officers") or [],
        equipment=await _get(request, "scheduler", "/equipment") or [],
        roles=[r.value for r in CoverageRole],
        slots=MEMBER_SLOTS,
        **extra,
    )


@router.get("/agenda/{request_id}", response_class=HTMLResponse)
async def show_assignment(request: Request, request_id: str) -> HTMLResponse:
    return await assignment_page(request, request_id)


@router.post("/agenda/{request_id}")
async def assign(request: Request, request_id: str) -> Response:
    form = await request.form()
    members = [
        {"officer_id": str(form.get(f"member{n}")), "role": str(form.get(f"role{n}"))}
        for n in range(MEMBER_SLOTS)
        if form.get(f"member{n}")
    ]
    body: dict[str, Any] = {
        "members": members,
        "equipment": form.getlist("equipment"),
        "needs_video": form.get("needs_video") == "on",
    }
    reason = str(form.get("override_reason") or "").strip()
    if reason:
        # The clashes named when the same choice was refused, each overridden with the reason given.
        clashes = dict.fromkeys(OVERRIDABLE.findall(str(form.get("refusal") or "")))
        body["overrides"] = [{"resource": resource, "reason": reason} for resource in clashes]
    path = f"/agenda/{request_id}/assignment"
    answer = await _call(request, "POST", "scheduler", path, json=body)
    if answer.ok:
        return RedirectResponse(f"/permohonan/{request_id}", status_code=303)
    errors = problems(request, answer)
    return await assignment_page(
        request,
        request_id,
        status=answer.status,
        message=told(request, answer),
        errors=errors,
        chosen=body,
        refusal=answer.message,
    )


@router.get("/agenda", response_class=HTMLResponse)
async def agenda(request: Request, hari: str | None = None, tampilan: str = "minggu") -> HTMLResponse:
    """The leadership agenda of the day ``hari`` (default: today, WIB), alone (``tampilan=hari``)
    or in its week, Monday to Sunday."""
    try:
        chosen = date.fromisoformat(hari) if hari else datetime.now(WIB).date()
    except ValueError:
        said = translate("not_a_date", request.state.lang).format(day=hari)
        return render(request, "refused.html", status=422, said=said)
    week = await _call(request, "GET", "scheduler", f"/agenda/weeks/{chosen}")
    if not week.ok:
        return refused(request, week)
    if tampilan == "hari":
        days = [d for d in week.body["days"] if d["date"] == str(chosen)]
        before, after = chosen - timedelta(days=1), chosen + timedelta(days=1)
    else:
        monday = date.fromisoformat(week.body["starts_on"])
        days, before, after = week.body["days"], monday - timedelta(days=7), monday + timedelta(days=7)
    for d in days:
        d["heading"] = format_date(date.fromisoformat(d["date"]), weekday=True)
    return render(
        request,
        "agenda_week.html",
        days=days,
        by_day=tampilan == "hari",
        before=str(before),
        after=str(after),
    )


# -- step 4: the coverage workspace ------------------------------------------------------------------


async def workspace_page(request: Request, request_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    view = await _call(request, "GET", "coverage", f"/coverage/{request_id}")
    if not view.ok:
        return refused(request, view)
    return render(
        request,
        "workspace.html",
        status=status,
        header=await request_header(services(request), token(request), request_id),
        view=view.body,
        checks=checklist(view.body),
        request_id=request_id,
        posts=_post_forms(view.body, extra.pop("post_typed", None)),
        **extra,
    )


def _post_forms(view: dict[str, Any], typed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One form per channel: the saved post (or, after a refusal, what the officer typed), its
    length as the channel counts it, and the media it carries, ticked. A channel with no post yet
    offers the kind of media it takes: videos for YouTube, photos elsewhere."""
    saved = view["workspace"]["posts"]
    forms = []
    for channel in SocialChannel:
        post = saved.get(channel.value)
        if typed is not None and typed["channel"] == channel.value:
            post = typed
        if post is not None:
            ticked = set(post.get("media") or ())
        else:
            wanted = "video" if channel is SocialChannel.YOUTUBE else "photo"
            ticked = {a["asset_id"] for a in view["assets"] if a["kind"] == wanted}
        text = (post or {}).get("text") or ""
        forms.append(
            {
                "channel": channel.value,
                "name": CHANNEL_NAMES[channel],
                "saved": channel.value in saved,
                "text": text,
                "title": (post or {}).get("title") or "",
                "needs_title": channel is SocialChannel.YOUTUBE,
                "length": post_length(channel, text),
                "limit": TEXT_LIMITS[channel],
                "ticked": ticked,
            }
        )
    return forms


@router.get("/liputan/{request_id}", response_class=HTMLResponse)
async def show_workspace(request: Request, request_id: str) -> HTMLResponse:
    return await workspace_page(request, request_id)


async def _after(request: Request, request_id: str, answer: Any) -> Response:
    if answer.ok:
        return RedirectResponse(f"/liputan/{request_id}", status_code=303)
    errors = problems(request, answer)
    return await workspace_page(request, request_id, status=answer.status, message=told(request, answer), errors=errors)


@router.post("/liputan/{request_id}/naskah")
async def save_draft(request: Request, request_id: str) -> Response:
    form = await request.form()
    current = await _get(request, "coverage", f"/coverage/{request_id}")
    draft = dict(current["workspace"]["draft"]) if current else {}
    for name in ("title", "dateline_date", "lead", "body"):
        draft[name] = str(form.get(name) or "") or (None if name == "dateline_date" else "")
    path = f"/coverage/{request_id}/draft"
    return await _after(request, request_id, await _call(request, "PUT", "coverage", path, json=draft))


@router.post("/liputan/{request_id}/unggah")
async def upload(request: Request, request_id: str) -> Response:
    """The file as the browser sent it, on to the coverage service as a resumable upload sent in
    one piece: a photo or a video as its bytes say (the officer does not choose), and a file that is
    neither is refused here, in the officer's words, before anything is sent."""
    form = await request.form()
    file = form.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        return await workspace_page(request, request_id, status=422, errors={"file": "pilih berkas"})
    content = await file.read()
    kind = kind_of(content[:SNIFF_BYTES])
    if kind is None:
        wrong = translate("not_media", request.state.lang)
        return await workspace_page(request, request_id, status=415, errors={"file": wrong})
    call = services(request).call
    declared = {"filename": file.filename, "size": len(content), "kind": kind.value}
    started = await call(token(request), "POST", "coverage", f"/coverage/{request_id}/uploads", json=declared)
    if not started.ok:
        return await _after(request, request_id, started)
    path = f"/coverage/{request_id}/uploads/{started.body['upload_id']}"
    sent = await call(token(request), "PATCH", "coverage", path, content=content, headers={"Upload-Offset": "0"})
    return await _after(request, request_id, sent)


def _unknown_channel(request: Request) -> HTMLResponse:
    return render(request, "refused.html", status=404, said=translate("unknown_channel", request.state.lang))


def _channel(channel: str) -> SocialChannel | None:
    try:
        return SocialChannel(channel)
    except ValueError:
        return None


@router.post("/liputan/{request_id}/sosial/{channel}")
async def save_post(request: Request, request_id: str, channel: str) -> Response:
    form = await request.form()
    known = _channel(channel)
    if known is None:
        return _unknown_channel(request)
    body: dict[str, Any] = {"text": str(form.get("text") or ""), "media": form.getlist("media")}
    if known is SocialChannel.YOUTUBE:
        body["title"] = str(form.get("title") or "")
    answer = await _call(request, "PUT", "coverage", f"/coverage/{request_id}/social/{channel}", json=body)
    if answer.ok:
        return RedirectResponse(f"/liputan/{request_id}#sosial-{channel}", status_code=303)
    return await workspace_page(
        request,
        request_id,
        status=answer.status,
        message=told(request, answer),
        post_errors={channel: problems(request, answer)},
        post_typed={"channel": channel, **body},
    )


@router.post("/liputan/{request_id}/sosial/{channel}/hapus")
async def remove_post(request: Request, request_id: str, channel: str) -> Response:
    if _channel(channel) is None:
        return _unknown_channel(request)
    path = f"/coverage/{request_id}/social/{channel}"
    return await _after(request, request_id, await _call(request, "DELETE", "coverage", path))


@router.post("/liputan/{request_id}/sosial/{channel}/panjang", response_class=HTMLResponse)
async def post_length_as_typed(request: Request, request_id: str, channel: str) -> HTMLResponse:
    """The post's length as its channel counts it, while it is typed: the same function the
    coverage service checks the post with, so the number on the page is the one that counts."""
    known = _channel(channel)
    if known is None:
        return HTMLResponse("", status_code=404)
    form = await request.form()
    text = str(form.get("text") or "")
    return render(
        request,
        "_post_count.html",
        channel=channel,
        length=post_length(known, text),
        limit=TEXT_LIMITS[known],
    )


@router.post("/liputan/{request_id}/kirim")
async def submit(request: Request, request_id: str) -> Response:
    path = f"/coverage/{request_id}/submissions"
    answer = await _call(request, "POST", "coverage", path, json={})
    if answer.ok:
        return RedirectResponse(f"/permohonan/{request_id}", status_code=303)
    return await _after(request, request_id, answer)


# -- steps 5 and 6: the review -----------------------------------------------------------------------


def _release(content: dict[str, Any]) -> PressRelease:
    return PressRelease.model_validate(content["press_release"])


def _preview(press_release: dict[str, Any]) -> dict[str, Any]:
    """The release as the public will read it: the one rendering the publisher sends out."""
    rendered = render_release(PressRelease.model_validate(press_release))
    return {"title": rendered.title, "lead": inline_text(press_release.get("lead")), "html": Markup(rendered.html)}


async def review_page(request: Request, request_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    review = await _call(request, "GET", "review", f"/reviews/{request_id}")
    if not review.ok:
        return refused(request, review)
    version = review.body["version"]
    diff = (
        await _get(request, "review", f"/reviews/{request_id}/diff?from={version - 1}&to={version}")
        if version > 1
        else None
    )
    content = await _get(request, "review", f"/reviews/{request_id}/versions/{version}")
    comments = await _get(request, "review", f"/reviews/{request_id}/comments") or []
    return render(
        request,
        "review.html",
        status=status,
        header=await request_header(services(request), token(request), request_id),
        review=review.body,
        content=content,
        release=_preview(content["press_release"]) if content else None,
        paragraphs=[Markup(markdown_html(p)) for p in _release(content).paragraphs()] if content else [],
        threads=threads_of(comments),
        diff=diff,
        reasons=await _get(request, "review", "/reviews/reasons") or [],
        **extra,
    )


@router.get("/tinjauan/{request_id}", response_class=HTMLResponse)
async def show_review(request: Request, request_id: str) -> HTMLResponse:
    return await review_page(request, request_id)


@router.post("/tinjauan/{request_id}")
async def decide(request: Request, request_id: str) -> Response:
    form = await request.form()
    body = {
        "version": int(str(form.get("version") or 0)),
        "level": str(form.get("level") or ""),
        "outcome": str(form.get("outcome") or ""),
        "reason": str(form.get("reason") or "") or None,
        "note": str(form.get("note") or "") or None,
    }
    path = f"/reviews/{request_id}/decisions"
    answer = await _call(request, "POST", "review", path, json=body)
    if answer.ok:
        return RedirectResponse(f"/permohonan/{request_id}", status_code=303)
    errors = problems(request, answer)
    return await review_page(request, request_id, status=answer.status, message=told(request, answer), errors=errors)


@router.post("/tinjauan/{request_id}/komentar")
async def comment(request: Request, request_id: str) -> Response:
    """A comment on a part of the version under review: the title, the lead or a paragraph."""
    form = await request.form()
    part, _, ref = str(form.get("anchor") or "").partition(":")
    body = {
        "version": int(str(form.get("version") or 0)),
        "anchor": {"part": part, "ref": ref or None},
        "text": str(form.get("text") or ""),
    }
    answer = await _call(request, "POST", "review", f"/reviews/{request_id}/comments", json=body)
    if answer.ok:
        return RedirectResponse(f"/tinjauan/{request_id}#komentar", status_code=303)
    errors = problems(request, answer)
    return await review_page(request, request_id, status=answer.status, comment_errors=errors, draft=body["text"])


# -- step 7: the publication and the media registry ---------------------------------------------------


async def publication_page(request: Request, request_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    found = await _call(request, "GET", "publisher", f"/publications/{request_id}")
    if not found.ok:
        return refused(request, found)
    deliveries = await _get(request, "publisher", f"/publications/{request_id}/deliveries") or []
    release = _preview(found.body["press_release"])
    return render(
        request,
        "publication.html",
        status=status,
        header=await request_header(services(request), token(request), request_id),
        item=found.body,
        release=release,
        deliveries=deliveries,
        channel_names={c.value: name for c, name in CHANNEL_NAMES.items()},
        **extra,
    )


@router.get("/publikasi/{request_id}", response_class=HTMLResponse)
async def show_publication(request: Request, request_id: str) -> HTMLResponse:
    return await publication_page(request, request_id)


async def _published(request: Request, request_id: str, answer: Any) -> Response:
    if answer.ok:
        return RedirectResponse(f"/publikasi/{request_id}", status_code=303)
    errors = problems(request, answer)
    return await publication_page(
        request, request_id, status=answer.status, message=told(request, answer), errors=errors
    )


@router.post("/publikasi/{request_id}/situs")
async def record_website(request: Request, request_id: str) -> Response:
    form = await request.form()
    path = f"/publications/{request_id}/website"
    body = {"website_url": str(form.get("website_url") or "")}
    return await _published(request, request_id, await _call(request, "POST", "publisher", path, json=body))


@router.post("/publikasi/{request_id}/terbitkan")
async def publish(request: Request, request_id: str) -> Response:
    path = f"/publications/{request_id}/publish"
    return await _published(request, request_id, await _call(request, "POST", "publisher", path))


@router.post("/publikasi/{request_id}/sosial/{channel}")
async def record_social_post(request: Request, request_id: str, channel: str) -> Response:
    """The address of a post made by hand from its package."""
    if _channel(channel) is None:
        return _unknown_channel(request)
    form = await request.form()
    path = f"/publications/{request_id}/social/{channel}"
    answer = await _call(request, "POST", "publisher", path, json={"url": str(form.get("url") or "")})
    if answer.ok:
        return RedirectResponse(f"/publikasi/{request_id}#paket-{channel}", status_code=303)
    errors = problems(request, answer)
    return await publication_page(
        request,
        request_id,
        status=answer.status,
        message=None if errors else told(request, answer),
        social_errors={channel: errors.get("url") or told(request, answer)},
    )


@router.post("/publikasi/{request_id}/email-ulang")
async def email_failed_again(request: Request, request_id: str) -> Response:
    """Each media email that failed for good goes once more (once its cause is put right)."""
    path = f"/publications/{request_id}/emails/retry"
    return await _published(request, request_id, await _call(request, "POST", "publisher", path))


@router.get("/media", response_class=HTMLResponse)
async def media(request: Request) -> HTMLResponse:
    contacts = await _get(request, "publisher", "/media/contacts") or []
    return render(request, "media.html", contacts=contacts)


@router.post("/media", response_class=HTMLResponse)
async def import_media(request: Request) -> Response:
    form = await request.form()
    file = form.get("file")
    text = (
        (await file.read()) if file is not None and not isinstance(file, str) else str(form.get("csv") or "").encode()
    )
    dry_run = "false" if form.get("apply") == "on" else "true"
    answer = await services(request).call(
        token(request), "POST", "publisher", "/media/import", params={"dry_run": dry_run}, content=text
    )
    contacts = await _get(request, "publisher", "/media/contacts") or []
    if answer.ok:
        return render(request, "media.html", contacts=contacts, report=answer.body)
    errors = problems(request, answer)
    return render(
        request, "media.html", status=answer.status, contacts=contacts, message=told(request, answer), errors=errors
    )


# -- the SOP dashboard ---------------------------------------------------------------------------------


@router.get("/dasbor", response_class=HTMLResponse)
async def dashboard(request: Request) -> HTMLResponse:
    """For the head of section: this week's and this month's keeping of each step's standard,
    what is overdue now, and the overruns each officer answers for."""
    today = datetime.now(WIB).date()
    periods = {
        "this_week": (today - timedelta(days=today.weekday()), today),
        "this_month": (today.replace(day=1), today),
    }
    summaries = {}
    for name, (first, last) in periods.items():
        answer = await _call(request, "GET", "archive", "/sop", params={"from": str(first), "to": str(last)})
        if not answer.ok:
            return refused(request, answer)
        summaries[name] = answer.body
    return render(request, "dashboard.html", summaries=summaries, periods=periods)
