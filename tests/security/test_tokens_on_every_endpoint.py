"""Every endpoint of every service, called without a token or with one that must not be trusted
(expired, not yet valid, another issuer, another audience, a tampered signature, no SOP role, no
signature at all), answers exactly 401, before it reads anything. The calendar feeds, opened by a
signed key instead of a token, answer 403 to a wrong key. A new endpoint is in this check as soon
as it is in its service's OpenAPI document."""

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from warta.runtime import ServiceSettings, registry


def untrusted_tokens(settings: ServiceSettings) -> dict[str, str]:
    secret = settings.auth_dev_secret.get_secret_value()
    now = datetime.now(UTC)
    good = {
        "sub": "siti.admin",
        settings.auth_role_claim: "admin",
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(hours=1),
    }
    late = timedelta(seconds=settings.auth_leeway_seconds + 60)

    def signed(**changes: object) -> str:
        claims = {k: v for k, v in (good | changes).items() if v is not None}
        return jwt.encode(claims, secret, algorithm="HS256")

    valid = signed()
    head, body, _ = valid.split(".")
    unsigned = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    return {
        "expired": signed(exp=now - late, iat=now - timedelta(hours=2), nbf=now - timedelta(hours=2)),
        "not yet valid": signed(nbf=now + late),
        "another issuer": signed(iss="https://login.example.org"),
        "another audience": signed(aud="somebody-else"),
        "tampered signature": f"{head}.{body}.{base64.urlsafe_b64encode(b'x' * 32).rstrip(b'=').decode()}",
        "another key": jwt.encode(good, "not-the-secret-" * 4, algorithm="HS256"),
        "no role": signed(**{settings.auth_role_claim: None}),
        "an unknown role": signed(**{settings.auth_role_claim: "mayor"}),
        "no signature": f"{unsigned}.{body}.",
    }


def concrete(path: str) -> str:
    return path.replace("{", "x-").replace("}", "")


@pytest.mark.slow
async def test_every_endpoint_refuses_a_missing_or_untrusted_token_with_401(every_app, calendar_feeds):
    services = every_app
    settings = ServiceSettings(service_name="test")
    tokens = untrusted_tokens(settings)
    checked = 0
    for name, client in services.items():
        schema = (await client.get("/openapi.json")).json()
        for path, operations in schema["paths"].items():
            for method in operations:
                url = concrete(path)
                if (name, method.upper(), path) in calendar_feeds:
                    answer = await client.request(method.upper(), url, params={"key": "forged"})
                    assert answer.status_code == 403, (name, method, path, answer.text)
                    checked += 1
                    continue
                missing = await client.request(method.upper(), url)
                assert missing.status_code == 401, (name, method, path, missing.text)
                assert missing.headers["WWW-Authenticate"] == "Bearer"
                for what, token in tokens.items():
                    answer = await client.request(method.upper(), url, headers={"Authorization": f"Bearer {token}"})
                    assert answer.status_code == 401, (name, method, path, what, answer.text)
                    if method.upper() != "HEAD":  # an answer to HEAD has no body to say why
                        assert answer.json()["error"] == "unauthenticated"
                checked += 1 + len(tokens)
    assert set(services) == set(registry.services("sop-step", "subscriber"))
    print(f"injected: no token and {len(tokens)} untrusted ones ({', '.join(tokens)}) on every endpoint")
    print(f"checked: {checked} calls, each 401 (the public routes, opened by a signed key: 403 to a forged one)")
