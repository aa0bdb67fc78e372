"""The pages of steps 3 to 7: the assignment form, the coverage workspace, the review page, the
publication page and the media registry."""

import asyncio
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from markupsafe import Markup
from starlette.background import BackgroundTask

from warta.contracts import SOP, CoverageRole, PressRelease, SocialChannel
from warta.runtime.filetypes import SNIFF_BYTES, kind_of
from warta.runtime.indonesian import format_date
from warta.runtime.release import html_text, markdown_html, no_shortcodes, render_release, shortened
from warta.runtime.social import TEXT_LIMITS, post_length

from .clients import archive, coverage, publisher, review, scheduler
from .exports import indonesian_number, spreadsheet_csv
from .forms import WIB, checklist, in_wib, quotations, threads_of
from .header import request_header
from .i18n import translate
from .pages import problems, refused, render, services, token, told
from .people import officer_names
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


async def _read(request: Request, service: str, path: str, shape: Any, **kwargs: Any) -> Answer:
    return await services(request).read(token(request), service, path, shape, **kwargs)


async def _get(request: Request, service: str, path: str, shape: Any) -> Any:
    """The typed answer, or None when the service refused or is away (the page does without)."""
    answer = await _read(request, service, path, shape)
    return answer.body if answer.ok else None


# -- step 3: the assignment --------------------------------------------------------------------------


