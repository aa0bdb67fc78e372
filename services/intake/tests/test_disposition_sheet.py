"""The disposition sheet prints every character officers type, from the smallest of the fonts'
subsets that holds them all: the basic one for Indonesian text, the Latin one for Latin script
with any diacritics, and the whole fonts otherwise."""

import io
import logging
from datetime import UTC, datetime, timedelta
from importlib import resources

import pypdf
import pytest
from fontTools.ttLib import TTFont

from warta.contracts import Actor, ContactPerson, LeadershipEvent, Letter, Role
from warta.intake.disposition_sheet import (
    BASIC_FONTS,
    FONTS,
    LATIN_FONTS,
    SUBSETS,
    WHOLE_FONTS,
    font_files,
    render_disposition_sheet,
)
from warta.intake.domain import FacilitationRequest, RequestDetails

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def characters(name: str) -> set[int]:
    with resources.as_file(FONTS / name) as path:
        return set(TTFont(path, lazy=True).getBestCmap())


def request_from(sender: str, subject: str) -> FacilitationRequest:
    letter = Letter(number="005/12/2026", date=NOW.date(), sender=sender, sender_kind="opd", subject=subject)
    event = LeadershipEvent(
        title="Rapat", starts_at=NOW, ends_at=NOW + timedelta(hours=2), location="Puspem", leader="wali_kota"
    )
    return FacilitationRequest.register(
        request_id="r1",
        agenda_number="0007/PROKOPIM/2026",
        details=RequestDetails(letter=letter, event=event, received_at=NOW),
        now=NOW,
        actor=Actor(officer_id="siti", role=Role.ADMIN),
    )


def printed(request: FacilitationRequest, caplog: pytest.LogCaptureFixture) -> str:
    with caplog.at_level(logging.WARNING):
        sheet = render_disposition_sheet(request, printed_at=NOW)
    assert not [r for r in caplog.records if "glyph" in r.getMessage().lower()]  # no character left out
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(sheet)).pages)


@pytest.mark.parametrize(
    ("whole", "part", "made_for"),
    [
        (whole, part, made_for)
        for fonts, made_for in SUBSETS.items()
        for whole, part in zip(WHOLE_FONTS, fonts, strict=True)
    ],
)
def test_each_subset_holds_every_character_it_was_made_for_that_its_whole_font_has(whole, part, made_for):
    assert characters(whole) & made_for <= characters(part)
    assert len(characters(part)) < len(characters(whole)) / 3


def test_indonesian_text_is_set_from_the_basic_subsets(caplog):
    sender = "Dinas Pendidikan — “Sekolah Ramah Anak” · café"
    request = request_from(sender, "Permohonan peliputan: Rp 5.000 (±10%) ½ hari")

    assert font_files(request.model_dump_json()) == BASIC_FONTS
    assert len(characters(BASIC_FONTS[0])) < len(characters(LATIN_FONTS[0])) / 2
    text = printed(request, caplog)
    assert sender in text
    assert "Rp 5.000 (±10%) ½ hari" in text


def test_latin_text_is_set_from_the_subsets(caplog):
    sender = "Yayasan Çağrı & Señora Nguyễn — “Bakti” Ærø"  # noqa: RUF001 (a Turkish dotless i, on purpose)
    request = request_from(sender, "Permohonan peliputan: Rp 5.000 → 10%")

    assert font_files(request.model_dump_json()) == LATIN_FONTS
    text = printed(request, caplog)
    assert sender in text
    assert "Rp 5.000 → 10%" in text


def test_text_in_other_scripts_is_set_from_the_whole_fonts(caplog):
    request = request_from("Посольство Республики", "Ἀθῆναι peliputan")

    assert font_files(request.model_dump_json()) == WHOLE_FONTS
    text = printed(request, caplog)
    assert "Посольство Республики" in text
    assert "Ἀθῆναι peliputan" in text


def test_the_sheet_names_the_officers_as_they_signed_in(caplog):
    request = request_from("Dinas Kesehatan", "Permohonan peliputan")
    request.issue_sheet(now=NOW, actor=Actor(officer_id="siti", role=Role.ADMIN, name="Siti Rahmawati"))
    head = Actor(officer_id="hendra", role=Role.SECTION_HEAD, name="Hendra Gunawan")
    request.dispose(instructions=("liput_dan_publikasikan",), notes=None, now=NOW, actor=head)
    text = printed(request, caplog)
    assert "oleh Hendra Gunawan" in text
    assert "oleh Siti Rahmawati" in text
    assert "oleh hendra" not in text
    assert "oleh siti." not in text


