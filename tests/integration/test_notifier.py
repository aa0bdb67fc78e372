"""The notifier beside the five services, on real NATS, SecantusDB, an SMTP server and a stand-in
WhatsApp gateway: a whole request tells exactly the expected officers, once each per channel, also
when every event comes twice and the notifier is killed in the middle of sending; the 80 % warning
and the overrun fire once at their time, across restarts."""

import asyncio
import signal
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime

import httpx
import pytest

from warta.contracts import (
    DispositionInstruction,
    DispositionIssued,
    DispositionIssuedData,
    Leader,
    LeadershipEvent,
    Role,
    subject_for,
)
from warta.devstack.demo import PHOTOGRAPHER, SECTION_HEAD, SOCIAL_MEDIA, TEAM_LEAD, VIDEOGRAPHER, WRITER, walk
from warta.devstack.pytest_plugin import SERVICES, eventually
from warta.devstack.smtp import smtp_server
from warta.devstack.whatsapp import whatsapp_gateway
from warta.runtime import ServiceSettings, issue_dev_token

ADMIN_TOKEN = issue_dev_token(ServiceSettings(service_name="test"), officer_id="siti.admin", role=Role.ADMIN)
# As the office types them into the directory; the gateway gets them in E.164.
TYPED = {SECTION_HEAD[0]: "0811-0000-0001", TEAM_LEAD[0]: "0811 0000 0002", WRITER[0]: "+62 811-0000-0003"}
NUMBERS = {SECTION_HEAD[0]: "+6281100000001", TEAM_LEAD[0]: "+6281100000002", WRITER[0]: "+6281100000003"}


def directory() -> list[dict]:
    """Who the notifier can reach: the section head and team lead on both channels, the writer on
    WhatsApp only, the photographer and social-media officer by email, the videographer not at all.
    No quiet hours and no digests, so the test means the same at any hour."""
    entries = []
    for (officer_id, role), channels in [
        (SECTION_HEAD, ["whatsapp", "email"]),
        (TEAM_LEAD, ["whatsapp", "email"]),
        (WRITER, ["whatsapp"]),
        (PHOTOGRAPHER, ["email"]),
        (SOCIAL_MEDIA, ["email"]),
    ]:
        entries.append(
            {
                "officer_id": officer_id,
                "name": officer_id,
                "role": role.value,
                "email": f"{officer_id}@tangerangkota.go.id",
                "whatsapp": TYPED.get(officer_id),
                "channels": channels,
                "quiet_from": None,
                "quiet_until": None,
                "digests": {},  # every kind at once: this test counts each notice's messages
            }
        )
    return entries


