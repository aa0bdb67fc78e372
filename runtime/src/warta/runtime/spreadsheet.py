"""CSV that a spreadsheet opens as data, never as a formula (CSV injection): a text cell that
begins with a character a spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is written behind an apostrophe, which spreadsheets show as text and hide.
Numbers are written as they are."""

import csv
from collections.abc import Iterable
from typing import Any, TextIO

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def uncell(text: str) -> str:
    """A cell as it was before ``cell`` guarded it, for a file exported here and imported again."""
    if text.startswith("'") and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


class Writer:
    """``csv.writer`` whose every text cell is guarded."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(value) for value in row])
