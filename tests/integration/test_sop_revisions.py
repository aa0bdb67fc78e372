"""A revised SOP changes the standards of the requests received under it, and only theirs.

A test-only revision, "UJI/2026", takes effect two days from now (in Asia/Jakarta) and gives step 3
(splitting the coverage teams) 60 minutes instead of SOP 58/2025's 30. One request is walked
through the whole flow today and one on the day the revision takes effect, on every service, the
archive, the notifier and the console running in this process (which knows the test revision),
and each takes 40 minutes over step 3. The first request overran its 30 minutes: its team lead was
warned and the section head told, the scheduler recorded a deviation, and every place shows 30;
the second kept its 60 minutes: no warning, no deviation, and every place shows 60."""

import asyncio
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from warta.contracts import SOP, Role, parse_revision
from warta.devstack.demo import walk
from warta.devstack.pytest_plugin import SERVICES, SUBSCRIBERS, eventually, routed_apps
from warta.devstack.smtp import smtp_server

JAKARTA = ZoneInfo("Asia/Jakarta")
DEFINITION = Path(__file__).parents[2] / "contracts" / "src" / "warta" / "contracts" / "sop" / "58-2025.toml"
STEP_3_OF_58 = 'standard_minutes = 30\ncalendar = "wall"\nstarts_on = [{ event = "DispositionIssued" }]'
LATE = timedelta(minutes=40)  # over step 3's 30 minutes in SOP 58/2025, within its 60 in UJI/2026
OFFICERS = {
    "hendra.kabag": "section_head",
    "rina.katim": "team_lead",
    "dewi.penulis": "coverage_team",
    "agus.fotografer": "coverage_team",
    "maya.medsos": "coverage_team",
}


def uji_2026(effective: datetime) -> str:
    text = DEFINITION.read_text(encoding="utf-8")
    assert STEP_3_OF_58 in text
    return (
        text.replace('number = "58/2025"', 'number = "UJI/2026"')
        .replace("effective_from = 2025-01-01", f"effective_from = {effective:%Y-%m-%d}")
        .replace(STEP_3_OF_58, STEP_3_OF_58.replace("= 30", "= 60"))
    )


