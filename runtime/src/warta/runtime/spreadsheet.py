"""CSV as the office's spreadsheets write and read it.

Written: for Excel set to Indonesian (the section's), which separates fields with ``;`` (the
comma is its decimal mark) and reads a file as UTF-8 only behind a byte order mark; lines end in
CR LF; a decimal number has a decimal comma. A text cell that begins with a character a
spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written
behind an apostrophe, which spreadsheets show as text and hide (CSV injection).

Read: whatever a spreadsheet saved: UTF-8 with or without a byte order mark, UTF-16 (Excel's
"Unicode text"), or Windows-1252 (an older Excel's "CSV"), separated by commas, semicolons or
tabs. A file that is none of these is refused, not guessed at.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from warta.contracts import FieldProblem, InvalidInput

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DELIMITER = ";"
SEPARATORS = (",", ";", "\t")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return value


def uncell(text: str) -> str:
    """A cell as it was before ``cell`` guarded it, for a file exported here and imported again."""
    if text.startswith("'") and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


class Writer:
    """``csv.writer`` whose every cell is guarded and written for Excel in Indonesian."""

    def __init__(self, out: io.StringIO | Any, **options: Any) -> None:
        self._writer = csv.writer(out, **{"delimiter": DELIMITER, "lineterminator": "\r\n", **options})

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(value) for value in row])


def document(text: str) -> bytes:
    """A written table as the bytes of a ``.csv`` file Excel opens in the right encoding."""
    return codecs.BOM_UTF8 + text.encode("utf-8")


def text_of(data: bytes) -> str:
    """A saved file's text, in the encodings spreadsheets save in."""
    marked = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    for bom, encoding in marked:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise _undecodable() from None
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _undecodable()


def rows(text: str) -> Iterator[dict[str, str]]:
    """The rows of a table by its header's column names, whichever separator it was saved with:
    the one that splits the header into the most columns."""
    header = text.split("\n", 1)[0]
    delimiter = max(SEPARATORS, key=header.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    for row in reader:
        yield {(key or "").strip(): uncell(value) if isinstance(value, str) else "" for key, value in row.items()}


def fieldnames(text: str) -> list[str]:
    header = text.split("\n", 1)[0]
    delimiter = max(SEPARATORS, key=header.count)
    return [name.strip() for name in next(csv.reader(io.StringIO(header), delimiter=delimiter), [])]


def _undecodable() -> InvalidInput:
    reason = "the file is not text as a spreadsheet saves it (UTF-8 or Windows-1252); save it as CSV UTF-8"
    return InvalidInput(reason, fields=[FieldProblem("file", reason, type="not_spreadsheet_text")])
