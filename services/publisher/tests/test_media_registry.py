"""The media registry: CSV import with a dry run, export, opt-outs, on the real database."""

import csv
import io

import pytest

from warta.contracts import Role
from warta.devstack.pytest_plugin import ServiceCaller, running_app
from warta.publisher.app import PublisherSettings, create_app
from warta.publisher.registry import parse_csv
from warta.runtime import spreadsheet

HEADER = "outlet,outlet_type,press_council_verified,journalist_organisation,contact_name,desk,email,active\n"
GOOD = HEADER + (
    "Tangerang Ekspres,print,ya,PWI,Budi Santoso,Redaksi,budi@tangex.co.id,ya\n"
    "Tangerang Ekspres,print,ya,PWI,Rina Wati,Foto,RINA@tangex.co.id,ya\n"
    "Radar Banten TV,tv,tidak,IJTI,Dedi,Liputan,dedi@radarbanten.tv,tidak\n"
    "Antara Banten,news_agency,ya,,Sari,Banten,sari@antaranews.com,ya\n"
)
BROKEN = HEADER + (
    "Tangerang Ekspres,print,ya,PWI,Budi Santoso,Redaksi,budi@tangex.co.id,ya\n"
    "Koran X,majalah,ya,,Ani,,ani@koranx.id,ya\n"  # unknown type
    "Koran Y,online,ya,,Joko,,bukan-email,ya\n"  # invalid email
    "Koran Z,online,mungkin,,,,budi@tangex.co.id,ya\n"  # bad flag, no name, duplicate email
)
ADMIN = (Role.ADMIN, "siti")
HEAD = (Role.SECTION_HEAD, "hendra")


@pytest.fixture
async def office(namespace, mongo):
    app = create_app(namespace.settings(PublisherSettings))
    async with running_app(app) as client:
        yield ServiceCaller(app, client, namespace, mongo[namespace.database("publisher")])


def test_every_bad_row_is_reported_with_its_line_and_field():
    parsed = parse_csv(BROKEN)
    assert [(p.row, p.field) for p in parsed.problems] == [
        (3, "outlet_type"),
        (4, "email"),
        (5, "press_council_verified"),
        (5, "contact_name"),
        (5, "email"),
    ]
    assert "already on row 2" in parsed.problems[-1].message
    assert [c.email for c in parsed.contacts] == ["budi@tangex.co.id"]


def test_a_missing_column_is_named():
    parsed = parse_csv("outlet,email\nX,x@y.id\n")
    assert {p.field for p in parsed.problems} >= {"outlet_type", "contact_name", "active"}


async def test_a_dry_run_reports_and_writes_nothing_then_the_import_writes_everything(office):
    report = await office.ok(ADMIN, "POST", "/media/import", content=BROKEN.encode())
    assert report["dry_run"] is True
    assert len(report["problems"]) == 5
    refused = await office.refused(
        422,
        ADMIN,
        "POST",
        "/media/import",
        params={"dry_run": "false"},
        content=BROKEN.encode(),
        field="rows.3.outlet_type",
    )
    assert "nothing was imported" in refused["message"]
    assert await office.ok(ADMIN, "GET", "/media/contacts") == []

    dry = await office.ok(ADMIN, "POST", "/media/import", content=GOOD.encode())
    assert (dry["outlets"], dry["contacts_added"], dry["problems"]) == (3, 4, [])
    assert await office.ok(ADMIN, "GET", "/media/contacts") == []
    done = await office.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=GOOD.encode())
    assert done["dry_run"] is False
    contacts = {c["email"]: c for c in await office.ok(HEAD, "GET", "/media/contacts")}
    assert sorted(contacts) == ["budi@tangex.co.id", "dedi@radarbanten.tv", "rina@tangex.co.id", "sari@antaranews.com"]
    assert contacts["dedi@radarbanten.tv"]["active"] is False
    assert contacts["budi@tangex.co.id"]["outlet"] == "Tangerang Ekspres"  # its outlet's name, as written

    await office.refused(403, HEAD, "POST", "/media/import", params={"dry_run": "false"}, content=GOOD.encode())


async def test_export_round_trips_and_an_opt_out_survives_a_reimport(office):
    await office.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=GOOD.encode())
    opted = await office.ok(ADMIN, "POST", "/media/contacts/Budi@tangex.co.id/opt-out")
    assert opted["opted_out_at"] is not None
    exported = await office.client.get("/media/export.csv", headers=office.ns.token(*HEAD))
    assert exported.headers["content-type"].startswith("text/csv")
    again = await office.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=exported.content)
    assert (again["contacts_added"], again["contacts_updated"], again["problems"]) == (0, 4, [])
    contacts = {c["email"]: c for c in await office.ok(HEAD, "GET", "/media/contacts")}
    assert contacts["budi@tangex.co.id"]["opted_out_at"] == opted["opted_out_at"]
    assert parse_csv(spreadsheet.text_of(exported.content)).problems == []
    assert exported.content.startswith(b"\xef\xbb\xbfoutlet;outlet_type;")  # for Excel set to Indonesian
    await office.refused(404, ADMIN, "POST", "/media/contacts/nobody@x.id/opt-out")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
async def test_a_registry_saved_by_excel_in_indonesian_or_an_older_excel_imports_as_written(office, encoding):
    """Excel set to Indonesian saves semicolons (the comma is its decimal mark), CR LF and a byte
    order mark; an older one saves Windows-1252. Both import with every name as it was typed."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER.strip().split(","))
    writer.writerow(["Radar Banten", "tv", "ya", "IJTI", "Renée Sari", "Liputan, Daerah", "renee@radarbanten.tv", "ya"])
    writer.writerow(["Kabar Kota", "online", "tidak", "", "Ahmad Müller", "", "ahmad@kabarkota.id", "ya"])
    saved = out.getvalue().encode(encoding)
    assert b"\r\n" in saved
    done = await office.ok(ADMIN, "POST", "/media/import", params={"dry_run": "false"}, content=saved)
    assert (done["contacts_added"], done["problems"]) == (2, [])
    contacts = {c["email"]: c for c in await office.ok(ADMIN, "GET", "/media/contacts")}
    assert contacts["renee@radarbanten.tv"]["name"] == "Renée Sari"
    assert contacts["renee@radarbanten.tv"]["desk"] == "Liputan, Daerah"
    assert contacts["ahmad@kabarkota.id"]["name"] == "Ahmad Müller"


async def test_a_file_that_is_no_spreadsheets_text_is_refused_not_garbled(office):
    await office.refused(422, ADMIN, "POST", "/media/import", content=HEADER.encode() + b"\x81\x8d\x90,x", field="file")