async def register(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        for entry in directory():
            r = await client.put(f"/officers/{entry['officer_id']}", json=entry)
            assert r.status_code == 200, r.text


async def messages(url: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        r = await client.get("/messages", params={"limit": 1000})
        assert r.status_code == 200, r.text
        return list(r.json())


async def the_unlisted_officer_is_reached_once_listed(url: str, relay) -> None:
    """Sent again while still not in the directory, his messages fail again, saying why (and
    nothing else stops); once the administrator lists him, sent again, they reach him."""
    videographer = VIDEOGRAPHER[0]
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    async def his(state: str) -> list[dict]:
        mine = [m for m in await messages(url) if m["officer_id"] == videographer]
        return mine if mine and all(m["state"] == state for m in mine) else []

    async with httpx.AsyncClient(base_url=url, headers=admin) as client:
        again = await client.post("/messages/retry", params={"officer_id": videographer})
        assert again.json() == {"reopened": 2}
        failed = await eventually(lambda: his("failed"), timeout=30)
        assert {m["last_error"] for m in failed} == {"no address for this channel in the directory"}
        entry = {
            "officer_id": videographer,
            "name": "Yoga Pratama",
            "role": "coverage_team",
            "email": f"{videographer}@tangerangkota.go.id",
            "channels": ["email"],
            "quiet_from": None,
            "quiet_until": None,
            "digests": {},
        }
        assert (await client.put(f"/officers/{videographer}", json=entry)).status_code == 200
        assert (await client.post("/messages/retry", params={"officer_id": videographer})).json() == {"reopened": 2}
        await eventually(lambda: his("sent"), timeout=30)
    assert [m["To"] for m in relay.mailbox.received].count(f"{videographer}@tangerangkota.go.id") == 2


@pytest.mark.slow
async def test_a_whole_request_tells_the_expected_officers_once_each(namespace, service_processes, tmp_path):
    with ExitStack() as stack:
        relay = stack.enter_context(smtp_server(tmp_path))
        gateway = stack.enter_context(whatsapp_gateway())
        mail = {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port), "WARTA_SMTP_CA_FILE": relay.ca_file}
        processes = {name: service_processes(name) for name in SERVICES}
        for process in processes.values():
            process.start(**mail)
        notifier = service_processes("notifier")
        wa = {
            "WARTA_WHATSAPP_URL": gateway.url,
            "WARTA_WHATSAPP_TOKEN": gateway.token,
            "WARTA_NOTIFY_EVERY_SECONDS": "0.2",
            # A send takes at most three of these, so a dead sender's claim lapses after 30 s; short
            # enough for the test, long enough for STARTTLS on a busy machine.
            "WARTA_SMTP_TIMEOUT": "5",
            # The production retry budget, not the other tests' quick one: an event whose
            # transaction meets the one the killed process left open waits out its abort (ADR 0004).
            "WARTA_MAX_DELIVER": "6",
            "WARTA_REDELIVERY_BACKOFF_SECONDS": "[1, 2, 5, 10, 30]",
        }
        # Killed with its second message claimed and not yet handed to the gateway or the relay: it
        # goes once its claim lapses. (Killed between a channel's acceptance and the ledger's mark,
        # a message would go twice: a window no sender to a plain gateway can close.)
        notifier.start(**mail, **wa, WARTA_FAULT_POINTS="notify.after_claim@2")
        await register(notifier.url)
        gateway.refuse_next = 1  # the gateway is busy at first: that message is retried 10 s later

        def token_for(officer_id: str, role: Role) -> str:
            return issue_dev_token(ServiceSettings(service_name="test"), officer_id=officer_id, role=role)

        urls = {name: p.url for name, p in processes.items()}
        walking = asyncio.create_task(walk(urls, token_for, straight=True, patience=60))
        assert notifier.process is not None
        await asyncio.to_thread(notifier.process.wait, 60)
        assert notifier.exit_code() == -signal.SIGKILL
        await asyncio.to_thread(notifier.start, **mail, **wa)
        timeline = await walking
        print("injected: SIGKILL of the notifier with a message claimed and unsent; gateway busy once")

        # Every event once more, under new message ids (past JetStream's dedupe): nothing new.
        for subject, data, _ in await namespace.stored():
            suffix = subject.removeprefix(f"{namespace.subject_prefix}.")
            await namespace.publish_raw(suffix, data, f"again-{len(data)}-{hash(data)}")

        expected = Counter(
            {
                ("waiting.disposition", SECTION_HEAD[0], "whatsapp"): 1,
                ("waiting.disposition", SECTION_HEAD[0], "email"): 1,
                ("waiting.assignment", TEAM_LEAD[0], "whatsapp"): 1,
                ("waiting.assignment", TEAM_LEAD[0], "email"): 1,
                ("assigned", WRITER[0], "whatsapp"): 1,
                ("assigned", PHOTOGRAPHER[0], "email"): 1,
                ("assigned", SOCIAL_MEDIA[0], "email"): 1,
                ("waiting.review.team_lead", TEAM_LEAD[0], "whatsapp"): 1,
                ("waiting.review.team_lead", TEAM_LEAD[0], "email"): 1,
                ("waiting.review.section_head", SECTION_HEAD[0], "whatsapp"): 1,
                ("waiting.review.section_head", SECTION_HEAD[0], "email"): 1,
                ("published", WRITER[0], "whatsapp"): 1,
                ("published", PHOTOGRAPHER[0], "email"): 1,
                # The social media officer published it: she is not told it is out.
            }
        )

        async def all_sent() -> list[dict]:
            found = await messages(notifier.url)
            return found if sum(m["state"] == "sent" for m in found) >= sum(expected.values()) else []

        try:
            found = await eventually(all_sent, timeout=240)
        except AssertionError:
            found = await messages(notifier.url)
            states = Counter((m["kind"], m["officer_id"], m["channel"], m["state"]) for m in found)
            print(f"messages when the wait ran out: {dict(states)}; dead letters: {await namespace.dead_letters()}")
            raise
        await asyncio.sleep(1)  # room for a second copy, were one to come
        found = await messages(notifier.url)
        sent = Counter((m["kind"], m["officer_id"], m["channel"]) for m in found if m["state"] == "sent")
        assert sent == expected
        # The videographer is not in the directory: the assignment shows as failed, for a supervisor.
        failed = [(m["kind"], m["officer_id"]) for m in found if m["state"] == "failed"]
        assert sorted(failed) == [("assigned", VIDEOGRAPHER[0]), ("published", VIDEOGRAPHER[0])]

        # What arrived, where: each WhatsApp number and mailbox has its messages once.
        whatsapp = Counter(m["to"] for m in gateway.received)
        assert whatsapp == {NUMBERS[SECTION_HEAD[0]]: 2, NUMBERS[TEAM_LEAD[0]]: 2, NUMBERS[WRITER[0]]: 2}
        assert len({m["ref"] for m in gateway.received}) == len(gateway.received)
        mailboxes = Counter(m["To"] for m in relay.mailbox.received if m["To"].endswith("@tangerangkota.go.id"))
        assert mailboxes == {
            f"{SECTION_HEAD[0]}@tangerangkota.go.id": 2,
            f"{TEAM_LEAD[0]}@tangerangkota.go.id": 2,
            f"{PHOTOGRAPHER[0]}@tangerangkota.go.id": 2,
            f"{SOCIAL_MEDIA[0]}@tangerangkota.go.id": 1,
        }
        assigned = next(m["message"] for m in gateway.received if "ditugaskan" in m["message"])
        assert assigned.startswith("*Warta Prokopim*\nAnda ditugaskan meliput")
        assert f"/permohonan/{timeline.request_id}" in assigned
        # The message leads to the officer's calendar page on the console, which shows the feeds
        # the scheduler signs for her: her own feed opens on the real scheduler.
        assert assigned.rstrip().endswith("Kalender tugas Anda: http://127.0.0.1:8108/kalender")
        writer = namespace.token(WRITER[1], WRITER[0])
        async with httpx.AsyncClient(base_url=processes["scheduler"].url) as client:
            feeds = (await client.get("/feeds", headers=writer)).json()
            ics = await client.get(feeds["mine"])
        assert ics.status_code == 200, ics.text
        assert "BEGIN:VCALENDAR" in ics.text
        await the_unlisted_officer_is_reached_once_listed(notifier.url, relay)
        print(f"checked: {sum(sent.values())} messages to the expected officers once each; the feed link opens")


@pytest.mark.slow
async def test_the_warning_and_the_overrun_fire_once_at_their_time_across_restarts(
    namespace, service_processes, tmp_path
):
    clock = tmp_path / "clock"
    clock.write_text("0")
    with ExitStack() as stack:
        relay = stack.enter_context(smtp_server(tmp_path))
        gateway = stack.enter_context(whatsapp_gateway())
        env = {
            "WARTA_SMTP_HOST": relay.host,
            "WARTA_SMTP_PORT": str(relay.port),
            "WARTA_SMTP_CA_FILE": relay.ca_file,
            "WARTA_WHATSAPP_URL": gateway.url,
            "WARTA_WHATSAPP_TOKEN": gateway.token,
            "WARTA_NOTIFY_EVERY_SECONDS": "0.2",
            "WARTA_DEV_CLOCK_FILE": str(clock),
        }
        notifier = service_processes("notifier")
        notifier.start(**env)
        await register(notifier.url)

        # The section head disposes now: step 3 (30 minutes) starts for the team lead.
        now = datetime.now(UTC)
        held = LeadershipEvent(
            starts_at=datetime(2026, 12, 20, 1, 0, tzinfo=UTC),
            ends_at=datetime(2026, 12, 20, 3, 0, tzinfo=UTC),
            title="Rapat Paripurna",
            location="Gedung DPRD",
            leader=Leader.MAYOR,
        )
        disposed = DispositionIssued.occurred(
            data=DispositionIssuedData(
                request_id="req-timer",
                agenda_number="0042/PROKOPIM/2026",
                event=held,
                instructions=(DispositionInstruction.COVER_AND_PUBLISH,),
            ),
            request_id="req-timer",
            time=now,
        )
        suffix = subject_for(DispositionIssued).removeprefix("warta.")
        await namespace.publish_raw(suffix, disposed.model_dump_json().encode(), str(disposed.id))
        lead = NUMBERS[TEAM_LEAD[0]]
        await eventually(lambda: gateway.to(lead), timeout=60)  # told of the disposition

        async def pause() -> None:
            await asyncio.sleep(1.5)  # several rounds of the notifier's loop

        def restart() -> None:
            notifier.kill()
            notifier.start(**env)

        async def recorded_sent(kind: str, officer_id: str, channels: int) -> None:
            """Waits until the notifier has written down what the gateway already saw: a kill
            between the send and its record would resend once the claim lapses, which tests the
            lapse (the whole-request test's subject), not that an alarm fires once."""

            async def sent() -> list[dict]:
                mine = [m for m in await messages(notifier.url) if m["kind"] == kind and m["officer_id"] == officer_id]
                return mine if len(mine) == channels and all(m["state"] == "sent" for m in mine) else []

            await eventually(sent, timeout=60)

        clock.write_text(str(23.5 * 60))
        await pause()
        assert [m for m in gateway.to(lead) if "Pengingat" in m] == []  # not yet at 80 %
        await asyncio.to_thread(restart)
        clock.write_text(str(24.5 * 60))
        warnings = await eventually(lambda: [m for m in gateway.to(lead) if "Pengingat" in m], timeout=60)
        assert "langkah 3 (pembagian tim)" in warnings[0]
        assert "dalam 6 menit lagi" in warnings[0]
        await recorded_sent("warning.step3", TEAM_LEAD[0], channels=2)
        await asyncio.to_thread(restart)
        await pause()
        assert len([m for m in gateway.to(lead) if "Pengingat" in m]) == 1
        print("injected: the clock at 23.5 and 24.5 minutes of 30, with restarts; checked: one warning, at 24")

        head = NUMBERS[SECTION_HEAD[0]]
        clock.write_text(str(31 * 60))
        to_head = f"{SECTION_HEAD[0]}@tangerangkota.go.id"

        def mailed_overruns() -> list[str]:
            mailed = [m.get_content() for m in relay.mailbox.received if m["To"] == to_head]
            return [text for text in mailed if "melewati mutu baku" in text]

        # Restarted once both channels have it and it is written down as sent: a restart before
        # then would only test the claim's lapse, which the whole-request test does.
        overrun = await eventually(lambda: [m for m in gateway.to(head) if "melewati mutu baku" in m], timeout=60)
        await eventually(mailed_overruns, timeout=60)
        await recorded_sent("overdue.step3", SECTION_HEAD[0], channels=2)
        await asyncio.to_thread(restart)
        await pause()
        assert len([m for m in gateway.to(head) if "melewati mutu baku" in m]) == len(overrun) == 1
        assert len([m for m in gateway.to(lead) if "Pengingat" in m]) == 1
        assert len(mailed_overruns()) == 1
        print("checked: the overrun told the section head once, on each of their channels, across a restart")
