"""Every endpoint and every SOP role: where the SOP gives an action to some roles only, every other
role gets exactly 403, whatever it sends (the role is checked before the request is read); every
other endpoint lets each role past the role check (it may still answer 404 or 422 to the made-up
identifiers and empty bodies of this test, never 401 or 403). The table below is the SOP's, kept
by hand: a new endpoint is in the check as soon as it is in its service's OpenAPI document."""

import pytest

from warta.contracts import Role

ADMIN, SECTION_HEAD, TEAM_LEAD, TEAM = Role.ADMIN, Role.SECTION_HEAD, Role.TEAM_LEAD, Role.COVERAGE_TEAM
SUPERVISORS = {ADMIN, SECTION_HEAD, TEAM_LEAD}

# (service, method, path) -> the roles the SOP gives that action; endpoints not named are open to
# every signed-in officer of the section.
ONLY = {
    ("intake", "POST", "/scans"): {ADMIN},
    ("intake", "POST", "/requests"): {ADMIN},
    ("intake", "PATCH", "/requests/{request_id}"): {ADMIN},
    ("intake", "POST", "/requests/{request_id}/disposition-sheet"): {ADMIN},
    ("intake", "POST", "/requests/{request_id}/disposition"): {SECTION_HEAD},
    ("intake", "POST", "/requests/{request_id}/decline"): {SECTION_HEAD},
    ("scheduler", "POST", "/agenda/{request_id}/assignment"): {TEAM_LEAD},
    ("scheduler", "PUT", "/agenda/{request_id}/assignment"): {TEAM_LEAD},
    ("scheduler", "POST", "/officers"): {TEAM_LEAD},
    ("scheduler", "PUT", "/officers/{officer_id}"): {TEAM_LEAD},
    ("scheduler", "POST", "/officers/{officer_id}/unavailability"): {TEAM_LEAD},
    ("scheduler", "DELETE", "/officers/{officer_id}/unavailability/{period_id}"): {TEAM_LEAD},
    ("scheduler", "POST", "/equipment"): {TEAM_LEAD},
    ("scheduler", "PUT", "/equipment/{item_id}"): {TEAM_LEAD},
    ("coverage", "GET", "/assets/{asset_id}"): {TEAM, TEAM_LEAD, SECTION_HEAD},  # unreleased media
    ("coverage", "GET", "/assets/{asset_id}/thumbnail"): {TEAM, TEAM_LEAD, SECTION_HEAD},
    ("review", "POST", "/reviews/{request_id}/comments"): {TEAM, TEAM_LEAD, SECTION_HEAD},
    ("review", "POST", "/reviews/{request_id}/comments/{comment_id}/resolve"): {TEAM, TEAM_LEAD, SECTION_HEAD},
    ("publisher", "POST", "/publications/{request_id}/publish"): {TEAM},
    ("publisher", "POST", "/publications/{request_id}/website"): {TEAM},
    ("publisher", "POST", "/publications/{request_id}/social/{channel}"): {TEAM},
    ("publisher", "POST", "/media/import"): {ADMIN, TEAM_LEAD, TEAM},
    ("publisher", "POST", "/media/contacts/{email}/opt-out"): {ADMIN, TEAM_LEAD, TEAM},
    ("archive", "GET", "/sop"): SUPERVISORS,
    ("archive", "GET", "/export.csv"): SUPERVISORS,
    ("archive", "GET", "/export.jsonl"): SUPERVISORS,
    ("archive", "GET", "/retention"): SUPERVISORS,
    ("archive", "GET", "/audit/{officer_id}.csv"): SUPERVISORS,  # another officer's; one's own is open
    ("notifier", "PUT", "/officers/{officer_id}"): {ADMIN},
    ("notifier", "GET", "/officers"): SUPERVISORS,
    ("notifier", "GET", "/messages"): SUPERVISORS,  # everyone's; one's own (officer_id) is open
}
FEEDS = {("scheduler", "GET", "/agenda.ics"), ("scheduler", "GET", "/officers/{officer_id}/assignments.ics")}


@pytest.mark.slow
async def test_each_role_gets_exactly_what_the_sop_gives_it_on_every_endpoint(namespace, every_app):
    seen, refused, passed = set(), 0, 0
    mismatches = []
    for name, client in every_app.items():
        schema = (await client.get("/openapi.json")).json()
        for path, operations in schema["paths"].items():
            for method in (m.upper() for m in operations):
                key = (name, method, path)
                if key in FEEDS:
                    continue
                seen.add(key)
                url = path.replace("{", "x-").replace("}", "")
                for role in Role:
                    headers = namespace.token(role, f"matrix.{role.value}")
                    answer = await client.request(method, url, headers=headers)
                    if role in ONLY.get(key, set(Role)):
                        if answer.status_code in (401, 403):
                            mismatches.append((key, role.value, answer.status_code, answer.text[:200]))
                        passed += 1
                    else:
                        if answer.status_code != 403 or answer.json()["error"] != "forbidden":
                            mismatches.append((key, role.value, answer.status_code, answer.text[:200]))
                        refused += 1
    assert not mismatches, "\n".join(map(str, mismatches))
    assert set(ONLY) <= seen, set(ONLY) - seen  # the table names only endpoints that exist
    print(f"injected: each of {len(Role)} roles on each of {len(seen)} endpoints, with no body")
    print(f"checked: {refused} calls refused with 403 where the SOP gives the action to other roles; {passed} let past")
