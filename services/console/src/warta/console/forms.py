"""Between HTML forms and the services' JSON; pure, no I/O.

A form field's name is the dotted path of the API field it fills (``letter.number``), so a
refusal's field (``body.letter.number``) finds its way back to the input it belongs next to.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from warta.runtime.release import html_text, inline_text, markdown_html

from .clients import coverage, review
from .i18n import field_message

WIB = ZoneInfo("Asia/Jakarta")

LETTER_FIELDS = (
    "letter.number",
    "letter.date",
    "letter.sender",
    "letter.sender_kind",
    "letter.subject",
    "letter.nature",
    "event.title",
    "event.location",
    "event.leader",
    "event.starts_at",
    "event.ends_at",
)


def nested(form: dict[str, str], fields: tuple[str, ...]) -> dict[str, Any]:
    """``{"letter.number": "1"}`` as ``{"letter": {"number": "1"}}``; empty inputs are left out, so
    the API names what is missing, field by field: a part left wholly empty is still sent, empty,
    or the API would name the part alone and no field of the form would be marked. Times typed in
    WIB (``datetime-local``) get their zone."""
    body: dict[str, Any] = {}
    for name in fields:
        *parents, leaf = name.split(".")
        node = body
        for part in parents:
            node = node.setdefault(part, {})
        value = form.get(name, "").strip()
        if not value:
            continue
        node[leaf] = in_wib(value) if name.endswith("_at") else value
    return body


def wib_local(moment: datetime | str | None) -> str:
    """A time as a ``datetime-local`` input shows it, in WIB; what an officer typed and the API
    refused is shown as typed."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        return moment
    return moment.astimezone(WIB).strftime("%Y-%m-%dT%H:%M")


def quotations(form: dict[str, str]) -> list[dict[str, str]]:
    """The quotation rows of a form (``quotes.0.speaker``, …) in their order; a row left empty is
    one removed."""
    rows: dict[int, dict[str, str]] = {}
    for name, value in form.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "quotes" and parts[1].isascii() and parts[1].isdigit():
            rows.setdefault(int(parts[1]), {})[parts[2]] = value.strip()
    kept = [rows[n] for n in sorted(rows) if any(rows[n].values())]
    return [{field: row.get(field, "") for field in ("speaker", "function", "text")} for row in kept]


def in_wib(local: str) -> str:
    """A ``datetime-local`` value (``2026-12-01T09:00``) read as WIB, in ISO 8601 with its offset;
    anything else is passed on for the API to refuse with its own message."""
    try:
        return datetime.fromisoformat(local).replace(tzinfo=WIB).isoformat()
    except ValueError:
        return local


def field_errors(refusal: dict[str, Any], lang: str = "id") -> dict[str, str]:
    """The API's field problems by form field name (``body.letter.number`` → ``letter.number``),
    each in the officer's language where the console knows the kind of problem."""
    out: dict[str, str] = {}
    for problem in refusal.get("fields", []):
        name = str(problem.get("field", ""))
        for prefix in ("body.", "query.", "path."):
            name = name.removeprefix(prefix)
        out.setdefault(name, field_message(problem, lang))
    return out


def traffic_light(age_minutes: float, standard_minutes: float, warn_at: float = 0.8) -> str:
    """green while under 80 % of the standard, amber from there, red once over."""
    if age_minutes > standard_minutes:
        return "red"
    if age_minutes >= warn_at * standard_minutes:
        return "amber"
    return "green"


def checklist(view: coverage.WorkspaceView) -> list[tuple[str, bool]]:
    """What the coverage service will ask of a version before it takes it, shown before sending."""
    draft = view.workspace.draft or coverage.Draft()
    kinds = {a.kind for a in view.assets}
    items = [
        ("check_title", bool(inline_text(draft.title))),
        ("check_body", bool(html_text(markdown_html(draft.body or "")))),
        ("check_photo", "photo" in kinds),
    ]
    if view.workspace.needs_video:
        items.append(("check_video", "video" in kinds))
    return items


@dataclass(frozen=True)
class Thread:
    """An opening comment with its replies, oldest first; reads as the comment it opens with."""

    comment: review.Comment
    replies: list[review.Comment]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.comment, name)


def threads_of(comments: list[review.Comment]) -> list[Thread]:
    """Comments as threads: each opening comment with its replies, oldest first."""
    threads = [Thread(c, []) for c in comments if not c.reply_to]
    by_id = {t.comment.comment_id: t for t in threads}
    for reply in comments:
        if reply.reply_to in by_id:
            by_id[reply.reply_to].replies.append(reply)
    return threads
