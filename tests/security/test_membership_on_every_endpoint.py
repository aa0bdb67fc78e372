"""Every endpoint of every service, on a request walked from letter to publication, with its real
identifiers: called by a member of the request's coverage team, by a coverage officer of another
team, and by every other role. Where the SOP names people (the assigned team's workspace and
media, its release's discussion, step 7), the officer of another team gets exactly 403 and the
member does not; everywhere else the other team's officer is treated as the member is. The roles
the SOP does not give an action get 403 as in the role matrix (`sop_roles`), now with real
identifiers behind them."""

from typing import Any

import pytest
from fastapi.routing import APIRoute

from warta.console.app import ROUTERS
from warta.contracts import Role
from warta.devstack.demo import PHOTOGRAPHER, SOCIAL_MEDIA, TEAM_LEAD, walk
from warta.devstack.pytest_plugin import SERVICES, SUBSCRIBERS, routed_apps
from warta.devstack.smtp import smtp_server

ADMIN, SECTION_HEAD, TEAM_LEAD_ROLE, TEAM = Role.ADMIN, Role.SECTION_HEAD, Role.TEAM_LEAD, Role.COVERAGE_TEAM
Endpoint = tuple[str, str, str]

# Endpoints where a coverage officer must be on the request's team; the roles that pass without
# being on it. Every other role the SOP gives the endpoint is refused there too.
MEMBERS: dict[Endpoint, set[Role]] = {
    ("coverage", "GET", "/coverage/{request_id}"): {TEAM_LEAD_ROLE},
    ("coverage", "PUT", "/coverage/{request_id}/draft"): {TEAM_LEAD_ROLE},
    ("coverage", "PUT", "/coverage/{request_id}/social/{channel}"): {TEAM_LEAD_ROLE},
    ("coverage", "DELETE", "/coverage/{request_id}/social/{channel}"): {TEAM_LEAD_ROLE},
    ("coverage", "DELETE", "/coverage/{request_id}/assets/{asset_id}"): {TEAM_LEAD_ROLE},
    ("coverage", "POST", "/coverage/{request_id}/uploads"): {TEAM_LEAD_ROLE},
    ("coverage", "GET", "/coverage/{request_id}/uploads/{upload_id}"): {TEAM_LEAD_ROLE},
    ("coverage", "PATCH", "/coverage/{request_id}/uploads/{upload_id}"): {TEAM_LEAD_ROLE},
    ("coverage", "DELETE", "/coverage/{request_id}/uploads/{upload_id}"): {TEAM_LEAD_ROLE},
    ("coverage", "POST", "/coverage/{request_id}/tus"): {TEAM_LEAD_ROLE},
    ("coverage", "HEAD", "/coverage/{request_id}/tus/{upload_id}"): {TEAM_LEAD_ROLE},
    ("coverage", "PATCH", "/coverage/{request_id}/tus/{upload_id}"): {TEAM_LEAD_ROLE},
    ("coverage", "DELETE", "/coverage/{request_id}/tus/{upload_id}"): {TEAM_LEAD_ROLE},
    ("coverage", "POST", "/coverage/{request_id}/submissions"): {TEAM_LEAD_ROLE},
    ("coverage", "GET", "/coverage/{request_id}/versions/{version}"): {TEAM_LEAD_ROLE, SECTION_HEAD},
    ("coverage", "GET", "/assets/{asset_id}"): {TEAM_LEAD_ROLE, SECTION_HEAD},
    ("coverage", "GET", "/assets/{asset_id}/thumbnail"): {TEAM_LEAD_ROLE, SECTION_HEAD},
    ("review", "POST", "/reviews/{request_id}/comments"): {TEAM_LEAD_ROLE, SECTION_HEAD},
    ("review", "POST", "/reviews/{request_id}/comments/{comment_id}/resolve"): {TEAM_LEAD_ROLE, SECTION_HEAD},
    ("publisher", "POST", "/publications/{request_id}/publish"): {TEAM_LEAD_ROLE},
    ("publisher", "POST", "/publications/{request_id}/website"): {TEAM_LEAD_ROLE},
    ("publisher", "POST", "/publications/{request_id}/social/{channel}"): {TEAM_LEAD_ROLE},
    ("publisher", "POST", "/publications/{request_id}/emails/retry"): {TEAM_LEAD_ROLE},
}

