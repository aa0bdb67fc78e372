"""Every endpoint and every SOP role: where the SOP gives an action to some roles only, every other
role gets exactly 403, whatever it sends (the role is checked before the request is read); every
other endpoint lets each role past the role check (it may still answer 404 or 422 to the made-up
identifiers and empty bodies of this test, never 401 or 403). The table (`sop_roles`, in conftest.py) is the SOP's,
kept by hand: a new endpoint is in the check as soon as it is in its service's OpenAPI document."""

import pytest

from warta.contracts import Role


@pytest.mark.slow
async def test_each_role_gets_exactly_what_the_sop_gives_it_on_every_endpoint(
    namespace, every_app, sop_roles, calendar_feeds
):
    seen, refused, passed = set(), 0, 0
    mismatches = []
    for name, client in every_app.items():
        schema = (await client.get("/openapi.json")).json()
        for path, operations in schema["paths"].items():
            for method in (m.upper() for m in operations):
                key = (name, method, path)
                if key in calendar_feeds:
                    continue
                seen.add(key)
                url = path.replace("{", "x-").replace("}", "")
                for role in Role:
                    headers = namespace.token(role, f"matrix.{role.value}")
                    answer = await client.request(method, url, headers=headers)
                    if role in sop_roles.get(key, set(Role)):
                        if answer.status_code in (401, 403):
                            mismatches.append((key, role.value, answer.status_code, answer.text[:200]))
                        passed += 1
                    else:
                        if answer.status_code != 403 or answer.json()["error"] != "forbidden":
                            mismatches.append((key, role.value, answer.status_code, answer.text[:200]))
                        refused += 1
    assert not mismatches, "\n".join(map(str, mismatches))
    assert set(sop_roles) <= seen, set(sop_roles) - seen  # the table names only endpoints that exist
    print(f"injected: each of {len(Role)} roles on each of {len(seen)} endpoints, with no body")
    print(f"checked: {refused} calls refused with 403 where the SOP gives the action to other roles; {passed} let past")
