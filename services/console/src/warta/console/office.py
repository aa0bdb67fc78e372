"""What the office keeps between requests: the team's roster and kit (the scheduler's, kept by the
team lead) and the officers' directory (the notifier's, kept by the office administrator)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from warta.contracts import CoverageRole, Role

from .clients import notifier, scheduler
from .forms import in_wib
from .pages import problems, refused, render, services, token, told
from .services import Answer

router = APIRouter()


async def _call(request: Request, method: str, service: str, path: str, **kwargs: Any) -> Answer:
    return await services(request).call(token(request), method, service, path, **kwargs)


# -- the roster and the kit ---------------------------------------------------------------------------


async def team_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    read, signed = services(request).read, token(request)
    officers = await read(signed, "scheduler", "/officers", list[scheduler.Officer])
    if not officers.ok:
        return refused(request, officers)
    equipment = await read(signed, "scheduler", "/equipment", list[scheduler.Item])
    return render(
        request,
        "team.html",
        status=status,
        officers=officers.body,
        equipment=equipment.body if equipment.ok else [],
        tasks=[task.value for task in CoverageRole],
        kinds=[kind.value for kind in scheduler.EquipmentKind],
        conditions=[condition.value for condition in scheduler.Condition],
        keeper=request.state.officer.role is Role.TEAM_LEAD,
        **extra,
    )


@router.get("/tim", response_class=HTMLResponse)
async def team(request: Request) -> HTMLResponse:
    return await team_page(request)


async def _kept(request: Request, form_name: str, answer: Answer, typed: dict[str, Any]) -> Response:
    """Back to the page once the scheduler took the change; the form again, as typed, with the
    refusal next to its fields when it did not."""
    if answer.ok:
        return RedirectResponse(f"/tim#{form_name}", status_code=303)
    return await team_page(
        request,
        status=answer.status,
        message=told(request, answer),
        failed=form_name,
        errors=problems(request, answer),
        typed=typed,
    )


def _officer_body(form: FormData) -> dict[str, Any]:
    return {
        "name": str(form.get("name") or "").strip(),
        "skills": form.getlist("skills"),
        "active": form.get("active", "on") == "on",
    }


@router.post("/tim/petugas")
async def add_officer(request: Request) -> Response:
    form = await request.form()
    body = {"officer_id": str(form.get("officer_id") or "").strip(), **_officer_body(form)}
    return await _kept(request, "petugas-baru", await _call(request, "POST", "scheduler", "/officers", json=body), body)


@router.post("/tim/petugas/{officer_id}")
async def update_officer(request: Request, officer_id: str) -> Response:
    form = await request.form()
    body = _officer_body(form) | {"active": form.get("active") == "on"}
    answer = await _call(request, "PUT", "scheduler", f"/officers/{officer_id}", json=body)
    return await _kept(request, f"petugas-{officer_id}", answer, body)


@router.post("/tim/petugas/{officer_id}/berhalangan")
async def add_time_away(request: Request, officer_id: str) -> Response:
    form = await request.form()
    body = {
        "starts_at": in_wib(str(form.get("starts_at") or "")),
        "ends_at": in_wib(str(form.get("ends_at") or "")),
        "reason": str(form.get("reason") or "").strip(),
    }
    path = f"/officers/{officer_id}/unavailability"
    answer = await _call(request, "POST", "scheduler", path, json=body)
    return await _kept(request, f"berhalangan-{officer_id}", answer, dict(form))


@router.post("/tim/petugas/{officer_id}/berhalangan/{period_id}/hapus")
async def remove_time_away(request: Request, officer_id: str, period_id: str) -> Response:
    path = f"/officers/{officer_id}/unavailability/{period_id}"
    return await _kept(request, f"petugas-{officer_id}", await _call(request, "DELETE", "scheduler", path), {})


@router.post("/tim/peralatan")
async def add_item(request: Request) -> Response:
    form = await request.form()
    body = {
        "item_id": str(form.get("item_id") or "").strip(),
        "kind": str(form.get("kind") or ""),
        "description": str(form.get("description") or "").strip(),
    }
    answer = await _call(request, "POST", "scheduler", "/equipment", json=body)
    return await _kept(request, "peralatan-baru", answer, body)


@router.post("/tim/peralatan/{item_id}")
async def update_item(request: Request, item_id: str) -> Response:
    form = await request.form()
    body = {
        "kind": str(form.get("kind") or ""),
        "description": str(form.get("description") or "").strip(),
        "condition": str(form.get("condition") or ""),
    }
    answer = await _call(request, "PUT", "scheduler", f"/equipment/{item_id}", json=body)
    return await _kept(request, f"peralatan-{item_id}", answer, body)


# -- the officers' directory ------------------------------------------------------------------------


@router.get("/direktori", response_class=HTMLResponse)
async def directory(request: Request, ubah: str | None = None) -> HTMLResponse:
    """Who the notifier reaches, by which channel and outside which quiet hours; ``ubah`` opens
    one entry in the form to change it."""
    return await directory_page(request, editing=ubah)


async def directory_page(request: Request, status: int = 200, editing: str | None = None, **extra: Any) -> HTMLResponse:
    entries = await services(request).read(token(request), "notifier", "/officers", list[notifier.Officer])
    if not entries.ok:
        return refused(request, entries)
    kept: dict[str, Any] = next((e.model_dump(mode="json") for e in entries.body if e.officer_id == editing), {})
    typed: dict[str, Any] = extra.pop("typed", None) or kept
    return render(
        request,
        "directory.html",
        status=status,
        entries=entries.body,
        typed=typed,
        roles=[role.value for role in Role],
        keeper=request.state.officer.role is Role.ADMIN,
        **extra,
    )


@router.post("/direktori")
async def keep_directory_entry(request: Request) -> Response:
    form = await request.form()
    officer_id = str(form.get("officer_id") or "").strip()
    entry: dict[str, Any] = {
        "officer_id": officer_id,
        "name": str(form.get("name") or "").strip(),
        "role": str(form.get("role") or ""),
        "whatsapp": str(form.get("whatsapp") or "").strip() or None,
        "email": str(form.get("email") or "").strip() or None,
        "channels": form.getlist("channels"),
        "quiet_from": str(form.get("quiet_from") or "") or None,
        "quiet_until": str(form.get("quiet_until") or "") or None,
    }
    answer = (
        await _call(request, "PUT", "notifier", f"/officers/{officer_id}", json=entry)
        if officer_id
        else Answer(422, {"error": "validation_failed", "fields": [{"field": "officer_id", "type": "missing"}]})
    )
    if answer.ok:
        return RedirectResponse("/direktori#daftar", status_code=303)
    return await directory_page(
        request, status=answer.status, message=told(request, answer), errors=problems(request, answer), typed=entry
    )
