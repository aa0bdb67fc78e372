"""A step finished over its standard is a deviation its officer answers for: in the console, the
officer finds it under *Penyimpangan*, by the request's agenda number and the step's name, and
explains it once. The explanation is read back from the service that keeps the deviation."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from warta.contracts import Role
from warta.devstack.browser import DESK, from_the_menu, indonesian_chromium, shot
from warta.devstack.pytest_plugin import SERVICES
from warta.devstack.samples import registration


def the_office(namespace, service_processes) -> tuple[str, str]:
    """The five services and the console as processes: the intake's and the console's addresses."""
    processes = {name: service_processes(name) for name in SERVICES}
    for process in processes.values():
        process.start()
    console = service_processes("console")
    console.start(**{f"WARTA_{n.upper()}_URL": p.url for n, p in processes.items()}, WARTA_PUBLIC_URL=console.url)
    return processes["intake"].url, console.url


async def registered_late(intake: httpx.AsyncClient, letter_number: str) -> dict:
    """The letter came in 95 minutes before it was registered: step 1 (60 minutes) ran over."""
    late = registration(letter_number) | {"received_at": (datetime.now(UTC) - timedelta(minutes=95)).isoformat()}
    request = (await intake.post("/requests", json=late)).json()
    assert (await intake.post(f"/requests/{request['id']}/disposition-sheet")).status_code == 200
    return dict(request)


async def signed_in_as_siti(browser, console: str):
    page = await browser.new_page(locale="id-ID", timezone_id="Asia/Jakarta", viewport=DESK)
    await page.goto(f"{console}/masuk")
    await page.get_by_label("Pilih petugas (pengembangan)").select_option("siti.admin")
    await page.get_by_role("button", name="Masuk").click()
    await from_the_menu(page, "Penyimpangan")
    return page


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_an_officer_explains_her_late_step_from_the_console(namespace, service_processes):
    intake_url, console = the_office(namespace, service_processes)
    admin = namespace.token(Role.ADMIN, "siti.admin")
    async with httpx.AsyncClient(base_url=intake_url, headers=admin) as intake:
        request = await registered_late(intake, "045/12-Dispora/2026")

        async with async_playwright() as playwright:
            browser = await indonesian_chromium(playwright)
            page = await signed_in_as_siti(browser, console)
            entry = page.locator("ul.deviations li")
            await expect(entry).to_have_count(1)
            await expect(entry).to_contain_text(request["agenda_number"])
            await expect(entry).to_contain_text("Langkah 1 (registrasi surat)")
            await expect(entry).to_contain_text("lewat 35 menit")
            await entry.get_by_role("button", name="Simpan penjelasan").click()  # nothing typed yet
            await expect(page.locator("ul.deviations .field-error")).not_to_be_empty()
            await shot(page, "30-penyimpangan-ditolak")
            reason = "Surat baru diserahkan bagian umum pukul 10.30, sesudah rapat pimpinan."
            await page.locator("ul.deviations textarea").fill(reason)
            await page.get_by_role("button", name="Simpan penjelasan").click()
            await expect(page.get_by_role("status")).to_have_text("Penjelasan Anda tersimpan.")
            await expect(page.locator("ul.deviations li")).to_have_attribute("data-explained", "true")
            await expect(page.locator("ul.deviations li")).to_contain_text(reason)
            await shot(page, "31-penyimpangan")
            await browser.close()

        [kept] = (await intake.get("/deviations", params={"officer_id": "siti.admin"})).json()
        assert (kept["explanation"], kept["step"]) == (reason, 1)


@pytest.mark.slow
@pytest.mark.timeout(420)
async def test_an_officer_pages_back_through_many_deviations(namespace, service_processes):
    """Fifty-one late registrations: the page shows the newest fifty and a link to the earlier;
    the earliest is explained there, and the officer is brought back to that page."""
    intake_url, console = the_office(namespace, service_processes)
    admin = namespace.token(Role.ADMIN, "siti.admin")
    async with httpx.AsyncClient(base_url=intake_url, headers=admin, timeout=30) as intake:
        numbers = [(await registered_late(intake, f"045/{n}-Dispora/2026"))["agenda_number"] for n in range(51)]

        async with async_playwright() as playwright:
            browser = await indonesian_chromium(playwright)
            page = await signed_in_as_siti(browser, console)
            entries = page.locator("ul.deviations li")
            await expect(entries).to_have_count(50)
            await expect(entries.first).to_contain_text(numbers[-1])  # the newest first
            await expect(page.get_by_role("link", name="Penyimpangan terbaru")).to_have_count(0)
            await page.get_by_role("link", name="Penyimpangan sebelumnya").click()
            await expect(entries).to_have_count(1)
            await expect(entries).to_contain_text(numbers[0])
            await expect(page.get_by_role("link", name="Penyimpangan sebelumnya")).to_have_count(0)
            earlier = page.url
            await entries.locator("textarea").fill("Antrean surat menumpuk sesudah libur panjang.")
            await entries.get_by_role("button", name="Simpan penjelasan").click()
            await expect(page.get_by_role("status")).to_have_text("Penjelasan Anda tersimpan.")
            await expect(entries).to_have_count(1)
            await expect(entries).to_have_attribute("data-explained", "true")
            assert page.url.split("#")[0] == earlier.replace("/penyimpangan?", "/penyimpangan?dijelaskan=1&")
            await shot(page, "32-penyimpangan-sebelumnya")
            await page.get_by_role("link", name="Penyimpangan terbaru").click()
            await expect(entries).to_have_count(50)
            await browser.close()
