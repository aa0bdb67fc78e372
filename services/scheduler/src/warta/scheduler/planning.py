"""Who and what can cover an event: conflict detection and the team suggestion (step 3).

Pure: every function takes the roster, the inventory and the bookings it needs as arguments.
Two windows clash when the gap between them is shorter than the travel buffer: an officer who
ends one event at 11.00 cannot start another across town at 11.10.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import Conflict, CoverageRole, FieldProblem, InvalidInput, TeamMember, Text, label
from warta.runtime.indonesian import JAKARTA, format_period

from .roster import ID_PATTERN, KIND_NAMES, Condition, EquipmentKind, Item, Officer

LOAD_HORIZON = timedelta(days=30)
LONGEST_TRAVEL_BUFFER = timedelta(hours=4)  # the bound of the scheduler's setting

# The SOP's outputs of step 4: a press release, photos and (unless not needed) video.
REQUIRED_ROLES = (CoverageRole.WRITER, CoverageRole.PHOTOGRAPHER)
VIDEO_ROLE = CoverageRole.VIDEOGRAPHER
SUGGESTED_EXTRA_ROLES = (CoverageRole.SOCIAL_MEDIA,)
REQUIRED_KIT = (EquipmentKind.CAMERA,)
VIDEO_KIT = EquipmentKind.CAMCORDER
SUGGESTED_EXTRA_KIT = (EquipmentKind.VEHICLE,)


def officer_resource(officer_id: str) -> str:
    return f"officer:{officer_id}"


def item_resource(item_id: str) -> str:
    return f"item:{item_id}"


class Booking(BaseModel):
    """One officer or item held for one agenda entry's event window."""

    resource: str
    request_id: str
    agenda_number: str
    title: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    override_reason: str | None = None

    def clashes_with(self, starts_at: datetime, ends_at: datetime, buffer: timedelta) -> bool:
        return self.starts_at < ends_at + buffer and starts_at < self.ends_at + buffer

    def describe(self) -> str:
        return f"{self.agenda_number} “{self.title}” ({format_period(self.starts_at, self.ends_at)})"


class Override(BaseModel):
    """The team lead's written reason to book a resource despite a clash."""

    resource: str = Field(description="``officer:<id>`` or ``item:<id>``, as named in the refusal.")
    reason: Text = Field(min_length=5, max_length=1000)


class TeamChoice(BaseModel):
    """The team and kit the team lead puts on an event."""

    members: tuple[TeamMember, ...] = Field(min_length=1, max_length=30)
    equipment: tuple[Annotated[str, Field(pattern=ID_PATTERN)], ...] = Field(default=(), max_length=50)
    needs_video: bool = True
    overrides: tuple[Override, ...] = Field(default=(), max_length=80)


class RecordedOverride(Override):
    clashes_with: tuple[str, ...] = Field(description="Agenda numbers of the entries it clashes with.")


class Window(BaseModel):
    request_id: str
    agenda_number: str
    title: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    def booking(self, resource: str, override_reason: str | None = None) -> Booking:
        return Booking(resource=resource, override_reason=override_reason, **self.model_dump())

    def locks(self, resources: Iterable[str]) -> list[str]:
        """The lock documents an assignment to this window writes (ADR 0006): one for each
        resource and each Jakarta day from the event's start to its end plus the longest travel
        buffer the scheduler can be set to. Two windows that clash both hold the day the later one
        starts on, so their assignments meet at a lock, even from replicas set to different
        buffers; assignments of one officer on different days never wait for each other."""
        first = self.starts_at.astimezone(JAKARTA).date()
        last = (self.ends_at + LONGEST_TRAVEL_BUFFER).astimezone(JAKARTA).date()
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return sorted(f"{resource}@{day.isoformat()}" for resource in set(resources) for day in days)


class Plan(BaseModel):
    """An accepted team and kit: the bookings to hold and the overrides that allowed them."""

    bookings: tuple[Booking, ...]
    overrides: tuple[RecordedOverride, ...]


