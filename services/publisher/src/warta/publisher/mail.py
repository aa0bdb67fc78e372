"""The press release by email: one message per contact, and the ledger that makes a resumed or
repeated send reach every contact once.

Each (publication, recipient) has one entry in the send ledger (``warta.runtime.sends``). Its
``Message-ID`` is fixed per publication and recipient, so the rare copy sent again after a crash
between the relay's acceptance and the ledger's mark is recognisable as the same message.
"""

import binascii
import hashlib
import html
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP, SMTPUTF8, EmailPolicy
from email.utils import format_datetime, parseaddr

from warta.runtime.mailer import Envelope
from warta.runtime.release import RenderedRelease
from warta.runtime.sends import Send

from .opt_out import ONE_CLICK
from .registry import Contact
from .website import EXTENSIONS, Picture


class Delivery(Send):
    """The release's email to one contact of the registry, for one publication."""

    RETRY_AFTER = (timedelta(seconds=1), timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2))

    request_id: str
    version: int
    email: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.request_id}:{self.version}:{self.email}"

    def unbuildable(self, reason: str) -> None:
        """The message could not be made (a contact's details the mail format cannot carry): it
        failed before reaching the relay, so sending it again later cannot duplicate it."""
        self.failed(f"the message could not be built: {reason}")


class ReleaseEmail:
    """The release by email, rendered once for a whole fan-out: Yth. <name>, the release as plain
    text and as HTML (one rendering, see ``warta.runtime.release``), each photo with its caption
    and credit, linked to its public copy on the website and attached when the photos are small
    enough (``attached``), the website link when the post exists, and an opt-out link.

    What every copy shares (the headers, the text and HTML around the greeting and the opt-out
    link, each attachment already encoded) is made here once with the ``email`` package; each
    contact's copy (``for_contact``) only joins its greeting, address and link into those bytes.
    Made per copy, the ``email`` package's parsing and flattening was most of a fan-out's CPU."""

    def __init__(
        self,
        release: RenderedRelease,
        *,
        photos: tuple[Picture, ...],
        photo_urls: dict[str, str],
        attached: tuple[Picture, ...],
        website_url: str | None,
        sender: str,
        domain: str,
    ) -> None:
        self._domain = domain
        self._sender = sender
        self._sender_address = parseaddr(sender)[1]
        if "@" not in self._sender_address or not self._sender_address.isascii():
            raise ValueError(f"the sender {sender!r} is not an ASCII email address")
        names = {p.sha256: attachment_name(photos.index(p) + 1, p) for p in attached}
        lines = [release.title, "", release.text, ""]
        if photos:
            lines.append("Foto:")
            for photo in photos:
                where = [photo_urls[photo.sha256]] if photo.sha256 in photo_urls else []
                where += [f"terlampir: {names[photo.sha256]}"] if photo.sha256 in names else []
                lines.append(f"- {photo.credited_caption or 'Foto'}" + (f" — {', '.join(where)}" if where else ""))
            lines.append("")
        if website_url:
            lines += [f"Selengkapnya: {website_url}", ""]
        self._text = "\n".join(lines)
        self._html = _html(release, photos, photo_urls, names, website_url)
        head = EmailMessage(policy=SMTP)
        head["From"] = sender
        head["Subject"] = f"[Siaran Pers] {release.title}"
        head["MIME-Version"] = "1.0"
        head["List-Unsubscribe-Post"] = ONE_CLICK
        self._head = b"".join(SMTP.fold_binary(name, value) for name, value in head.items())
        self._attachments = [_attachment(photo, names[photo.sha256]) for photo in attached]
        # Every line of a part is quoted-printable or base64, neither of which can hold "==":
        # no line of a part can be taken for this boundary.
        self._boundary = f"=============={secrets.token_hex(12)}=="

    def for_contact(self, delivery: Delivery, opt_out_url: str, sent_at: datetime) -> Envelope:
        greeting = f"Yth. {delivery.name},"
        text = f"{greeting}\n\n{self._text}\nBerhenti menerima siaran pers: {opt_out_url}\n"
        html_body = self._html.format(
            greeting=f"<p>{html.escape(greeting)}</p>",
            opt_out=f'<p><small><a href="{html.escape(opt_out_url)}">Berhenti menerima siaran pers</a></small></p>',
        )
        digest = hashlib.sha256(delivery.key.encode()).hexdigest()[:24]
        message_id = f"<{digest}@{self._domain}>"
        international = not delivery.email.isascii()
        own = {
            "To": delivery.email,
            "Message-ID": message_id,
            "Date": format_datetime(sent_at),
            # RFC 8058: a mail program may offer its own "unsubscribe" and opt out with one POST to the link.
            "List-Unsubscribe": f"<{opt_out_url}>",
        }
        policy = SMTPUTF8 if international else SMTP
        head = self._head + b"".join(_header(policy, name, value) for name, value in own.items())
        b = self._boundary
        alternative = (
            f'Content-Type: multipart/alternative; boundary="{b}a"\r\n\r\n'.encode()
            + f"--{b}a\r\n".encode()
            + _text_part("plain", text)
            + f"\r\n--{b}a\r\n".encode()
            + _text_part("html", html_body)
            + f"\r\n--{b}a--\r\n".encode()
        )
        if self._attachments:
            parts = [alternative, *self._attachments]
            body = f'Content-Type: multipart/mixed; boundary="{b}m"\r\n\r\n'.encode()
            body += b"".join(f"--{b}m\r\n".encode() + part + b"\r\n" for part in parts) + f"--{b}m--\r\n".encode()
        else:
            body = alternative
        return Envelope(
            sender=self._sender_address,
            recipients=(delivery.email,),
            data=head + body,
            message_id=message_id,
            international=international,
        )


