"""The press release by email: one message per contact, and the ledger that makes a resumed or
repeated send reach every contact once.

Each (publication, recipient) has one ledger entry. A message goes out only from ``pending``, a
``transient`` failure whose retry time has come, or a ``sending`` claim whose sender has died (its
lease ran out), and is marked ``sent`` the moment the relay accepts it. Its ``Message-ID`` is
fixed per publication and recipient, so the rare copy sent again after a crash between the relay's
acceptance and that mark is recognisable as the same message.
"""

import hashlib
import html
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel

from warta.contracts import AssetRef, PressRelease

from .registry import Contact
from .website import article_html

RETRY_AFTER = (timedelta(seconds=1), timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2))


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; a crash leaves it here until the claim's lease runs out
    SENT = "sent"
    TRANSIENT = "transient"  # refused for now (4xx); retried later
    FAILED = "failed"  # refused for good (5xx) or out of retries


class Delivery(BaseModel):
    request_id: str
    version: int
    email: str
    name: str
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    retry_at: AwareDatetime | None = None
    last_error: str | None = None
    sent_at: AwareDatetime | None = None
    claimed_at: AwareDatetime | None = None

    @property
    def key(self) -> str:
        return f"{self.request_id}:{self.version}:{self.email}"

    def due(self, now: datetime, lease: timedelta) -> bool:
        if self.state is DeliveryState.PENDING:
            return True
        chance = self.next_chance(lease)
        return chance is not None and chance <= now

    def next_chance(self, lease: timedelta) -> datetime | None:
        """When a waiting entry may be tried again: a transient refusal's retry time, or the end of
        a claim's lease (a live sender has its answer from the relay well before then)."""
        if self.state is DeliveryState.TRANSIENT:
            return self.retry_at or datetime.min.replace(tzinfo=UTC)
        if self.state is DeliveryState.SENDING:
            return self.claimed_at + lease if self.claimed_at else datetime.min.replace(tzinfo=UTC)
        return None

    def refused(self, code: int, message: str, now: datetime) -> None:
        self.attempts += 1
        self.claimed_at = None
        self.last_error = f"{code} {message}".strip()
        if 400 <= code < 500 and self.attempts <= len(RETRY_AFTER):
            self.state, self.retry_at = DeliveryState.TRANSIENT, now + RETRY_AFTER[self.attempts - 1]
        else:
            self.state, self.retry_at = DeliveryState.FAILED, None

    def accepted(self, now: datetime) -> None:
        self.attempts += 1
        self.claimed_at = None
        self.state, self.sent_at, self.retry_at, self.last_error = DeliveryState.SENT, now, None, None


def message_for(
    delivery: Delivery,
    release: PressRelease,
    *,
    photos: tuple[AssetRef, ...],
    website_url: str | None,
    sender: str,
    opt_out_url: str,
    domain: str,
) -> EmailMessage:
    """Yth. <name>, the release in plain text and HTML, links to its photos' public copies (full
    size, for the newsroom to pick from; no attachments to fill inboxes), the website link when the
    post exists, and an opt-out link."""
    greeting = f"Yth. {delivery.name},"
    lines = [greeting, "", release.title, ""]
    if release.dateline:
        lines.append(f"{release.dateline} — {release.lead or ''}".strip(" —"))
    elif release.lead:
        lines.append(release.lead)
    lines += ["", release.body, ""]
    if photos:
        lines += ["Foto:", *(f"- {p.caption or 'Foto'}: {p.uri}" for p in photos), ""]
    if website_url:
        lines += [f"Selengkapnya: {website_url}", ""]
    lines += [f"Berhenti menerima siaran pers: {opt_out_url}"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = delivery.email
    message["Subject"] = f"[Siaran Pers] {release.title}"
    digest = hashlib.sha256(delivery.key.encode()).hexdigest()[:24]
    message["Message-ID"] = f"<{digest}@{domain}>"
    message["List-Unsubscribe"] = f"<{opt_out_url}>"
    message.set_content("\n".join(lines))
    photo_list = "".join(
        f'<li><a href="{html.escape(p.uri)}">{html.escape(p.caption or "Foto")}</a></li>' for p in photos
    )
    link = (
        f'<p><a href="{html.escape(website_url)}">Selengkapnya di situs Pemerintah Kota Tangerang</a></p>'
        if website_url
        else ""
    )
    message.add_alternative(
        f"<p>{html.escape(greeting)}</p><h1>{html.escape(release.title)}</h1>{article_html(release)}"
        + (f"<p>Foto:</p><ul>{photo_list}</ul>" if photos else "")
        + link
        + f'<p><small><a href="{html.escape(opt_out_url)}">Berhenti menerima siaran pers</a></small></p>',
        subtype="html",
    )
    return message


def deliveries_for(request_id: str, version: int, contacts: list[Contact]) -> list[Delivery]:
    return [
        Delivery(request_id=request_id, version=version, email=c.email, name=c.name) for c in contacts if c.receives
    ]
