"""The one rendering of a press release: Markdown as formatting, anything else typed into it as
nothing a reader's browser would run, and the same article as HTML and as plain text."""

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from warta.contracts import PressRelease
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
    ]
)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), HOSTILE), min_size=1, max_size=8).map("\n".join))
def test_whatever_is_typed_only_allowed_elements_and_addresses_reach_the_html(typed):
    body = typed if typed.strip() else "isi"
    rendered = render_release(PressRelease(title=typed[:300] or "Judul", body=body, lead=typed[:2000] or None))
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
        assert "\n" not in plain
