"""The development identity provider: node-oidc-provider (``tools/idp``), a certified OpenID
Connect implementation, run as a subprocess in place of the city's provider. Officers sign in on its
login page with their officer id and any password; the access tokens it issues are RS256 JWTs for
the Warta APIs carrying the officer's SOP role, verified by the services against its JWKS exactly
as production verifies the city's."""

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from warta.contracts import Role

from .npm import install_once
from .servers import free_port, wait_for_answer

IDP_DIR = Path(__file__).resolve().parents[4] / "idp"
AUDIENCE = "warta"
ROLE_CLAIM = "warta_role"
CLIENT_ID = "warta-console"


@dataclass(frozen=True)
class IdentityProvider:
    issuer: str
    client_id: str
    client_secret: str

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    def service_env(self) -> dict[str, str]:
        """What a service needs to accept this provider's tokens."""
        return {
            "WARTA_AUTH_MODE": "oidc",
            "WARTA_AUTH_ISSUER": self.issuer,
            "WARTA_AUTH_JWKS_URL": self.jwks_url,
            "WARTA_AUTH_AUDIENCE": AUDIENCE,
            "WARTA_AUTH_ROLE_CLAIM": ROLE_CLAIM,
            # The city's sign-in, on one machine: its provider, relay and peers are all here.
            "WARTA_LOOPBACK_PEERS": "true",
        }

    def console_env(self, public_url: str) -> dict[str, str]:
        """What the console needs to sign officers in through this provider."""
        return {
            **self.service_env(),
            "WARTA_PUBLIC_URL": public_url,
            "WARTA_OIDC_ISSUER": self.issuer,
            "WARTA_OIDC_CLIENT_ID": self.client_id,
            "WARTA_OIDC_CLIENT_SECRET": self.client_secret,
        }


def install() -> None:
    """``npm ci`` of the provider's pinned packages, once."""
    if shutil.which("node") is None:
        raise RuntimeError("the development identity provider needs Node.js 20 or later (Debian: nodejs)")
    install_once(IDP_DIR, "the development identity provider")


@contextmanager
def identity_provider(
    officers: dict[str, tuple[str, Role]], redirect_uris: list[str], *, port: int = 0, log_path: Path | None = None
) -> Iterator[IdentityProvider]:
    """Run the provider for ``officers`` (id -> name and role), with the console as its one client."""
    install()
    port = port or free_port()
    secret = secrets.token_urlsafe(32)
    idp = IdentityProvider(issuer=f"http://127.0.0.1:{port}", client_id=CLIENT_ID, client_secret=secret)
    config = {
        "port": port,
        "issuer": idp.issuer,
        "audience": AUDIENCE,
        "roleClaim": ROLE_CLAIM,
        "clients": [{"client_id": idp.client_id, "client_secret": idp.client_secret, "redirect_uris": redirect_uris}],
        "officers": {officer_id: {"name": name, "role": role.value} for officer_id, (name, role) in officers.items()},
    }
    log = log_path.open("ab") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        ["node", "server.mjs"],
        cwd=IDP_DIR,
        env={**os.environ, "WARTA_IDP_CONFIG": json.dumps(config)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_answer(f"{idp.issuer}/.well-known/openid-configuration", process, timeout=30)
        yield idp
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_path:
            log.close()  # type: ignore[union-attr]
