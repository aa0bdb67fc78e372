"""Bearer tokens naming the officer and their SOP role.

Development tokens are HS256, signed with a shared secret (``warta token``); production verifies
RS256/ES256 tokens from the city's identity provider against its JWKS.

What a token says is read under the text policy like any input: a subject that cannot be an
officer id refuses the token, and the name (which people read in the console, on the disposition
sheet and in the archive) is kept as one line of at most 200 characters without the characters the
policy refuses, or dropped when nothing readable is left.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from pydantic import TypeAdapter, ValidationError

from warta.contracts import Actor, Forbidden, Role
from warta.contracts.text import Line, without_refused

from .logs import bind
from .settings import ServiceSettings


class Unauthenticated(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Principal:
    officer_id: str
    role: Role
    name: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(officer_id=self.officer_id, role=self.role, name=self.name)


def issue_dev_token(
    settings: ServiceSettings,
    *,
    officer_id: str,
    role: Role,
    name: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": officer_id,
        settings.auth_role_claim: role.value,
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
    }
    if name:
        claims["name"] = name
    return jwt.encode(claims, settings.auth_dev_secret.get_secret_value(), algorithm="HS256")


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = (
            jwt.PyJWKClient(settings.auth_jwks_url, cache_keys=True, lifespan=3600)
            if settings.auth_mode == "oidc" and settings.auth_jwks_url
            else None
        )

    async def verify(self, token: str) -> Principal:
        s = self._settings
        try:
            if s.auth_mode == "oidc":
                if self._jwks is None:
                    raise Unauthenticated("identity provider is not configured")
                # PyJWKClient fetches over blocking HTTP; keep it off the event loop.
                signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
                key: Any = signing_key.key
                algorithms = ["RS256", "ES256"]
            else:
                key = s.auth_dev_secret.get_secret_value()
                algorithms = ["HS256"]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=s.auth_audience,
                issuer=s.auth_issuer,
                leeway=s.auth_leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
        try:
            role = Role(str(claims.get(s.auth_role_claim)))
        except ValueError:
            raise Unauthenticated(f"token has no valid {s.auth_role_claim!r} claim") from None
        subject = claims["sub"]
        if not isinstance(subject, str) or not _officer_id(subject):
            raise Unauthenticated("token's subject is not an officer id")
        return Principal(officer_id=subject, role=role, name=readable_name(claims.get("name")))


OFFICER_ID_CHARS = 100
NAME_CHARS = 200
_LINE: TypeAdapter[str] = TypeAdapter(Line)


def _officer_id(subject: str) -> bool:
    return (
        0 < len(subject) <= OFFICER_ID_CHARS
        and not any(c.isspace() for c in subject)
        and (without_refused(subject) == subject)
    )


def readable_name(claim: object) -> str | None:
    """The name claim as people will read it (see the module's note); None for a claim that is
    not text or holds nothing readable."""
    if not isinstance(claim, str):
        return None
    name = " ".join(without_refused(claim).split())[:NAME_CHARS].strip()
    try:
        return _LINE.validate_python(name) if name else None
    except ValidationError:
        return None


async def current_officer(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("missing bearer token")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(token.strip())
    request.state.officer = principal  # for the audit line of an action it is then refused
    bind(officer_id=principal.officer_id, request_id=request.path_params.get("request_id"))
    return principal


Officer = Annotated[Principal, Depends(current_officer)]


def acting_as(*roles: Role, action: str) -> Any:
    """A route's officer, refused with 403 unless they hold one of ``roles``. A dependency, so the
    refusal comes before the request's body is read or validated: a caller without the role gets
    the same answer whatever they send."""

    async def officer_acting(officer: Officer) -> Principal:
        require_role(officer, *roles, action=action)
        return officer

    return Depends(officer_acting)


def require_role(principal: Principal, *roles: Role, action: str) -> None:
    """Refuse with 403 unless the officer holds one of the SOP roles that performs ``action``."""
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"{action} is done by {allowed}; you are {principal.role.value}")
