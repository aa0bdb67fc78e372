"""Sign-ins are counted per address: past the limit (ten here) an address is told, in Bahasa
Indonesia, to wait, and is not passed on to the identity provider; another is not held up."""

import httpx

from warta.console.app import ConsoleSettings, create_app


async def test_an_address_signing_in_too_often_is_told_to_wait():
    app = create_app(ConsoleSettings(sign_ins_per_minute=10))

    def from_address(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://console")

    async with from_address("10.1.1.1") as busy, from_address("10.1.1.2") as other:
        for _ in range(10):
            signed_in = await busy.post("/masuk", data={"officer_id": "siti.admin"})
            assert signed_in.status_code == 303
            assert signed_in.headers["location"] == "/"
            assert "warta_token=" in signed_in.headers["set-cookie"]
        refused = await busy.post("/masuk", data={"officer_id": "siti.admin"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "Terlalu banyak percobaan masuk" in refused.text
        assert "set-cookie" not in refused.headers  # no token for the refused attempt
        also_refused = await busy.get("/masuk/kembali", params={"code": "x", "state": "y"})
        assert also_refused.status_code == 429
        assert (await other.post("/masuk", data={"officer_id": "siti.admin"})).status_code == 303
