"""The one rendering of a press release: Markdown as formatting, anything else typed into it as
nothing a reader's browser would run, and the same article as HTML and as plain text."""

import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warta.contracts import PressRelease
from warta.contracts.text import BIDI_CONTROLS, without_refused
from warta.runtime.release import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, plain_text, render_release

BODY = """## Fasilitas Taman

Wali Kota **Sachrudin** membuka taman, lihat [peta lokasi](https://maps.tangerangkota.go.id/taman).

- rak buku anak
- ruang baca *lansia*
  1. pagi
  2. sore

> Mari membaca.

| Fasilitas | Jumlah |
|---|---|
| Buku | 3.000 |

Hubungi [Prokopim](mailto:prokopim@tangerangkota.go.id)."""


def release(**fields: object) -> PressRelease:
    return PressRelease.model_validate({"title": "Judul", "body": BODY, **fields})


def test_markdown_is_rendered_as_the_elements_of_an_article():
    html = render_release(release()).html
    for element in (
        "<h2>Fasilitas Taman</h2>",
        "<strong>Sachrudin</strong>",
        '<a href="https://maps.tangerangkota.go.id/taman" rel="noopener">peta lokasi</a>',
        "<li>ruang baca <em>lansia</em>",
        "<ol>\n<li>pagi</li>",
        "<blockquote>\n<p>Mari membaca.</p>\n</blockquote>",
        "<th>Fasilitas</th>",
        "<td>3.000</td>",
        '<a href="mailto:prokopim@tangerangkota.go.id" rel="noopener">Prokopim</a>',
    ):
        assert element in html


def test_the_plain_text_says_what_the_html_says():
    text = render_release(release()).text
    assert text.split("\n\n") == [
        "Fasilitas Taman",
        "Wali Kota Sachrudin membuka taman, lihat peta lokasi (https://maps.tangerangkota.go.id/taman).",
        "- rak buku anak\n- ruang baca lansia\n  1. pagi\n  2. sore",
        "> Mari membaca.",
        "Fasilitas | Jumlah\nBuku | 3.000",
        "Hubungi Prokopim (prokopim@tangerangkota.go.id).",
    ]


def test_the_dateline_opens_the_lead_or_else_the_first_paragraph_with_no_dangling_dash():
    with_lead = render_release(release(dateline="Tangerang, 5 Desember 2026", lead="Taman dibuka."))
    assert with_lead.html.startswith("<p><strong>Tangerang, 5 Desember 2026</strong> — Taman dibuka.</p>")
    assert with_lead.text.startswith("Tangerang, 5 Desember 2026 — Taman dibuka.\n\n")
    no_lead = render_release(release(dateline="Tangerang, 5 Desember 2026", body="Taman dibuka.\n\nDua."))
    assert no_lead.html == "<p><strong>Tangerang, 5 Desember 2026</strong> — Taman dibuka.</p>\n<p>Dua.</p>"
    assert no_lead.text == "Tangerang, 5 Desember 2026 — Taman dibuka.\n\nDua."
    heading_first = render_release(release(dateline="Tangerang, 5 Desember 2026"))
    assert heading_first.html.startswith("<p><strong>Tangerang, 5 Desember 2026</strong></p>\n<h2>")
    assert "—" not in heading_first.text.split("\n\n")[0]
    neither = render_release(release(lead=None, dateline=None))
    assert neither.html.startswith("<h2>Fasilitas Taman</h2>")


def test_with_no_lead_the_excerpt_of_a_hostile_first_paragraph_is_its_words_alone():
    """The path a script once took to the city's home page: no lead, so the excerpt is the body's
    first paragraph."""
    body = (
        '<script>alert(\'x\')</script>Taman <b onclick="x()">dibuka</b> <img src=x onerror="x()">'
        "<iframe src='https://x.example/'></iframe>untuk **warga**.\n\nDua."
    )
    rendered = render_release(release(lead=None, dateline=None, body=body))
    assert rendered.excerpt == "Taman dibuka untuk warga."
    for markup in ("<", ">", "alert", "onclick", "onerror", "iframe"):
        assert markup not in rendered.excerpt


