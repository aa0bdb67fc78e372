"""An officer's own choice of digests, on SecantusDB: set by the officer (or the administrator),
refused with a field-level 422 for what cannot be chosen, and kept when the administrator edits
the officer's entry."""

from warta.contracts import Role
from warta.devstack.pytest_plugin import running_app
from warta.notifier.app import NotifierSettings, create_app


async def test_an_officer_chooses_their_digests_and_keeps_them(namespace):
    settings = namespace.settings(NotifierSettings, notify_every_seconds=3600)
    async with running_app(create_app(settings)) as client:
        admin = namespace.token(Role.ADMIN, "siti.admin")
        rina = namespace.token(Role.TEAM_LEAD, "rina.katim")
        dewi = namespace.token(Role.COVERAGE_TEAM, "dewi.penulis")
        entry = {"officer_id": "rina.katim", "name": "Rina", "role": "team_lead", "whatsapp": "0811-0000-0002"}
        assert (await client.put("/officers/rina.katim", json=entry, headers=admin)).status_code == 200
        own = "/officers/rina.katim/preferences"
        assert (await client.get(own, headers=rina)).json() == {"digests": {"published": 60}}  # the default

        chosen = await client.put(own, json={"digests": {"waiting": 30, "published": 120}}, headers=rina)
        assert chosen.status_code == 200, chosen.text
        assert chosen.json() == {"digests": {"waiting": 30, "published": 120}}

        for body, field in [
            ({"digests": {"waiting": 7}}, "digests"),
            ({"digests": {"warning": 30}}, "digests.warning.[key]"),
        ]:
            refused = await client.put(own, json=body, headers=rina)
            assert refused.status_code == 422, refused.text
            assert [f["field"] for f in refused.json()["fields"]] == [field]
        assert (await client.put(own, json={"digests": {}}, headers=dewi)).status_code == 403
        assert (await client.get(own, headers=dewi)).status_code == 403
        missing = await client.put("/officers/nobody/preferences", json={"digests": {}}, headers=admin)
        assert missing.status_code == 404, missing.text

        # The administrator corrects her number; her choice stays.
        entry["whatsapp"] = "0811-0000-0009"
        assert (await client.put("/officers/rina.katim", json=entry, headers=admin)).status_code == 200
        assert (await client.get(own, headers=rina)).json() == {"digests": {"waiting": 30, "published": 120}}
