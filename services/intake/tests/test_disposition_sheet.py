"""The disposition sheet prints every character officers type, from the fonts' Latin subsets when
the text is Latin script and from the whole fonts otherwise."""

import io
import logging
from datetime import UTC, datetime, timedelta
from importlib import resources

import pypdf
import pytest
from fontTools.ttLib import TTFont

from warta.contracts import Actor, LeadershipEvent, Letter, Role
from warta.intake.disposition_sheet import (
    FONTS,
    LATIN_FONTS,
    LATIN_SCRIPT,
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


@pytest.mark.parametrize(("whole", "latin"), list(zip(WHOLE_FONTS, LATIN_FONTS, strict=True)))
def test_each_latin_subset_holds_every_latin_character_of_its_whole_font(whole, latin):
    assert characters(whole) & LATIN_SCRIPT <= characters(latin)
    assert len(characters(latin)) < len(characters(whole)) / 3


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
