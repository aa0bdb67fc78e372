from warta.contracts import Role
from warta.devstack.pytest_plugin import running_app
from warta.intake.app import IntakeSettings, create_app

LETTER = {
    "letter": {
        "number": "005/123-Dinkes/2026",
        "date": "2026-11-20",
        "sender": "Dinas Kesehatan",
        "subject": "Permohonan liputan",
    },
    "event": {
        "title": "Peluncuran Posyandu Digital",
        "starts_at": "2026-11-30T09:00:00+07:00",
        "ends_at": "2026-11-30T11:00:00+07:00",
        "location": "Pusat Pemerintahan Kota Tangerang",
        "leader": "wali_kota",
    },
}


async def test_register_and_dispose(namespace):
    app = create_app(namespace.settings(IntakeSettings))
    async with running_app(app) as client:
        r = await client.post("/requests", json=LETTER, headers=namespace.token(Role.ADMIN, "siti"))
        assert r.status_code == 201, r.text
        body = r.json()
        print(body)
        r2 = await client.post(
            f"/requests/{body['id']}/disposition",
            json={"instruction": "Liput dan publikasikan"},
            headers=namespace.token(Role.SECTION_HEAD, "budi"),
        )
        assert r2.status_code == 200, r2.text
        r3 = await client.post(
            f"/requests/{body['id']}/disposition",
            json={"instruction": "x"},
            headers=namespace.token(Role.SECTION_HEAD, "budi"),
        )
        assert r3.status_code == 409, r3.text
        print(r3.json())
    events = await namespace.events()
    print([e.type for e in events])
