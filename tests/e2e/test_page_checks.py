"""The checks every kept page of the console passes can fail: shown a page with what they look
for, each finds it. (A check that cannot fail proves nothing about the pages that pass it.)"""

import pytest
from playwright.async_api import async_playwright

from warta.devstack.browser import ARGS, CHROMIUM, accessibility_violations, not_for_officers

BROKEN = """<!doctype html><html lang="id"><head><title>Uji</title></head><body><main>
<h1>Uji</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input id="x">
<p style="color:#eee;background:#fff">teks pucat</p></main></body></html>"""


@pytest.mark.slow
async def test_axe_finds_what_a_page_lacks():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page()
        await page.set_content(BROKEN)
        found = " ".join(await accessibility_violations(page))
        await browser.close()
    assert "image-alt (critical)" in found  # a picture with no words for who cannot see it
    assert "label (critical)" in found  # an input with no name
    assert "color-contrast (serious)" in found


def test_codes_ids_and_english_are_found_in_a_pages_text():
    shown = "Rina (rina.katim) menulis: the press_release 3f2a9c1d7e is Terdaftar wali_kota writer"
    assert set(not_for_officers(shown)) == {
        "rina.katim",
        "press_release",
        "3f2a9c1d7e",
        "the",
        "is",
        "wali_kota",
        "writer",
    }
    # Addresses and quotes of what an officer typed are theirs: «the file» is not the page speaking.
    assert not_for_officers("Lihat https://kota.example/berita/3f2a9c1d7e, sari@radio.example, «outlet_type»") == []
    assert not_for_officers("Wali Kota meresmikan Puskesmas Cikokol; Penulis: Dewi Lestari.") == []
    # Numbers as Indonesian writes them pass; a decimal point as English writes it does not.
    assert not_for_officers("1.234 surat, 12,5 menit, pukul 09.00 WIB, versi 3") == []
    assert not_for_officers("Durasi 0.5 menit") == ["0.5"]
