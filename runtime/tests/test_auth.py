import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from warta.contracts import Role
from warta.runtime import ServiceSettings, issue_dev_token
from warta.runtime.auth import TokenVerifier, Unauthenticated

DEV = ServiceSettings(service_name="test")


async def test_dev_tokens_name_the_officer_and_role():
    token = issue_dev_token(DEV, officer_id="siti", role=Role.ADMIN, name="Siti")
    principal = await TokenVerifier(DEV).verify(token)
    assert (principal.officer_id, principal.role, principal.name) == ("siti", Role.ADMIN, "Siti")


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": datetime.now(UTC) - timedelta(minutes=5)},
        {"iss": "someone-else"},
        {"aud": "another-app"},
        {"warta_role": "mayor"},
        {"nbf": datetime.now(UTC) + timedelta(hours=1)},
    ],
    ids=["expired", "wrong-issuer", "wrong-audience", "unknown-role", "not-yet-valid"],
)
async def test_bad_dev_tokens_are_refused(claims):
    now = datetime.now(UTC)
    base = {
        "sub": "siti",
        "warta_role": "admin",
        "iss": DEV.auth_issuer,
        "aud": DEV.auth_audience,
        "exp": now + timedelta(hours=1),
    }
    token = jwt.encode(base | claims, DEV.auth_dev_secret.get_secret_value(), algorithm="HS256")
    with pytest.raises(Unauthenticated):
        await TokenVerifier(DEV).verify(token)


def _signed(**claims: object) -> str:
    now = datetime.now(UTC)
    base = {"warta_role": "admin", "iss": DEV.auth_issuer, "aud": DEV.auth_audience, "exp": now + timedelta(hours=1)}
    return jwt.encode(base | claims, DEV.auth_dev_secret.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize(
    ("claim", "read"),
    [
        ("Siti\u202e Rahmawati\n\tS.Sos", "Siti Rahmawati S.Sos"),
        ("\u200b\u200b", None),  # only invisible characters: no name
        ("Dewi " * 100, ("Dewi " * 40).strip()),
        ({"given": "Dewi"}, None),
        ("Ni\u0301ng", "Níng"),  # one normal form
    ],
    ids=["reversed-and-broken", "invisible", "too-long", "not-text", "decomposed"],
)
async def test_the_name_a_token_gives_is_kept_as_one_line_under_the_text_policy(claim, read):
    principal = await TokenVerifier(DEV).verify(_signed(sub="siti", name=claim))
    assert principal.name == read
    assert principal.actor.name == read  # an event's actor takes it as it is


@pytest.mark.parametrize("subject", ["", "siti rahmawati", "x" * 101, "siti\u202e", 42])
async def test_a_token_whose_subject_cannot_be_an_officer_id_is_refused(subject):
    with pytest.raises(Unauthenticated):
        await TokenVerifier(DEV).verify(_signed(sub=subject))


async def test_a_tampered_signature_is_refused():
    token = issue_dev_token(DEV, officer_id="siti", role=Role.ADMIN)
    header, _claims, signature = token.split(".")
    forged = jwt.encode(
        {"sub": "siti", "warta_role": "section_head"}, "a-guessed-key-that-is-long-enough-for-hs256", algorithm="HS256"
    ).split(".")[1]
    with pytest.raises(Unauthenticated):
        await TokenVerifier(DEV).verify(f"{header}.{forged}.{signature}")


@pytest.fixture
def identity_provider():
    """A real HTTP server publishing a JWKS, as the city's identity provider does."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key())) | {"kid": "k1", "use": "sig", "alg": "RS256"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield key, f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()


async def test_production_verifies_identity_provider_tokens_against_its_jwks(identity_provider):
    key, jwks_url = identity_provider
    settings = ServiceSettings(
        service_name="test",
        auth_mode="oidc",
        auth_jwks_url=jwks_url,
        auth_issuer="https://sso.tangerangkota.go.id",
        loopback_peers=True,  # the provider's keys are served on this machine
    )
    claims = {
        "sub": "hendra",
        "warta_role": "section_head",
        "iss": "https://sso.tangerangkota.go.id",
        "aud": "warta",
        "exp": datetime.now(UTC) + timedelta(minutes=10),
    }
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    principal = await TokenVerifier(settings).verify(good)
    assert (principal.officer_id, principal.role) == ("hendra", Role.SECTION_HEAD)

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthenticated):
        await TokenVerifier(settings).verify(jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "k1"}))
    with pytest.raises(Unauthenticated, match="invalid token"):
        # A development token is worthless once the identity provider is in charge.
        await TokenVerifier(settings).verify(issue_dev_token(DEV, officer_id="x", role=Role.SECTION_HEAD))


def test_the_warta_token_command_prints_a_valid_development_token():
    result = subprocess.run(
        [sys.executable, "-m", "warta.runtime.cli", "token", "--role", "team_lead", "--officer", "rina"],
        capture_output=True,
        text=True,
        check=True,
    )
    claims = jwt.decode(
        result.stdout.strip(), DEV.auth_dev_secret.get_secret_value(), algorithms=["HS256"], audience="warta"
    )
    assert (claims["sub"], claims["warta_role"]) == ("rina", "team_lead")
