from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warta.contracts import (
    Actor,
    Conflict,
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    IllegalTransition,
    InvalidInput,
    LeadershipEvent,
    Role,
    TeamAssigned,
    TeamMember,
)
from warta.runtime.indonesian import JAKARTA
from warta.scheduler.domain import AgendaEntry, AgendaState
from warta.scheduler.planning import (
    LONGEST_TRAVEL_BUFFER,
    Booking,
    Override,
    Plan,
    TeamChoice,
    Window,
    check_assignment,
    item_resource,
    officer_resource,
    suggest_team,
)
from warta.scheduler.roster import Condition, EquipmentKind, Item, Officer, Unavailability

TUESDAY = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
LEAD = Actor(officer_id="rina", role=Role.TEAM_LEAD)
TEAM = (TeamMember(officer_id="dewi", role="writer"), TeamMember(officer_id="agus", role="photographer"))
NO_PLAN = Plan(bookings=(), overrides=())
BUFFER = timedelta(minutes=30)

OFFICERS = {
    o.officer_id: o
    for o in [
        Officer(officer_id="dewi", name="Dewi", skills=("writer", "social_media")),
        Officer(officer_id="agus", name="Agus", skills=("photographer",)),
        Officer(officer_id="bayu", name="Bayu", skills=("videographer", "photographer")),
        Officer(officer_id="citra", name="Citra", skills=("writer",)),
    ]
}
ITEMS = {
    i.item_id: i
    for i in [
        Item(item_id="KAMERA-01", kind="camera"),
        Item(item_id="KAMERA-02", kind="camera"),
        Item(item_id="CAMCORDER-01", kind="camcorder"),
        Item(item_id="MOBIL-01", kind="vehicle"),
    ]
}
FULL_TEAM = (*TEAM, TeamMember(officer_id="bayu", role="videographer"))
FULL_KIT = ("KAMERA-01", "CAMCORDER-01")


def entry(starts_at: datetime, request_id: str = "r1", hours: float = 2) -> AgendaEntry:
    event = LeadershipEvent(
        title="t", starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), location="l", leader="sekda"
    )
    disposition = DispositionIssued.occurred(
        data=DispositionIssuedData(
            request_id=request_id,
            agenda_number=f"{request_id}/PROKOPIM/2026",
            event=event,
            instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
        ),
        request_id=request_id,
        time=TUESDAY - timedelta(minutes=10),
    )
    return AgendaEntry.from_disposition(disposition)


def choice(members=TEAM, equipment=(), needs_video=True, overrides=()) -> TeamChoice:
    return TeamChoice(members=members, equipment=equipment, needs_video=needs_video, overrides=overrides)


def check(window: Window, members=FULL_TEAM, equipment=FULL_KIT, bookings=(), overrides=(), needs_video=True, **kw):
    return check_assignment(
        window,
        choice(members, equipment, needs_video, overrides),
        officers=kw.get("officers", OFFICERS),
        items=kw.get("items", ITEMS),
        bookings=bookings,
        buffer=BUFFER,
    )


def test_step_four_starts_at_the_event_when_it_lies_ahead():
    e = entry(SATURDAY)
    e.assign(choice(TEAM, ("KAMERA-1",), True), plan=NO_PLAN, now=TUESDAY, actor=LEAD)
    [assigned] = e.events
    assert isinstance(assigned, TeamAssigned)
    assert assigned.data.coverage_starts_at == SATURDAY
    assert e.state is AgendaState.ASSIGNED


def test_step_four_starts_at_the_assignment_when_the_event_already_began():
    e = entry(TUESDAY - timedelta(hours=1))
    e.assign(choice(TEAM, (), False), plan=NO_PLAN, now=TUESDAY, actor=LEAD)
    assert e.events[0].data.coverage_starts_at == TUESDAY


