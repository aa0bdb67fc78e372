"""The console's clients of the services and of the identity provider: a connection closed as it
opened (a service or the provider restarting, which on uvloop surfaces from anyio as
``AttributeError``) is a service that cannot be reached just now, said to the officer in their
words, not a 500."""

import httpx
import pytest

from warta.console.oidc import OidcClient, Pending, SignInFailed
from warta.console.services import Services


@pytest.fixture
def peers_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    async def peer_gone(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        raise AttributeError("'NoneType' object has no attribute 'getpeername'")

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", peer_gone)


@pytest.mark.usefixtures("peers_gone")
async def test_a_service_restarting_answers_unavailable():
    services = Services({"scheduler": "http://scheduler.invalid"})
    try:
        answer = await services.call("token", "GET", "scheduler", "/agenda")
        streamed = await services.open("token", "scheduler", "/agenda", {})
    finally:
        await services.close()
    assert (answer.status, answer.body["error"]) == (503, "unavailable")
    assert streamed is None


@pytest.mark.usefixtures("peers_gone")
async def test_an_identity_provider_restarting_fails_the_sign_in_it_began():
    oidc = OidcClient("http://sso.invalid/realms/tangerang", "warta", "s", "http://console.invalid/masuk", "openid")
    try:
        with pytest.raises(SignInFailed, match="cannot be reached"):
            await oidc.authorization_url(Pending.new())
    finally:
        await oidc.close()
