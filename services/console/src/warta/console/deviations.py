"""An officer's deviations: each SOP step they finished over its standard, which the SOP says they
answer for, and the form to explain it (once). Each step's service keeps its own (``/deviations``),
so the page gathers them from every step service and sends each explanation back to its keeper."""

import asyncio
import contextlib
from datetime import datetime
from types import GenericAlias
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from warta.contracts import SOP
from warta.runtime.registry import services as registered

from . import clients
from .pages import agenda_numbers, problems, refused, render, services, token, told
from .services import Answer

router = APIRouter()
KEEPERS = registered("sop-step")  # each clocks its own steps and keeps their deviations
PAGE = 50


async def deviations_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    """The officer's newest deviations, ``PAGE`` at a time; the next page is those finished
    before the last one shown (``?sebelum=``), from every keeper alike."""
    me, read, signed = request.state.officer.officer_id, services(request).read, token(request)
    params = {"officer_id": me, "limit": PAGE}
    before = _before(request)
    if before is not None:
        params["before"] = before.isoformat()
    answers = await asyncio.gather(
        *(read(signed, keeper, "/deviations", _deviations_of(keeper), params=params) for keeper in KEEPERS)
    )
    away = [keeper for keeper, answer in zip(KEEPERS, answers, strict=True) if not answer.ok]
    if len(away) == len(KEEPERS):
        return refused(request, answers[0])
    found = [(keeper, d) for keeper, answer in zip(KEEPERS, answers, strict=True) if answer.ok for d in answer.body]
    found.sort(key=lambda pair: pair[1].finished_at, reverse=True)
    # A keeper that filled its page may hold older ones; so may the ones merged beyond this page.
    older = len(found) > PAGE or any(answer.ok and len(answer.body) == PAGE for answer in answers)
    found = found[:PAGE]
    numbers = await agenda_numbers(request, {d.request_id for _, d in found})
    rows = [
        {
            "keeper": keeper,
            "deviation": d,
            "number": numbers.get(d.request_id, ""),
            "step": SOP.revision(d.sop or "58/2025").step(d.step),
            "over_minutes": round(d.overrun_seconds / 60),
        }
        for keeper, d in found
    ]
    after = quote(found[-1][1].finished_at.isoformat()) if older and found else None
    here = f"?sebelum={quote(before.isoformat())}" if before is not None else ""
    return render(
        request, "deviations.html", status=status, rows=rows, away=bool(away), older=after, here=here, **extra
    )


def _before(request: Request) -> datetime | None:
    """The page's ``?sebelum=``: a time the console wrote itself; anything else is the first page."""
    with contextlib.suppress(ValueError):
        at = datetime.fromisoformat(request.query_params.get("sebelum", ""))
        return at if at.tzinfo is not None else None
    return None


def _deviations_of(keeper: str) -> Any:
    """The typed answer of ``keeper``'s ``/deviations``: a list of its own ``Deviation`` model."""
    return GenericAlias(list, (getattr(clients, keeper).Deviation,))


@router.get("/penyimpangan", response_class=HTMLResponse)
async def my_deviations(request: Request) -> HTMLResponse:
    return await deviations_page(request, explained=request.query_params.get("dijelaskan") == "1")


@router.post("/penyimpangan/{keeper}/{deviation_id}")
async def explain(request: Request, keeper: str, deviation_id: str) -> Response:
    """The officer's explanation, to the service that keeps the deviation."""
    if keeper not in KEEPERS:
        return refused(request, Answer(404, {"error": "not_found"}))
    form = await request.form()
    body = {"explanation": str(form.get("explanation") or "")}
    path = f"/deviations/{deviation_id}/explanation"
    answer = await services(request).call(token(request), "POST", keeper, path, json=body)
    if answer.ok:  # back to the page it was explained on
        before = _before(request)
        page = f"&sebelum={quote(before.isoformat())}" if before is not None else ""
        return RedirectResponse(f"/penyimpangan?dijelaskan=1{page}#penyimpangan-{deviation_id}", status_code=303)
    return await deviations_page(
        request,
        status=answer.status,
        message=told(request, answer),
        errors={deviation_id: problems(request, answer).get("explanation", "")},
        typed={deviation_id: body["explanation"]},
    )
