"""The disposition sheet (lembar disposisi) as an A4 PDF, in the form the section used on paper.

Text is set in the bundled DejaVu Sans so letters with any character print the same on every
machine; boxes are drawn rather than typed, so they never depend on a glyph. A sheet is set from
the smallest subset of the fonts that holds all its text: the basic one (Indonesian: ASCII, the
Latin-1 letters and punctuation), else the Latin one (names with any Latin diacritics), else the
whole fonts. Reading and subsetting a font is most of a sheet's time, and of the intake service's
CPU, and grows with the glyphs the font holds.
"""

import functools
from datetime import datetime
from importlib import resources
from itertools import chain
from typing import cast

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from fpdf.fonts import TTFFont

from warta.contracts import DispositionInstruction, Letter, LetterNature, label
from warta.runtime.indonesian import format_date, format_datetime, format_period

from .domain import Disposition, FacilitationRequest, RequestState

FONT = "DejaVu"
LINE = 6.0
LABEL_WIDTH = 45.0
FONTS = resources.files("warta.intake") / "fonts"
WHOLE_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")  # (regular, bold)
# The subsets, made by `python -m warta.devstack fonts`, smallest first.
BASIC_FONTS = ("DejaVuSans-Basic.ttf", "DejaVuSans-Bold-Basic.ttf")
LATIN_FONTS = ("DejaVuSans-Latin.ttf", "DejaVuSans-Bold-Latin.ttf")
BASIC_TEXT = frozenset(
    chain(
        range(0x20, 0x7F),  # Basic Latin
        range(0xA0, 0x100),  # Latin-1 Supplement
        range(0x2000, 0x2070),  # General Punctuation
        (0x20AC, 0x2122),  # euro, trade mark
    )
)
LATIN_SCRIPT = frozenset(
    chain(
        range(0x20, 0x7F),  # Basic Latin
        range(0xA0, 0x250),  # Latin-1 Supplement, Latin Extended-A and -B
        range(0x1E00, 0x1F00),  # Latin Extended Additional
        range(0x2000, 0x2070),  # General Punctuation
        range(0x20A0, 0x20D0),  # Currency Symbols
        range(0x2100, 0x2150),  # Letterlike Symbols
        range(0x2190, 0x2200),  # Arrows
    )
)


# Each subset's fonts and the characters it was made for, smallest first.
SUBSETS = {BASIC_FONTS: BASIC_TEXT, LATIN_FONTS: LATIN_SCRIPT}


@functools.cache
def coverage(fonts: tuple[str, str]) -> frozenset[int]:
    """The characters both fonts of a pair hold."""
    held = []
    for name in fonts:
        with resources.as_file(FONTS / name) as path:
            held.append(frozenset(TTFont(path, lazy=True).getBestCmap()))
    return held[0] & held[1]


def font_files(text: str) -> tuple[str, str]:
    """The smallest (regular, bold) fonts that hold every character of ``text``."""
    used = {ord(c) for c in text}
    return next((fonts for fonts in SUBSETS if used <= coverage(fonts)), WHOLE_FONTS)


def _pdf(fonts: tuple[str, str]) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    with (
        resources.as_file(FONTS / fonts[0]) as regular,
        resources.as_file(FONTS / fonts[1]) as bold,
    ):
        pdf.add_font(FONT, style="", fname=regular)
        pdf.add_font(FONT, style="B", fname=bold)
    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            # Keep the bounds the font was made with, as fontTools' own subsetter does
            # (``recalc_bounds`` is off by default): the glyphs a sheet uses are then copied as
            # they are, not decoded and encoded again, which was a fifth of a sheet's time.
            font.ttfont.recalcBBoxes = False
    pdf.set_margins(20, 15, 20)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_lang("id")
    pdf.set_creator("Warta")
    return pdf


