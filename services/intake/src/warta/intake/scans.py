"""A scanned letter read as what it claims to be, before it is kept: a PDF opened and every page
read, an image decoded whole within the pixel limit. The first bytes only say what to try."""

import io
import logging
import re
from enum import StrEnum
from typing import IO

from pypdf import PdfReader

from warta.contracts import FieldProblem, InvalidInput
from warta.runtime.images import ImageFault, ImageRefused, decoded

from .domain import ScanType

# A complete PDF ends with its end-of-file mark; a transfer cut short does not, although a
# lenient reader may still find pages in what arrived.
_EOF_MARK = re.compile(rb"%%EOF\s*$")
_TAIL_BYTES = 1024
logging.getLogger("pypdf").setLevel(logging.ERROR)  # a scanner's small slips are its warnings, not ours


class PdfFault(StrEnum):
    """Why a PDF scan is refused, as the rule's name a field problem carries."""

    INCOMPLETE = "pdf_incomplete"
    DAMAGED = "pdf_damaged"
    LOCKED = "pdf_locked"
    NO_PAGES = "pdf_no_pages"


def check_scan(scan: IO[bytes], kind: ScanType, *, max_pixels: int) -> None:
    """Refuse, naming the scan, a file that does not open whole as ``kind``. Blocking work (it
    reads ``scan`` from its start): run it off the event loop."""
    scan.seek(0)
    if kind is ScanType.PDF:
        _check_pdf(scan)
    else:
        try:
            decoded(scan, max_pixels=max_pixels, reduced=True)
        except ImageRefused as refused:
            raise _unreadable(refused.reason, refused.fault, refused.limits) from refused


def _check_pdf(scan: IO[bytes]) -> None:
    scan.seek(0, io.SEEK_END)
    scan.seek(max(0, scan.tell() - _TAIL_BYTES))
    if not _EOF_MARK.search(scan.read()):
        raise _unreadable(
            "the PDF is incomplete: it has no end-of-file mark (was the transfer cut short?)", PdfFault.INCOMPLETE
        )
    scan.seek(0)
    try:
        reader = PdfReader(scan)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
        for page in [] if encrypted else reader.pages:
            _ = page.mediabox
            page.get_contents()
    except Exception as damaged:  # a parser of anyone's file fails in many ways, each a refusal
        reason = f"the PDF cannot be read ({type(damaged).__name__}: {damaged})"
        raise _unreadable(reason, PdfFault.DAMAGED) from damaged
    if encrypted:
        raise _unreadable("the PDF is locked with a password; scan or save it without one", PdfFault.LOCKED)
    if pages == 0:
        raise _unreadable("the PDF has no pages", PdfFault.NO_PAGES)


def _unreadable(reason: str, fault: PdfFault | ImageFault, limits: dict[str, str] | None = None) -> InvalidInput:
    problem = FieldProblem("scan", reason, type=fault, limits=limits or None)
    return InvalidInput(f"the scan cannot be read: {reason}", fields=[problem])
