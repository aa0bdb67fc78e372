"""Bad input gets a 4xx with a JSON body saying what is wrong, and changes nothing anywhere."""

from datetime import datetime, timedelta
from typing import Any

from warta.contracts import Role
from warta.devstack import samples
from warta.devstack.pytest_plugin import SERVICES, assert_a_refusal, eventually, settled, with_field
from warta.runtime.indonesian import JAKARTA

ADMIN = ("siti", Role.ADMIN)
HEAD = ("hendra", Role.SECTION_HEAD)
LEAD = ("rina", Role.TEAM_LEAD)
DEWI = ("dewi", Role.COVERAGE_TEAM)
OUTSIDER = ("joko", Role.COVERAGE_TEAM)

EVENT_DAY = (datetime.now(JAKARTA) + timedelta(days=7)).date()  # requests are for events still to come
EVENT = {
    "title": "Rapat Paripurna",
    "starts_at": f"{EVENT_DAY}T09:00:00+07:00",
    "ends_at": f"{EVENT_DAY}T11:00:00+07:00",
    "location": "DPRD",
    "leader": "wali_kota",
}
LETTER = {
    "letter": {
        "number": "170/5/2026",
        "date": f"{datetime.now(JAKARTA).date() - timedelta(days=2)}",
        "sender": "Sekretariat DPRD",
        "sender_kind": "opd",
        "subject": "Undangan",
    },
    "event": EVENT,
}


class Refusals:
    def __init__(self, namespace, apps, mongo) -> None:
        self.ns, self.apps, self.mongo = namespace, apps, mongo
        self.checked = 0

    def auth(self, officer) -> dict[str, str]:
        return self.ns.token(officer[1], officer[0])

    async def call(self, officer, service, method, path, body=None, **kwargs):
        headers = {**(self.auth(officer) if officer else {}), **kwargs.pop("headers", {})}
        return await self.apps[service].request(method, path, json=body, headers=headers, **kwargs)

    async def settled(self) -> dict[str, Any]:
        # In SOP order, so an event still travelling downstream is settled where it lands.
        return {s: await settled(self.mongo[self.ns.database(s)]) for s in SERVICES}

    async def refused(self, status, officer, service, method, path, body=None, *, field=None, error=None, **kw):
        before = await self.settled()
        response = await self.call(officer, service, method, path, body, **kw)
        assert response.status_code == status, response.text
        payload = response.json()
        assert_a_refusal(payload)
        assert payload["message"]
        if error:
            assert payload["error"] == error
        if field:
            assert field in [f["field"] for f in payload["fields"]], payload
        assert await self.settled() == before, f"{method} {path} changed state although refused"
        self.checked += 1
        return payload