@pytest.mark.slow
async def test_each_request_keeps_the_standards_of_the_revision_in_force_when_its_letter_arrived(
    namespace, mongo, tmp_path, capsys
):
    today = datetime.now(JAKARTA)
    effective = (today + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    revision = parse_revision(uji_2026(effective))
    clock = tmp_path / "clock"
    clock.write_text("0")

    def services_now() -> datetime:
        return datetime.now(UTC) + timedelta(seconds=float(clock.read_text()))

    def move_clock(by: timedelta) -> None:
        clock.write_text(str(float(clock.read_text()) + by.total_seconds()))

    names = SERVICES + SUBSCRIBERS + ("console",)
    with SOP.added(revision), smtp_server(tmp_path) as relay:
        mail = {"smtp_host": relay.host, "smtp_port": relay.port, "smtp_ca_file": relay.ca_file}
        own = {name: {"dev_clock_file": str(clock)} for name in names}
        own["publisher"] |= mail
        own["notifier"] |= mail | {"notify_every_seconds": 0.2}
        async with routed_apps(namespace, names, own) as client:

            def headers(officer_id: str, role: Role) -> dict[str, str]:
                return namespace.token(role, officer_id)

            def token_for(officer_id: str, role: Role) -> str:
                return headers(officer_id, role)["Authorization"].removeprefix("Bearer ")

            admin = headers("siti.admin", Role.ADMIN)
            head = headers("hendra.kabag", Role.SECTION_HEAD)
            for officer_id, role in OFFICERS.items():
                entry = {"officer_id": officer_id, "name": officer_id, "role": role, "channels": ["email"]}
                entry |= {"email": f"{officer_id}@tangerangkota.go.id", "quiet_from": None, "quiet_until": None}
                r = await client.put(f"http://notifier/officers/{officer_id}", json=entry, headers=admin)
                assert r.status_code == 200, r.text

            async def walked(expect_warning: bool) -> str:
                """One request, with step 3 taking 40 minutes; returns its id."""

                async def before(step: int) -> None:
                    if step != 3:
                        return
                    move_clock(LATE)
                    if expect_warning:  # the notifier rings the timers while step 3 is still open
                        await eventually(lambda: _overdue_told(client, admin), timeout=20)

                walking = walk(
                    {n: f"http://{n}" for n in SERVICES},
                    token_for,
                    now=services_now(),
                    before=before,
                    straight=True,
                    client=client,
                    patience=30,
                )
                try:
                    timeline = await asyncio.wait_for(walking, 150)
                except TimeoutError:
                    pytest.fail(f"the walk {'before' if expect_warning else 'after'} the revision took over 150 s")
                return timeline.request_id

            old = await walked(expect_warning=True)
            move_clock(effective + timedelta(minutes=30) - services_now())
            new = await walked(expect_warning=False)

            # Every event of each request names its revision, as the archive kept them.
            for rid, sop in ((old, "58/2025"), (new, "UJI/2026")):
                r = await client.get(f"http://archive/requests/{rid}", headers=head)
                assert r.status_code == 200, r.text
                assert r.json()["sop"] == sop

            # Clocked against its own standard: the scheduler's run of step 3.
            runs = mongo[namespace.database("scheduler")].step_clocks
            for rid, standard in ((old, 30), (new, 60)):
                run = await runs.find_one({"request_id": rid, "step": 3})
                assert run is not None
                assert run["standard_seconds"] == standard * 60, run
                assert run["seconds"] >= LATE.total_seconds()

            # Deviated: only the request under 58/2025 overran step 3.
            r = await client.get("http://scheduler/deviations", headers=head)
            assert r.status_code == 200, r.text
            late = {(d["request_id"], d["sop"], d["step"]) for d in r.json()}
            assert (old, "58/2025", 3) in late
            assert not any(rid == new for rid, _, _ in late), late

            # Warned: the team lead at 80 % and the section head once over, for the first only.
            told = {m["kind"] for m in await _messages(client, admin, old)}
            assert {"warning.step3", "overdue.step3"} <= told, told
            told_new = {m["kind"] for m in await _messages(client, admin, new)}
            assert not {k for k in told_new if k.endswith("step3")}, told_new

            # Exported: the archive's monthly report names each request's revision and standards.
            export = await client.get("http://archive/export.csv", headers=head)
            assert export.status_code == 200, export.text
            table = csv.DictReader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";")
            rows = {row["permohonan"]: row for row in table}
            assert (rows[old]["sop"], rows[old]["langkah_3_standar_menit"]) == ("58/2025", "30")
            assert (rows[new]["sop"], rows[new]["langkah_3_standar_menit"]) == ("UJI/2026", "60")
            assert float(rows[new]["langkah_3_menit"]) >= 40

            # On the console: the request page's step table, by the revision of each.
            cookie = {"Cookie": f"warta_token={token_for('hendra.kabag', Role.SECTION_HEAD)}"}
            for rid, sop, standard in ((old, "58/2025", "30"), (new, "UJI/2026", "60")):
                page = await client.get(f"http://console/permohonan/{rid}", headers=cookie)
                assert page.status_code == 200, page.text
                caption = re.search(r"<caption>([^<]*)</caption>", page.text)
                assert caption is not None, page.text
                assert caption.group(1).strip().endswith(sop), page.text
                step_3 = re.search(r"<td>3</td>\s*<td>[^<]*</td>\s*<td>(\d+)</td>", page.text)
                assert step_3 is not None, page.text
                assert step_3.group(1) == standard

            # On /metrics: both revisions' standards, and each finished step 3 counted against its own.
            metrics = (await client.get("http://scheduler/metrics")).text
            assert 'warta_sop_step_standard_seconds{sop="58/2025",step="3"} 1800.0' in metrics
            assert 'warta_sop_step_standard_seconds{sop="UJI/2026",step="3"} 3600.0' in metrics
            assert 'warta_sop_steps_completed_total{outcome="over",sop="58/2025",step="3"} 1.0' in metrics
            assert 'warta_sop_steps_completed_total{outcome="within",sop="UJI/2026",step="3"} 1.0' in metrics
    with capsys.disabled():
        print(f"\nSOP revisions: {old[:8]} under 58/2025 (step 3: 30 min, over), {new[:8]} under UJI/2026 (60, within)")


async def _messages(client, admin, rid: str) -> list[dict]:
    r = await client.get("http://notifier/messages", params={"request_id": rid, "limit": 1000}, headers=admin)
    assert r.status_code == 200, r.text
    return r.json()


async def _overdue_told(client, admin) -> bool:
    r = await client.get("http://notifier/messages", params={"limit": 1000}, headers=admin)
    return any(m["kind"] == "overdue.step3" for m in r.json())