# A body each endpoint can read, so that what answers is the rule about who, not a 422.
BODIES: dict[Endpoint, dict[str, Any]] = {
    ("coverage", "PUT", "/coverage/{request_id}/draft"): {"json": {"title": "Judul"}},
    ("coverage", "PUT", "/coverage/{request_id}/social/{channel}"): {"json": {"text": "Teks"}},
    ("coverage", "POST", "/coverage/{request_id}/uploads"): {
        "json": {"filename": "a.jpg", "size": 10, "kind": "photo"}
    },
    ("coverage", "PATCH", "/coverage/{request_id}/uploads/{upload_id}"): {
        "content": b"0123456789",
        "headers": {"Upload-Offset": "0"},
    },
    ("coverage", "POST", "/coverage/{request_id}/tus"): {"headers": {"Tus-Resumable": "1.0.0", "Upload-Length": "10"}},
    ("coverage", "HEAD", "/coverage/{request_id}/tus/{upload_id}"): {"headers": {"Tus-Resumable": "1.0.0"}},
    ("coverage", "PATCH", "/coverage/{request_id}/tus/{upload_id}"): {
        "content": b"0123456789",
        "headers": {
            "Tus-Resumable": "1.0.0",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    },
    ("coverage", "DELETE", "/coverage/{request_id}/tus/{upload_id}"): {"headers": {"Tus-Resumable": "1.0.0"}},
    ("review", "POST", "/reviews/{request_id}/comments"): {
        "json": {"version": 1, "anchor": {"part": "title"}, "text": "Catatan"}
    },
    ("publisher", "POST", "/publications/{request_id}/website"): {"json": {"website_url": "https://kota.id/b/1"}},
    ("publisher", "POST", "/publications/{request_id}/social/{channel}"): {"json": {"url": "https://kota.id/p/1"}},
    ("notifier", "PUT", "/officers/{officer_id}/preferences"): {"json": {"digests": {}}},
}

MEMBER = SOCIAL_MEDIA[0]  # on the walked request's team
STRANGER = "joko.luar"  # of the coverage team, not on this request's team


@pytest.mark.slow
@pytest.mark.timeout(400)
async def test_where_the_sop_names_people_another_teams_officer_is_refused_and_elsewhere_treated_alike(
    namespace, sop_roles, calendar_feeds, tmp_path
):
    names = SERVICES + SUBSCRIBERS
    with smtp_server(tmp_path) as relay:
        mail = {"smtp_host": relay.host, "smtp_port": relay.port, "smtp_ca_file": relay.ca_file}
        async with routed_apps(namespace, (*names, "console"), {"publisher": mail, "notifier": mail}) as client:
            rid, ids = await _walk_every_endpoint(client, namespace, names, sop_roles, calendar_feeds)
            await _walk_every_page(client, namespace, rid, ids)


async def _walk_every_endpoint(
    client: Any, namespace: Any, names: tuple[str, ...], sop_roles: Any, feeds: Any
) -> tuple[str, dict[str, str]]:
    def token_for(officer_id: str, role: Role) -> str:
        return namespace.token(role, officer_id)["Authorization"].removeprefix("Bearer ")

    urls = {name: f"http://{name}" for name in names}
    timeline = await walk(urls, token_for, client=client, patience=30)
    ids = await _identifiers(client, namespace, timeline.request_id)
    print(f"walked request {timeline.agenda_number} to publication; identifiers: {sorted(ids)}")
    mismatches, calls, seen = [], 0, set()
    for name in names:
        schema = (await client.get(f"http://{name}/openapi.json")).json()
        for path, operations in schema["paths"].items():
            for method in (m.upper() for m in operations):
                endpoint = (name, method, path)
                if endpoint in feeds:
                    continue
                seen.add(endpoint)
                extra = BODIES.get(endpoint, {})
                body = {k: v for k, v in extra.items() if k != "headers"}
                allowed = sop_roles.get(endpoint, set(Role))
                # The officer of another team first: a member's call may change what the endpoint
                # answers next (a 409), never whether it is theirs to call.
                callers = [(STRANGER, TEAM), (MEMBER, TEAM)]
                callers += [(f"matrix.{role.value}", role) for role in Role if role is not TEAM]
                for officer_id, role in callers:
                    headers = {**namespace.token(role, officer_id), **extra.get("headers", {})}
                    answer = await client.request(
                        method, f"http://{name}" + _filled(path, ids), headers=headers, **body
                    )
                    calls += 1
                    expected_refusal = role not in allowed or (
                        endpoint in MEMBERS and role not in MEMBERS[endpoint] and officer_id != MEMBER
                    )
                    if answer.status_code >= 500 or (answer.status_code == 403) != expected_refusal:
                        mismatches.append((endpoint, officer_id, role.value, answer.status_code, answer.text[:160]))
    assert not mismatches, "\n".join(map(str, mismatches))
    assert set(MEMBERS) <= seen, set(MEMBERS) - seen  # the table names only endpoints that exist
    print(f"checked: {calls} calls on {len(seen)} endpoints, {len(MEMBERS)} of them the request's team's only")
    return timeline.request_id, ids


# The console's pages whose service calls are the request's team's only, and a form each can send.
PAGE_MEMBERS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/liputan/{request_id}"): {},
    ("POST", "/liputan/{request_id}/naskah"): {"data": {"title": "Judul"}},
    ("POST", "/liputan/{request_id}/unggah"): {
        "files": {"file": ("a.jpg", b"\xff\xd8\xff\xe0" + bytes(12), "image/jpeg")}
    },
    ("POST", "/liputan/{request_id}/sosial/{channel}"): {"data": {"text": "Teks"}},
    ("POST", "/liputan/{request_id}/kirim"): {},
    ("POST", "/tinjauan/{request_id}/komentar"): {"data": {"version": "1", "anchor": "title", "text": "Catatan"}},
    ("POST", "/publikasi/{request_id}/situs"): {"data": {"website_url": "https://kota.id/b/1"}},
    ("POST", "/publikasi/{request_id}/terbitkan"): {},
    ("POST", "/publikasi/{request_id}/email-ulang"): {},
    ("POST", "/publikasi/{request_id}/sosial/{channel}"): {"data": {"url": "https://instagram.com/p/abc"}},
    ("POST", "/liputan/{request_id}/sosial/{channel}/hapus"): {},
    ("POST", "/liputan/{request_id}/berkas/{asset_id}/hapus"): {},
    ("GET", "/berkas/{asset_id}"): {},  # a photo or video of the request, as its page shows it
    # The resumable uploads, through the console as a browser's tus client sends them.
    ("POST", "/liputan/{request_id}/tus"): {"headers": {"Tus-Resumable": "1.0.0", "Upload-Length": "10"}},
    ("HEAD", "/liputan/{request_id}/tus/{upload_id}"): {"headers": {"Tus-Resumable": "1.0.0"}},
    ("PATCH", "/liputan/{request_id}/tus/{upload_id}"): {
        "content": b"0123456789",
        "headers": {
            "Tus-Resumable": "1.0.0",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    },
    ("DELETE", "/liputan/{request_id}/tus/{upload_id}"): {"headers": {"Tus-Resumable": "1.0.0"}},
}
# Sign-in, language and the calendar's keyed feed take no officer's cookie.
NOT_SIGNED_IN = ("/masuk", "/keluar", "/bahasa", "/kalender/{path:path}")


async def _walk_every_page(client: Any, namespace: Any, rid: str, ids: dict[str, str]) -> None:
    """Each page of the console with the walked request's identifiers, as the team's officer, as
    another team's and as every other role: nobody is shown a failure; the other team's officer is
    shown the refusal where the service refuses and otherwise what the member is; the team lead,
    whom the SOP gives the team's steps too, is never refused them."""
    routes = [
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and not route.path.startswith(NOT_SIGNED_IN)
        for method in sorted(route.methods)
    ]
    callers = [(STRANGER, TEAM), (MEMBER, TEAM), *((f"matrix.{role.value}", role) for role in Role if role is not TEAM)]
    mismatches, seen = [], set()
    for method, path in routes:
        seen.add((method, path))
        url = "http://console" + _filled(path, ids | {"keeper": "coverage"})
        form = PAGE_MEMBERS.get((method, path), {"data": {}} if method == "POST" else {})
        statuses = {}
        for officer_id, role in callers:
            cookie = namespace.token(role, officer_id)["Authorization"].removeprefix("Bearer ")
            headers = {"Cookie": f"warta_token={cookie}", **form.get("headers", {})}
            sent = {k: v for k, v in form.items() if k != "headers"}
            statuses[officer_id] = (await client.request(method, url, headers=headers, **sent)).status_code
        stranger, member, lead = statuses[STRANGER], statuses[MEMBER], statuses[f"matrix.{TEAM_LEAD_ROLE.value}"]
        if (method, path) in PAGE_MEMBERS:
            wrong = stranger != 403 or member == 403 or lead == 403
        else:
            wrong = (stranger == 403) != (member == 403)
        if wrong or any(status >= 500 for status in statuses.values()):
            mismatches.append((method, path, statuses))
    assert not mismatches, "\n".join(map(str, mismatches))
    assert set(PAGE_MEMBERS) <= seen, set(PAGE_MEMBERS) - seen
    print(f"checked: {len(routes)} console pages as the team's officer, another team's and every other role")


async def _identifiers(client: Any, namespace: Any, rid: str) -> dict[str, str]:
    """Real identifiers of the walked request for every path parameter the services take."""
    lead = namespace.token(Role.TEAM_LEAD, TEAM_LEAD[0])
    workspace = (await client.get(f"http://coverage/coverage/{rid}", headers=lead)).json()
    asset_id = workspace["assets"][0]["asset_id"]
    photographer = namespace.token(Role.COVERAGE_TEAM, PHOTOGRAPHER[0])
    comment = await client.post(
        f"http://review/reviews/{rid}/comments",
        headers=photographer,
        json={"version": 1, "anchor": {"part": "title"}, "text": "Judul sudah tepat."},
    )
    assert comment.status_code == 201, comment.text
    contacts = (await client.get("http://publisher/media/contacts", headers=lead)).json()
    return {
        "request_id": rid,
        "asset_id": asset_id,
        "version": "1",
        "channel": "instagram",
        "comment_id": comment.json()["comment_id"],
        "upload_id": "unggahan-tidak-ada",
        "officer_id": "petugas.lain",  # another officer's roster entry, audit and messages
        "period_id": "cuti-tidak-ada",
        "item_id": "KAMERA-01",
        "email": contacts[0]["email"],
        "day": "2026-12-01",
        "deviation_id": "penyimpangan-tidak-ada",
    }


def _filled(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no identifier for {path}"
    return path
