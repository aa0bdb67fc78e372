"""The press release by email: one message per contact, and the ledger that makes a resumed or
repeated send reach every contact once.

Each (publication, recipient) has one entry in the send ledger (``warta.runtime.sends``). Its
``Message-ID`` is fixed per publication and recipient, so the rare copy sent again after a crash
between the relay's acceptance and the ledger's mark is recognisable as the same message.
"""

import hashlib
import html
import re
import unicodedata
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

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


def message_for(
    delivery: Delivery,
    release: RenderedRelease,
    *,
    photos: tuple[Picture, ...],
    photo_urls: dict[str, str],
    attached: tuple[Picture, ...],
    website_url: str | None,
    sender: str,
    opt_out_url: str,
    domain: str,
    sent_at: datetime,
) -> EmailMessage:
    """Yth. <name>, the release as plain text and as HTML (one rendering, see
    ``warta.runtime.release``), each photo with its caption and credit, linked to its public copy
    on the website and attached when the photos are small enough (``attached``), the website link
    when the post exists, and an opt-out link."""
    greeting = f"Yth. {delivery.name},"
    names = {p.sha256: attachment_name(photos.index(p) + 1, p) for p in attached}
    lines = [greeting, "", release.title, "", release.text, ""]
    if photos:
        lines.append("Foto:")
        for photo in photos:
            where = [photo_urls[photo.sha256]] if photo.sha256 in photo_urls else []
            where += [f"terlampir: {names[photo.sha256]}"] if photo.sha256 in names else []
            lines.append(f"- {photo.credited_caption or 'Foto'}" + (f" — {', '.join(where)}" if where else ""))
        lines.append("")
    if website_url:
        lines += [f"Selengkapnya: {website_url}", ""]
    lines += [f"Berhenti menerima siaran pers: {opt_out_url}"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = delivery.email
    message["Subject"] = f"[Siaran Pers] {release.title}"
    digest = hashlib.sha256(delivery.key.encode()).hexdigest()[:24]
    message["Message-ID"] = f"<{digest}@{domain}>"
    message["Date"] = format_datetime(sent_at)
    # RFC 8058: a mail program may offer its own "unsubscribe" and opt out with one POST to the link.
    message["List-Unsubscribe"] = f"<{opt_out_url}>"
    message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content("\n".join(lines))
    message.add_alternative(
        _html(greeting, release, photos, photo_urls, names, website_url, opt_out_url), subtype="html"
    )
    for photo in attached:
        maintype, subtype = photo.content_type.split("/", 1)
        message.add_attachment(photo.data, maintype=maintype, subtype=subtype, filename=names[photo.sha256])
    return message


def _html(
    greeting: str,
    release: RenderedRelease,
    photos: tuple[Picture, ...],
    photo_urls: dict[str, str],
    attached: dict[str, str],
    website_url: str | None,
    opt_out_url: str,
) -> str:
    parts = [f"<p>{html.escape(greeting)}</p>", f"<h1>{html.escape(release.title)}</h1>", release.html]
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
    parts.append(f'<p><small><a href="{html.escape(opt_out_url)}">Berhenti menerima siaran pers</a></small></p>')
    # A long word or address wraps on a phone instead of widening the whole message.
    body = "\n".join(parts)
    return f'<div style="max-width:40em;overflow-wrap:anywhere;line-height:1.5">\n{body}\n</div>'


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
