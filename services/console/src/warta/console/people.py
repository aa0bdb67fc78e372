"""Officers' names for the ids the services' records keep: the notifier's directory (every
officer the office reaches, for a supervisor) and the scheduler's roster (the coverage team, for
everyone). A page names people, never shows their sign-in ids."""

from .clients import notifier, scheduler
from .services import Services


async def officer_names(services: Services, signed: str) -> dict[str, str]:
    names: dict[str, str] = {}
    roster = await services.read(signed, "scheduler", "/officers", list[scheduler.Officer])
    if roster.ok:
        names |= {o.officer_id: o.name for o in roster.body}
    directory = await services.read(signed, "notifier", "/officers", list[notifier.Officer])
    if directory.ok:  # supervisors only
        names |= {o.officer_id: o.name for o in directory.body}
    return names


def named(names: dict[str, str], officer_id: str | None, name: str | None = None) -> str:
    """An officer as a page shows them: the name the record carries, the directory's, or, for an
    id nobody has named, a plain word rather than the id."""
    if name:
        return name
    if officer_id is None:
        return ""
    return names.get(officer_id) or "petugas"
