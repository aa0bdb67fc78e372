"""The section head returns a version; the team lead corrects it in the coverage workspace and
approves the correction, which the section head sees attributed in the diff."""

from datetime import UTC, datetime, timedelta

from warta.contracts import Role
from warta.devstack import samples
from warta.devstack.pytest_plugin import eventually

ADMIN = (Role.ADMIN, "siti")
HEAD = (Role.SECTION_HEAD, "hendra")
LEAD = (Role.TEAM_LEAD, "rina")
DEWI = (Role.COVERAGE_TEAM, "dewi")


async def test_a_returned_version_is_corrected_by_the_team_lead_and_approved(apps, namespace):
    async def call(officer, service, method, path, body=None, expect=200, **kwargs):
        headers = {**namespace.token(*officer), **kwargs.pop("headers", {})}
        r = await apps[service].request(method, path, json=body, headers=headers, **kwargs)
        assert r.status_code == expect, r.text
        return r.json()

    starts = datetime.now(UTC) + timedelta(hours=3)
    letter = {
        "letter": {
            "number": "9/KOR/2026",
            "date": "2026-11-20",
            "sender": "Disdik",
            "sender_kind": "opd",
            "subject": "Liputan",
        },
        "event": {
            "title": "Wisuda",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "location": "Puspem",
            "leader": "sekda",
        },
    }
    rid = (await call(ADMIN, "intake", "POST", "/requests", letter, expect=201))["id"]
    await apps["intake"].post(f"/requests/{rid}/disposition-sheet", headers=namespace.token(*ADMIN))
    await call(HEAD, "intake", "POST", f"/requests/{rid}/disposition", {"instructions": ["liput_dan_publikasikan"]})
    for officer_id, skill in (("dewi", "writer"), ("agus", "photographer")):
        await call(
            LEAD,
            "scheduler",
            "POST",
            "/officers",
            {"officer_id": officer_id, "name": officer_id, "skills": [skill]},
            expect=201,
        )
    await call(LEAD, "scheduler", "POST", "/equipment", {"item_id": "KAMERA-01", "kind": "camera"}, expect=201)
    await eventually(lambda: _ok(apps["scheduler"].get(f"/agenda/{rid}", headers=namespace.token(*LEAD))))
    team = {
        "members": [{"officer_id": "dewi", "role": "writer"}, {"officer_id": "agus", "role": "photographer"}],
        "equipment": ["KAMERA-01"],
        "needs_video": False,
    }
    await call(LEAD, "scheduler", "POST", f"/agenda/{rid}/assignment", team)

    await eventually(lambda: _ok(apps["coverage"].get(f"/coverage/{rid}", headers=namespace.token(*DEWI))))
    photo = samples.jpeg()
    upload = await call(
        DEWI,
        "coverage",
        "POST",
        f"/coverage/{rid}/uploads",
        {"filename": "a.jpg", "size": len(photo), "kind": "photo"},
        expect=201,
    )
    await call(
        DEWI,
        "coverage",
        "PATCH",
        f"/coverage/{rid}/uploads/{upload['upload_id']}",
        content=photo,
        headers={"Upload-Offset": "0"},
    )
    draft = {"title": "Sekda Hadiri Wisuda Sekolah Penggerak di Kota Tangerang Hari Ini", "body": "Isi berita."}
    await call(DEWI, "coverage", "PUT", f"/coverage/{rid}/draft", draft)
    await call(DEWI, "coverage", "POST", f"/coverage/{rid}/submissions", expect=201)

    await eventually(lambda: _ok(apps["review"].get(f"/reviews/{rid}", headers=namespace.token(*LEAD))))
    await call(
        LEAD,
        "review",
        "POST",
        f"/reviews/{rid}/decisions",
        {"version": 1, "level": "team_lead", "outcome": "approve"},
        expect=201,
    )
    returned = {
        "version": 1,
        "level": "section_head",
        "outcome": "reject",
        "reason": "language",
        "note": "Judul terlalu panjang",
    }
    await call(HEAD, "review", "POST", f"/reviews/{rid}/decisions", returned, expect=201)

    async def back_with_team_lead():
        view = await call(LEAD, "coverage", "GET", f"/coverage/{rid}")
        return view if view["workspace"]["state"] == "returned_to_team_lead" else None

    view = await eventually(back_with_team_lead)
    assert view["workspace"]["last_return"]["note"] == "Judul terlalu panjang"
    await call(DEWI, "coverage", "PUT", f"/coverage/{rid}/draft", draft, expect=409)  # not back with the team
    await call(
        LEAD, "coverage", "PUT", f"/coverage/{rid}/draft", {**draft, "title": "Sekda Hadiri Wisuda Sekolah Penggerak"}
    )
    v2 = await call(LEAD, "coverage", "POST", f"/coverage/{rid}/submissions", expect=201)
    assert (v2["version"], v2["corrected_by"]) == (2, "rina")

    async def version_two_in_review():
        review = await call(LEAD, "review", "GET", f"/reviews/{rid}")
        return review if review["version"] == 2 else None

    review = await eventually(version_two_in_review)
    assert review["corrected_by"] == "rina"
    await call(
        LEAD,
        "review",
        "POST",
        f"/reviews/{rid}/decisions",
        {"version": 2, "level": "team_lead", "outcome": "approve"},
        expect=201,
    )
    diff = await call(HEAD, "review", "GET", f"/reviews/{rid}/diff", params={"from": 1, "to": 2})
    assert diff["corrected_by"] == "rina"
    assert [(c["op"], c["old"], c["new"]) for c in diff["title"] if c["op"] != "equal"] == [
        ("replace", "Penggerak di Kota Tangerang Hari Ini", "Penggerak")
    ]
    await call(
        HEAD,
        "review",
        "POST",
        f"/reviews/{rid}/decisions",
        {"version": 2, "level": "section_head", "outcome": "approve"},
        expect=201,
    )


async def _ok(response):
    return (await response).status_code == 200