async def assignment_page(request: Request, request_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    entry = await _read(request, "scheduler", f"/agenda/{request_id}", scheduler.AgendaEntry)
    if not entry.ok:
        return refused(request, entry)
    suggestion = await _get(request, "scheduler", f"/agenda/{request_id}/suggestion", scheduler.Suggestion)
    officers = await _get(request, "scheduler", "/officers", list[scheduler.Officer]) or []
    equipment = await _get(request, "scheduler", "/equipment", list[scheduler.Item]) or []
    return render(
        request,
        "assignment.html",
        status=status,
        header=await request_header(services(request), token(request), request_id),
        entry=entry.body,
        suggestion=suggestion,
        officers=officers,
        equipment=equipment,
        names={o.officer_id: o.name for o in officers},
        kit_names={i.item_id: f"{i.description} ({i.item_id})" if i.description else i.item_id for i in equipment},
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
        # The reason to assign anyway is asked only of a clash the scheduler lets be overridden.
        refusal=answer.message if OVERRIDABLE.search(answer.message or "") else None,
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
    week = await _read(request, "scheduler", f"/agenda/weeks/{chosen}", scheduler.WeekView)
    if not week.ok:
        return refused(request, week)
    if tampilan == "hari":
        days = [d for d in week.body.days if d.date == chosen]
        before, after = chosen - timedelta(days=1), chosen + timedelta(days=1)
    else:
        monday = week.body.starts_on
        days, before, after = week.body.days, monday - timedelta(days=7), monday + timedelta(days=7)
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
    found = await _read(request, "coverage", f"/coverage/{request_id}", coverage.WorkspaceView)
    if not found.ok:
        return refused(request, found)
    view: coverage.WorkspaceView = found.body
    returned = view.workspace.last_return
    comments = (
        await _get(request, "review", f"/reviews/{request_id}/comments", list[review.Comment]) if returned else None
    )
    reasons = await _get(request, "review", "/reviews/reasons", list[review.Reason]) or []
    return render(
        request,
        "workspace.html",
        returned_threads=[t for t in threads_of(comments or []) if returned and t.comment.version == returned.version],
        reasons={r.code: r.label for r in reasons},
        names=await officer_names(services(request), token(request)),
        status=status,
        header=await request_header(services(request), token(request), request_id),
        view=view,
        ws=view.workspace,
        draft=extra.pop("typed_draft", None) or view.workspace.draft or coverage.Draft(),
        checks=checklist(view),
        request_id=request_id,
        posts=_post_forms(view, extra.pop("post_typed", None)),
        chunk_bytes=request.app.state.settings.upload_chunk_bytes,
        **extra,
    )


def _post_forms(view: coverage.WorkspaceView, typed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One form per channel: the saved post (or, after a refusal, what the officer typed), its
    length as the channel counts it, and the media it carries, ticked. A channel with no post yet
    offers the kind of media it takes: videos for YouTube, photos elsewhere."""
    saved = {channel.value: post for channel, post in (view.workspace.posts or {}).items()}
    forms = []
    for channel in SocialChannel:
        post: dict[str, Any] | None = saved[channel.value].model_dump() if channel.value in saved else None
        if typed is not None and typed["channel"] == channel.value:
            post = typed
        if post is not None:
            ticked = set(post.get("media") or ())
        else:
            wanted = "video" if channel is SocialChannel.YOUTUBE else "photo"
            ticked = {a.asset_id for a in view.assets if a.kind == wanted}
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


async def _after(request: Request, request_id: str, answer: Any, **typed: Any) -> Response:
    """Back to the workspace; after a refusal, with each problem beside its field and what the
    officer typed (``typed``) in the form again."""
    if answer.ok:
        return RedirectResponse(f"/liputan/{request_id}", status_code=303)
    errors = problems(request, answer)
    return await workspace_page(
        request, request_id, status=answer.status, message=told(request, answer), errors=errors, **typed
    )


async def _save_typed_draft(request: Request, request_id: str, form: Any) -> Response | None:
    """The draft as the form has it, saved; after a refusal the workspace again with each problem
    beside its field and what was typed kept; None once saved."""
    current = await _get(request, "coverage", f"/coverage/{request_id}", coverage.WorkspaceView)
    saved = current.workspace.draft if current and current.workspace.draft else coverage.Draft()
    draft = saved.model_dump(mode="json")
    for name in ("title", "dateline_date", "lead", "body"):
        draft[name] = str(form.get(name) or "") or (None if name == "dateline_date" else "")
    typed_form = {k: str(v) for k, v in form.items()}
    draft["dateline_place"] = typed_form.get("dateline_place", "").strip() or coverage.Draft().dateline_place
    draft["tags"] = [tag.strip() for tag in typed_form.get("tags", "").split(",") if tag.strip()]
    embargo = typed_form.get("embargo_until", "").strip()
    draft["embargo_until"] = in_wib(embargo) if embargo else None
    draft["quotes"] = quotations(typed_form)
    # Each photo's caption as typed; one emptied is removed.
    typed = {k.removeprefix("caption."): str(v).strip() for k, v in form.items() if k.startswith("caption.")}
    draft["captions"] = {k: v for k, v in {**(draft.get("captions") or {}), **typed}.items() if v}
    path = f"/coverage/{request_id}/draft"
    typed_draft = coverage.Draft.model_construct(**{**draft, "embargo_until": embargo or None})
    answer = await _call(request, "PUT", "coverage", path, json=draft)
    return None if answer.ok else await _after(request, request_id, answer, typed_draft=typed_draft)


@router.post("/liputan/{request_id}/naskah")
async def save_draft(request: Request, request_id: str) -> Response:
    refused = await _save_typed_draft(request, request_id, await request.form())
    return refused or RedirectResponse(f"/liputan/{request_id}", status_code=303)


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


@router.post("/liputan/{request_id}/berkas/{asset_id}/hapus")
async def remove_asset(request: Request, request_id: str, asset_id: str) -> Response:
    """A photo or video taken out of the workspace (a wrong or a better shot replaces it)."""
    path = f"/coverage/{request_id}/assets/{asset_id}"
    return await _after(request, request_id, await _call(request, "DELETE", "coverage", path))


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
    """The version goes as the page shows it: the draft's fields come with the button, and what was
    typed since the last save is saved first. A draft the service refuses sends nothing, and the
    page keeps the typing with each problem beside its field."""
    form = await request.form()
    typed = "title" in form and form.get("draft_typed") != "no"  # without the page's script: saved
    if typed and (refused := await _save_typed_draft(request, request_id, form)) is not None:
        return refused
    path = f"/coverage/{request_id}/submissions"
    answer = await _call(request, "POST", "coverage", path, json={})
    if answer.ok:
        return RedirectResponse(f"/permohonan/{request_id}", status_code=303)
    if answer.status != 422:
        return await _after(request, request_id, answer)
    # What the version still lacks, beside the draft's fields it names (``press_release.title`` is
    # the form's ``title``) as well as in the list above the button.
    missing = problems(request, answer)
    beside = {name.removeprefix("press_release."): text for name, text in missing.items()}
    said = translate("not_sent_for_review", request.state.lang)
    return await workspace_page(
        request, request_id, status=422, message=said, errors=missing | beside, submission_errors=missing
    )


# -- photos and videos, as the browser shows them ------------------------------------------------------

# What the coverage service says about a photo or video that the browser needs to show it, and to
# play a video from any point (range requests).
RELAYED = ("content-type", "content-length", "content-range", "accept-ranges", "etag")


@router.get("/berkas/{asset_id}")
async def asset(request: Request, asset_id: str, kecil: bool = False, unduh: str | None = None) -> Response:
    """A photo or video of a coverage (``kecil``: its thumbnail), streamed from the coverage
    service with the officer's token; a player's ``Range`` goes with it."""
    path = f"/assets/{asset_id}/thumbnail" if kecil else f"/assets/{asset_id}"
    wanted = {"Range": request.headers["range"]} if "range" in request.headers and not kecil else {}
    opened = await services(request).open(token(request), "coverage", path, wanted)
    if opened is None:
        return refused(request, Answer(503, {"error": "unavailable"}))
    if opened.status_code >= 400 and opened.status_code != 416:
        await opened.aread()
        await opened.aclose()
        try:
            body = opened.json()
        except ValueError:
            body = None
        return refused(request, Answer(opened.status_code, body))
    headers = {k: v for k, v in opened.headers.items() if k.lower() in RELAYED}
    if unduh:  # saved under a name the officer recognises, for posting by hand
        headers["Content-Disposition"] = f'attachment; filename="{safe_filename(unduh)}"'
    return StreamingResponse(
        opened.aiter_bytes(), status_code=opened.status_code, headers=headers, background=BackgroundTask(opened.aclose)
    )


def safe_filename(name: str) -> str:
    """A download's name without what would break its header or lead out of the folder."""
    kept = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
    return kept[:120] or "berkas"


def asset_id_of(uri: str) -> str:
    """A version's asset by the id in its address (``.../assets/{id}``)."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Medium:
    """A version's photo or video with the id the console fetches it by; reads as its reference."""

    ref: Any
    asset_id: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ref, name)


# -- steps 5 and 6: the review -----------------------------------------------------------------------


def _release(press_release: Any) -> PressRelease:
    """A service's press release as the contracts' own, which renders as the publisher does."""
    return PressRelease.model_validate(press_release.model_dump(mode="json"))


def _preview(release: PressRelease) -> dict[str, Any]:
    """The release as the public will read it: the one rendering the publisher sends out."""
    rendered = render_release(release)
    return {
        "title": rendered.title,
        "html": Markup(rendered.html),
        # The HTML source for a person to paste into the website's editor, shown as text.
        "pasteable": no_shortcodes(rendered.html),
        "tags": rendered.tags,
        "embargo_until": release.embargo_until,
    }


async def review_page(request: Request, request_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    found = await _read(request, "review", f"/reviews/{request_id}", review.Review)
    if not found.ok:
        return refused(request, found)
    under: review.Review = found.body
    number = under.version
    diff = (
        await _get(request, "review", f"/reviews/{request_id}/diff?from={number - 1}&to={number}", review.VersionDiff)
        if number > 1
        else None
    )
    content = await _get(request, "review", f"/reviews/{request_id}/versions/{number}", review.SubmittedVersion)
    comments = await _get(request, "review", f"/reviews/{request_id}/comments", list[review.Comment]) or []
    reasons = await _get(request, "review", "/reviews/reasons", list[review.Reason]) or []
    release = _release(content.press_release) if content else None
    return render(
        request,
        "review.html",
        status=status,
        header=await request_header(services(request), token(request), request_id),
        review=under,
        content=content,
        release=_preview(release) if release else None,
        paragraphs=[shortened(html_text(markdown_html(p)), 60) for p in release.paragraphs()] if release else [],
        threads=threads_of(comments),
        names=await officer_names(services(request), token(request)),
        diff=diff,
        reasons=reasons,
        returns=[d for d in under.history or [] if d.outcome == "reject"],
        reasons_by_code={r.code: r.label for r in reasons},
        media=[Medium(a, asset_id_of(a.uri)) for a in content.assets] if content else [],
        channel_names={c.value: name for c, name in CHANNEL_NAMES.items()},
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
    return await review_page(
        request, request_id, status=answer.status, message=told(request, answer), errors=errors, typed=body
    )


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
    return await review_page(request, request_id, status=answer.status, comment_errors=errors, draft_text=body["text"])


# -- step 7: the publication and the media registry ---------------------------------------------------


async def publication_page(request: Request, request_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    found = await _read(request, "publisher", f"/publications/{request_id}", publisher.PublicationView)
    if not found.ok:
        return refused(request, found)
    path = f"/publications/{request_id}/deliveries"
    deliveries = await _get(request, "publisher", path, list[publisher.Delivery]) or []
    release = _preview(_release(found.body.press_release))
    return render(
        request,
        "publication.html",
        status=status,
        header=await request_header(services(request), token(request), request_id),
        item=found.body,
        release=release,
        deliveries=deliveries,
        channel_names={c.value: name for c, name in CHANNEL_NAMES.items()},
        media=[Medium(a, asset_id_of(a.uri)) for a in found.body.assets],
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
    contacts = await _get(request, "publisher", "/media/contacts", list[publisher.ContactView]) or []
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
    contacts = await _get(request, "publisher", "/media/contacts", list[publisher.ContactView]) or []
    if answer.ok:
        report = publisher.ImportAnswer.model_validate(answer.body)
        return render(request, "media.html", contacts=contacts, report=report)
    errors = problems(request, answer)
    return render(
        request, "media.html", status=answer.status, contacts=contacts, message=told(request, answer), errors=errors
    )


# -- the SOP dashboard ---------------------------------------------------------------------------------


def dashboard_periods(dari: str | None, sampai: str | None) -> dict[str, tuple[date, date]] | str:
    """This week and this month, or the one period chosen (``dari`` to ``sampai``, either side
    defaulting to today); the text that is not a date when one is not."""
    today = datetime.now(WIB).date()
    if not dari and not sampai:
        return {
            "this_week": (today - timedelta(days=today.weekday()), today),
            "this_month": (today.replace(day=1), today),
        }
    try:
        first = date.fromisoformat(dari) if dari else today
    except ValueError:
        return str(dari)
    try:
        last = date.fromisoformat(sampai) if sampai else today
    except ValueError:
        return str(sampai)
    return {"chosen": (first, last)}


async def _summaries(request: Request, periods: dict[str, tuple[date, date]]) -> dict[str, archive.SopSummary] | Answer:
    """Each period's summary, asked of the archive at once: the week's and the month's."""
    answers = await asyncio.gather(
        *(
            _read(request, "archive", "/sop", archive.SopSummary, params={"from": str(first), "to": str(last)})
            for first, last in periods.values()
        )
    )
    for answer in answers:
        if not answer.ok:
            return answer
    return {name: answer.body for name, answer in zip(periods, answers, strict=True)}


@router.get("/dasbor", response_class=HTMLResponse)
async def dashboard(request: Request, dari: str | None = None, sampai: str | None = None) -> HTMLResponse:
    """For the head of section: each step's keeping of its standard this week and this month (or
    over a period chosen), what is overdue now, and the overruns each officer answers for."""
    periods = dashboard_periods(dari, sampai)
    if isinstance(periods, str):
        said = translate("not_a_date", request.state.lang).format(day=periods)
        return render(request, "refused.html", status=422, said=said)
    summaries = await _summaries(request, periods)
    if isinstance(summaries, Answer):
        if summaries.status == 422:
            said = translate("period_reversed", request.state.lang)
            return render(request, "refused.html", status=422, said=said)
        return refused(request, summaries)
    names = await officer_names(services(request), token(request))
    return render(
        request,
        "dashboard.html",
        summaries=summaries,
        periods={name: (format_date(a), format_date(b)) for name, (a, b) in periods.items()},
        chosen={"dari": dari or "", "sampai": sampai or ""},
        query=urlencode({k: v for k, v in (("dari", dari), ("sampai", sampai)) if v}),
        names=names,
        step_names={(r.number, s.number): s.short for r in SOP for s in r.steps},
    )


@router.get("/dasbor.csv")
async def dashboard_csv(request: Request, dari: str | None = None, sampai: str | None = None) -> Response:
    """The dashboard's table for a spreadsheet: each period's steps against their standards."""
    periods = dashboard_periods(dari, sampai)
    if isinstance(periods, str):
        return render(request, "refused.html", status=422, said=translate("not_a_date", request.state.lang))
    summaries = await _summaries(request, periods)
    if isinstance(summaries, Answer):
        return refused(request, summaries)
    rows = [
        (
            f"{format_date(periods[name][0])} s.d. {format_date(periods[name][1])}",
            step.sop,
            step.step,
            SOP.revision(step.sop).step(step.step).short,
            step.standard_minutes,
            step.finished,
            step.within,
            step.over,
            "" if step.within_percent is None else indonesian_number(step.within_percent),
        )
        for name, summary in summaries.items()
        for step in summary.steps
    ]
    filename = f"dasbor-sop-{datetime.now(WIB).date()}.csv"
    return Response(
        spreadsheet_csv(DASHBOARD_COLUMNS, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


DASHBOARD_COLUMNS = (
    "Periode",
    "SOP",
    "Langkah",
    "Nama langkah",
    "Mutu baku (menit)",
    "Selesai",
    "Sesuai mutu baku",
    "Melewati",
    "Sesuai mutu baku (%)",
)
