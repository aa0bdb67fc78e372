"""The letter register as a spreadsheet: the columns the office's agenda book has, in its words."""

import csv
import io
from datetime import date, datetime
from typing import Any

from warta.contracts import Leader, LetterNature
from warta.runtime.indonesian import format_date, format_datetime

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


def register_row(item: dict[str, Any], lang: str) -> list[str]:
    letter, event = item["letter"], item["event"]

    def when(iso: str) -> str:
        return format_datetime(datetime.fromisoformat(iso))

    return [
        item["agenda_number"],
        when(item["received_at"]),
        letter["number"],
        format_date(date.fromisoformat(letter["date"])),
        letter["sender"],
        letter["subject"],
        vocabulary_label(letter["nature"], LetterNature.__name__, lang),
        event["title"],
        event["location"],
        vocabulary_label(event["leader"], Leader.__name__, lang),
        when(event["starts_at"]),
        when(event["ends_at"]),
        state_label(item["state"], lang),
    ]


def register_csv(items: list[dict[str, Any]], lang: str) -> bytes:
    """Semicolon-separated with a byte-order mark: how a spreadsheet set to Indonesian (whose
    decimal separator is the comma) opens a CSV file into columns, with its accents intact."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS.get(lang, COLUMNS["id"]))
    for item in items:
        writer.writerow(register_row(item, lang))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
