"""The opt-out link over HTTP: the publisher's only routes answered without an officer's token
(``public_routes`` in services.toml), and the only ones of the publisher the Ingress routes from
the internet. A newsroom opens them, so every answer is a small page in Bahasa Indonesia, the
refusals too; an operator finds a refused link in the audit log."""

import html
import logging
from email.utils import parseaddr
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from warta.contracts import NotFound
from warta.runtime.http import REFUSALS
from warta.runtime.indonesian import format_datetime

from .opt_out import ONE_CLICK, PATH, OptOutLinks
from .registry_api import registry_of as registry

router = APIRouter(tags=["media opt-out"])
log = logging.getLogger(__name__)
audit = logging.getLogger("warta.audit")

Key = Annotated[str, Query(min_length=1, max_length=100, description="The key the publisher signed into the link.")]
FIELD, VALUE = ONE_CLICK.split("=")


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


# The runtime's refusals stay JSON (an unreadable body, a missing key, the database away); a page
# route would otherwise document them as HTML.
PAGES: dict[int | str, dict[str, Any]] = {
    code: {
        "description": refusal["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for code, refusal in REFUSALS.items()
} | {
    403: _html("The key does not open this link: it was altered, cut short or not made by the publisher"),
    404: _html("The link's contact is not in the media registry"),
}
ONE_CLICK_BODY = {
    "requestBody": {
        "required": False,
        "description": f"RFC 8058's one-click body, {ONE_CLICK} (as multipart/form-data too); without it nothing "
        "changes and the page asks",
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {FIELD: {"type": "string", "enum": [VALUE]}}}
            }
        },
    }
}
# The key is in the page's address: no other site may see it, and no cache or index keep the page.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;line-height:1.5}"
    "button{font:inherit;padding:.6em 1.2em;cursor:pointer}"
)


def page(title: str, *paragraphs: str, confirm: bool = False, status: int = 200) -> HTMLResponse:
    """A page of the link: its title, its paragraphs (already escaped) and, to confirm, the button
    that posts the one-click body to the page's own address, key included."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    if confirm:
        body += (
            f'<form method="post"><input type="hidden" name="{FIELD}" value="{VALUE}">'
            "<button type=submit>Ya, berhenti menerima siaran pers</button></form>"
        )
    text = (
        '<!doctype html>\n<html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · Pemerintah Kota Tangerang</title><style>{STYLE}</style></head>\n"
        f"<body><h1>{title}</h1>{body}</body></html>\n"
    )
    return HTMLResponse(text, status_code=status, headers=HEADERS)


def refused(request: Request) -> HTMLResponse:
    """A link the publisher did not make, or one changed since: refused, counted and audited as
    every refusal is, and told in the reader's words."""
    audit.warning("forbidden: %s %s by no valid token: the opt-out key does not open it", request.method, PATH)
    request.app.state.runtime.metrics.denied.labels("forbidden").inc()
    return page(
        "Tautan tidak sah",
        "Tautan ini tidak dapat dipakai untuk berhenti menerima siaran pers: mungkin terpotong atau telah diubah. "
        "Tidak ada yang berubah.",
        "Bukalah tautan yang lengkap dari email siaran pers yang Anda terima.",
        status=403,
    )


def unknown() -> HTMLResponse:
    return page(
        "Alamat tidak terdaftar",
        "Alamat ini tidak ada dalam daftar penerima siaran pers kami, jadi tidak akan menerima siaran pers.",
        status=404,
    )


def opened(request: Request, contact: str, key: str) -> str | None:
    links: OptOutLinks = request.app.state.opt_out
    return links.opened(contact, key)


@router.get(PATH, response_class=HTMLResponse, responses=PAGES)
async def opt_out_page(contact: str, key: Key, request: Request) -> HTMLResponse:
    """The link opened in a browser: what it does, and the button that does it. Opening it changes
    nothing, because mail scanners open every link of the messages they check."""
    email = opened(request, contact, key)
    if email is None:
        return refused(request)
    try:
        found = await registry(request).contact(email)
    except NotFound:
        return unknown()
    address = f"<strong>{html.escape(email)}</strong>"
    if found.opted_out_at is not None:
        return page(
            "Anda sudah berhenti menerima siaran pers",
            f"Alamat {address} tidak menerima siaran pers lagi sejak {format_datetime(found.opted_out_at)}.",
        )
    return page(
        "Berhenti menerima siaran pers",
        f"Alamat {address} menerima siaran pers Pemerintah Kota Tangerang dari Bagian Protokol dan "
        "Komunikasi Pimpinan.",
        "Tekan tombol di bawah ini bila Anda tidak ingin menerimanya lagi.",
        confirm=True,
    )


@router.post(PATH, response_class=HTMLResponse, responses=PAGES, openapi_extra=ONE_CLICK_BODY)
async def opt_out(contact: str, key: Key, request: Request) -> HTMLResponse:
    """RFC 8058's one-click: with its body the contact is opted out at once (again, harmlessly);
    without it nothing changes and the page asks. The key is checked before the body is read."""
    email = opened(request, contact, key)
    if email is None:
        return refused(request)
    form = await request.form()
    if form.get(FIELD) != VALUE:
        return await opt_out_page(contact, key, request)
    try:
        await registry(request).opt_out(email)
    except NotFound:
        return unknown()
    log.info("a media contact opted out through the link in their email")
    sender = html.escape(parseaddr(request.app.state.sender)[1])
    return page(
        "Anda tidak akan menerima siaran pers lagi",
        f"Alamat <strong>{html.escape(email)}</strong> telah dikeluarkan dari daftar penerima siaran pers "
        "Pemerintah Kota Tangerang.",
        f"Bila ini keliru, tulislah ke {sender}.",
    )