def test_assigning_twice_is_illegal_and_a_reassignment_is_the_next_revision():
    e = entry(SATURDAY)
    with pytest.raises(IllegalTransition):
        e.reassign(choice(TEAM, (), True), plan=NO_PLAN, reason="x", now=TUESDAY, actor=LEAD)
    e.assign(choice(TEAM, (), True), plan=NO_PLAN, now=TUESDAY, actor=LEAD)
    with pytest.raises(IllegalTransition):
        e.assign(choice(TEAM, (), True), plan=NO_PLAN, now=TUESDAY, actor=LEAD)
    later = TUESDAY + timedelta(days=1)
    e.reassign(choice(TEAM[:1], (), True), plan=NO_PLAN, reason="Agus sakit", now=later, actor=LEAD)
    second = e.events[-1]
    assert (second.data.revision, second.data.reason) == (2, "Agus sakit")
    assert second.data.coverage_starts_at == SATURDAY  # step 4's clock does not restart
    assert [a.revision for a in e.earlier_assignments] == [1]


def test_the_team_needs_a_writer_photographer_videographer_camera_and_camcorder():
    window = entry(SATURDAY).window
    with pytest.raises(InvalidInput) as refused:
        check(window, members=TEAM[:1], equipment=("MOBIL-01",))
    assert sorted(f.message for f in refused.value.fields) == [
        "the kit needs a camcorder (or set needs_video to false)",
        "the kit needs a camera",
        "the team needs a photographer",
        "the team needs a videographer",
    ]
    plan = check(window, members=TEAM, equipment=("KAMERA-01",), needs_video=False)
    assert {b.resource for b in plan.bookings} == {"officer:dewi", "officer:agus", "item:KAMERA-01"}


def test_unknown_people_and_kit_and_skills_they_lack_are_named_by_field():
    window = entry(SATURDAY).window
    members = (*FULL_TEAM, TeamMember(officer_id="siapa", role="editor"), TeamMember(officer_id="agus", role="writer"))
    with pytest.raises(InvalidInput) as refused:
        check(window, members=members, equipment=(*FULL_KIT, "DRONE-9"))
    assert [(f.field, f.message) for f in refused.value.fields] == [
        ("members.3.officer_id", "no officer 'siapa' on the roster"),
        ("members.4.role", "agus is not a writer"),
        ("equipment.2", "no item 'DRONE-9' in the inventory"),
    ]


def test_a_clash_within_the_travel_buffer_names_the_entry_and_can_be_overridden_with_a_reason():
    other = entry(SATURDAY - timedelta(hours=2, minutes=20), "0009", hours=2).window  # ends 20 min before
    booked = [other.booking(officer_resource("agus")), other.booking(item_resource("CAMCORDER-01"))]
    window = entry(SATURDAY).window
    with pytest.raises(Conflict) as refused:
        check(window, bookings=booked)
    assert [f.field for f in refused.value.fields] == ["members.1.officer_id", "equipment.1"]
    assert all("0009/PROKOPIM/2026" in f.message for f in refused.value.fields)
    assert "30-minute travel buffer" in refused.value.fields[0].message

    overrides = (Override(resource="officer:agus", reason="Acara bersebelahan gedung"),)
    with pytest.raises(Conflict) as still:
        check(window, bookings=booked, overrides=overrides)
    assert [f.field for f in still.value.fields] == ["equipment.1"]
    plan = check(
        window, bookings=booked, overrides=(*overrides, Override(resource="item:CAMCORDER-01", reason="Pinjam"))
    )
    assert [(o.resource, o.clashes_with) for o in plan.overrides] == [
        ("officer:agus", ("0009/PROKOPIM/2026",)),
        ("item:CAMCORDER-01", ("0009/PROKOPIM/2026",)),
    ]
    assert {b.resource: b.override_reason for b in plan.bookings}["officer:agus"] == "Acara bersebelahan gedung"

    # 31 minutes apart is no clash; an override of nothing is refused.
    apart = entry(SATURDAY - timedelta(hours=2, minutes=31), "0010", hours=2).window
    check(window, bookings=[apart.booking(officer_resource("agus"))])
    with pytest.raises(InvalidInput) as pointless:
        check(window, bookings=[apart.booking(officer_resource("agus"))], overrides=overrides)
    assert pointless.value.fields[0].field == "overrides.0.resource"


