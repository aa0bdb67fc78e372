"""A real SMTP server for tests: aiosmtpd on loopback with STARTTLS (a throwaway CA from trustme),
recording what it accepted and refusing recipients as a test tells it to."""

import email
import email.policy
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller

from .servers import free_port

# Given a recipient and how many times it was offered before, the reply: None accepts.
Policy = Callable[[str, int], str | None]


@dataclass
class Mailbox:
    policy: Policy
    keep_in: Path | None = None  # also write each message there as an .eml file
    received: list[EmailMessage] = field(default_factory=list)
    offered: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

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
    work_dir: Path, policy: Policy = lambda address, tries: None, keep_in: Path | None = None
) -> Iterator[SmtpServer]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_file = work_dir / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    mailbox = Mailbox(policy, keep_in)
    port = free_port()  # aiosmtpd cannot be given port 0
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        yield SmtpServer(host="127.0.0.1", port=port, ca_file=str(ca_file), mailbox=mailbox)
    finally:
        controller.stop()
