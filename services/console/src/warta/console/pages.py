"""The console's pages: sign-in, the home page of what waits, steps 1 and 2 (register a letter,
issue its disposition sheet, dispose or decline) and a request's page with its timeline."""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from warta.contracts import (
    FIRST_SOP,
    SOP,
    DispositionInstruction,
    Leader,
    LetterNature,
    Role,
    SenderKind,
    Step,
    TooManyRequests,
    label,
)
from warta.runtime import Principal, issue_dev_token
from warta.runtime.auth import Unauthenticated
from warta.runtime.indonesian import format_period

from .clients import archive, coverage, intake, notifier, publisher, review, scheduler
from .exports import REGISTER_STATES, register_csv
from .forms import LETTER_FIELDS, WIB, field_errors, nested, traffic_light
from .header import header_of
from .i18n import LANGUAGES, refusal_message, state_label
from .oidc import OidcClient, Pending, SignInFailed
from .people import People, named, people
from .services import Answer, Services

log = logging.getLogger(__name__)
router = APIRouter()

TOKEN_COOKIE, LANG_COOKIE, PENDING_COOKIE = "warta_token", "warta_lang", "warta_sign_in"


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


# What a page may be rendered without: the request header, a refusal's message and fields, what
# the officer typed into a refused form. Every other name a template reads must be given, or the
# page fails (StrictUndefined) rather than show a blank.
UNSAID: dict[str, Any] = {
    "header": None,
    "message": None,
    "errors": {},
    "typed": {},
    "failed": None,
    "chosen": None,
    "refusal": None,
    "saved": False,
    "report": None,
    "wait": None,
    "post_errors": {},
    "comment_errors": {},
    "social_errors": {},
    "draft_text": "",
    "explained": False,
}


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        template,
        {**UNSAID, "officer": getattr(request.state, "officer", None), "lang": request.state.lang, **context},
        status_code=status,
    )
    return page


SUPERVISORS = (Role.ADMIN, Role.SECTION_HEAD, Role.TEAM_LEAD)


def token(request: Request) -> str:
    return str(request.cookies.get(TOKEN_COOKIE, ""))


def problems(request: Request, answer: Answer) -> dict[str, str]:
    """A refusal's field problems by form field, in the officer's language."""
    return field_errors(answer.body, request.state.lang) if isinstance(answer.body, dict) else {}


def told(request: Request, answer: Answer) -> str:
    """What a refusal means, in the officer's language (the service's own sentence is English)."""
    return refusal_message(answer.body, request.state.lang)


def refused(request: Request, answer: Answer) -> HTMLResponse:
    """A refusal the page cannot place next to a field: what it means, on an error page."""
    return render(
        request, "refused.html", status=answer.status if answer.status >= 400 else 400, said=told(request, answer)
    )


# -- signing in ------------------------------------------------------------------------------------


