"""Sending a message through the city's SMTP relay (STARTTLS), answering how it went; every
service that sends email sends it this way.

Connections to the relay are kept open and reused, within the relay's limits: a connection carries
at most ``messages_per_connection`` messages and is closed once idle for ``idle_seconds`` (before
the relay's own idle timeout), and no more than ``connections`` are open at once. A fan-out to a
thousand newsrooms then opens a handful of TLS sessions, not a thousand.
"""

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass, field
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
    messages_per_connection: int = 100
    idle_seconds: float = 10.0


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
    smtp_messages_per_connection: int = Field(
        default=100, ge=1, description="Messages sent over one connection before it is closed: the relay's limit."
    )
    smtp_idle_seconds: float = Field(
        default=10, gt=0, description="A connection idle this long is closed; under the relay's idle timeout."
    )

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
            messages_per_connection=self.smtp_messages_per_connection,
            idle_seconds=self.smtp_idle_seconds,
        )


@dataclass(frozen=True)
class Envelope:
    """A message already made into the bytes the relay receives (CRLF or LF line ends, 7-bit
    unless ``international``), with the addresses the relay delivers it to: what a sender that
    renders many copies of one message itself hands over, so nothing is parsed or flattened
    again for each copy."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes
    message_id: str
    international: bool = False  # an address outside ASCII: the relay must offer SMTPUTF8


@dataclass
class _Connection:
    client: aiosmtplib.SMTP
    sent: int = 0
    idle_since: float = field(default_factory=time.monotonic)


class Mailer:
    def __init__(self, relay: RelaySettings, connections: int = 4) -> None:
        self._relay = relay
        self._tls = ssl.create_default_context(cafile=relay.ca_file) if relay.starttls else None
        self._idle: list[_Connection] = []
        self._open_at_once = asyncio.Semaphore(connections)  # a relay limits a client's connections
        self._closing: set[asyncio.Task[None]] = set()  # QUITs of spent connections, sent aside
        self._stopped = False

    @property
    def longest(self) -> timedelta:
        """No send takes longer: connecting, STARTTLS and the message each have ``timeout``."""
        return timedelta(seconds=3 * self._relay.timeout)

    async def send(self, message: EmailMessage | Envelope) -> Refusal | None:
        """None when the relay accepted the message; else why not. A relay that cannot be
        reached, or that says it is not available (421), is ``unreachable``: that says nothing
        about the recipient. Another 4xx is a refusal for now, a 5xx one for good."""
        try:
            with tracing.client_span("smtp send", self._relay.host):
                # The wait for a connection counts in the time a send may take: the ledger's
                # claim on the message lasts twice that, and must outlive it.
                async with asyncio.timeout(self.longest.total_seconds()), self._open_at_once:
                    errors = await self._hand_over(message)
        except aiosmtplib.SMTPRecipientsRefused as refused:
            first = refused.recipients[0]
            return _refusal(first.code, first.message)
        except (aiosmtplib.SMTPNotSupported, ValueError, UnicodeError) as unsupported:
            # An address outside ASCII and a relay without SMTPUTF8, or an address the protocol
            # cannot carry at all: sending again changes nothing.
            return Refusal(f"the relay cannot carry this message: {unsupported}", transient=False)
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

    async def _hand_over(self, message: EmailMessage | Envelope) -> dict[str, aiosmtplib.SMTPResponse]:
        connection = await self._take() or await self._open()
        try:
            if isinstance(message, Envelope):
                options = ["SMTPUTF8"] if message.international else []
                errors, _ = await connection.client.sendmail(
                    message.sender, list(message.recipients), message.data, mail_options=options
                )
            else:
                errors, _ = await connection.client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused:
            self._put_back(connection)  # the envelope was reset (RSET): it can carry the next one
            raise
        except aiosmtplib.SMTPNotSupported:
            self._put_back(connection)  # refused before anything was begun on it
            raise
        except BaseException:
            # Any other failure may leave the envelope half made, or the outcome in doubt: the
            # connection goes, and the ledger sends the message again with its Message-ID.
            connection.client.close()
            raise
        self._put_back(connection)
        return errors

    async def _open(self) -> _Connection:
        r = self._relay
        client = aiosmtplib.SMTP(
            hostname=r.host,
            port=r.port,
            start_tls=r.starttls,
            tls_context=self._tls,
            username=r.username,
            password=r.password,
            timeout=r.timeout,
        )
        await client.connect()  # STARTTLS and the login with it
        return _Connection(client)

    async def _take(self) -> _Connection | None:
        """A kept connection that answers, or None. Each is asked first (NOOP, one round trip, far
        less than a new TLS session): a message is never begun on a connection the relay dropped
        while it was kept, so a message goes again only when its outcome is really in doubt."""
        while self._idle:
            connection = self._idle.pop()
            fresh = time.monotonic() - connection.idle_since < self._relay.idle_seconds
            if fresh and connection.client.is_connected:
                try:
                    await connection.client.noop()
                    return connection
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    pass
                except BaseException:  # the send's time ran out while asking: neither kept nor leaked
                    connection.client.close()
                    raise
            connection.client.close()  # no QUIT: a message waits on this, and the relay may be gone
        return None

    def _put_back(self, connection: _Connection) -> None:
        connection.sent += 1
        connection.idle_since = time.monotonic()
        spent = connection.sent >= self._relay.messages_per_connection
        if spent or self._stopped or not connection.client.is_connected:
            # QUIT aside: the message was accepted, and its send must not wait on, or time out in,
            # the goodbye.
            closing = asyncio.get_running_loop().create_task(_close(connection))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        else:
            self._idle.append(connection)

    async def close_idle(self, older_than: float = 0.0) -> None:
        """Close the kept connections idle for at least ``older_than`` seconds."""
        now = time.monotonic()
        stale = [c for c in self._idle if now - c.idle_since >= older_than]
        self._idle = [c for c in self._idle if c not in stale]
        await asyncio.gather(*(_close(c) for c in stale))

    async def tend(self) -> None:
        """While the service runs: close connections idle too long; as it stops, all of them, and
        each one a send still in hand gives back later."""
        try:
            while True:
                await asyncio.sleep(self._relay.idle_seconds / 2)
                await self.close_idle(self._relay.idle_seconds)
        except asyncio.CancelledError:  # the service stops (a crash is restarted, and keeps reusing)
            self._stopped = True
            await self.close_idle()
            await asyncio.gather(*self._closing, return_exceptions=True)
            raise


async def _close(connection: _Connection) -> None:
    """QUIT when the relay still listens, else just the socket; a relay gone changes nothing here."""
    if connection.client.is_connected:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
            async with asyncio.timeout(5):
                await connection.client.quit()
    connection.client.close()


def _refusal(code: int, text: str) -> Refusal:
    return Refusal(f"{code} {text}".strip(), transient=400 <= code < 500, unreachable=code == 421)
