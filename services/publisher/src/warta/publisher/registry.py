"""The media registry: the outlets the section sends press releases to, and their contacts.

Kept as a CSV the office can edit in a spreadsheet: one row per contact, with its outlet's
columns repeated. An import is checked whole first; a file with any bad row changes nothing and
the answer lists every bad row.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from pydantic import AwareDatetime, BaseModel, Field

from warta.contracts import Line
from warta.runtime import spreadsheet

COLUMNS = (
    "outlet",
    "outlet_type",
    "press_council_verified",
    "journalist_organisation",
    "contact_name",
    "desk",
    "email",
    "active",
)
TRUE, FALSE = {"ya", "yes", "true", "1", "y"}, {"tidak", "no", "false", "0", "n", ""}


class OutletType(StrEnum):
    PRINT = "print"
    ONLINE = "online"
    TV = "tv"
    RADIO = "radio"
    NEWS_AGENCY = "news_agency"


class Outlet(BaseModel):
    name: Line = Field(min_length=1, max_length=200)
    type: OutletType
    press_council_verified: bool = Field(description="Terverifikasi Dewan Pers.")
    journalist_organisation: Line | None = Field(default=None, max_length=100, description="E.g. PWI, AJI, IJTI.")

    @property
    def key(self) -> str:
        return " ".join(self.name.split()).casefold()


class Contact(BaseModel):
    email: str = Field(description="Normalised; a contact's identity.")
    name: Line = Field(min_length=1, max_length=200)
    desk: Line | None = Field(default=None, max_length=100)
    outlet_key: str
    active: bool = True
    opted_out_at: AwareDatetime | None = None

    @property
    def receives(self) -> bool:
        return self.active and self.opted_out_at is None


class RowFault(StrEnum):
    """What is wrong with a line of a registry file, as the rule's name a field problem carries."""

    COLUMN_MISSING = "column_missing"
    CELL_REQUIRED = "cell_required"
    CELL_CHOICE = "cell_choice"
    CELL_YES_NO = "cell_yes_no"
    EMAIL_INVALID = "email_invalid"
    EMAIL_REPEATED = "email_repeated"
    OUTLET_DIFFERS = "outlet_differs"


class RowProblem(BaseModel):
    row: int = Field(description="Line in the file, the header being line 1.")
    field: str
    message: str
    type: RowFault = Field(description="The rule the line breaks, for a face that says it in its own words.")
    limits: dict[str, str] = Field(
        default_factory=dict, description="The rule's values: always the line and the column, and what it names."
    )


def _row_problem(row: int, field: str, fault: RowFault, message: str, **limits: str) -> RowProblem:
    return RowProblem(
        row=row, field=field, message=message, type=fault, limits={"row": str(row), "column": field, **limits}
    )


class ParsedRegistry(BaseModel):
    outlets: list[Outlet]
    contacts: list[Contact]
    problems: list[RowProblem]


def _flag(value: str) -> bool | None:
    v = value.strip().casefold()
    return True if v in TRUE else False if v in FALSE else None


def parse_csv(text: str) -> ParsedRegistry:
    """Every outlet and contact of a registry file, or every reason it cannot be imported."""
    missing = [c for c in COLUMNS if c not in spreadsheet.fieldnames(text)]
    if missing:
        return ParsedRegistry(
            outlets=[],
            contacts=[],
            problems=[_row_problem(1, c, RowFault.COLUMN_MISSING, "column missing") for c in missing],
        )
    outlets: dict[str, Outlet] = {}
    contacts: list[Contact] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(spreadsheet.rows(text), start=2):
        row = _read_row(line, raw)
        if row.email and row.email in seen:
            earlier_row = str(seen[row.email])
            row.problems.append(
                _row_problem(
                    line,
                    "email",
                    RowFault.EMAIL_REPEATED,
                    f"already on row {earlier_row}",
                    earlier_row=earlier_row,
                    email=row.email,
                )
            )
        if row.problems or row.outlet is None or row.contact is None:
            problems += row.problems
            continue
        seen[row.email] = line
        earlier = outlets.get(row.outlet.key)
        if earlier is not None and earlier != row.outlet:
            message = f"{row.outlet.name} is described differently on an earlier row"
            problems.append(_row_problem(line, "outlet", RowFault.OUTLET_DIFFERS, message, outlet=row.outlet.name))
            continue
        outlets[row.outlet.key] = row.outlet
        contacts.append(row.contact)
    return ParsedRegistry(outlets=list(outlets.values()), contacts=contacts, problems=problems)


@dataclass
class _Row:
    """One line of the file as read: its outlet and contact, or what is wrong with it."""

    email: str
    outlet: Outlet | None
    contact: Contact | None
    problems: list[RowProblem]


def _read_row(line: int, row: dict[str, str]) -> _Row:
    problems: list[RowProblem] = []

    def bad(field: str, fault: RowFault, message: str, **limits: str) -> None:
        problems.append(_row_problem(line, field, fault, message, **limits))

    name = (row.get("outlet") or "").strip()
    if not name:
        bad("outlet", RowFault.CELL_REQUIRED, "required")
    kind = None
    try:
        kind = OutletType((row.get("outlet_type") or "").strip().casefold())
    except ValueError:
        expected = ", ".join(t.value for t in OutletType)
        bad("outlet_type", RowFault.CELL_CHOICE, f"must be one of {expected}", expected=expected)
    verified = _flag(row.get("press_council_verified") or "")
    if verified is None:
        bad("press_council_verified", RowFault.CELL_YES_NO, "must be ya or tidak")
    active = _flag(row.get("active") or "ya")
    if active is None:
        bad("active", RowFault.CELL_YES_NO, "must be ya or tidak")
    contact_name = (row.get("contact_name") or "").strip()
    if not contact_name:
        bad("contact_name", RowFault.CELL_REQUIRED, "required")
    email, given = "", (row.get("email") or "").strip()
    try:
        email = validate_email(given, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        if given:
            bad("email", RowFault.EMAIL_INVALID, str(error), value=given[:200])
        else:
            bad("email", RowFault.CELL_REQUIRED, str(error))
    if problems or kind is None:
        return _Row(email, None, None, problems)
    outlet = Outlet(
        name=" ".join(name.split()),
        type=kind,
        press_council_verified=bool(verified),
        journalist_organisation=(row.get("journalist_organisation") or "").strip() or None,
    )
    desk = (row.get("desk") or "").strip() or None
    contact = Contact(email=email, name=contact_name, desk=desk, outlet_key=outlet.key, active=bool(active))
    return _Row(email, outlet, contact, problems)


def to_csv(outlets: Iterable[Outlet], contacts: Iterable[Contact]) -> str:
    by_key = {o.key: o for o in outlets}
    out = io.StringIO()
    writer = spreadsheet.Writer(out)
    writer.writerow(COLUMNS)
    for c in sorted(contacts, key=lambda c: (c.outlet_key, c.email)):
        o = by_key[c.outlet_key]
        writer.writerow(
            [
                o.name,
                o.type.value,
                "ya" if o.press_council_verified else "tidak",
                o.journalist_organisation or "",
                c.name,
                c.desk or "",
                c.email,
                "ya" if c.active else "tidak",
            ]
        )
    return out.getvalue()
