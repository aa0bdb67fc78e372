"""The press release as readers get it: one rendering for the website, the media's email, a custom
CMS's webhook and the console's preview.

The body is Markdown, rendered by CommonMark (markdown-it-py, with tables and strikethrough) and
then cleaned by an allow-list sanitiser (nh3): headings, paragraphs (with their line breaks),
lists, emphasis (strong, emphasised and struck text), links (http, https and mailto only,
``rel="noopener"``), block quotes and tables survive; anything else keeps only its text (code,
superscripts, rules) or goes whole (scripts, frames, images, styles, event attributes), whatever
was typed. A quotation's words are read the same way, inline. The plain-text rendering
is read from that same clean HTML, so both say the same. Everything else of the release (title,
excerpt, tags, captions, credits) is plain text: its markup is dropped here, and each channel
escapes the text as its own format needs. Markdown typed into those by habit is read, not shown.
"""

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from warta.contracts import PressRelease, Quote
from warta.contracts.text import without_refused

EXCERPT_CHARS = 300
PLAIN_READINGS = 4

# The page's own title is its one <h1>: the body's headings start below it.
HEADINGS = {f"h{n}" for n in range(2, 7)}
ALLOWED_TAGS = {
    *HEADINGS,
    *("p", "br", "ul", "ol", "li", "strong", "em", "s", "del", "a", "blockquote"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
# "*": none on every element (nh3 would otherwise allow ``title`` and ``lang`` anywhere).
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "*": set()}
URL_SCHEMES = {"http", "https", "mailto"}
_SPACE = re.compile(r"\s+")

# HTML whose parsing runs on to a closing mark that may never come: an unclosed <style> or
# comment would otherwise take the rest of the release with it, in Markdown's reading and in the
# sanitiser's. Such elements are removed whole where they are closed, their marks where they are
# not, before either reads the text; the sanitiser then decides about everything else.
_WITH_CONTENT = "script|style|iframe|noscript|noembed|noframes|template|object|title|svg|math|select"
_RAW_TEXT = _WITH_CONTENT + "|textarea|xmp|plaintext|pre|listing"
_DEFUSE = (
    re.compile(r"<!--.*?-->", re.DOTALL),
    re.compile(r"<!--|-->"),
    re.compile(r"<\?.*?\?>", re.DOTALL),
    re.compile(r"<\?"),
    re.compile(r"<!\[CDATA\[.*?\]\]>", re.DOTALL),
    re.compile(r"<!\[CDATA\["),
    re.compile(rf"<({_WITH_CONTENT})\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE),
    re.compile(rf"</?({_RAW_TEXT})\b[^>]*>?", re.IGNORECASE),
)
_BLANK_LINES = re.compile(r"\n\s*\n")
_EMPTY_LINK = re.compile(r'<a rel="noopener">(.*?)</a>', re.DOTALL)


@dataclass(frozen=True)
class RenderedRelease:
    """A release ready for a channel: ``html`` and ``text`` are the article (dateline, lead, body
    and its quotations) as safe HTML and as plain text; the other fields are plain text."""

    title: str
    html: str
    text: str
    excerpt: str
    tags: tuple[str, ...]


class _Markdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        # Every link becomes a link here and the sanitiser drops an address it does not allow (a
        # ``javascript:`` one) and keeps its text, rather than the reader seeing the Markdown typed.
        return True


@cache
def _markdown() -> MarkdownIt:
    # Raw HTML is read as HTML so that the sanitiser drops what it does not allow (a script with
    # its content), instead of showing readers the tags as text.
    # A bare address becomes a link (linkify): left as text on a line of its own, WordPress would
    # embed whatever it points at. A line break typed inside a paragraph is a space, as CommonMark
    # means it; left as a newline, WordPress turns it into a break the reviewers never saw.
    md = _Markdown("commonmark", {"html": True, "linkify": True}).enable(["table", "strikethrough", "linkify"])
    md.core.ruler.push("headings_below_the_title", _headings_below_the_title)
    md.add_render_rule("softbreak", lambda *_: " ")
    md.add_render_rule("hardbreak", lambda *_: "<br>")
    # Code is not on the list: its lines are read as a paragraph's, broken where they were.
    md.add_render_rule("fence", _lines_as_paragraph)
    md.add_render_rule("code_block", _lines_as_paragraph)
    return md


def _headings_below_the_title(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def _lines_as_paragraph(self: object, tokens: list[Token], idx: int, *_: object) -> str:
    lines = tokens[idx].content.rstrip("\n").split("\n")
    return "<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>\n"


def defused(typed: str) -> str:
    """``typed`` without the HTML that would swallow what follows it (see ``_DEFUSE``)."""
    for pattern in _DEFUSE:
        typed = pattern.sub("", typed)
    return typed


def sanitise(fragment: str) -> str:
    """HTML cut down to what a published article may contain. A link whose address was not
    allowed (``javascript:``) keeps its text and stops being a link."""
    clean = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        link_rel="noopener",
        strip_comments=True,
    )
    # A dropped block (a rule) leaves its line behind; a character the text policy refuses may
    # have been typed as its reference, which the sanitiser writes as the character.
    return without_refused(_BLANK_LINES.sub("\n", _EMPTY_LINK.sub(r"\1", clean))).strip()


def no_shortcodes(markup: str) -> str:
    """Markup for a CMS that runs any ``[name …]`` as a shortcode (WordPress: a player, a gallery,
    an embed from anywhere): a bracket the release typed is written as its character reference,
    which reads the same."""
    return markup.replace("[", "&#91;").replace("]", "&#93;")


def plain_text(value: str | None) -> str:
    """One line of text with any markup dropped (a script's or a style's content with it). Markup
    typed as character references (``&lt;script&gt;``) is read again until none is left, so the
    text never reads as markup to a channel that forgets to escape it."""
    if not value:
        return ""
    text = value
    for _ in range(PLAIN_READINGS):
        read = html.unescape(nh3.clean(text, tags=set()))
        if read == text:
            break
        text = read
    else:
        text = text.replace("<", "\u2039").replace(">", "\u203a")  # nested deeper than anyone types
    return _SPACE.sub(" ", without_refused(text)).strip()


def inline_text(value: str | None) -> str:
    """A one-line field as plain text: Markdown emphasis or links typed into it by habit are read
    as such (``**Wali Kota**`` is "Wali Kota"), and any markup is dropped."""
    if not value:
        return ""
    return plain_text(sanitise(_markdown().renderInline(defused(value))))


def markdown_html(markdown: str) -> str:
    """A piece of Markdown (a paragraph of a release, say) as clean HTML."""
    return sanitise(_markdown().render(defused(markdown)))


def render_release(release: PressRelease) -> RenderedRelease:
    body = markdown_html(release.body)
    lead = inline_text(release.lead)
    dateline = plain_text(release.dateline)
    opening = f"<strong>{html.escape(dateline)}</strong> — " if dateline else ""
    if lead:
        article = f"<p>{opening}{html.escape(lead)}</p>\n{body}"
    elif dateline and body.startswith("<p>"):
        # No lead: the dateline opens the body's first paragraph, as a wire story's does.
        article = "<p>" + opening + body.removeprefix("<p>")
    elif dateline:
        article = f"<p><strong>{html.escape(dateline)}</strong></p>\n{body}"
    else:
        article = body
    article += "".join(f"\n{_quote(quote)}" for quote in release.quotes)
    return RenderedRelease(
        title=inline_text(release.title),
        html=article,
        text=html_text(article),
        excerpt=shortened(lead or _first_paragraph(body), EXCERPT_CHARS),
        tags=_distinct(inline_text(tag) for tag in release.tags),
    )


def _distinct(tags: Iterable[str]) -> tuple[str, ...]:
    """Each tag once, as first written: "Literasi" and "literasi" are one tag to a website."""
    kept: dict[str, str] = {}
    for tag in tags:
        if tag:
            kept.setdefault(tag.casefold(), tag)
    return tuple(kept.values())


def _quote(quote: Quote) -> str:
    """A quotation of the release, after its body: the words, then who said them in what office."""
    said = sanitise(_markdown().renderInline(defused(_SPACE.sub(" ", quote.text).strip())))
    who = ", ".join(part for part in (inline_text(quote.speaker), inline_text(quote.function)) if part)
    return f"<blockquote>\n<p>“{said}”</p>\n<p>— {html.escape(who)}</p>\n</blockquote>"


def shortened(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:—-") + "…"


def _first_paragraph(clean_html: str) -> str:
    found = re.search(r"<p>(.*?)</p>", clean_html, re.DOTALL)
    return plain_text(found.group(1)) if found else ""


def html_text(clean_html: str) -> str:
    """Clean article HTML as plain text: blank lines between blocks, list items with their marks,
    quotes behind "> ", table cells between " | ", and each link's address after its text."""
    reader = _TextReader()
    reader.feed(clean_html)
    reader.close()
    return reader.result()


class _TextReader(HTMLParser):
    BLOCKS = {*HEADINGS, "p", "ul", "ol", "blockquote", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.indent = ""  # a list item's, for the line it starts
        self.quotes = 0
        self.lists: list[int | None] = []  # the next number of each open list; None for bullets
        self.cells: list[str] | None = None
        self.links: list[tuple[str, int]] = []  # (href, where its text starts)

    def _end_line(self) -> None:
        text = _SPACE.sub(" ", "".join(self.line)).strip()
        if text:
            self.lines.append("> " * self.quotes + self.indent + text)
        self.line, self.indent = [], ""

    def _blank(self) -> None:
        self._end_line()
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS and not self.lists:
            self._blank()
        if tag == "blockquote":
            self.quotes += 1
        elif tag in ("ul", "ol"):
            start = dict(attrs).get("start")
            self.lists.append(
                (int(start) if start and start.isascii() and start.isdigit() else 1) if tag == "ol" else None
            )
        elif tag == "li":
            self._end_line()
            number = self.lists[-1] if self.lists else None
            mark = "-" if number is None else f"{number}."
            if number is not None:
                self.lists[-1] = number + 1
            self.indent = "  " * (len(self.lists) - 1)
            self.line.append(mark + " ")
        elif tag == "tr":
            self.cells = []
        elif tag in ("td", "th"):
            self.line = []
        elif tag == "br":
            self._end_line()
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.line)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cells is not None:
            self.cells.append(_SPACE.sub(" ", "".join(self.line)).strip())
            self.line = []
        elif tag == "tr" and self.cells is not None:
            self.line = [" | ".join(self.cells)]
            self.cells = None
            self._end_line()
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.line[start:]).strip()
            address = href.removeprefix("mailto:")
            if address and address != label:
                self.line.append(f" ({address})")
        elif tag == "blockquote":
            self._end_line()
            self.quotes -= 1
            self._blank()
        elif tag in ("ul", "ol"):
            self._end_line()
            self.lists.pop()
            if not self.lists:
                self._blank()
        elif tag in self.BLOCKS and not self.lists:
            self._blank()

    def handle_data(self, data: str) -> None:
        self.line.append(data)

    def result(self) -> str:
        self._end_line()
        return "\n".join(self.lines).strip()