def check_assignment(
    window: Window,
    choice: TeamChoice,
    *,
    officers: Mapping[str, Officer],
    items: Mapping[str, Item],
    bookings: Iterable[Booking],
    buffer: timedelta,
) -> Plan:
    """Accept a team and kit for ``window`` or refuse it.

    422 (``InvalidInput``) when the request itself is wrong: unknown officers or items, a role the
    officer does not have, a missing writer, photographer, videographer, camera or camcorder.
    409 (``Conflict``) when the roster says no: someone booked for a clashing entry (unless
    overridden with a reason), on leave or inactive; an item booked or in repair. Each clash
    names the entry it clashes with.
    """
    members, equipment, overrides = choice.members, choice.equipment, choice.overrides
    invalid = _invalid(members, equipment, choice.needs_video, officers, items)
    clashing: dict[str, list[Booking]] = defaultdict(list)
    for booking in bookings:
        if booking.request_id != window.request_id and booking.clashes_with(window.starts_at, window.ends_at, buffer):
            clashing[booking.resource].append(booking)
    overriding = {o.resource: o for o in overrides}
    resources = {officer_resource(m.officer_id) for m in members} | {item_resource(i) for i in equipment}
    invalid += [
        FieldProblem(
            f"overrides.{i}.resource",
            "nothing to override: it is not booked elsewhere at this time",
            type="nothing_to_override",
            limits={"resource": o.resource},
        )
        for i, o in enumerate(overrides)
        if o.resource not in resources or o.resource not in clashing
    ]
    if invalid:
        raise InvalidInput("the assignment is not valid", fields=invalid)
    busy = _Busy(clashing, overriding, buffer)
    conflicts = _officer_conflicts(window, members, officers, busy) + _item_conflicts(equipment, items, busy)
    if conflicts:
        raise Conflict(
            "the team or kit is not free for "
            f"{window.agenda_number} ({format_period(window.starts_at, window.ends_at)}): "
            + "; ".join(problem.message for problem in conflicts),
            fields=conflicts,
        )
    held = [window.booking(r, overriding[r].reason if r in overriding else None) for r in sorted(resources)]
    recorded = tuple(
        RecordedOverride(
            resource=o.resource,
            reason=o.reason,
            clashes_with=tuple(b.agenda_number for b in clashing[o.resource]),
        )
        for o in overrides
    )
    return Plan(bookings=tuple(held), overrides=recorded)


@dataclass(frozen=True)
class _Busy:
    """The bookings that clash with the window, by resource, and the overrides chosen for them."""

    clashing: dict[str, list[Booking]]
    overriding: dict[str, Override]
    buffer: timedelta

    def booked(self, resource: str, who: str, shown: str, field: str) -> list[FieldProblem]:
        """The clashes of ``resource`` not overridden; ``who`` is its id, ``shown`` its name."""
        if resource in self.overriding:
            return []
        return [
            _booked(booking, resource, who, shown, field, self.buffer) for booking in self.clashing.get(resource, [])
        ]


def _officer_conflicts(
    window: Window, members: Iterable[TeamMember], officers: Mapping[str, Officer], busy: _Busy
) -> list[FieldProblem]:
    """Each member not free for the window: inactive, away, or booked elsewhere."""
    conflicts: list[FieldProblem] = []
    seen: set[str] = set()
    for i, member in enumerate(members):
        officer = officers[member.officer_id]
        field = f"members.{i}.officer_id"
        if member.officer_id in seen:
            continue
        seen.add(member.officer_id)
        if not officer.active:
            conflicts.append(
                FieldProblem(
                    field,
                    f"{officer.officer_id} is not active on the roster",
                    type="officer_inactive",
                    limits={"officer_id": officer.officer_id, "name": officer.name},
                )
            )
        away = officer.unavailable_during(window.starts_at, window.ends_at)
        if away is not None:
            when = format_period(away.starts_at, away.ends_at)
            conflicts.append(
                FieldProblem(
                    field,
                    f"{officer.officer_id} is unavailable ({away.reason}) {when}",
                    type="officer_unavailable",
                    limits={
                        "officer_id": officer.officer_id,
                        "name": officer.name,
                        "reason": away.reason,
                        "period": when,
                    },
                )
            )
        conflicts += busy.booked(officer_resource(member.officer_id), officer.officer_id, officer.name, field)
    return conflicts


def _item_conflicts(equipment: Iterable[str], items: Mapping[str, Item], busy: _Busy) -> list[FieldProblem]:
    conflicts: list[FieldProblem] = []
    for i, item_id in enumerate(equipment):
        field, item = f"equipment.{i}", items[item_id]
        if item.condition is Condition.IN_REPAIR:
            conflicts.append(
                FieldProblem(
                    field, f"{item_id} is in repair", type="in_repair", limits={"item_id": item_id, "name": item.shown}
                )
            )
        conflicts += busy.booked(item_resource(item_id), item_id, item.shown, field)
    return conflicts