@router.get("/masuk", response_class=HTMLResponse)
async def sign_in_page(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    return render(request, "sign_in.html", officers=settings.dev_officers if settings.auth_mode == "dev" else [])


def too_many_sign_ins(request: Request) -> Response | None:
    """Each sign-in costs a call to the identity provider: an address trying too often is told to
    wait instead of being passed on to the city's provider."""
    address = request.client.host if request.client else "unknown"
    try:
        request.app.state.sign_in_limit.take(address, "sign-ins")
    except TooManyRequests as refused:
        log.warning("sign-in refused for %s: %s", address, refused.message)
        page = render(request, "sign_in.html", status=429, officers=[], wait=refused.retry_after)
        page.headers["Retry-After"] = str(refused.retry_after)
        return page
    return None


@router.get("/masuk/oidc")
async def sign_in_with_the_city(request: Request) -> Response:
    """Off to the city's identity provider, remembering what its answer must match."""
    if refused := too_many_sign_ins(request):
        return refused
    oidc: OidcClient | None = request.app.state.oidc
    if oidc is None:
        return RedirectResponse("/masuk", status_code=303)
    pending = Pending.new()
    try:
        url = await oidc.authorization_url(pending)
    except SignInFailed as failure:
        log.warning("sign-in not started: %s", failure)
        return render(request, "sign_in.html", status=503, officers=[], failed=True)
    response = RedirectResponse(url, status_code=303)
    # Ten minutes to sign in; sent back on the provider's top-level redirect (lax), never to scripts.
    response.set_cookie(
        PENDING_COOKIE,
        pending.dump(),
        max_age=600,
        path="/masuk",
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )
    return response


@router.get("/masuk/kembali")
async def back_from_the_city(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    """The provider's answer: a code to trade for the officer's tokens, or its refusal."""
    if refused := too_many_sign_ins(request):
        return refused
    oidc: OidcClient | None = request.app.state.oidc
    pending = Pending.load(request.cookies.get(PENDING_COOKIE, ""))
    if oidc is None or pending is None or not pending.matches(state) or error or not code:
        log.warning("sign-in refused: %s", error or "no pending sign-in matches the answer's state")
        return signed_out(render(request, "sign_in.html", status=400, officers=[], failed=True))
    try:
        access = await oidc.access_token(code, pending)
        officer = await request.app.state.token_verifier.verify(access)
    except (SignInFailed, Unauthenticated) as failure:
        log.warning("sign-in refused: %s", failure)
        return signed_out(render(request, "sign_in.html", status=400, officers=[], failed=True))
    log.info("%s signed in as %s", officer.officer_id, officer.role.value)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(TOKEN_COOKIE, access, httponly=True, samesite="lax", secure=secure(request))
    response.delete_cookie(PENDING_COOKIE, path="/masuk")
    return response


def secure(request: Request) -> bool:
    """Cookies travel over HTTPS only wherever the console is served over it."""
    return str(request.app.state.settings.public_url).startswith("https://")


def signed_out(response: Response) -> Response:
    response.delete_cookie(PENDING_COOKIE, path="/masuk")
    response.delete_cookie(TOKEN_COOKIE)
    return response


@router.post("/masuk")
async def sign_in(request: Request, officer_id: Annotated[str, Form()]) -> Response:
    if refused := too_many_sign_ins(request):
        return refused
    settings = request.app.state.settings
    chosen = next((o for o in settings.dev_officers if o[0] == officer_id), None)
    if settings.auth_mode != "dev" or chosen is None:
        return RedirectResponse("/masuk", status_code=303)
    signed = issue_dev_token(settings, officer_id=chosen[0], role=Role(chosen[2]), name=chosen[1])
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(TOKEN_COOKIE, signed, httponly=True, samesite="lax")
    return response


@router.post("/keluar")
async def sign_out() -> Response:
    response = RedirectResponse("/masuk", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response


@router.get("/bahasa/{lang}")
async def choose_language(request: Request, lang: str) -> Response:
    # Back to the page it came from, on this site only (a referer naming another site is ignored).
    came_from = urlsplit(request.headers.get("referer") or "/")
    back = (came_from.path or "/") + (f"?{came_from.query}" if came_from.query else "")
    response = RedirectResponse(back if back.startswith("/") and not back.startswith("//") else "/", status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax")
    return response


# -- home ------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return await with_waiting(request, "home.html")


@router.get("/menunggu", response_class=HTMLResponse)
async def waiting_now(request: Request) -> HTMLResponse:
    """The home page's list alone: htmx refreshes it every half minute, as the lights change."""
    return await with_waiting(request, "_waiting.html")


async def with_waiting(request: Request, template: str) -> HTMLResponse:
    waiting = await waiting_for(request)
    return waiting if isinstance(waiting, HTMLResponse) else render(request, template, waiting=waiting)


async def waiting_for(request: Request) -> list[dict[str, Any]] | HTMLResponse:
    """What waits for the officer's role, each item with its time against the step's standard."""
    officer: Principal = request.state.officer
    read, signed = services(request).read, token(request)
    waiting: list[dict[str, Any]] = []
    for source in WAITING:
        if officer.role not in source.roles:
            continue
        answer = await read(signed, source.service, source.path, source.entries, params=source.params)
        if not answer.ok:
            if source.required:
                return refused(request, answer)
            continue  # the other lists still show
        waiting += [source.item(entry) for entry in answer.body]
    return await _numbered(request, waiting)


async def _numbered(request: Request, waiting: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item by its agenda number and its event, as the office calls a request: the lists that
    do not carry them get them from the register."""
    unnamed = {entry["request_id"] for entry in waiting if entry["number"] is None or not entry["title"]}
    known = await registered(request, unnamed)

    def named(entry: dict[str, Any]) -> dict[str, Any]:
        found = known.get(entry["request_id"])
        number = entry["number"] or (found.agenda_number if found else "")
        return {**entry, "number": number, "title": entry["title"] or (found.event_title if found else "")}

    return [named(entry) for entry in waiting]


async def registered(request: Request, request_ids: set[str]) -> dict[str, intake.AgendaNumber]:
    """The register's agenda number and event title of each request, for the lists of other
    services that know a request only by its id (a request the register cannot answer for is left
    out)."""
    read, signed, wanted = services(request).read, token(request), sorted(request_ids)
    found = await asyncio.gather(
        *(
            read(signed, "intake", "/requests/numbers", list[intake.AgendaNumber], params={"id": wanted[at : at + 200]})
            for at in range(0, len(wanted), 200)
        )
    )
    return {entry.id: entry for answer in found if answer.ok for entry in answer.body}


async def agenda_numbers(request: Request, request_ids: set[str]) -> dict[str, str]:
    """The register's agenda number of each request (``registered``)."""
    return {key: entry.agenda_number for key, entry in (await registered(request, request_ids)).items()}


def _letter(entry: intake.InboxEntry) -> dict[str, Any]:
    r = entry.request
    step = SOP.revision(r.sop or FIRST_SOP).step(entry.step)
    return item(r.id, f"/permohonan/{r.id}", r.agenda_number, r.event.title, step, entry.age_minutes)


def _agenda(e: scheduler.AgendaEntry) -> dict[str, Any]:
    step = sop_step(e.sop, "assignment")
    return item(
        e.request_id, f"/agenda/{e.request_id}", e.agenda_number, e.event.title, step, minutes_since(e.disposed_at)
    )


def _review(q: review.QueueEntry) -> dict[str, Any]:
    step = sop_step(q.review.sop, REVIEW_STEPS[q.level])
    rid = q.review.request_id
    # Named by its event from the register, and the version under review.
    return item(rid, f"/tinjauan/{rid}", None, "", step, q.age_minutes) | {"version": q.review.version}


def _coverage(w: coverage.OpenCoverage) -> dict[str, Any]:
    title = w.event.title if w.event else ""
    started = minutes_since(w.clock_started_at)
    entry = item(w.request_id, f"/liputan/{w.request_id}", None, title, sop_step(w.sop, "coverage"), started)
    return entry | {"returned": w.versions > 0}  # back from review: the team's to correct


def _publication(p: publisher.PublicationView) -> dict[str, Any]:
    rid, title = p.request_id, p.press_release.title
    return item(rid, f"/publikasi/{rid}", None, title, sop_step(p.sop, "publication"), minutes_since(p.ordered_at))


@dataclass(frozen=True)
class WaitingList:
    """One service's list of what waits, the roles it concerns and how an entry reads; a
    ``required`` list the page cannot do without (the register) shows its refusal instead."""

    roles: tuple[Role, ...]
    service: str
    path: str
    entries: Any  # the typed model of its answer: ``list[...]`` of one generated model
    item: Callable[[Any], dict[str, Any]]
    params: dict[str, str] = field(default_factory=dict)
    required: bool = False


WAITING = (
    WaitingList((Role.ADMIN, Role.SECTION_HEAD), "intake", "/inbox", list[intake.InboxEntry], _letter, required=True),
    WaitingList(
        (Role.TEAM_LEAD,),
        "scheduler",
        "/agenda",
        list[scheduler.AgendaEntry],
        _agenda,
        {"state": "awaiting_assignment"},
    ),
    WaitingList((Role.TEAM_LEAD, Role.SECTION_HEAD), "review", "/reviews/queue", list[review.QueueEntry], _review),
    # the officer's own open work
    WaitingList((Role.COVERAGE_TEAM,), "coverage", "/coverage", list[coverage.OpenCoverage], _coverage),
    WaitingList(
        (Role.COVERAGE_TEAM,),
        "publisher",
        "/publications",
        list[publisher.PublicationView],
        _publication,
        {"state": "ready"},
    ),
)


# The review levels as the SOP's steps, by their keys in the request's revision.
REVIEW_STEPS = {"team_lead": "team_lead_review", "section_head": "section_head_review"}


def sop_step(sop: str | None, key: str) -> Step:
    """The step ``key`` in the revision the service's record says its request runs under."""
    return SOP.revision(sop or FIRST_SOP).keyed(key)


def item(request_id: str, link: str, number: str | None, title: str, step: Step, age: float) -> dict[str, Any]:
    """One line of the home list: the step's number, its short name and its standard come from
    the request's own SOP revision."""
    standard = step.standard_minutes
    return {
        "request_id": request_id,
        "link": link,
        "number": number,
        "title": title,
        "step": step.number,
        "step_name": step.short,
        "age_minutes": max(0.0, age),
        "standard_minutes": standard,
        "light": traffic_light(max(0.0, age), standard),
    }


def minutes_since(moment: datetime) -> float:
    return (datetime.now(UTC) - moment).total_seconds() / 60


# -- step 1: the register ----------------------------------------------------------------------------


def letter_choices() -> dict[str, list[tuple[str, str]]]:
    """Each choice of the letter form as (value, what the officer reads: its Indonesian label)."""
    return {
        "letter.sender_kind": [(k.value, label(k)) for k in SenderKind],
        "letter.nature": [(n.value, label(n)) for n in LetterNature],
        "event.leader": [(leader.value, label(leader)) for leader in Leader],
    }


@router.get("/surat/baru", response_class=HTMLResponse)
async def new_letter(request: Request) -> HTMLResponse:
    return render(request, "letter.html", values={}, errors={}, choices=letter_choices(), fields=LETTER_FIELDS)


@router.post("/surat/baru", response_class=HTMLResponse)
async def register_letter(request: Request) -> Response:
    """The letter's details and, when chosen, its scan: the scan goes first (the register takes
    only a scan already stored), and a scan already sent with a refused form is not sent again."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    scan = await _scan_of(request, form.get("scan"), values)
    if isinstance(scan, Answer):
        return _letter_form(request, scan, values)
    body = nested(values, LETTER_FIELDS) | ({"scan_id": scan} if scan else {})
    answer = await services(request).call(token(request), "POST", "intake", "/requests", json=body)
    if answer.ok:
        return RedirectResponse(f"/permohonan/{answer.body['id']}", status_code=303)
    if answer.status == 422:
        return _letter_form(request, answer, values)
    return refused(request, answer)


async def _scan_of(request: Request, file: Any, values: dict[str, str]) -> str | Answer | None:
    """The stored scan's id (one stored for this form before, or the file chosen now), None when
    no scan is given, or the intake's refusal of the file."""
    if file is None or isinstance(file, str) or not file.filename:
        return values.get("scan_id") or None
    answer = await services(request).call(
        token(request),
        "POST",
        "intake",
        "/scans",
        params={"filename": file.filename},
        content=await file.read(),
        headers={"Content-Type": file.content_type or "application/octet-stream"},
    )
    if not answer.ok:
        return answer
    values["scan_id"], values["scan_name"] = answer.body["scan_id"], file.filename
    return str(answer.body["scan_id"])


def _letter_form(request: Request, answer: Answer, values: dict[str, str]) -> HTMLResponse:
    """The form again, as typed, with the refusal next to its fields."""
    return render(
        request,
        "letter.html",
        status=answer.status if answer.status >= 400 else 422,
        values=values,
        errors=problems(request, answer),
        message=told(request, answer),
        choices=letter_choices(),
        fields=LETTER_FIELDS,
    )


@router.get("/permohonan/{request_id}/pindaian")
async def scanned_letter(request: Request, request_id: str) -> Response:
    """The letter's scan as the register keeps it, to read in the browser."""
    answer = await services(request).call(token(request), "GET", "intake", f"/requests/{request_id}/scan")
    if not answer.ok:
        return refused(request, answer)
    kind = answer.headers.get("content-type", "application/octet-stream")
    return Response(answer.content, media_type=kind, headers={"Content-Disposition": "inline"})


# -- step 1: the letter register ---------------------------------------------------------------------

# The register's search form: the console's parameter (in the address, in Indonesian) and the
# intake API's query parameter it fills.
REGISTER_FILTERS = {
    "nomor": "agenda_number",
    "pengirim": "sender",
    "perihal": "q",
    "status": "state",
    "pimpinan": "leader",
    "dari": "received_from",
    "sampai": "received_to",
}
REGISTER_PAGE = 25
CSV_ROWS = 5000  # an export is a year's register at most; a bigger one is narrowed by its dates


def register_query(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The filters as typed (to fill the form again) and as the intake API's parameters."""
    typed = {name: request.query_params.get(name, "").strip() for name in REGISTER_FILTERS}
    return typed, {REGISTER_FILTERS[name]: value for name, value in typed.items() if value}


@router.get("/surat", response_class=HTMLResponse)
async def letter_register(request: Request, halaman: int = 1) -> HTMLResponse:
    """The register of letters: searched by agenda number, sender, subject words, state, leader
    and dates received, newest first, a page at a time."""
    typed, params = register_query(request)
    page = max(1, halaman)
    answer = await services(request).read(
        token(request),
        "intake",
        "/requests",
        intake.RequestPage,
        params={**params, "limit": REGISTER_PAGE, "offset": (page - 1) * REGISTER_PAGE},
    )
    if not answer.ok and answer.status != 422:
        return refused(request, answer)
    found = answer.body if answer.ok else intake.RequestPage(items=[], total=0, limit=REGISTER_PAGE, offset=0)
    pages = max(1, -(-found.total // REGISTER_PAGE))
    query = urlencode({k: v for k, v in typed.items() if v})
    return render(
        request,
        "register.html",
        status=answer.status,
        typed=typed,
        errors=problems(request, answer) if not answer.ok else {},
        message=None if answer.ok else told(request, answer),
        rows=found.items,
        total=found.total,
        more=bool(found.more),
        page=page,
        pages=pages,
        query=query,
        states=[(state, state_label(state, request.state.lang)) for state in REGISTER_STATES],
        leaders=[(leader.value, label(leader)) for leader in Leader],
    )


@router.get("/surat.csv")
async def letter_register_csv(request: Request) -> Response:
    """The register as searched, for a spreadsheet: every matching letter, not just one page."""
    _, params = register_query(request)
    rows: list[intake.FacilitationRequest] = []
    while len(rows) < CSV_ROWS:
        answer = await services(request).read(
            token(request),
            "intake",
            "/requests",
            intake.RequestPage,
            params={**params, "limit": 200, "offset": len(rows)},
        )
        if not answer.ok:
            return refused(request, answer)
        rows += answer.body.items
        if len(answer.body.items) < 200:
            break
    filename = f"buku-agenda-{datetime.now(UTC).astimezone(WIB).date()}.csv"
    return Response(
        register_csv(rows, request.state.lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# -- a request, and step 2 ---------------------------------------------------------------------------


async def request_page(request: Request, request_id: str, status: int = 200, **extra: Any) -> HTMLResponse:
    read, signed = services(request).read, token(request)
    found = await read(signed, "intake", f"/requests/{request_id}", intake.FacilitationRequest)
    if not found.ok:
        return refused(request, found)
    item: intake.FacilitationRequest = found.body
    timeline = await read(signed, "archive", f"/requests/{request_id}/timeline", archive.Timeline)
    # Where the whole journey stands (intake's own state ends at the disposition).
    dossier = await read(signed, "archive", f"/requests/{request_id}", archive.Dossier)
    known = await people(services(request), signed)
    deciding = request.state.officer.role is Role.SECTION_HEAD and item.state == "awaiting_disposition"
    clashes = await read(signed, "intake", f"/requests/{request_id}/clashes", list[intake.Clash]) if deciding else None
    return render(
        request,
        "request.html",
        status=status,
        item=item,
        header=header_of(item, timeline.body if timeline.ok else None),
        stage=dossier.body.state if dossier.ok else None,
        timeline=timeline.body if timeline.ok else None,
        messages=await _messages_of(request, request_id, known),
        names=known.names,
        sent_again=request.query_params.get("dikirim_ulang"),
        instructions=[(i.value, label(i)) for i in DispositionInstruction],
        clashes=[clash_of(c) for c in clashes.body] if clashes is not None and clashes.ok else None,
        **extra,
    )


def clash_of(clash: intake.Clash) -> dict[str, Any]:
    """An accepted event that overlaps this one, as the section head reads it."""
    return {
        "request_id": clash.request_id,
        "agenda_number": clash.agenda_number,
        "title": clash.title,
        "location": clash.location,
        "same_leader": clash.same_leader,
        "period": format_period(clash.starts_at, clash.ends_at),
        "leader_name": label(Leader(clash.leader)),
    }


async def _messages_of(request: Request, request_id: str, known: People) -> dict[str, Any] | None:
    """The messages the request caused, with their recipients' names, for a supervisor (who may
    send the failed ones again); None for an officer who may not read other officers' messages."""
    if request.state.officer.role not in SUPERVISORS:
        return None
    read, signed = services(request).read, token(request)
    params = {"request_id": request_id, "limit": 500}
    found = await read(signed, "notifier", "/messages", list[notifier.Message], params=params)
    if not found.ok:
        return {"away": True, "messages": [], "failed": 0}
    lang = request.state.lang
    messages = [
        {
            "message": m,
            "recipient": named(known.names, m.officer_id, lang=lang),
            "in_directory": m.officer_id in known.listed,
        }
        for m in found.body
    ]
    return {"away": False, "messages": messages, "failed": sum(m.state == "failed" for m in found.body)}


@router.get("/permohonan/{request_id}", response_class=HTMLResponse)
async def show_request(request: Request, request_id: str) -> HTMLResponse:
    return await request_page(request, request_id)


@router.post("/permohonan/{request_id}/lembar-disposisi")
async def issue_sheet(request: Request, request_id: str) -> Response:
    path = f"/requests/{request_id}/disposition-sheet"
    answer = await services(request).call(token(request), "POST", "intake", path)
    if not answer.ok:
        return await request_page(request, request_id, status=answer.status, message=told(request, answer))
    return RedirectResponse(f"/permohonan/{request_id}", status_code=303)


@router.get("/permohonan/{request_id}/lembar-disposisi.pdf")
async def sheet(request: Request, request_id: str) -> Response:
    path = f"/requests/{request_id}/disposition-sheet"
    answer = await services(request).call(token(request), "GET", "intake", path)
    if not answer.ok:
        return refused(request, answer)
    return Response(answer.content, media_type="application/pdf")


@router.post("/permohonan/{request_id}/disposisi")
async def dispose(request: Request, request_id: str) -> Response:
    form = await request.form()
    body = {"instructions": form.getlist("instructions"), "notes": str(form.get("notes") or "") or None}
    path = f"/requests/{request_id}/disposition"
    answer = await services(request).call(token(request), "POST", "intake", path, json=body)
    if answer.ok:
        return RedirectResponse(f"/permohonan/{request_id}", status_code=303)
    errors = problems(request, answer)
    return await request_page(
        request, request_id, status=answer.status, message=told(request, answer), errors=errors, typed=body
    )


@router.post("/permohonan/{request_id}/tolak")
async def decline(request: Request, request_id: str, reason: Annotated[str, Form()] = "") -> Response:
    path = f"/requests/{request_id}/decline"
    answer = await services(request).call(token(request), "POST", "intake", path, json={"reason": reason})
    if answer.ok:
        return RedirectResponse(f"/permohonan/{request_id}", status_code=303)
    errors = problems(request, answer)
    typed = {"reason": reason}
    return await request_page(
        request, request_id, status=answer.status, message=told(request, answer), errors=errors, typed=typed
    )
