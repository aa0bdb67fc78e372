"""Debian's Chromium as the console's browser tests drive it (through Playwright, without its own
browser download), and the screenshots they keep as test artefacts."""

from pathlib import Path

from playwright.async_api import Page

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SHOTS = Path(__file__).resolve().parents[5] / "test-artifacts" / "console"


async def shot(page: Page, name: str) -> None:
    """Keep a screenshot of the whole page; no page ever shows a stack trace."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    assert "Traceback" not in await page.content()
