"""Signing in through the city's identity provider: OpenID Connect's authorization code flow with
PKCE, the console being a confidential client. The access token the provider issues for the Warta
APIs is what the console keeps (in an HttpOnly cookie) and sends to the services, which verify it
themselves against the provider's keys."""

import asyncio
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from warta.runtime.http import client_tls, client_transport


class SignInFailed(Exception):
    """The provider refused, or what came back cannot be trusted; the officer starts again."""


@dataclass(frozen=True)
class Pending:
    """What the console remembers between sending the officer to the provider and their return."""

    state: str
    nonce: str
    verifier: str

    @classmethod
    def new(cls) -> "Pending":
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48))

    def dump(self) -> str:
        return f"{self.state}.{self.nonce}.{self.verifier}"

    @classmethod
    def load(cls, text: str) -> "Pending | None":
        parts = text.split(".")
        return cls(*parts) if len(parts) == 3 and all(parts) else None

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def matches(self, state: str) -> bool:
        return hmac.compare_digest(self.state.encode(), state.encode())


class OidcClient:
    def __init__(self, issuer: str, client_id: str, client_secret: str, redirect_uri: str, scope: str) -> None:
        self._issuer = issuer.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self._scope = scope
        self._http = httpx.AsyncClient(timeout=10, transport=client_transport(client_tls()))
        self._metadata: dict[str, Any] | None = None
        self._keys: jwt.PyJWKClient | None = None

    async def _discover(self) -> dict[str, Any]:
        if self._metadata is None:
            try:
                response = await self._http.get(f"{self._issuer}/.well-known/openid-configuration")
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise SignInFailed(f"the identity provider cannot be reached: {exc}") from exc
            try:
                metadata = response.json()
                named, keys = str(metadata["issuer"]).rstrip("/"), str(metadata["jwks_uri"])
            except (ValueError, KeyError, TypeError) as exc:
                raise SignInFailed(f"the identity provider's metadata is incomplete: {exc}") from exc
            if named != self._issuer:
                raise SignInFailed(f"the provider at {self._issuer} names another issuer: {named}")
            self._metadata = metadata
            self._keys = jwt.PyJWKClient(keys, cache_keys=True, lifespan=3600)
        return self._metadata

    async def authorization_url(self, pending: Pending) -> str:
        metadata = await self._discover()
        query = {
            "response_type": "code",
            "client_id": self._client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self._scope,
            "state": pending.state,
            "nonce": pending.nonce,
            "code_challenge": pending.challenge,
            "code_challenge_method": "S256",
        }
        return f"{metadata['authorization_endpoint']}?{urlencode(query)}"

    async def access_token(self, code: str, pending: Pending) -> str:
        """Trade the code for tokens; check the ID token is the provider's, for this console and this
        sign-in (its nonce), and return the access token."""
        metadata = await self._discover()
        try:
            response = await self._http.post(
                metadata["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_uri,
                    "code_verifier": pending.verifier,
                },
                auth=(self._client_id, self._client_secret),
            )
        except httpx.HTTPError as exc:
            raise SignInFailed(f"the identity provider cannot be reached: {exc}") from exc
        if response.status_code != 200:
            refusal = f"({response.status_code}): {response.text[:200]}"
            raise SignInFailed(f"the identity provider refused the sign-in {refusal}")
        try:
            tokens = response.json()
        except ValueError as exc:
            raise SignInFailed("the identity provider answered something other than JSON") from exc
        assert self._keys is not None
        try:
            key = await asyncio.to_thread(self._keys.get_signing_key_from_jwt, tokens["id_token"])
            claims = jwt.decode(
                tokens["id_token"],
                key.key,
                algorithms=["RS256", "ES256"],
                audience=self._client_id,
                issuer=metadata["issuer"],
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except (KeyError, jwt.PyJWTError) as exc:
            raise SignInFailed(f"the identity token cannot be trusted: {exc}") from exc
        if not hmac.compare_digest(str(claims["nonce"]).encode(), pending.nonce.encode()):
            raise SignInFailed("the identity token belongs to another sign-in")
        if "access_token" not in tokens:
            raise SignInFailed("the identity provider issued no access token")
        return str(tokens["access_token"])

    async def close(self) -> None:
        await self._http.aclose()