async def test_every_refusal_is_a_clear_4xx_and_changes_nothing(namespace, apps, mongo):
    r = Refusals(namespace, apps, mongo)

    # Step 1: the letter register.
    await r.refused(401, None, "intake", "POST", "/requests", LETTER, error="unauthenticated")
    await r.refused(401, None, "intake", "POST", "/requests", LETTER, headers={"Authorization": "Bearer x.y.z"})
    await r.refused(403, HEAD, "intake", "POST", "/requests", LETTER, error="forbidden")
    await r.refused(422, ADMIN, "intake", "POST", "/requests", content=b'{"letter": ', field="body")
    for path, value, field in [
        ("letter", ..., "letter"),
        ("letter.date", "2026-13-45", "letter.date"),
        ("event.starts_at", f"{EVENT_DAY}T09:00:00", "event.starts_at"),  # no time zone
        ("event.ends_at", f"{EVENT_DAY}T08:00:00+07:00", "event.ends_at"),  # before the start
        (
            "event",
            EVENT | {"starts_at": "2024-03-01T09:00:00+07:00", "ends_at": "2024-03-01T11:00:00+07:00"},
            "event.ends_at",
        ),  # long over
        ("event.leader", "presiden", "event.leader"),
        ("letter.number", "", "letter.number"),
    ]:
        await r.refused(422, ADMIN, "intake", "POST", "/requests", with_field(LETTER, path, value), field=field)
    await r.refused(
        422,
        ADMIN,
        "intake",
        "POST",
        "/requests",
        {**LETTER, "received_at": "2099-01-01T00:00:00+07:00"},
        field="received_at",
    )

    registered = await r.call(ADMIN, "intake", "POST", "/requests", LETTER)
    assert registered.status_code == 201
    rid = registered.json()["id"]
    duplicate = await r.refused(409, ADMIN, "intake", "POST", "/requests", with_field(LETTER, "letter.subject", "lain"))
    assert registered.json()["agenda_number"] in duplicate["message"]

    # Step 2: the disposition, which needs the disposition sheet first.
    cover = {"instructions": ["liput_dan_publikasikan"]}
    await r.refused(409, HEAD, "intake", "POST", f"/requests/{rid}/disposition", cover, error="illegal_transition")
    assert (await r.call(ADMIN, "intake", "POST", f"/requests/{rid}/disposition-sheet")).status_code == 200
    await r.refused(403, ADMIN, "intake", "POST", f"/requests/{rid}/disposition", cover)
    await r.refused(404, HEAD, "intake", "POST", "/requests/nope/disposition", cover, error="not_found")
    await r.refused(
        422, HEAD, "intake", "POST", f"/requests/{rid}/disposition", {"instructions": []}, field="instructions"
    )
    await r.refused(422, HEAD, "intake", "POST", f"/requests/{rid}/decline", {}, field="reason")
    # Assigning before the disposition: the request is not on the agenda yet.
    await r.refused(
        404,
        LEAD,
        "scheduler",
        "POST",
        f"/agenda/{rid}/assignment",
        {"members": [{"officer_id": "dewi", "role": "writer"}]},
    )
    assert (await r.call(HEAD, "intake", "POST", f"/requests/{rid}/disposition", cover)).status_code == 200
    await r.refused(409, HEAD, "intake", "POST", f"/requests/{rid}/disposition", cover, error="illegal_transition")
    await r.refused(
        409, HEAD, "intake", "POST", f"/requests/{rid}/decline", {"reason": "terlambat"}, error="illegal_transition"
    )

    # Step 3: the assignment.
    await eventually(lambda: _status(r.call(LEAD, "scheduler", "GET", f"/agenda/{rid}"), 200))
    for officer_id, skill in (("dewi", "writer"), ("agus", "photographer"), ("bayu", "videographer")):
        officer = {"officer_id": officer_id, "name": officer_id.title(), "skills": [skill]}
        assert (await r.call(LEAD, "scheduler", "POST", "/officers", officer)).status_code == 201
    for item_id, kind in (("KAMERA-01", "camera"), ("CAMCORDER-01", "camcorder")):
        assert (
            await r.call(LEAD, "scheduler", "POST", "/equipment", {"item_id": item_id, "kind": kind})
        ).status_code == 201
    team = {
        "members": [
            {"officer_id": "dewi", "role": "writer"},
            {"officer_id": "agus", "role": "photographer"},
            {"officer_id": "bayu", "role": "videographer"},
        ],
        "equipment": ["KAMERA-01", "CAMCORDER-01"],
        "needs_video": True,
    }
    await r.refused(403, DEWI, "scheduler", "POST", f"/agenda/{rid}/assignment", team)
    await r.refused(422, LEAD, "scheduler", "POST", f"/agenda/{rid}/assignment", {"members": []}, field="members")
    await r.refused(
        422,
        LEAD,
        "scheduler",
        "POST",
        f"/agenda/{rid}/assignment",
        {"members": [{"officer_id": "dewi", "role": "pilot"}]},
        field="members.0.role",
    )
    await r.refused(
        422,
        LEAD,
        "scheduler",
        "POST",
        f"/agenda/{rid}/assignment",
        {**team, "members": team["members"] * 2},
        field="members",
    )
    await r.refused(
        422,
        LEAD,
        "scheduler",
        "POST",
        f"/agenda/{rid}/assignment",
        {**team, "equipment": ["KAMERA-01"]},
        field="equipment",
    )
    # Reviewing before anything was submitted.
    decision = {"version": 1, "level": "team_lead", "outcome": "approve"}
    await r.refused(409, LEAD, "review", "POST", f"/reviews/{rid}/decisions", decision, error="illegal_transition")
    assert (await r.call(LEAD, "scheduler", "POST", f"/agenda/{rid}/assignment", team)).status_code == 200
    await r.refused(409, LEAD, "scheduler", "POST", f"/agenda/{rid}/assignment", team, error="illegal_transition")

    # Step 4: the coverage.
    await eventually(lambda: _status(r.call(DEWI, "coverage", "GET", f"/coverage/{rid}"), 200))
    submissions = f"/coverage/{rid}/submissions"
    await r.refused(403, OUTSIDER, "coverage", "POST", submissions)
    await r.refused(403, HEAD, "coverage", "POST", submissions)
    incomplete = await r.refused(422, DEWI, "coverage", "POST", submissions, field="assets")
    assert [f["field"] for f in incomplete["fields"]] == [
        "press_release.title",
        "press_release.body",
        "assets",
        "assets",
    ]
    await r.refused(
        413,
        DEWI,
        "coverage",
        "POST",
        f"/coverage/{rid}/uploads",
        {"filename": "a.jpg", "size": 10**12, "kind": "photo"},
        field="size",
    )
    for filename, content, kind in (("a.jpg", samples.jpeg(), "photo"), ("v.mp4", samples.mp4(70_000), "video")):
        declared = {"filename": filename, "size": len(content), "kind": kind}
        upload = (await r.call(DEWI, "coverage", "POST", f"/coverage/{rid}/uploads", declared)).json()
        path = f"/coverage/{rid}/uploads/{upload['upload_id']}"
        await r.refused(409, DEWI, "coverage", "PATCH", path, content=content[5:], headers={"Upload-Offset": "5"})
        sent = await r.call(DEWI, "coverage", "PATCH", path, content=content, headers={"Upload-Offset": "0"})
        assert sent.json()["state"] == "complete", sent.text
    await r.refused(422, DEWI, "coverage", "PUT", f"/coverage/{rid}/draft", {"title": "x" * 301}, field="title")
    draft = {"title": "Judul", "body": "Isi", "dateline_date": "2026-11-20"}
    assert (await r.call(DEWI, "coverage", "PUT", f"/coverage/{rid}/draft", draft)).status_code == 200
    await r.refused(422, DEWI, "coverage", "POST", submissions, {"assets": ["nope"]}, field="assets.0")
    await r.refused(404, DEWI, "coverage", "GET", f"/coverage/{rid}/versions/1")
    await r.refused(422, DEWI, "coverage", "GET", f"/coverage/{rid}/versions/0", field="path.version")
    assert (await r.call(DEWI, "coverage", "POST", submissions)).status_code == 201
    await r.refused(409, DEWI, "coverage", "POST", submissions, error="illegal_transition")

    # Steps 5 and 6: the review.
    await eventually(lambda: _status(r.call(LEAD, "review", "GET", f"/reviews/{rid}"), 200))
    await r.refused(
        409,
        HEAD,
        "review",
        "POST",
        f"/reviews/{rid}/decisions",
        {**decision, "level": "section_head"},
        error="illegal_transition",
    )
    await r.refused(403, ADMIN, "review", "POST", f"/reviews/{rid}/decisions", decision)
    await r.refused(403, DEWI, "review", "POST", f"/reviews/{rid}/decisions", decision)
    await r.refused(409, LEAD, "review", "POST", f"/reviews/{rid}/decisions", {**decision, "version": 2})
    await r.refused(
        422, LEAD, "review", "POST", f"/reviews/{rid}/decisions", {**decision, "outcome": "maybe"}, field="outcome"
    )
    await r.refused(
        422, LEAD, "review", "POST", f"/reviews/{rid}/decisions", {**decision, "outcome": "reject"}, field="reason"
    )

    # Step 7: publishing before the section head approved.
    website = {"website_url": "https://tangerangkota.go.id/b/1"}
    await r.refused(409, DEWI, "publisher", "POST", f"/publications/{rid}/website", website)
    await r.refused(409, DEWI, "publisher", "POST", f"/publications/{rid}/publish")
    await r.refused(
        422,
        DEWI,
        "publisher",
        "POST",
        f"/publications/{rid}/website",
        {"website_url": "not a url"},
        field="website_url",
    )
    await r.refused(422, DEWI, "publisher", "POST", f"/publications/{rid}/publish?channel=fax", field="query.channel")
    await r.refused(403, ADMIN, "publisher", "POST", f"/publications/{rid}/website", website)
    await r.refused(404, DEWI, "publisher", "GET", f"/publications/{rid}")
    # Queries with bad parameters.
    await r.refused(422, ADMIN, "intake", "GET", "/requests?limit=0", field="query.limit")
    await r.refused(422, ADMIN, "intake", "GET", "/requests?state=lost", field="query.state")
    await r.refused(401, None, "intake", "GET", f"/requests/{rid}")
    await r.refused(422, LEAD, "scheduler", "GET", "/agenda?limit=1000", field="query.limit")
    await r.refused(422, LEAD, "review", "GET", "/reviews?state=pending", field="query.state")
    await r.refused(422, DEWI, "publisher", "GET", "/publications?limit=-1", field="query.limit")
    await r.refused(405, ADMIN, "intake", "DELETE", f"/requests/{rid}", error="method_not_allowed")
    await r.refused(404, ADMIN, "intake", "GET", "/no-such-page", error="not_found")
    print(f"checked: {r.checked} refusals, each a 4xx JSON error, each leaving all five databases unchanged")


async def _status(response, expected: int) -> bool:
    return (await response).status_code == expected