def _heading(pdf: FPDF, text: str, size: float, style: str = "B") -> None:
    pdf.set_font(FONT, style, size)
    pdf.cell(0, LINE, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _checkbox(pdf: FPDF, caption: str, ticked: bool, width: float) -> None:
    x, y = pdf.get_x(), pdf.get_y()
    box = 3.6
    top = y + (LINE - box) / 2
    pdf.rect(x, top, box, box)
    if ticked:
        pdf.line(x + 0.6, top + 0.6, x + box - 0.6, top + box - 0.6)
        pdf.line(x + 0.6, top + box - 0.6, x + box - 0.6, top + 0.6)
    pdf.set_x(x + box + 1.5)
    pdf.cell(width - box - 1.5, LINE, caption)


def _rows(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    """The letter's details as a two-column ruled table. Each value is wrapped once and its lines
    set as plain cells: fpdf's own table wraps every cell twice (to size the row, then to set
    it), which was a fifth of a sheet's time."""
    pdf.set_font(FONT, "", 10)
    line = LINE - 1
    value_width = pdf.epw - LABEL_WIDTH
    for caption, value in rows:
        # Asked for LINES alone, fpdf answers the wrapped lines alone.
        lines = cast(list[str], pdf.multi_cell(value_width, line, value, dry_run=True, output=MethodReturnValue.LINES))
        height = line * max(len(lines), 1)
        if pdf.will_page_break(height):
            pdf.add_page()
        x, y = pdf.l_margin, pdf.get_y()
        pdf.rect(x, y, LABEL_WIDTH, height)
        pdf.rect(x + LABEL_WIDTH, y, value_width, height)
        pdf.set_xy(x, y)
        pdf.cell(LABEL_WIDTH, height, caption)
        pdf.set_xy(x + LABEL_WIDTH, y)
        for text in lines:
            pdf.cell(value_width, line, text, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(x, y + height)


def _by(moment: datetime, officer: str) -> str:
    return f"pada {format_datetime(moment)} oleh {officer}"


def _decider(disposition: Disposition) -> str:
    """The section head by name (by id only for a decision recorded before names were kept)."""
    return disposition.decided_by_name or disposition.decided_by


def render_disposition_sheet(request: FacilitationRequest, *, printed_at: datetime) -> bytes:
    """The sheet for one request, top to bottom as the paper form: the letterhead, the letter's
    nature and details, the instruction boxes, the notes box and, once the section head has
    decided, the decision."""
    # Every officer-given text is in the request; the form's own words are Latin script.
    pdf = _pdf(font_files(request.model_dump_json()))
    pdf.set_title(f"Lembar Disposisi {request.agenda_number}")
    pdf.set_subject(request.letter.subject)
    pdf.add_page()
    _letterhead(pdf, draft=request.sheet is None)
    _nature(pdf, request.letter)
    _rows(pdf, _details(request))
    pdf.ln(4)
    _instructions(pdf, request.disposition)
    _notes(pdf, request.disposition)
    _decision(pdf, request)
    _footer(pdf, request, printed_at)
    return bytes(pdf.output())


def _letterhead(pdf: FPDF, *, draft: bool) -> None:
    _heading(pdf, "PEMERINTAH KOTA TANGERANG", 12)
    _heading(pdf, "SEKRETARIAT DAERAH", 11)
    _heading(pdf, "BAGIAN PROTOKOL DAN KOMUNIKASI PIMPINAN", 11)
    pdf.ln(1)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)
    _heading(pdf, "LEMBAR DISPOSISI", 14)
    if draft:
        _heading(pdf, "DRAF — belum diterbitkan", 9, style="")
    pdf.ln(2)


def _nature(pdf: FPDF, letter: Letter) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.cell(27, LINE, "Sifat surat:")
    pdf.set_font(FONT, "", 10)
    for nature in LetterNature:
        _checkbox(pdf, label(nature), letter.nature is nature, 38)
    _checkbox(pdf, "Rahasia", letter.confidential, 30)
    pdf.ln(LINE + 2)


def _details(request: FacilitationRequest) -> list[tuple[str, str]]:
    letter, event, contact = request.letter, request.event, request.contact
    reach = "-" if contact is None else ", ".join(p for p in (contact.name, contact.position, contact.phone) if p)
    return [
        ("Nomor agenda", request.agenda_number),
        ("Diterima", format_datetime(request.received_at, weekday=True)),
        ("Asal surat", f"{letter.sender} ({label(letter.sender_kind)})"),
        ("Nomor surat", letter.number),
        ("Tanggal surat", format_date(letter.date)),
        ("Perihal", letter.subject),
        ("Kegiatan", event.title),
        ("Waktu", format_period(event.starts_at, event.ends_at)),
        ("Tempat", event.location),
        ("Pimpinan", label(event.leader)),
        ("Narahubung", reach),
    ]


def _instructions(pdf: FPDF, disposition: Disposition | None) -> None:
    ticked = set(disposition.instructions) if disposition else set()
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, LINE, "Diteruskan kepada: Ketua Tim Dokumentasi Pimpinan", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, LINE, "Instruksi:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    column = pdf.epw / 2
    for index, instruction in enumerate(DispositionInstruction):
        _checkbox(pdf, label(instruction), instruction in ticked, column)
        if index % 2 == 1:
            pdf.ln(LINE)
    pdf.ln(LINE + 2)


def _notes(pdf: FPDF, disposition: Disposition | None) -> None:
    """The notes box: at least 30 mm high for a hand-written note, longer for a long typed one."""
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, LINE, "Catatan:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    notes = (disposition.notes if disposition else None) or ""
    top = pdf.get_y()
    pdf.multi_cell(0, LINE - 1, notes or " ", new_x=XPos.LMARGIN, new_y=YPos.NEXT, padding=2)
    height = max(pdf.get_y() - top, 30.0)
    pdf.rect(pdf.l_margin, top, pdf.epw, height)
    pdf.set_y(top + height + 4)


def _decision(pdf: FPDF, request: FacilitationRequest) -> None:
    disposition = request.disposition
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, LINE, "Keputusan Kepala Bagian:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    if disposition is None:
        decision = "Belum ada keputusan."
    elif request.state is RequestState.DECLINED:
        decision = f"Ditolak {_by(disposition.decided_at, _decider(disposition))}. Alasan: {disposition.decline_reason}"
    else:
        decision = f"Diteruskan {_by(disposition.decided_at, _decider(disposition))}."
    pdf.multi_cell(0, LINE - 1, decision, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)


def _footer(pdf: FPDF, request: FacilitationRequest, printed_at: datetime) -> None:
    pdf.set_font(FONT, "", 8)
    issued = (
        f"Diterbitkan {format_datetime(request.sheet.issued_at)} oleh {request.sheet.issuer}. " if request.sheet else ""
    )
    pdf.multi_cell(
        0, 4, f"{issued}Dicetak dari Warta {format_datetime(printed_at)}.", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
