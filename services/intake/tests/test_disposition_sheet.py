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

from warta.contracts import Actor, LeadershipEvent, Letter, Role
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
