"""What the office sets up before any request, kept through the console's pages in Chromium: the
team lead's roster and kit, the administrator's directory of officers. Each change is then read
back from the service that keeps it, as the scheduler and the notifier will use it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from warta.contracts import Role
from warta.devstack.browser import DESK, SHOTS, from_the_menu, indonesian_chromium, shot

WIB = ZoneInfo("Asia/Jakarta")


async def sign_in(page: Page, base: str, officer_id: str) -> None:
    await page.context.clear_cookies()
    await page.goto(f"{base}/masuk")
    await page.get_by_label("Pilih petugas (pengembangan)").select_option(officer_id)
    await page.get_by_role("button", name="Masuk").click()
    await expect(page.get_by_role("heading", name="Menunggu Anda")).to_be_visible()


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_the_roster_kit_and_directory_are_kept_through_the_pages(namespace, service_processes):
    # The intake too: the administrator's home page lists the register's letters waiting for her.
    intake, scheduler, notifier = (service_processes(name) for name in ("intake", "scheduler", "notifier"))
    for process in (intake, scheduler, notifier):
        process.start()
    console = service_processes("console")
    urls = {"WARTA_INTAKE_URL": intake.url, "WARTA_SCHEDULER_URL": scheduler.url, "WARTA_NOTIFIER_URL": notifier.url}
    console.start(**urls, WARTA_PUBLIC_URL=console.url)
    base = console.url
    async with async_playwright() as playwright:
        browser = await indonesian_chromium(playwright)
        page = await browser.new_page(locale="id-ID", timezone_id="Asia/Jakarta", viewport=DESK)
        await keep_the_roster_and_kit(page, base)
        await keep_the_directory(page, base)
        await browser.close()

    lead = namespace.token(Role.TEAM_LEAD, "rina.katim")
    async with httpx.AsyncClient(base_url=scheduler.url, headers=lead) as client:
        roster = {o["officer_id"]: o for o in (await client.get("/officers")).json()}
        kit = {i["item_id"]: i for i in (await client.get("/equipment")).json()}
    assert set(roster) == {"agus.fotografer", "dewi.penulis"}
    assert roster["agus.fotografer"]["skills"] == ["photographer", "videographer"]
    assert roster["dewi.penulis"]["active"] is False  # set inactive on her form
    [away] = roster["agus.fotografer"]["unavailable"]
    assert away["reason"] == "Cuti tahunan"
    assert datetime.fromisoformat(away["starts_at"]).astimezone(WIB).hour == 8  # typed as 08.00 WIB
    assert (kit["KAMERA-01"]["kind"], kit["KAMERA-01"]["condition"]) == ("camera", "in_repair")
    assert kit["KAMERA-01"]["description"] == "Canon EOS R6"
    admin = namespace.token(Role.ADMIN, "siti.admin")
    async with httpx.AsyncClient(base_url=notifier.url, headers=admin) as client:
        directory = {o["officer_id"]: o for o in (await client.get("/officers")).json()}
    rina = directory["rina.katim"]
    assert (rina["name"], rina["role"], rina["whatsapp"]) == ("Rina Wulandari", "team_lead", "+6281234567890")
    assert (rina["quiet_from"], rina["quiet_until"]) == ("22:00", "05:30")
    assert rina["email"] == "rina@tangerangkota.example"
    print(f"checked: roster, kit and directory kept through the pages; screenshots in {SHOTS}")


async def keep_the_roster_and_kit(page: Page, base: str) -> None:
    await sign_in(page, base, "rina.katim")
    await from_the_menu(page, "Tim dan peralatan")
    new = page.locator("#petugas-baru")
    await new.get_by_label("Akun masuk petugas").fill("agus.fotografer")
    await new.get_by_label("Nama").fill("Agus Salim")
    await new.get_by_role("button", name="Tambah petugas").click()
    # No task ticked: refused next to the tasks, in Indonesian, the rest kept as typed.
    new = page.locator("#petugas-baru")
    await expect(new.locator(".field-error")).not_to_be_empty()
    await expect(new.get_by_label("Nama")).to_have_value("Agus Salim")
    await shot(page, "20-tim-petugas-ditolak")
    await new.get_by_label("Fotografer").check()
    await new.get_by_label("Videografer").check()
    await new.get_by_role("button", name="Tambah petugas").click()
    await expect(page.locator("table.roster")).to_contain_text("Agus Salim")
    new = page.locator("#petugas-baru")
    await new.get_by_label("Akun masuk petugas").fill("dewi.penulis")
    await new.get_by_label("Nama").fill("Dewi Lestari")
    await new.get_by_label("Penulis").check()
    await new.get_by_role("button", name="Tambah petugas").click()
    await expect(page.locator("table.roster tbody tr")).to_have_count(2)

    # Agus's leave: an end before its start is refused; then the right dates are recorded.
    await page.get_by_text("Ubah Agus Salim").click()
    away = page.locator("#berhalangan-agus\\.fotografer")
    start = (datetime.now() + timedelta(days=7)).replace(hour=8, minute=0, second=0, microsecond=0)
    await away.get_by_label("Mulai berhalangan (WIB)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    await away.get_by_label("Sampai (WIB)").fill((start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    await away.get_by_label("Keterangan (cuti, dinas luar, sakit) (Agus Salim)").fill("Cuti tahunan")
    await away.get_by_role("button", name="Catat").click()
    away = page.locator("#berhalangan-agus\\.fotografer")
    await expect(away.locator(".field-error")).to_contain_text("harus sesudah waktu mulai")
    await away.get_by_label("Sampai (WIB)").fill((start + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    await away.get_by_role("button", name="Catat").click()
    await expect(page.locator("#petugas-agus\\.fotografer")).to_contain_text("Cuti tahunan")

    await page.get_by_text("Ubah Dewi Lestari").click()
    dewi = page.locator('form[action="/tim/petugas/dewi.penulis"]')
    await dewi.get_by_label("Aktif").uncheck()
    await dewi.get_by_role("button", name="Simpan").click()
    await expect(page.locator("#petugas-dewi\\.penulis")).to_contain_text("Tidak aktif")

    # The roster sorts by a click on a column's heading, one way and then the other.
    names = page.locator("table.roster tbody tr td:first-child")
    by_name = page.locator("table.roster thead").get_by_role("button", name="Nama")
    await by_name.click()
    await expect(page.locator("table.roster thead th").first).to_have_attribute("aria-sort", "ascending")
    await expect(names).to_have_text(["Agus Salim", "Dewi Lestari"])
    await by_name.click()
    await expect(page.locator("table.roster thead th").first).to_have_attribute("aria-sort", "descending")
    await expect(names).to_have_text(["Dewi Lestari", "Agus Salim"])

    kit = page.locator("#peralatan-baru")
    await kit.get_by_label("Kode barang").fill("KAMERA-01")
    await kit.get_by_label("Jenis").select_option(label="Kamera")
    await kit.get_by_label("Keterangan").fill("Canon EOS R6")
    await kit.get_by_role("button", name="Tambah peralatan").click()
    await expect(page.locator("table.kit")).to_contain_text("Canon EOS R6")
    await page.get_by_text("Ubah KAMERA-01").click()
    await page.get_by_label("Kondisi KAMERA-01").select_option(label="Sedang diperbaiki")
    await page.locator('form[action="/tim/peralatan/KAMERA-01"]').get_by_role("button", name="Simpan").click()
    await expect(page.locator("#peralatan-KAMERA-01")).to_contain_text("Sedang diperbaiki")
    await shot(page, "21-tim-dan-peralatan")


async def keep_the_directory(page: Page, base: str) -> None:
    await sign_in(page, base, "siti.admin")
    await from_the_menu(page, "Direktori petugas")
    form = page.locator("#isian")
    await form.get_by_label("Akun masuk petugas").fill("rina.katim")
    await form.get_by_label("Nama").fill("Rina Wulandari")
    await form.get_by_label("Jabatan").select_option(label="Ketua Tim Dokumentasi Pimpinan")
    await form.get_by_label("Nomor WhatsApp").fill("0812-3456-7890")
    await form.get_by_label("Alamat email").fill("rina@")
    await form.get_by_label("Jam tenang mulai (WIB)").fill("22:00")
    await form.get_by_label("Jam tenang sampai (WIB)").fill("05:30")
    await form.get_by_role("button", name="Simpan").click()
    # A wrong address is refused beside it; what was typed stays.
    await expect(page.locator("#dir-email-error")).not_to_be_empty()
    await expect(page.locator("#isian").get_by_label("Nomor WhatsApp")).to_have_value("0812-3456-7890")
    await shot(page, "22-direktori-ditolak")
    await page.locator("#isian").get_by_label("Alamat email").fill("rina@tangerangkota.example")
    await page.locator("#isian").get_by_role("button", name="Simpan").click()
    row = page.locator("table.directory tbody tr", has_text="Rina Wulandari")
    await expect(row).to_contain_text("+6281234567890")
    await expect(row).to_contain_text("22.00 s.d. 05.30 WIB")
    # Changed later from its row: the form opens with what is kept.
    await row.get_by_role("link", name="Ubah").click()
    await expect(page.locator("#isian").get_by_label("Nama")).to_have_value("Rina Wulandari")
    await shot(page, "23-direktori")