def test_leave_inactivity_and_repairs_refuse_without_override():
    window = entry(SATURDAY).window
    officers = dict(OFFICERS)
    officers["agus"] = OFFICERS["agus"].model_copy(
        update={
            "unavailable": [Unavailability(starts_at=SATURDAY, ends_at=SATURDAY + timedelta(days=1), reason="cuti")]
        }
    )
    officers["bayu"] = OFFICERS["bayu"].model_copy(update={"active": False})
    items = dict(ITEMS)
    items["KAMERA-01"] = ITEMS["KAMERA-01"].model_copy(update={"condition": Condition.IN_REPAIR})
    with pytest.raises(Conflict) as refused:
        check(window, officers=officers, items=items)
    assert [(f.field, f.message.split(" (")[0]) for f in refused.value.fields] == [
        ("members.1.officer_id", "agus is unavailable"),
        ("members.2.officer_id", "bayu is not active on the roster"),
        ("equipment.0", "KAMERA-01 is in repair"),
    ]


def test_the_suggestion_is_complete_free_least_loaded_and_explained():
    window = entry(SATURDAY).window
    last_week = entry(SATURDAY - timedelta(days=7), "0001", hours=5).window
    busy = entry(SATURDAY + timedelta(hours=1), "0002").window
    bookings = [
        last_week.booking(officer_resource("dewi")),  # dewi has 5 h of load, citra none
        busy.booking(item_resource("KAMERA-01")),  # the first camera is out at the same time
    ]
    suggestion = suggest_team(
        window, needs_video=True, officers=OFFICERS.values(), items=ITEMS.values(), bookings=bookings, buffer=BUFFER
    )
    assert {(m.officer_id, m.role.value) for m in suggestion.members} == {
        ("citra", "writer"),
        ("agus", "photographer"),
        ("bayu", "videographer"),
        ("dewi", "social_media"),
    }
    assert suggestion.equipment == ("KAMERA-02", "CAMCORDER-01", "MOBIL-01")
    assert suggestion.missing == ()
    assert [(p.id, p.why) for p in suggestion.passed_over] == [
        ("KAMERA-01", f"booked for {busy.booking('x').describe()}")
    ]
    # The reason by its code, for a face to say in its own words, with the entry it is booked for.
    assert [(p.reason, p.detail) for p in suggestion.passed_over] == [("booked", busy.booking("x").describe())]
    writer = next(p for p in suggestion.picks if p.role is not None and p.role.value == "writer")
    # Dewi, the only social media officer, is taken for that first: Citra is the one writer left.
    assert (writer.id, writer.free, writer.load_hours) == ("citra", 1, 0.0)
    # The suggestion passes its own check.
    check(window, members=suggestion.members, equipment=suggestion.equipment, bookings=bookings)
    # Same inputs, same answer.
    again = suggest_team(
        window, needs_video=True, officers=OFFICERS.values(), items=ITEMS.values(), bookings=bookings, buffer=BUFFER
    )
    assert again == suggestion


def test_the_suggestion_says_what_nobody_free_can_cover():
    window = entry(SATURDAY).window
    suggestion = suggest_team(
        window,
        needs_video=True,
        officers=[OFFICERS["dewi"]],
        items=[ITEMS["KAMERA-01"]],
        bookings=[],
        buffer=BUFFER,
    )
    assert suggestion.missing == ("photographer", "videographer", "camcorder")


# -- property: no accepted assignment double-books anyone ------------------------------------

