"""A real SMTP server for tests: aiosmtpd on loopback with STARTTLS (a throwaway CA from trustme),
recording what it accepted and refusing recipients as a test tells it to."""

import email
import email.policy
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from .servers import free_port

# Given a recipient and how many times it was offered before, the reply: None accepts.
Policy = Callable[[str, int], str | None]


@dataclass
class Mailbox:
    policy: Policy
    keep_in: Path | None = None  # also write each message there as an .eml file
    received: list[EmailMessage] = field(default_factory=list)
    offered: dict[str, int] = field(default_factory=dict)
    connections: list[tuple[str, int]] = field(default_factory=list)  # each message's sender's address and port
    greeted: set[tuple[str, int]] = field(default_factory=set)  # every connection that said EHLO
    arrived: list[float] = field(default_factory=list)  # when each message was taken (time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when the handler has no hook
        with self.lock:
            self.greeted.add(tuple(session.peer[:2]))
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        with self.lock:
            tries = self.offered.get(address, 0)
            self.offered[address] = tries + 1
        refusal = self.policy(address, tries)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append(message)
            self.connections.append(tuple(session.peer[:2]))
            self.arrived.append(time.monotonic())
            if self.keep_in is not None:
                (self.keep_in / f"{len(self.received):05d}.eml").write_bytes(envelope.content)
        return "250 Message accepted"

    def delivered_to(self) -> list[str]:
        with self.lock:
            return sorted(str(m["To"]) for m in self.received)


@dataclass
class SmtpServer:
    host: str
    port: int
    ca_file: str
    mailbox: Mailbox


@contextmanager
def smtp_server(
    work_dir: Path,
    policy: Policy = lambda address, tries: None,
    keep_in: Path | None = None,
    port: int | None = None,
    ca: trustme.CA | None = None,
    logins: Mapping[str, str] | None = None,
    international: bool = False,
) -> Iterator[SmtpServer]:
    """``port`` and ``ca``: where to listen and whose certificate to show (a relay coming back as
    the services knew it); a free port and a new authority by default. ``logins`` (user →
    password): the relay takes mail only from a sender logged in as one of them, as the city's
    does; without them it takes mail from anyone. ``international``: the relay offers SMTPUTF8
    (addresses outside ASCII)."""
    ca = ca or trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_file = work_dir / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    mailbox = Mailbox(policy, keep_in)
    port = port or free_port()  # aiosmtpd cannot be given port 0
    auth: dict[str, Any] = {}
    if logins is not None:
        auth = {"authenticator": _checked_against(logins), "auth_required": True, "auth_require_tls": True}
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        enable_SMTPUTF8=international,
        **auth,
    )
    controller.start()
    try:
        yield SmtpServer(host="127.0.0.1", port=port, ca_file=str(ca_file), mailbox=mailbox)
    finally:
        controller.stop()


def _checked_against(logins: Mapping[str, str]) -> Callable[[SMTP, Session, Envelope, str, Any], AuthResult]:
    def authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        known = isinstance(data, LoginPassword) and logins.get(data.login.decode()) == data.password.decode()
        return AuthResult(success=known)

    return authenticator


@dataclass
class EmailAsRead:
    """A message as a newsroom's mail program shows it: both parts, the text of each ``<p>`` of
    the HTML, its links (address → text) and the names of the attached files."""

    text: str
    html: str
    date: datetime
    paragraphs: list[str]
    links: dict[str, str]
    attachments: list[str]
    attached: dict[str, bytes]


def read_email(raw: bytes) -> EmailAsRead:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text_part is not None, "a text part"
    assert html_part is not None, "an HTML part"
    reader = _HtmlReader()
    reader.feed(html_part.get_content())
    attached = {part.get_filename() or "": part.get_content() for part in message.iter_attachments()}
    return EmailAsRead(
        text=text_part.get_content().replace("\r\n", "\n"),
        html=html_part.get_content(),
        date=parsedate_to_datetime(str(message["Date"])),
        paragraphs=reader.paragraphs,
        links=reader.links,
        attachments=list(attached),
        attached=attached,
    )


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.links: dict[str, str] = {}
        self._paragraph: list[str] | None = None
        self._link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self._paragraph = []
        elif tag == "a":
            self._link = (dict(attrs).get("href") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._paragraph is not None:
            self.paragraphs.append(" ".join("".join(self._paragraph).split()))
            self._paragraph = None
        elif tag == "a" and self._link is not None:
            href, text = self._link
            self.links[href] = " ".join("".join(text).split())
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._paragraph is not None:
            self._paragraph.append(data)
        if self._link is not None:
            self._link[1].append(data)