def test_the_excerpt_is_the_lead_or_the_first_paragraph_as_plain_text_cut_at_a_word():
    assert render_release(release(lead="Wali Kota **membuka** taman.")).excerpt == "Wali Kota membuka taman."
    first = render_release(release()).excerpt
    assert first == "Wali Kota Sachrudin membuka taman, lihat peta lokasi."
    long = render_release(release(body="kata " * 200)).excerpt
    assert len(long) <= 300
    assert long.endswith("kata…")


def test_markup_in_plain_fields_is_dropped_with_a_script_and_its_content():
    rendered = render_release(
        release(
            title="Taman <script>alert(1)</script>& <b onclick='x()'>Buku</b>",
            tags=("<i>Literasi</i>", "<script>x</script>", "Literasi"),
        )
    )
    assert rendered.title == "Taman & Buku"
    typed_by_habit = render_release(release(title="**Wali Kota** Resmikan [Taman](https://x.id)", tags=("*Buku*",)))
    assert (typed_by_habit.title, typed_by_habit.tags) == ("Wali Kota Resmikan Taman", ("Buku",))
    assert rendered.tags == ("Literasi",)
    assert plain_text("  dua\nbaris\t ") == "dua baris"
    # Markup typed as character references is still markup; a reversed reading order spelt as one
    # is still refused.
    assert plain_text("&lt;script&gt;alert(1)&lt;/script&gt;Taman &amp;lt;b&amp;gt;Buku") == "Taman Buku"
    assert plain_text("Surat &#x202E;gpj.exe") == "Surat gpj.exe"
    assert plain_text("1 < 2 & 3 > 2") == "1 < 2 & 3 > 2"


HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<iframe src='https://evil.example/'></iframe>",
        '<img src=x onerror="alert(1)">',
        "[klik](javascript:alert(1))",
        '<a href="javascript:alert(1)">a</a>',
        '<a href="data:text/html,x">a</a>',
        "<svg onload=alert(1)>",
        '<p style="background:url(javascript:x)">p</p>',
        "<style>body{}</style>",
        "<!-- komentar -->",
        "<object data=x></object>",
        "<form action=x><input></form>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
        "Surat &#x202E;gpj.exe",
        "&#xfeff;&#x2028;&#0;&#x85;&#xFFFE;",
    ]
)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _filled(text: str) -> bool:
    """Not blank as the text policy sees it (only spaces or invisible characters are refused)."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Zs") for c in text)


# Whatever the text policy lets through (warta.contracts.text): any script, symbol or emoji.
TYPED = st.text(
    alphabet=st.characters(
        exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters=BIDI_CONTROLS | {"\ufeff"}
    ).filter(lambda c: (ord(c) & 0xFFFE) != 0xFFFE and not 0xFDD0 <= ord(c) <= 0xFDEF),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(TYPED, HOSTILE), min_size=1, max_size=8))
def test_whatever_is_typed_only_allowed_elements_and_addresses_reach_the_html(pieces):
    typed = "\n".join(pieces)
    body = typed if _filled(typed) else "isi"
    title = " ".join(pieces)[:300].strip()
    title = title if _filled(title) else "Judul"
    lead = typed[:2000] if _filled(typed[:2000]) else None
    rendered = render_release(PressRelease(title=title, body=body, lead=lead))
    parser = _Elements()
    parser.feed(rendered.html)
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
            if name == "href":
                assert (value or "").split(":", 1)[0].lower() in ("http", "https", "mailto")
    for plain in (rendered.title, rendered.excerpt, *rendered.tags):
        assert "<script" not in plain.lower()
        assert "<img" not in plain.lower()
        assert "\n" not in plain
    # Nothing the text policy refuses, though it was typed as a character reference.
    for output in (rendered.html, rendered.text, rendered.title, rendered.excerpt, *rendered.tags):
        assert without_refused(output) == output


@pytest.mark.parametrize(
    "opener",
    ["<style>", "<script>", "<pre>", "<textarea>", "<!-- catatan", "<?php", "<iframe src=x>", "<title>", "<svg>"],
)
def test_markup_left_open_does_not_take_the_rest_of_the_release_with_it(opener):
    rendered = render_release(release(body=f"Para satu.\n\n{opener}\n\n## Judul\n\n- a\n- b\n\nPenutup."))
    assert rendered.html.startswith("<p>Para satu.</p>\n")
    assert rendered.html.endswith("<h2>Judul</h2>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>Penutup.</p>")


def test_a_closed_script_or_style_goes_with_its_content_and_the_text_around_it_stays():
    rendered = render_release(release(body="Awal <script>alert(1)</script>tengah <style>p{}</style>akhir."))
    assert rendered.html == "<p>Awal tengah akhir.</p>"


def test_quotations_follow_the_body_with_who_said_them_their_emphasis_read_not_shown():
    quoted = release(
        body="Isi.",
        quotes=[
            {
                "speaker": "Sachrudin",
                "function": "Wali Kota Tangerang",
                "text": "Mari *membaca*\nsetiap hari. <script>x()</script><img src=x onerror=alert(1)>",
            }
        ],
    )
    rendered = render_release(quoted)
    assert rendered.html.endswith(
        "<blockquote>\n<p>“Mari <em>membaca</em> setiap hari.”</p>\n<p>— Sachrudin, Wali Kota Tangerang</p>\n"
        "</blockquote>"
    )
    assert rendered.text.endswith("> “Mari membaca setiap hari.”\n\n> — Sachrudin, Wali Kota Tangerang")


def test_struck_text_and_line_breaks_survive_what_is_not_on_the_list_keeps_only_its_text():
    rendered = render_release(
        release(
            body="Harga ~~Rp50.000~~ Rp25.000 per m<sup>2</sup>, kode `A-1`,  \nhubungi [0812](tel:0812),"
            " [x](javascript:x) atau [surel](mailto:humas@tangerangkota.go.id).\n\n---\n\nPenutup."
        )
    )
    assert "<s>Rp50.000</s>" in rendered.html
    assert "per m2, kode A-1,<br>hubungi 0812, x atau " in rendered.html
    assert '<a href="mailto:humas@tangerangkota.go.id" rel="noopener">surel</a>' in rendered.html
    for refused in ("<sup", "<code", "<hr", "tel:", "javascript:"):
        assert refused not in rendered.html
    assert rendered.html.endswith("</p>\n<p>Penutup.</p>")
    assert "hubungi 0812, x atau surel (humas@tangerangkota.go.id)." in rendered.text


def test_a_bare_address_is_a_link_a_typed_line_break_a_space_and_code_plain_lines():
    """WordPress would embed a bare address on its own line and break a paragraph where a newline
    was typed: neither reaches it. Code keeps its lines, as text."""
    rendered = render_release(
        release(
            body="https://www.youtube.com/watch?v=abc\n\nTaman dibuka\nsetiap hari,\\\nsejak pukul 07.00."
            "\n\n```\nSenin  07.00\n<Selasa> 08.00\n```"
        )
    )
    assert rendered.html == (
        '<p><a href="https://www.youtube.com/watch?v=abc" rel="noopener">https://www.youtube.com/watch?v=abc</a></p>\n'
        "<p>Taman dibuka setiap hari,<br>sejak pukul 07.00.</p>\n"
        "<p>Senin  07.00<br>&lt;Selasa&gt; 08.00</p>"
    )
    assert rendered.text == (
        "https://www.youtube.com/watch?v=abc\n\nTaman dibuka setiap hari,\nsejak pukul 07.00.\n\n"
        "Senin 07.00\n<Selasa> 08.00"
    )


def test_the_pages_title_is_its_only_top_heading_and_no_element_carries_attributes_off_the_list():
    rendered = render_release(
        release(body='# Latar\n\n<p title="x" lang="en" id="y">Teks</p>', tags=("Literasi", "literasi", "Kota"))
    )
    assert rendered.html == "<h2>Latar</h2>\n<p>Teks</p>"
    assert rendered.tags == ("Literasi", "Kota")  # one tag to a website, as first written