RESOURCE_POOL_OFFICERS = {
    f"o{i}": Officer(officer_id=f"o{i}", name=f"O{i}", skills=tuple(["writer", "photographer", "videographer"]))
    for i in range(4)
}
RESOURCE_POOL_ITEMS = {
    **{f"cam{i}": Item(item_id=f"cam{i}", kind=EquipmentKind.CAMERA) for i in range(3)},
    **{f"cc{i}": Item(item_id=f"cc{i}", kind=EquipmentKind.CAMCORDER) for i in range(2)},
}

attempts = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40),  # start, in 15-minute steps
        st.integers(min_value=1, max_value=12),  # length, in 15-minute steps
        st.lists(st.sampled_from(sorted(RESOURCE_POOL_OFFICERS)), min_size=1, max_size=3, unique=True),
        st.sampled_from(sorted(k for k in RESOURCE_POOL_ITEMS if k.startswith("cam"))),
        st.sampled_from(sorted(k for k in RESOURCE_POOL_ITEMS if k.startswith("cc"))),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(attempts)
def test_accepted_assignments_never_double_book_and_refusals_name_the_clash(plans):
    accepted: list[Booking] = []
    for n, (start, length, officer_ids, camera, camcorder) in enumerate(plans):
        starts_at = SATURDAY + timedelta(minutes=15 * start)
        window = Window(
            request_id=f"r{n}",
            agenda_number=f"{n:04d}/PROKOPIM/2026",
            title="t",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=15 * length),
        )
        roles = ["writer", "photographer", "videographer"]
        members = tuple(TeamMember(officer_id=o, role=roles[i % 3]) for i, o in enumerate(officer_ids))
        members += tuple(TeamMember(officer_id=officer_ids[0], role=r) for r in roles[len(officer_ids) :])
        try:
            plan = check(
                window,
                members=members,
                equipment=(camera, camcorder),
                bookings=list(accepted),
                officers=RESOURCE_POOL_OFFICERS,
                items=RESOURCE_POOL_ITEMS,
            )
        except Conflict as refused:
            clashing = [
                b
                for b in accepted
                if b.clashes_with(window.starts_at, window.ends_at, BUFFER)
                and b.resource
                in {officer_resource(o) for o in officer_ids} | {item_resource(camera), item_resource(camcorder)}
            ]
            assert clashing, "refused although nothing clashes"
            for problem in refused.fields:
                assert any(b.agenda_number in problem.message for b in clashing), problem
            continue
        accepted.extend(plan.bookings)
    by_resource: dict[str, list[Booking]] = {}
    for booking in accepted:
        by_resource.setdefault(booking.resource, []).append(booking)
    for resource, held in by_resource.items():
        for i, a in enumerate(held):
            for b in held[i + 1 :]:
                assert not a.clashes_with(b.starts_at, b.ends_at, BUFFER), f"{resource} double-booked: {a} / {b}"


def test_each_refusal_names_its_rule_with_names_entries_and_times_for_the_console_to_say():
    other = entry(SATURDAY - timedelta(hours=2, minutes=20), "0009", hours=2).window
    items = {**ITEMS, "CAMCORDER-01": ITEMS["CAMCORDER-01"].model_copy(update={"description": "Sony PXW-Z90"})}
    with pytest.raises(Conflict) as refused:
        check(entry(SATURDAY).window, bookings=[other.booking(officer_resource("agus"))], items=items)
    [clash] = refused.value.fields
    assert clash.message.endswith("(override with a reason for officer:agus)")
    assert (clash.type, clash.limits) == (
        "booked_elsewhere",
        {
            "resource": "officer:agus",
            "name": "Agus",
            "agenda_number": "0009/PROKOPIM/2026",
            "title": "t",
            "period": "Sabtu, 5 Desember 2026, 05.40 s.d. 07.40 WIB",
            "minutes": "30",
        },
    )

    items["CAMCORDER-01"] = items["CAMCORDER-01"].model_copy(update={"condition": Condition.IN_REPAIR})
    with pytest.raises(Conflict) as repair:
        check(entry(SATURDAY).window, items=items)
    assert [(f.type, f.limits) for f in repair.value.fields] == [
        ("in_repair", {"item_id": "CAMCORDER-01", "name": "Sony PXW-Z90 (CAMCORDER-01)"})
    ]

    with pytest.raises(InvalidInput) as invalid:
        check(entry(SATURDAY).window, members=(TeamMember(officer_id="agus", role="writer"),), equipment=())
    assert [(f.type, f.limits) for f in invalid.value.fields] == [
        ("lacks_skill", {"officer_id": "agus", "name": "Agus", "role": "penulis", "role_code": "writer"})
    ]
    with pytest.raises(InvalidInput) as incomplete:
        check(entry(SATURDAY).window, members=TEAM[:1], equipment=())
    assert [(f.type, f.limits) for f in incomplete.value.fields] == [
        ("team_needs_role", {"role": "fotografer", "role_code": "photographer"}),
        ("team_needs_role", {"role": "videografer", "role_code": "videographer"}),
        ("kit_needs_item", {"kind": "kamera", "kind_code": "camera"}),
        ("video_needs_item", {"kind": "kamera video", "kind_code": "camcorder"}),
    ]


