"""Quiet hours on real NATS, SecantusDB and a stand-in WhatsApp gateway, with the notifier's clock
set to 22:00 WIB: a disposition waits for the morning, an assignment to an event starting within
the hour goes out at once."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from warta.contracts import (
    CoverageRole,
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    Leader,
    LeadershipEvent,
    Role,
    TeamAssigned,
    TeamAssignedData,
    TeamMember,
    subject_for,
)
from warta.devstack.pytest_plugin import eventually, running_app
from warta.devstack.whatsapp import whatsapp_gateway
from warta.notifier.app import NotifierSettings, create_app
from warta.runtime import ServiceRuntime
from warta.runtime.clock import OffsetClock

WIB = ZoneInfo("Asia/Jakarta")


async def test_a_message_waits_out_quiet_hours_unless_its_event_is_about_to_start(namespace, tmp_path):
    night = datetime.now(WIB).replace(hour=22, minute=0, second=0, microsecond=0) + timedelta(days=1)
    offset = tmp_path / "clock"

    def set_clock(at: datetime) -> None:
        offset.write_text(str((at - datetime.now(UTC)).total_seconds()))

    set_clock(night)
    with whatsapp_gateway() as gateway:
        settings = namespace.settings(
            NotifierSettings,
            whatsapp_url=gateway.url,
            whatsapp_token=gateway.token,
            notify_every_seconds=0.2,
        )
        app = create_app(settings, ServiceRuntime(settings, clock=OffsetClock(offset)))
        async with running_app(app) as client:
            admin = namespace.token(Role.ADMIN, "siti")
            for officer_id, role, number in [
                ("rina", "team_lead", "6281100000002"),
                ("dewi", "coverage_team", "6281100000003"),
            ]:
                entry = {
                    "officer_id": officer_id,
                    "name": officer_id,
                    "role": role,
                    "whatsapp": number,
                    "channels": ["whatsapp"],
                }
                r = await client.put(f"/officers/{officer_id}", json=entry, headers=admin)
                assert r.status_code == 200, r.text
                assert (r.json()["quiet_from"], r.json()["quiet_until"]) == ("21:00", "06:00")  # the default

            later = LeadershipEvent(
                starts_at=night + timedelta(days=5),
                ends_at=night + timedelta(days=5, hours=2),
                title="Rapat Paripurna",
                location="Gedung DPRD",
                leader=Leader.MAYOR,
            )
            disposed = DispositionIssued.occurred(
                data=DispositionIssuedData(
                    request_id="req-later",
                    agenda_number="0050/PROKOPIM/2026",
                    event=later,
                    instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
                ),
                request_id="req-later",
                time=night,
            )
            tonight = LeadershipEvent(
                starts_at=night + timedelta(minutes=45),
                ends_at=night + timedelta(hours=2),
                title="Tinjauan Banjir",
                location="Kelurahan Periuk",
                leader=Leader.MAYOR,
            )
            assigned = TeamAssigned.occurred(
                data=TeamAssignedData(
                    request_id="req-now",
                    revision=1,
                    members=(TeamMember(officer_id="dewi", role=CoverageRole.WRITER),),
                    event=tonight,
                    coverage_starts_at=tonight.starts_at,
                ),
                request_id="req-now",
                time=night,
            )
            for event in (disposed, assigned):
                suffix = subject_for(type(event)).removeprefix("warta.")
                await namespace.publish_raw(suffix, event.model_dump_json().encode(), str(event.id))

            urgent = await eventually(lambda: gateway.to("+6281100000003"))
            assert "Tinjauan Banjir" in urgent[0]
            await asyncio.sleep(1)  # several rounds of the notifier's loop
            assert gateway.to("+6281100000002") == []  # the team lead sleeps
            waiting = (await client.get("/messages", params={"officer_id": "rina"}, headers=admin)).json()
            assert [(m["state"], m["not_before"]) for m in waiting] == [
                ("pending", (night + timedelta(hours=8)).astimezone(UTC).isoformat().replace("+00:00", "Z"))
            ]
            print("injected: a disposition and an assignment at 22:00 WIB; checked: only the urgent one went out")

            set_clock(night + timedelta(hours=8, seconds=5))  # 06:00:05
            morning = await eventually(lambda: gateway.to("+6281100000002"))
            assert "Disposisi 0050/PROKOPIM/2026" in morning[0]
            print("checked: the disposition reached the team lead at 06:00 WIB")
