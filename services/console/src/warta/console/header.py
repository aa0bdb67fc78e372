"""The header every page about one request opens with: which request (agenda number and event),
when and where in WIB, for which leader, and the step it is in with its clock against the SOP's
standard. The officer deciding on a page sees what the decision is about without another page."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from warta.contracts import SOP, Leader, label
from warta.runtime.indonesian import format_period

from .clients import archive, intake
from .forms import traffic_light
from .services import Services


@dataclass(frozen=True)
class RequestHeader:
    request_id: str
    agenda_number: str
    title: str
    when: str  # "Senin, 7 Desember 2026, 09.00 s.d. 11.00 WIB"
    location: str
    leader: str  # the leader's title, as the office says it
    step: int | None = None  # None once nothing waits (published, declined) or the archive has not caught up
    step_name: str = ""
    minutes: int = 0
    standard_minutes: int = 0
    light: str = ""


def _open_step(timeline: archive.Timeline) -> tuple[int, str, float, int] | None:
    """The step the request waits in now: the latest run the archive has not seen finish."""
    runs = [r for r in timeline.steps if r.finished_at is None]
    if not runs:
        return None
    run = max(runs, key=lambda r: r.started_at)
    step = SOP.revision(run.sop).step(run.step)
    elapsed = max(0.0, (datetime.now(UTC) - run.started_at).total_seconds() / 60)
    return step.number, step.short, elapsed, step.standard_minutes


def header_of(item: intake.FacilitationRequest, timeline: archive.Timeline | None) -> RequestHeader:
    """The header from the register's entry and, when the archive has it, the request's timeline."""
    event = item.event
    header = RequestHeader(
        request_id=item.id,
        agenda_number=item.agenda_number,
        title=event.title,
        when=format_period(event.starts_at, event.ends_at),
        location=event.location,
        leader=label(Leader(event.leader)),
    )
    current = _open_step(timeline) if timeline else None
    if current is None:
        return header
    number, name, elapsed, standard = current
    return replace(
        header,
        step=number,
        step_name=name,
        minutes=int(elapsed),
        standard_minutes=standard,
        light=traffic_light(elapsed, standard),
    )


async def request_header(services: Services, signed: str, request_id: str) -> RequestHeader | None:
    """None when the register does not know the request (the page then says why on its own)."""
    found = await services.read(signed, "intake", f"/requests/{request_id}", intake.FacilitationRequest)
    if not found.ok:
        return None
    timeline = await services.read(signed, "archive", f"/requests/{request_id}/timeline", archive.Timeline)
    return header_of(found.body, timeline.body if timeline.ok else None)