def _header(policy: "EmailPolicy[EmailMessage]", name: str, value: str) -> bytes:
    """One header line: as it is when it is ASCII (an address, a link, a date), else folded by
    ``policy``. A link stays one line however long (within SMTP's 998 octets): folded, the
    ``email`` package would make a link without spaces an encoded-word, which no mail program
    reads as ``List-Unsubscribe``. A line break in a value is refused here as by the ``email``
    package (it would begin a header of its own)."""
    if "\r" in value or "\n" in value:
        raise ValueError("Header values may not contain linefeed or carriage return characters")
    if value.isascii() and len(name) + len(value) + 2 <= 998:
        return f"{name}: {value}\r\n".encode()
    return policy.fold_binary(name, policy.header_factory(name, value))


def _text_part(subtype: str, text: str) -> bytes:
    # Quoted-printable keeps the Indonesian text readable in the raw message; the binascii codec is
    # C, the ``email`` package's own is Python.
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    encoded = binascii.b2a_qp(lines.encode(), istext=True).replace(b"\n", b"\r\n")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    ).encode() + encoded


def _attachment(photo: Picture, name: str) -> bytes:
    part = MIMEPart(policy=SMTP)
    maintype, subtype = photo.content_type.split("/", 1)
    part.set_content(photo.data, maintype=maintype, subtype=subtype, filename=name, disposition="attachment")
    return part.as_bytes(policy=SMTP)


def _html(
    release: RenderedRelease,
    photos: tuple[Picture, ...],
    photo_urls: dict[str, str],
    attached: dict[str, str],
    website_url: str | None,
) -> str:
    """The HTML part with ``{greeting}`` and ``{opt_out}`` left to fill in for each contact."""
    parts = [f"<h1>{html.escape(release.title)}</h1>", release.html]
    if photos:
        items = []
        for photo in photos:
            caption = html.escape(photo.credited_caption or "Foto")
            url = photo_urls.get(photo.sha256)
            item = f'<a href="{html.escape(url)}">{caption}</a>' if url else caption
            if photo.sha256 in attached:
                item += f" <small>(terlampir: {html.escape(attached[photo.sha256])})</small>"
            items.append(f"<li>{item}</li>")
        parts.append(f"<h2>Foto</h2>\n<ul>{''.join(items)}</ul>")
    if website_url:
        parts.append(f'<p><a href="{html.escape(website_url)}">Selengkapnya di situs Pemerintah Kota Tangerang</a></p>')
    body = "\n".join(parts).replace("{", "{{").replace("}", "}}")
    # A long word or address wraps on a phone instead of widening the whole message.
    frame = '<div style="max-width:40em;overflow-wrap:anywhere;line-height:1.5">'
    return f"{frame}\n{{greeting}}\n{body}\n{{opt_out}}\n</div>\n"


def attachment_name(number: int, photo: Picture) -> str:
    """A name a newsroom can file the photo by: "foto-1-wali-kota-menggunting-pita.jpg"."""
    ascii_caption = unicodedata.normalize("NFKD", photo.caption).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_caption.lower()).strip("-")
    if len(words) > 60:
        words = words[:60].rsplit("-", 1)[0]
    return f"foto-{number}" + (f"-{words}" if words else "") + f".{EXTENSIONS.get(photo.content_type, 'jpg')}"


def attachable(photos: tuple[Picture, ...], budget: int) -> tuple[Picture, ...]:
    """The photos attached to each email: in their order, as long as together they fit ``budget``
    bytes (a relay's message limit counts them a third larger, as base64)."""
    chosen, total = [], 0
    for photo in photos:
        if photo.data and total + len(photo.data) <= budget:
            chosen.append(photo)
            total += len(photo.data)
    return tuple(chosen)


def deliveries_for(request_id: str, version: int, contacts: list[Contact]) -> list[Delivery]:
    return [
        Delivery(request_id=request_id, version=version, email=c.email, name=c.name) for c in contacts if c.receives
    ]
