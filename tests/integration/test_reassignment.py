"""A reassignment travels as a new TeamAssigned revision and the coverage workspace follows it."""

from datetime import UTC, datetime, timedelta

from warta.contracts import Role, TeamAssigned
from warta.devstack import samples
from warta.devstack.pytest_plugin import eventually

ADMIN = (Role.ADMIN, "siti")
HEAD = (Role.SECTION_HEAD, "hendra")
LEAD = (Role.TEAM_LEAD, "rina")


async def test_a_replaced_member_loses_the_workspace_and_the_new_one_gets_it(apps, namespace):
    async def call(officer, service, method, path, body=None, expect=200):
        r = await apps[service].request(method, path, json=body, headers=namespace.token(*officer))
        assert r.status_code in (expect if isinstance(expect, tuple) else (expect,)), r.text
        return r.json() if r.headers["content-type"].startswith("application/json") else r.content

    starts = datetime.now(UTC) + timedelta(days=2)
    letter = {
        "letter": {
            "number": "77/REA/2026",
            "date": "2026-11-20",
            "sender": "Dinas Sosial",
            "sender_kind": "opd",
            "subject": "Liputan",
        },
        "event": {
            "title": "Penyaluran bantuan",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "location": "Kecamatan Karawaci",
            "leader": "wakil_wali_kota",
        },
    }
    rid = (await call(ADMIN, "intake", "POST", "/requests", letter, expect=201))["id"]
    await call(ADMIN, "intake", "POST", f"/requests/{rid}/disposition-sheet")
    await call(HEAD, "intake", "POST", f"/requests/{rid}/disposition", {"instructions": ["liput_dan_publikasikan"]})

    for officer_id, skills in (("dewi", ["writer"]), ("joko", ["writer"]), ("agus", ["photographer", "videographer"])):
        await call(
            LEAD,
            "scheduler",
            "POST",
            "/officers",
            {"officer_id": officer_id, "name": officer_id, "skills": skills},
            expect=201,
        )
    await call(LEAD, "scheduler", "POST", "/equipment", {"item_id": "KAMERA-01", "kind": "camera"}, expect=201)
    await eventually(lambda: _ok(apps["scheduler"].get(f"/agenda/{rid}", headers=namespace.token(*LEAD))))

    def team(writer: str) -> dict:
        return {
            "members": [{"officer_id": writer, "role": "writer"}, {"officer_id": "agus", "role": "photographer"}],
            "equipment": ["KAMERA-01"],
            "needs_video": False,
        }

    await call(LEAD, "scheduler", "POST", f"/agenda/{rid}/assignment", team("dewi"))
    await eventually(
        lambda: _ok(apps["coverage"].get(f"/coverage/{rid}", headers=namespace.token(Role.COVERAGE_TEAM, "dewi")))
    )
    await call(LEAD, "scheduler", "PUT", f"/agenda/{rid}/assignment", {**team("joko"), "reason": "Dewi sakit"})

    async def coverage_follows():
        view = await call((Role.COVERAGE_TEAM, "joko"), "coverage", "GET", f"/coverage/{rid}", expect=(200, 403))
        return view if "workspace" in view and view["workspace"]["assignment_revision"] == 2 else None

    view = await eventually(coverage_follows)
    workspace = view["workspace"]
    assert [m["officer_id"] for m in workspace["members"]] == ["joko", "agus"]
    revisions = [e.data.revision for e in await namespace.events() if isinstance(e, TeamAssigned)]
    assert revisions == [1, 2]

    joko, dewi = (Role.COVERAGE_TEAM, "joko"), (Role.COVERAGE_TEAM, "dewi")
    photo = samples.jpeg()
    declared = {"filename": "a.jpg", "size": len(photo), "kind": "photo"}
    await call(dewi, "coverage", "POST", f"/coverage/{rid}/uploads", declared, expect=403)
    upload = await call(joko, "coverage", "POST", f"/coverage/{rid}/uploads", declared, expect=201)
    r = await apps["coverage"].patch(
        f"/coverage/{rid}/uploads/{upload['upload_id']}",
        content=photo,
        headers={**namespace.token(*joko), "Upload-Offset": "0"},
    )
    assert r.json()["state"] == "complete", r.text
    await call(joko, "coverage", "PUT", f"/coverage/{rid}/draft", {"title": "Judul", "body": "Isi"})
    await call(dewi, "coverage", "POST", f"/coverage/{rid}/submissions", expect=403)
    await call(joko, "coverage", "POST", f"/coverage/{rid}/submissions", expect=201)


async def _ok(response):
    return (await response).status_code == 200
