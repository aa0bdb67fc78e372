"""Debian's Chromium as the console's browser tests drive it (through Playwright, without its own
browser download), and the checks every page they keep a screenshot of must pass."""

import enum
import functools
import os
import re
from pathlib import Path

from playwright.async_api import Browser, Page, Playwright, ViewportSize

import warta.contracts

from .demo import DEV_ROSTER
from .npm import install_once

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SHOTS = Path(__file__).resolve().parents[5] / "test-artifacts" / "console"
PHONE = ViewportSize(width=360, height=740)
DESK = ViewportSize(width=1366, height=768)  # the office's usual laptop screen
A4 = ViewportSize(width=718, height=1047)  # A4 at 96 px an inch, less Chromium's default margins
INDONESIAN = Path("/usr/lib/chromium/locales/id.pak")  # Debian's chromium-l10n


async def indonesian_chromium(playwright: Playwright) -> Browser:
    """Chromium as an office clerk in Tangerang has it: its own words too (the file field's
    "Pilih File", a date field's dd/mm/tttt) in Indonesian. Pages set their language; these words
    come from the browser's, which headless Chromium takes from ``LANGUAGE``."""
    if not os.path.exists(INDONESIAN):  # noqa: ASYNC240 (one stat, before the browser starts)
        raise RuntimeError(f"{INDONESIAN} is missing: install Debian's chromium-l10n (make system)")
    environment: dict[str, str | float | bool] = {**os.environ, "LANGUAGE": "id"}
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS, env=environment)


# What sticks out past the screen's right edge (the deepest such elements), to say why a page is too wide.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map(e => e.outerHTML.slice(0, 160))"""


async def from_the_menu(page: Page, name: str) -> None:
    """Follow a link of the console's menu as a person would: on a phone, open the menu first."""
    fold = page.get_by_role("button", name="Menu")
    if await fold.is_visible() and await fold.get_attribute("aria-expanded") == "false":
        await fold.click()
    await page.get_by_role("navigation", name="Menu utama").get_by_role("link", name=name, exact=True).click()


# Every control a person fills in must have a name a screen reader says: a <label>, aria-label or
# aria-labelledby. Hidden inputs and buttons (named by their text) are not such controls.
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => !['hidden', 'submit', 'button'].includes(e.type))
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML)"""


# What an Indonesian page must never show an officer: the contracts' codes (a value that is also an
# ordinary Indonesian word, written in lower case inside sentences, is let through), officers' ids,
# any snake_case code, a raw id, and English.
EVERYDAY_WORDS = {
    *("biasa", "segera", "hadiri", "arsipkan", "koordinasikan", "lainnya", "instansi", "lembaga", "video", "editor"),
}
CODES = {
    member.value
    for kind in vars(warta.contracts).values()
    if isinstance(kind, type) and issubclass(kind, enum.Enum)
    for member in kind
    if isinstance(member.value, str) and len(member.value) > 1 and member.value not in EVERYDAY_WORDS
}
OFFICER_IDS = {o["officer_id"] for o in DEV_ROSTER} | {"siti.admin", "hendra.kabag", "rina.katim", "dewi.penulis"}
ENGLISH = set(
    [
        "the",
        "and",
        "is",
        "are",
        "must",
        "not",
        "cannot",
        "required",
        "invalid",
        "already",
        "field",
        "should",
        "with",
        "please",
        "missing",
        "failed",
        "unknown",
        "this",
        "that",
        "for",
        "from",
        "of",
        "to",
        "in",
        "on",
        "at",
        "be",
        "has",
        "have",
        "needs",
        "only",
        "nothing",
        "than",
    ]
)
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
RAW_ID = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\b")
# A web or email address may hold anything; so may «what the officer typed or must type», quoted.
VERBATIM = re.compile(r"\S+://\S+|\S+@\S+|«[^»]*»")


# A number written as English writes it: Indonesian puts a comma before its decimals ("0,5") and a
# dot before each three digits ("1.234") or a time's minutes ("09.00"); one digit after a dot is
# English's decimal point.
ENGLISH_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d(?![\d.])")


def not_for_officers(text: str) -> list[str]:
    """Every code, id or English word in a page's visible text (addresses and quotes aside)."""
    text = VERBATIM.sub(" ", text)
    words = set(re.findall(r"[\w.]+", text))
    found = sorted({w for w in words if w in CODES or w.strip(".") in OFFICER_IDS})
    found += SNAKE_CASE.findall(text) + RAW_ID.findall(text) + ENGLISH_DECIMAL.findall(text)
    found += sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH})
    return found


