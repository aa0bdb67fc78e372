"""Sending one message through the city's SMTP relay (STARTTLS), answering how it went; every
service that sends email sends it this way."""

import asyncio
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import aiosmtplib


@dataclass(frozen=True)
class RelaySettings:
    host: str
    port: int
    starttls: bool
    ca_file: str | None = None
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0  # for each exchange with the relay


class Mailer:
    def __init__(self, relay: RelaySettings) -> None:
        self._relay = relay
        self._tls = ssl.create_default_context(cafile=relay.ca_file) if relay.starttls else None

    @property
    def longest(self) -> timedelta:
        """No send takes longer: connecting, STARTTLS and the message each have ``timeout``."""
        return timedelta(seconds=3 * self._relay.timeout)

    async def send(self, message: EmailMessage) -> tuple[int, str] | None:
        """None when the relay accepted the message; else the refusal's code and text. A relay
        that cannot be reached counts as a transient refusal (421)."""
        r = self._relay
        try:
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
            return first.code, first.message
        except aiosmtplib.SMTPResponseException as refused:
            return refused.code, refused.message
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as away:
            return 421, str(away) or "the relay did not answer in time"
        if errors:
            code, text = next(iter(errors.values()))
            return code, text
        return None