def _booked(booking: Booking, resource: str, who: str, shown: str, field: str, buffer: timedelta) -> FieldProblem:
    """A clash with ``booking``; the console finds what to override in the English message, and
    says it in Indonesian from the limits: whom, which entry, when (WIB) and the buffer."""
    minutes = int(buffer.total_seconds() // 60)
    return FieldProblem(
        field,
        f"{who} is already booked for {booking.describe()}, within the {minutes}-minute travel buffer"
        f" (override with a reason for {resource})",
        type="booked_elsewhere",
        limits={
            "resource": resource,
            "name": shown,
            "agenda_number": booking.agenda_number,
            "title": booking.title,
            "period": format_period(booking.starts_at, booking.ends_at),
            "minutes": str(minutes),
        },
    )


def _invalid(
    members: tuple[TeamMember, ...],
    equipment: tuple[str, ...],
    needs_video: bool,
    officers: Mapping[str, Officer],
    items: Mapping[str, Item],
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if len(set(members)) != len(members):
        problems.append(FieldProblem("members", "an officer is listed twice in the same role", type="listed_twice"))
    if len(set(equipment)) != len(equipment):
        problems.append(FieldProblem("equipment", "an item is listed more than once", type="item_listed_twice"))
    problems += _unknown_or_unskilled(members, officers)
    problems += [
        FieldProblem(
            f"equipment.{i}", f"no item {v!r} in the inventory", type="not_in_inventory", limits={"item_id": v}
        )
        for i, v in enumerate(equipment)
        if v not in items
    ]
    if problems:
        return problems
    roles = {m.role for m in members}
    kinds = {items[i].kind for i in equipment}
    for role in (*REQUIRED_ROLES, *((VIDEO_ROLE,) if needs_video else ())):
        if role not in roles:
            problems.append(
                FieldProblem(
                    "members",
                    f"the team needs a {role.value}",
                    type="team_needs_role",
                    limits={"role": label(role).lower(), "role_code": role.value},
                )
            )
    for kind in (*REQUIRED_KIT, *((VIDEO_KIT,) if needs_video else ())):
        if kind not in kinds:
            problems.append(
                FieldProblem(
                    "equipment",
                    f"the kit needs a {kind.value}"
                    + ("" if kind in REQUIRED_KIT else " (or set needs_video to false)"),
                    type="kit_needs_item" if kind in REQUIRED_KIT else "video_needs_item",
                    limits={"kind": KIND_NAMES[kind], "kind_code": kind.value},
                )
            )
    return problems


def _unknown_or_unskilled(members: tuple[TeamMember, ...], officers: Mapping[str, Officer]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for i, member in enumerate(members):
        officer = officers.get(member.officer_id)
        if officer is None:
            problems.append(
                FieldProblem(
                    f"members.{i}.officer_id",
                    f"no officer {member.officer_id!r} on the roster",
                    type="not_on_roster",
                    limits={"officer_id": member.officer_id},
                )
            )
        elif member.role not in officer.skills:
            problems.append(
                FieldProblem(
                    f"members.{i}.role",
                    f"{member.officer_id} is not a {member.role.value}",
                    type="lacks_skill",
                    limits={
                        "officer_id": member.officer_id,
                        "name": officer.name,
                        "role": label(member.role).lower(),
                        "role_code": member.role.value,
                    },
                )
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Suggestion
# ---------------------------------------------------------------------------------------------


class Pick(BaseModel):
    role: CoverageRole | None = None
    kind: EquipmentKind | None = None
    id: str
    load_hours: float = Field(description="Hours booked in the 30 days before this event.")
    free: int = Field(default=1, description="How many were free for this role or kind; the least loaded was picked.")
    why: str


class PassOver(StrEnum):
    """Why an officer or item was not considered for a suggestion."""

    INACTIVE = "inactive"
    UNAVAILABLE = "unavailable"
    BOOKED = "booked"
    IN_REPAIR = "in_repair"


# Why one officer or item was passed over: the reason, its detail and the English for the log.
Passed = tuple[PassOver, str | None, str]


class PassedOver(BaseModel):
    id: str
    reason: PassOver
    detail: str | None = Field(
        default=None, description="The leave's reason as the roster gives it, or the entry it is booked for."
    )
    why: str


class Suggestion(BaseModel):
    members: tuple[TeamMember, ...]
    equipment: tuple[str, ...]
    picks: tuple[Pick, ...]
    passed_over: tuple[PassedOver, ...]
    missing: tuple[str, ...] = Field(description="Roles or kinds of kit nobody free can cover.")


def load_hours(bookings: Iterable[Booking], before: datetime) -> dict[str, float]:
    """Hours each resource was booked in the 30 days before ``before``."""
    load: dict[str, float] = defaultdict(float)
    since = before - LOAD_HORIZON
    for booking in bookings:
        start, end = max(booking.starts_at, since), min(booking.ends_at, before)
        if start < end:
            load[booking.resource] += (end - start).total_seconds() / 3600
    return load


def suggest_team(
    window: Window,
    *,
    needs_video: bool,
    officers: Iterable[Officer],
    items: Iterable[Item],
    bookings: Iterable[Booking],
    buffer: timedelta,
) -> Suggestion:
    """A complete team and kit that nobody has booked: the required roles and kit first, the
    scarcest role first; among those free, the least loaded in the last 30 days, then by id, so
    the same inputs always give the same suggestion."""
    bookings = [b for b in bookings if b.request_id != window.request_id]
    load = load_hours(bookings, window.starts_at)
    busy = {b.resource: b for b in bookings if b.clashes_with(window.starts_at, window.ends_at, buffer)}
    passed: dict[str, Passed] = {}
    free = _free_officers(window, officers, busy, passed)
    roles = [*REQUIRED_ROLES, *((VIDEO_ROLE,) if needs_video else ()), *SUGGESTED_EXTRA_ROLES]
    members, officer_picks, missing_roles = _pick_officers(roles, free, load)
    kinds = [*REQUIRED_KIT, *((VIDEO_KIT,) if needs_video else ()), *SUGGESTED_EXTRA_KIT]
    equipment, item_picks, missing_kit = _pick_items(kinds, items, busy, load, passed)
    return Suggestion(
        members=tuple(members),
        equipment=tuple(equipment),
        picks=(*officer_picks, *item_picks),
        passed_over=tuple(
            PassedOver(id=k, reason=reason, detail=detail, why=why)
            for k, (reason, detail, why) in sorted(passed.items())
        ),
        missing=(*missing_roles, *missing_kit),
    )


def _free_officers(
    window: Window, officers: Iterable[Officer], busy: Mapping[str, Booking], passed: dict[str, Passed]
) -> list[Officer]:
    """The officers free for the window, by id; each other one in ``passed`` with why."""
    free: list[Officer] = []
    for officer in sorted(officers, key=lambda o: o.officer_id):
        away = officer.unavailable_during(window.starts_at, window.ends_at)
        booking = busy.get(officer_resource(officer.officer_id))
        if not officer.active:
            passed[officer.officer_id] = (PassOver.INACTIVE, None, "not active")
        elif away is not None:
            passed[officer.officer_id] = (PassOver.UNAVAILABLE, away.reason, f"unavailable: {away.reason}")
        elif booking is not None:
            passed[officer.officer_id] = (PassOver.BOOKED, booking.describe(), f"booked for {booking.describe()}")
        else:
            free.append(officer)
    return free


def _pick_officers(
    roles: list[CoverageRole], free: list[Officer], load: Mapping[str, float]
) -> tuple[list[TeamMember], list[Pick], list[str]]:
    """One officer per role, the role with the fewest free candidates first (so a rare skill is
    not used up elsewhere), the least loaded of them; the required roles nobody can fill."""
    order = {role: i for i, role in enumerate(roles)}
    roles = sorted(roles, key=lambda r: (sum(r in o.skills for o in free), order[r]))
    members: list[TeamMember] = []
    picks: list[Pick] = []
    missing: list[str] = []
    taken: set[str] = set()
    for role in roles:
        candidates = [o for o in free if role in o.skills and o.officer_id not in taken]
        if not candidates:
            if role not in SUGGESTED_EXTRA_ROLES:
                missing.append(role.value)
            continue
        chosen = min(candidates, key=lambda o: (load[officer_resource(o.officer_id)], o.officer_id))
        hours = round(load[officer_resource(chosen.officer_id)], 1)
        taken.add(chosen.officer_id)
        members.append(TeamMember(officer_id=chosen.officer_id, role=role))
        why = f"free, {hours} h in the last 30 days, least of {len(candidates)} free"
        picks.append(Pick(role=role, id=chosen.officer_id, load_hours=hours, free=len(candidates), why=why))
    return members, picks, missing


def _pick_items(
    kinds: list[EquipmentKind],
    items: Iterable[Item],
    busy: Mapping[str, Booking],
    load: Mapping[str, float],
    passed: dict[str, Passed],
) -> tuple[list[str], list[Pick], list[str]]:
    """One ready, free item per kind, the least loaded; the required kinds nobody can fill."""
    chosen_items: list[str] = []
    picks: list[Pick] = []
    missing: list[str] = []
    for kind in kinds:
        candidates = []
        for item in sorted(items, key=lambda i: i.item_id):
            if item.kind is not kind:
                continue
            booking = busy.get(item_resource(item.item_id))
            if item.condition is Condition.IN_REPAIR:
                passed[item.item_id] = (PassOver.IN_REPAIR, None, "in repair")
            elif booking is not None:
                passed[item.item_id] = (PassOver.BOOKED, booking.describe(), f"booked for {booking.describe()}")
            else:
                candidates.append(item)
        if not candidates:
            if kind not in SUGGESTED_EXTRA_KIT:
                missing.append(kind.value)
            continue
        item = min(candidates, key=lambda i: (load[item_resource(i.item_id)], i.item_id))
        hours = round(load[item_resource(item.item_id)], 1)
        chosen_items.append(item.item_id)
        why = f"ready and free, {hours} h in the last 30 days"
        picks.append(Pick(kind=kind, id=item.item_id, load_hours=hours, free=len(candidates), why=why))
    return chosen_items, picks, missing