A11Y_DIR = Path(__file__).resolve().parents[4] / "a11y"
# What axe-core may report and still let a page pass: nothing serious or critical.
BLOCKING = ("serious", "critical")


@functools.cache
def axe_source() -> str:
    """axe-core from the npm registry, at the version tools/a11y pins (``npm ci`` once)."""
    engine = A11Y_DIR / "node_modules" / "axe-core" / "axe.min.js"
    install_once(A11Y_DIR, "the accessibility checks")
    return engine.read_text()


async def accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands (WCAG 2.1 A and AA)."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.add_script_tag(content=axe_source())
    found = await page.evaluate(
        """async () => {
            const rules = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
            const result = await axe.run(document, {runOnly: rules});
            const where = v => v.nodes.map(n => n.target.join(' '));
            return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: where(v)}));
        }"""
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in found if v["impact"] in BLOCKING]


async def printed(page: Page, name: str) -> None:
    """Print the page (its print stylesheet, on A4): the city's bar and every form are left off
    the paper, the rest is kept whole; a screenshot of it is kept as ``<name>-cetak.png``."""
    size = page.viewport_size
    await page.emulate_media(media="print")
    try:
        assert not await page.locator("header.site").is_visible(), f"{name}: the menu bar is printed"
        shown_forms = [f for f in await page.locator("main form").all() if await f.is_visible()]
        assert shown_forms == [], f"{name}: {len(shown_forms)} forms are printed"
        await page.set_viewport_size(A4)
        wide = await page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= A4["width"], f"{name}: {wide} px wide on A4's {A4['width']} px"
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SHOTS / f"{name}-cetak.png", full_page=True)
    finally:
        await page.emulate_media(media="screen")
        if size is not None:
            await page.set_viewport_size(size)


async def shot(page: Page, name: str) -> None:
    """Keep a screenshot of the whole page, after checking what every page owes its officers: no
    stack trace, a label on every input, no serious or critical accessibility violation (axe-core),
    no code, id or English on an Indonesian page, and nothing wider than a phone's screen at its
    width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    on_phone = size is not None and size["width"] <= PHONE["width"]
    await page.screenshot(path=SHOTS / f"{name}{'-ponsel' if on_phone else ''}.png", full_page=True)
    assert "Traceback" not in await page.content()
    assert await page.evaluate(UNLABELLED) == [], f"{name}: inputs without a label"
    violations = await accessibility_violations(page)
    assert violations == [], f"{name}: accessibility: {violations}"
    if await page.evaluate("() => document.documentElement.lang") == "id":
        shown = await page.evaluate("() => document.body.innerText")
        assert not_for_officers(shown) == [], f"{name}: shows {not_for_officers(shown)}"
    await page.set_viewport_size(PHONE)
    try:
        wide = await page.evaluate("() => document.documentElement.scrollWidth")
        overflowing = await page.evaluate(OVERFLOWING) if wide > PHONE["width"] else []
        assert wide <= PHONE["width"], f"{name}: {wide} px wide at a phone's {PHONE['width']} px: {overflowing}"
        if not on_phone:
            await page.screenshot(path=SHOTS / f"{name}-ponsel.png", full_page=True)
    finally:
        if size is not None:
            await page.set_viewport_size(size)
