"""The ways a message reaches an officer: email through the city's SMTP relay, and WhatsApp
through an HTTP gateway (the kind Indonesian offices commonly rent: a URL, a token, a message)."""

from dataclasses import dataclass
from email.message import EmailMessage

import httpx

from warta.runtime.http import client_tls, client_transport
from warta.runtime.mailer import Mailer
from warta.runtime.release import shortened
from warta.runtime.sends import Refusal

from .messages import Message


def subject_of(message: Message) -> str:
    """The email's subject: the notice's first line, cut at a word if long, as a mail client
    lists it."""
    return f"[Warta] {shortened(message.text.splitlines()[0], 100)}"


class EmailChannel:
    def __init__(self, mailer: Mailer, sender: str) -> None:
        self._mailer = mailer
        self._sender = sender

    async def send(self, message: Message) -> Refusal | None:
        email = EmailMessage()
        email["From"], email["To"] = self._sender, message.address
        email["Subject"] = subject_of(message)
        email["Message-ID"] = f"<{message.key.replace(':', '.')}@warta.tangerangkota.go.id>"
        email.set_content(message.text)
        return await self._mailer.send(email)


@dataclass(frozen=True)
class Gateway:
    url: str
    token: str
    template: str  # the message as the gateway gets it; {text} is the notice
    timeout: float = 15.0


class WhatsAppChannel:
    def __init__(self, gateway: Gateway, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._gateway = gateway
        self._transport = transport
        self._tls = client_tls()

    async def send(self, message: Message) -> Refusal | None:
        g = self._gateway
        body = {"to": message.address, "message": g.template.format(text=message.text), "ref": message.key}
        try:
            transport = self._transport or client_transport(self._tls)
            async with httpx.AsyncClient(timeout=g.timeout, transport=transport) as client:
                response = await client.post(
                    g.url,
                    json=body,
                    headers={"Authorization": f"Bearer {g.token}", "Idempotency-Key": message.key},
                )
        except httpx.HTTPError as away:
            return Refusal(f"gateway unreachable: {away}", transient=True, unreachable=True)
        if response.is_success:
            return None
        # A gateway that is down or overloaded says nothing about the number it was given.
        down = response.status_code in (502, 503, 504)
        transient = down or response.status_code == 429 or response.status_code >= 500
        return Refusal(
            f"gateway answered {response.status_code}: {response.text[:200]}", transient=transient, unreachable=down
        )
