"""An officer's deviations: each SOP step they finished over its standard, which the SOP says they
answer for, and the form to explain it (once). Each step's service keeps its own (``/deviations``),
so the page gathers them from every step service and sends each explanation back to its keeper."""

import asyncio
from types import GenericAlias
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from warta.contracts import SOP
from warta.runtime.registry import services as registered

from . import clients
from .pages import agenda_numbers, problems, refused, render, services, token, told
from .services import Answer

router = APIRouter()
KEEPERS = registered("sop-step")  # each clocks its own steps and keeps their deviations


async def deviations_page(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    me, read, signed = request.state.officer.officer_id, services(request).read, token(request)
    answers = await asyncio.gather(
        *(read(signed, keeper, "/deviations", _deviations_of(keeper), params={"officer_id": me}) for keeper in KEEPERS)
    )
    away = [keeper for keeper, answer in zip(KEEPERS, answers, strict=True) if not answer.ok]
    if len(away) == len(KEEPERS):
        return refused(request, answers[0])
    found = [(keeper, d) for keeper, answer in zip(KEEPERS, answers, strict=True) if answer.ok for d in answer.body]
    found.sort(key=lambda pair: pair[1].finished_at, reverse=True)
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
    return render(request, "deviations.html", status=status, rows=rows, away=bool(away), **extra)


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
    if answer.ok:
        return RedirectResponse("/penyimpangan?dijelaskan=1", status_code=303)
    return await deviations_page(
        request,
        status=answer.status,
        message=told(request, answer),
        errors={deviation_id: problems(request, answer).get("explanation", "")},
        typed={deviation_id: body["explanation"]},
    )
