"""Sending one message through the city's SMTP relay (STARTTLS), answering how it went; every
service that sends email sends it this way."""

import asyncio
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import aiosmtplib
from pydantic import BaseModel, Field, SecretStr

from . import tracing
from .addresses import Reach, reaching
from .sends import Refusal


@dataclass(frozen=True)
class RelaySettings:
    host: str
    port: int
    starttls: bool
    ca_file: str | None = None
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0  # for each exchange with the relay


class MailSettings(BaseModel):
    """The city's mail relay, as every service that sends email is configured (a mixin of its
    settings: ``WARTA_SMTP_*``)."""

    smtp_host: str = reaching(Reach.NEARBY, "127.0.0.1", description="The city's mail relay.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_ca_file: str | None = Field(default=None, description="CA of the relay's certificate, if not a public one.")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(default=30, gt=0, description="Seconds the relay has for each exchange.")

    def relay(self) -> RelaySettings:
        password = self.smtp_password.get_secret_value() if self.smtp_password else None
        return RelaySettings(
            host=self.smtp_host,
            port=self.smtp_port,
            starttls=self.smtp_starttls,
            ca_file=self.smtp_ca_file,
            username=self.smtp_username,
            password=password,
            timeout=self.smtp_timeout,
        )


class Mailer:
    def __init__(self, relay: RelaySettings) -> None:
        self._relay = relay
        self._tls = ssl.create_default_context(cafile=relay.ca_file) if relay.starttls else None

    @property
    def longest(self) -> timedelta:
        """No send takes longer: connecting, STARTTLS and the message each have ``timeout``."""
        return timedelta(seconds=3 * self._relay.timeout)

    async def send(self, message: EmailMessage) -> Refusal | None:
        """None when the relay accepted the message; else why not. A relay that cannot be
        reached, or that says it is not available (421), is ``unreachable``: that says nothing
        about the recipient. Another 4xx is a refusal for now, a 5xx one for good."""
        r = self._relay
        try:
            with tracing.client_span("smtp send", r.host):
                async with asyncio.timeout(self.longest.total_seconds()):
                    errors, _ = await aiosmtplib.send(
                        message,
                        hostname=r.host,
                        port=r.port,
                        start_tls=r.starttls,
                        tls_context=self._tls,
                        username=r.username,
                        password=r.password,
                        timeout=r.timeout,
                    )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            first = refused.recipients[0]
            return _refusal(first.code, first.message)
        except aiosmtplib.SMTPResponseException as refused:
            return _refusal(refused.code, refused.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as away:
            return Refusal(
                f"the relay cannot be reached: {away or 'no answer in time'}", transient=True, unreachable=True
            )
        if errors:
            code, text = next(iter(errors.values()))
            return _refusal(code, text)
        return None


def _refusal(code: int, text: str) -> Refusal:
    return Refusal(f"{code} {text}".strip(), transient=400 <= code < 500, unreachable=code == 421)
