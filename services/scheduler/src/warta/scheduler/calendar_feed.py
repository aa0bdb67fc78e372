"""The agenda as iCalendar feeds a phone calendar can subscribe to.

A calendar app cannot send a bearer token, so a feed URL carries a key instead: an HMAC of the
feed's name under the service's feed secret. Rotating the secret revokes every feed URL.
"""

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar, Event

from warta.contracts import label
from warta.runtime.indonesian import JAKARTA

from .domain import AgendaEntry

UID_DOMAIN = "warta.tangerangkota.go.id"


def agenda_feed() -> str:
    return "agenda"


def officer_feed(officer_id: str) -> str:
    return f"officer:{officer_id}"


def feed_key(secret: str, feed: str) -> str:
    return hmac.new(secret.encode(), feed.encode(), hashlib.sha256).hexdigest()[:32]


def key_opens(secret: str, feed: str, key: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters, and a link may carry any.
    return hmac.compare_digest(feed_key(secret, feed).encode(), key.encode())


def render_calendar(entries: Iterable[AgendaEntry], *, name: str, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Pemerintah Kota Tangerang//Warta//ID")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Jakarta")
    for entry in entries:
        calendar.add_component(_vevent(entry, now))
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def _vevent(entry: AgendaEntry, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{entry.request_id}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add("dtstart", entry.event.starts_at.astimezone(JAKARTA))
    event.add("dtend", entry.event.ends_at.astimezone(JAKARTA))
    event.add("summary", f"[{label(entry.event.leader)}] {entry.event.title}")
    event.add("location", entry.event.location)
    # Each reassignment is a new version of the same calendar event.
    event.add("sequence", entry.assignment.revision if entry.assignment else 0)
    lines = [f"Nomor agenda: {entry.agenda_number}"]
    if entry.assignment is None:
        lines.append("Tim liputan: belum dibagi")
    else:
        lines.append("Tim liputan:")
        lines += [f"- {m.officer_id} ({label(m.role)})" for m in entry.assignment.members]
        if entry.assignment.equipment:
            lines.append("Peralatan: " + ", ".join(entry.assignment.equipment))
    event.add("description", "\n".join(lines))
    return event
