"""What the console gives officers to open in a spreadsheet: the letter register with the columns
the office's agenda book has, and the SOP dashboard's table, in the office's words."""

import csv
import io
from collections.abc import Iterable, Sequence

from warta.contracts import Leader, LetterNature
from warta.runtime.indonesian import format_date, format_datetime

from .clients import intake
from .i18n import state_label, vocabulary_label

# The states of a letter in the register, in the order it passes them.
REGISTER_STATES = ("registered", "awaiting_disposition", "disposed", "declined")

COLUMNS = {
    "id": (
        "No. agenda",
        "Diterima",
        "Nomor surat",
        "Tanggal surat",
        "Pengirim",
        "Perihal",
        "Sifat surat",
        "Nama kegiatan",
        "Tempat",
        "Pimpinan",
        "Mulai",
        "Selesai",
        "Status",
    ),
    "en": (
        "Agenda no.",
        "Received",
        "Letter number",
        "Letter date",
        "Sender",
        "Subject",
        "Urgency",
        "Event",
        "Place",
        "Leader",
        "Starts",
        "Ends",
        "State",
    ),
}


def register_row(item: intake.FacilitationRequest, lang: str) -> list[str]:
    letter, event = item.letter, item.event
    return [
        item.agenda_number,
        format_datetime(item.received_at),
        letter.number,
        format_date(letter.date),
        letter.sender,
        letter.subject,
        vocabulary_label(letter.nature or "", LetterNature.__name__, lang),
        event.title,
        event.location,
        vocabulary_label(event.leader, Leader.__name__, lang),
        format_datetime(event.starts_at),
        format_datetime(event.ends_at),
        state_label(item.state or "", lang),
    ]


def register_csv(items: list[intake.FacilitationRequest], lang: str) -> bytes:
    return spreadsheet_csv(COLUMNS.get(lang, COLUMNS["id"]), [register_row(item, lang) for item in items])


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Semicolon-separated with a byte-order mark: how a spreadsheet set to Indonesian (whose
    decimal separator is the comma) opens a CSV file into columns, with its accents intact."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def indonesian_number(value: float, decimals: int = 1) -> str:
    """``1234.5`` as Indonesian writes it: ``1.234,5``."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