def test_details_at_their_longest_are_printed_whole_and_in_order_on_the_first_page(caplog):
    subject = " ".join(f"peliputan{n:02d}" for n in range(45))[:500].rstrip()  # the longest a perihal may be
    sender = " ".join(f"dinas{n:02d}" for n in range(40))[:200].rstrip()
    request = request_from(sender, subject)
    printed(request, caplog)  # no character left out

    sheet = render_disposition_sheet(request, printed_at=NOW)
    first = " ".join(pypdf.PdfReader(io.BytesIO(sheet)).pages[0].extract_text().split())
    assert f"Asal surat {sender} (OPD) Nomor surat" in first
    assert f"Perihal {subject} Kegiatan" in first


def test_a_detail_that_no_longer_fits_on_the_first_page_starts_the_next_whole(caplog):
    """Details at their longest in wide letters fill more than a page: a row that would cross the
    page's foot starts the next page, so no value is cut between two pages."""
    wide = " ".join(["MWMWM"] * 100)  # the widest letters, longer than any field may be

    def longest(limit: int) -> str:
        return wide[:limit].strip()

    letter = Letter(number="005/12/2026", date=NOW.date(), sender=longest(200), sender_kind="opd", subject=longest(500))
    event = LeadershipEvent(
        title=longest(300), starts_at=NOW, ends_at=NOW + timedelta(hours=2), location=longest(300), leader="wali_kota"
    )
    contact = ContactPerson(name=longest(200), position=longest(200), phone="081234567890")
    request = FacilitationRequest.register(
        request_id="r1",
        agenda_number="0007/PROKOPIM/2026",
        details=RequestDetails(letter=letter, event=event, contact=contact, received_at=NOW),
        now=NOW,
        actor=Actor(officer_id="siti", role=Role.ADMIN),
    )
    printed(request, caplog)  # no character left out
    pages = [
        " ".join(page.extract_text().split())
        for page in pypdf.PdfReader(io.BytesIO(render_disposition_sheet(request, printed_at=NOW))).pages
    ]
    reach = f"{contact.name}, {contact.position}, {contact.phone}"
    for caption, value, following in (
        ("Asal surat", f"{letter.sender} (OPD)", "Nomor surat"),
        ("Perihal", letter.subject, "Kegiatan"),
        ("Kegiatan", event.title, "Waktu"),
        ("Tempat", event.location, "Pimpinan"),
        ("Narahubung", reach, "Diteruskan kepada"),
    ):
        assert sum(f"{caption} {value} {following}" in page for page in pages) == 1, caption
    # The last row did not fit under the others: it heads the second page, whole.
    assert pages[1].startswith(f"Narahubung {reach} ")


def test_the_fonts_embedded_in_a_sheet_are_whole_fonts_whose_glyphs_all_resolve(caplog):
    """The sheet's fonts are copied into it as their glyphs were made (their bounds kept, not
    computed again): each embedded font still reads as a font, every glyph in it resolves, and an
    accented letter built from other glyphs is drawn from the same parts as in the bundled font."""
    request = request_from("Dinas Pendidikan — café Ærø", "Peliputan: ½ hari, ±10%, “Sekolah” é ü ñ")
    assert font_files(request.model_dump_json()) == BASIC_FONTS
    sheet = render_disposition_sheet(request, printed_at=NOW)
    with resources.as_file(FONTS / BASIC_FONTS[0]) as path:
        bundled = TTFont(path)
    built: dict[str, list[tuple[int, int]]] = {}
    for font in pypdf.PdfReader(io.BytesIO(sheet)).pages[0]["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        ttfont = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        glyf = ttfont["glyf"]
        assert ttfont["maxp"].numGlyphs == len(glyf.glyphOrder)
        for name in glyf.glyphOrder:
            coordinates, _, _ = glyf[name].getCoordinates(glyf)  # a composite's parts, looked up by id
            if glyf[name].isComposite():
                built[name] = list(coordinates)
    assert {"eacute", "udieresis", "ntilde", "onehalf"} <= set(built)
    for name, coordinates in built.items():
        glyf = bundled["glyf"]
        assert coordinates == list(glyf[name].getCoordinates(glyf)[0]), name
