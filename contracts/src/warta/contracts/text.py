"""The text policy: what free text any command or event may carry.

Text is stored as one normal form (NFC), so that "é" typed two ways is one name. Every script and
every emoji is welcome, with the joiners and selectors emoji are made of. What is refused, with a
422 naming the field:

- control characters (the C0 and C1 ranges and DEL), except a line break and a tab in a
  multi-line field (a browser's CR LF arrives as one line break);
- the bidirectional overrides, embeddings and isolates (U+202A to U+202E, U+2066 to U+2069), which make
  "Dinas ‮fdp.exe‬ Pendidikan" read differently from what it is; the plain left-to-right and
  right-to-left marks stay;
- line and paragraph separators, lone surrogates, noncharacters and the byte order mark;
- in a one-line field (a name, a number, a title, a subject), any line break;
- text that only looks filled in: spaces and invisible characters alone (an empty field is
  empty, and its own rules decide whether it may be).

``Line`` and ``Text`` are the two kinds of field; ``Annotated[Line, Field(max_length=…)]`` (or a
``Field`` on the attribute) adds the length limit as usual.
"""

import re
import unicodedata
from datetime import date
from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SEPARATORS = frozenset("\u2028\u2029\ufeff")


def _refused(char: str) -> tuple[str, str] | None:
    """The kind of a refused character and why, or None for a character text may hold."""
    if char in BIDI_CONTROLS:
        return "bidi_control", "must not contain characters that reverse the reading direction"
    category = unicodedata.category(char)
    if category == "Cc":
        return "control_character", "must not contain control characters"
    if char in SEPARATORS or category == "Cs" or _noncharacter(char):
        return "invisible_character", "must not contain invisible or invalid characters"
    return None


_REFUSED_ANYWHERE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # the control characters (Cc) but a tab and a line break
    "\u202a-\u202e\u2066-\u2069"  # BIDI_CONTROLS
    "\u2028\u2029\ufeff"  # SEPARATORS
    "\ud800-\udfff"  # lone surrogates (Cs)
    "\ufdd0-\ufdef"  # noncharacters; the last two code points of each plane follow
) + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
# Every character ``_check`` could refuse, in one class: text without any (nearly all of it) is
# passed by one scan in C, not a Python call for each character.
_SUSPECT_IN_TEXT = re.compile(f"[{_REFUSED_ANYWHERE}]")
_SUSPECT_IN_LINE = re.compile(f"[\t\n{_REFUSED_ANYWHERE}]")


def without_refused(value: str) -> str:
    """``value`` without the characters the policy refuses (line breaks and tabs kept): for text
    made from accepted text that may have spelt them as character references (``&#x202E;``)."""
    return "".join(char for char in value if char in "\n\t" or _refused(char) is None)


def _noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _normal(value: object) -> object:
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))


def _blank(value: str) -> bool:
    """Spaces and invisible characters only: a reason or a name that only looks filled in."""
    return bool(value) and not any(
        not char.isspace() and unicodedata.category(char) not in ("Cf", "Zs", "Zl", "Zp") for char in value
    )


def _check(value: str, *, multi_line: bool) -> str:
    if _blank(value):
        raise PydanticCustomError("blank", "must not be only spaces or invisible characters")
    if (_SUSPECT_IN_TEXT if multi_line else _SUSPECT_IN_LINE).search(value) is None:
        return value
    for position, char in enumerate(value):
        if multi_line and char in "\n\t":
            continue
        if char in "\n\t":
            raise PydanticCustomError(
                "line_break", "must be one line (a line break or tab at character {position})", {"position": position}
            )
        refused = _refused(char)
        if refused is not None:
            kind, why = refused
            raise PydanticCustomError(
                kind,
                why + " (U+{code} at character {position})",
                {"code": f"{ord(char):04X}", "position": position},
            )
    return value


def line(value: str) -> str:
    return _check(value, multi_line=False)


def text(value: str) -> str:
    return _check(value, multi_line=True)


Line = Annotated[str, BeforeValidator(_normal), AfterValidator(line)]
"""One line of free text: a name, a number, a title, a subject."""

Text = Annotated[str, BeforeValidator(_normal), AfterValidator(text)]
"""Free text that may run over lines: a body, a note, a reason, a comment."""


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def _in_office_years(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError(
            "date_out_of_range", "must be between {first} and {last}", {"first": str(FIRST_DAY), "last": str(LAST_DAY)}
        )
    return day


Day = Annotated[date, AfterValidator(_in_office_years)]
"""A calendar day the office can mean (2000 to 2099): a search, a letter's date, an agenda day.
Days at the calendar's edges (year 1, year 9999) are refused, not computed with."""


def _e164(value: str) -> str:
    """A number as Indonesians write it (``0812-3456-7890``, ``+62 812 3456 7890``, ``62812…``)
    in the one form a WhatsApp gateway takes: E.164, ``+6281234567890``."""
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise PydanticCustomError(
            "phone_number", "is not a telephone number (e.g. 0812-3456-7890 or +62 812 3456 7890)"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


PhoneNumber = Annotated[str, AfterValidator(_e164)]
"""A telephone number, kept in E.164 whatever way it was typed (Indonesia's when no country)."""
