"""The console in headless Chromium (Debian's, driven by Playwright) against the intake and archive
services as processes: the office administrator registers a letter and issues its disposition
sheet, the section head sees it waiting and disposes it, and the request's page shows its timeline.
A refused form shows the API's message next to its field; no page shows a stack trace. Screenshots
of the pages are kept in ``test-artifacts/console/``."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, async_playwright, expect

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
WIB = ZoneInfo("Asia/Jakarta")


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    assert "Traceback" not in await page.content()


async def sign_in(page: Page, base: str, officer_id: str) -> None:
    await page.goto(f"{base}/")
    await expect(page).to_have_url(f"{base}/masuk")
    await page.get_by_label("Pilih petugas (pengembangan)").select_option(officer_id)
    await page.get_by_role("button", name="Masuk").click()
    await expect(page.get_by_role("heading", name="Menunggu Anda")).to_be_visible()


@pytest.mark.slow
async def test_steps_1_and_2_through_the_pages(namespace, service_processes):
    intake, archive = service_processes("intake"), service_processes("archive")
    intake.start()
    archive.start()
    console = service_processes("console")
    console.start(WARTA_INTAKE_URL=intake.url, WARTA_ARCHIVE_URL=archive.url)
    base = console.url
    starts = (datetime.now(WIB) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page(locale="id-ID", timezone_id="Asia/Jakarta")
        await page.goto(f"{base}/masuk")
        await shot(page, "01-masuk")
        await sign_in(page, base, "siti.admin")
        await page.get_by_role("link", name="Registrasi surat permohonan").click()

        form = {
            "Nomor surat": "005/77-Dinkes/2026",
            "Pengirim": "Dinas Kesehatan",
            "Perihal": "Permohonan peliputan peresmian puskesmas",
            "Nama kegiatan": "Peresmian Puskesmas Cikokol",
            "Tempat": "Puskesmas Cikokol",
        }
        for label, value in form.items():
            await page.get_by_label(label, exact=True).fill(value)
        await page.get_by_label("Tanggal surat").fill(datetime.now(WIB).date().isoformat())
        await page.get_by_label("Jenis pengirim").select_option("opd")
        await page.get_by_label("Sifat surat").select_option("biasa")
        await page.get_by_label("Pimpinan").select_option("wali_kota")
        await page.get_by_label("Mulai (WIB)").fill(starts.strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_label("Selesai (WIB)").fill((starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_role("button", name="Simpan").click()
        # Ends before it starts: the API's message stands next to the field, the rest is kept.
        error = page.locator('[id="event.ends_at-error"]')
        await expect(error).to_contain_text("must be later than starts_at")
        await expect(page.get_by_label("Selesai (WIB)")).to_have_attribute("aria-invalid", "true")
        await expect(page.get_by_label("Nomor surat")).to_have_value("005/77-Dinkes/2026")
        await shot(page, "02-surat-baru-ditolak")

        await page.get_by_label("Selesai (WIB)").fill((starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_role("button", name="Simpan").click()
        await expect(page.locator("#state")).to_have_text("registered")
        await page.get_by_role("button", name="Terbitkan lembar disposisi").click()
        await expect(page.locator("#state")).to_have_text("awaiting_disposition")
        link = await page.get_by_role("link", name="Lembar disposisi (PDF)").get_attribute("href")
        sheet = await page.request.get(f"{base}{link}")
        assert sheet.ok
        assert (await sheet.body()).startswith(b"%PDF")
        await shot(page, "03-permohonan-terdaftar")
        await page.get_by_role("button", name="Keluar").click()

        await sign_in(page, base, "hendra.kabag")
        waiting = page.locator(".waiting li")
        await expect(waiting).to_have_count(1)
        await expect(waiting).to_have_attribute("data-light", "green")  # just registered: well within 30 minutes
        await shot(page, "04-beranda-kepala-bagian")
        await page.set_viewport_size({"width": 375, "height": 740})
        await shot(page, "04b-beranda-kepala-bagian-ponsel")
        await page.set_viewport_size({"width": 1280, "height": 800})
        await waiting.get_by_role("link").click()
        await page.get_by_role("button", name="Disposisi").click()
        await expect(page.locator('[id="instructions-error"]')).not_to_be_empty()  # nothing ticked
        await page.get_by_label("liput dan publikasikan").check()
        await page.get_by_label("Catatan").fill("Mohon diliput lengkap.")
        await page.get_by_role("button", name="Disposisi").click()
        await expect(page.locator("#state")).to_have_text("disposed")

        # The archive has the story, with steps 1 and 2 timed against their standards.
        for _ in range(50):
            if await page.locator(".steps tbody tr").count() >= 2:
                break
            await page.wait_for_timeout(200)
            await page.reload()
        rows = await page.locator(".steps tbody tr td:first-child").all_inner_texts()
        assert rows[:2] == ["1", "2"]
        await expect(page.locator(".timeline")).to_contain_text("disposisi diteruskan")
        await shot(page, "05-permohonan-didisposisi")

        await page.goto(f"{base}/bahasa/en")
        await expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
        await page.goto(f"{base}/permohonan/tidak-ada")
        await expect(page.get_by_role("heading", name="The request was refused")).to_be_visible()
        await shot(page, "06-not-found-en")
        await browser.close()
    print(f"checked: steps 1 and 2 through the pages in Chromium; screenshots in {SHOTS}")
