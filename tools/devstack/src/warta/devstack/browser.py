"""Debian's Chromium as the console's browser tests drive it (through Playwright, without its own
browser download), and the checks every page they keep a screenshot of must pass."""

from pathlib import Path

from playwright.async_api import Page, ViewportSize

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SHOTS = Path(__file__).resolve().parents[5] / "test-artifacts" / "console"
PHONE = ViewportSize(width=360, height=740)

# Every control a person fills in must have a name a screen reader says: a <label>, aria-label or
# aria-labelledby. Hidden inputs and buttons (named by their text) are not such controls.
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => !['hidden', 'submit', 'button'].includes(e.type))
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML)"""


async def shot(page: Page, name: str) -> None:
    """Keep a screenshot of the whole page, after checking what every page owes its officers: no
    stack trace, a label on every input, and nothing wider than a phone's screen at its width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    assert "Traceback" not in await page.content()
    assert await page.evaluate(UNLABELLED) == [], f"{name}: inputs without a label"
    size = page.viewport_size
    await page.set_viewport_size(PHONE)
    try:
        wide = await page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"{name}: {wide} px wide at a phone's {PHONE['width']} px"
    finally:
        if size is not None:
            await page.set_viewport_size(size)
