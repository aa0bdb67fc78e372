"""Officers' names for the ids the services' records keep: the notifier's directory (every
officer the office reaches, for a supervisor) and the scheduler's roster (the coverage team, for
everyone). A page names people, never shows their sign-in ids."""

from dataclasses import dataclass

from .clients import notifier, scheduler
from .i18n import translate
from .services import Services


@dataclass(frozen=True)
class People:
    names: dict[str, str]  # officer id → name
    listed: frozenset[str]  # the officers in the notifier's directory (empty unless a supervisor reads it)


async def people(services: Services, signed: str) -> People:
    names: dict[str, str] = {}
    roster = await services.read(signed, "scheduler", "/officers", list[scheduler.Officer])
    if roster.ok:
        names |= {o.officer_id: o.name for o in roster.body}
    directory = await services.read(signed, "notifier", "/officers", list[notifier.Officer])
    listed: frozenset[str] = frozenset()
    if directory.ok:  # supervisors only
        names |= {o.officer_id: o.name for o in directory.body}
        listed = frozenset(o.officer_id for o in directory.body)
    return People(names, listed)


async def officer_names(services: Services, signed: str) -> dict[str, str]:
    return (await people(services, signed)).names


def named(names: dict[str, str], officer_id: str | None, name: str | None = None, lang: str = "id") -> str:
    """An officer as a page shows them: the name the record carries, the directory's, or, for an
    id nobody has named, a plain word in the page's language rather than the id."""
    if name:
        return name
    if officer_id is None:
        return ""
    return names.get(officer_id) or translate("unnamed_officer", lang)