# -- the locks an assignment writes (ADR 0006) ------------------------------------------------


def window_at(start: datetime, minutes: int, request_id: str = "r") -> Window:
    return Window(
        request_id=request_id,
        agenda_number="0001/PROKOPIM/2026",
        title="t",
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
    )


def test_an_assignment_locks_each_of_its_resources_for_each_jakarta_day_its_window_and_buffer_touch():
    # Ends 21.00: within the longest buffer the scheduler can be set to (four hours) of midnight.
    evening = window_at(datetime(2026, 12, 14, 19, 0, tzinfo=JAKARTA), 120)
    assert evening.locks(["officer:agus", "item:KAMERA-01"]) == [
        "item:KAMERA-01@2026-12-14",
        "item:KAMERA-01@2026-12-15",
        "officer:agus@2026-12-14",
        "officer:agus@2026-12-15",
    ]
    morning = window_at(datetime(2026, 12, 14, 8, 0, tzinfo=JAKARTA), 120)
    assert morning.locks(["officer:agus", "officer:agus"]) == ["officer:agus@2026-12-14"]


@settings(max_examples=500, deadline=None)
@given(
    st.integers(min_value=0, max_value=4 * 24 * 3),  # starts, in 15-minute steps over three days
    st.integers(min_value=1, max_value=4 * 30),  # lengths, up to 30 hours
    st.integers(min_value=0, max_value=4 * 24 * 3),
    st.integers(min_value=1, max_value=4 * 30),
    st.integers(min_value=0, max_value=16),  # the travel buffer, in 15-minute steps, up to its bound
)
def test_windows_that_clash_over_a_resource_always_share_one_of_its_locks(start_a, length_a, start_b, length_b, buffer):
    """What makes the locks safe: two assignments that could double-book an officer meet at a lock
    document, so the database lets only one of them decide at a time, whatever buffer each
    replica is set to."""
    monday = datetime(2026, 12, 14, tzinfo=JAKARTA)
    a = window_at(monday + timedelta(minutes=15 * start_a), 15 * length_a, "a")
    b = window_at(monday + timedelta(minutes=15 * start_b), 15 * length_b, "b")
    gap = timedelta(minutes=15 * buffer)
    assert gap <= LONGEST_TRAVEL_BUFFER
    clash = a.booking("officer:agus").clashes_with(b.starts_at, b.ends_at, gap)
    shared = set(a.locks(["officer:agus"])) & set(b.locks(["officer:agus"]))
    if clash:
        assert shared, (a, b, gap)
    # And what makes them worth it: an officer's assignments on days apart never wait for each other.
    if (
        b.starts_at.astimezone(JAKARTA).date() - (a.ends_at + LONGEST_TRAVEL_BUFFER).astimezone(JAKARTA).date()
    ).days >= 1:
        assert not shared, (a, b, gap)
