"""The console in headless Chromium (Debian's, driven by Playwright) against every service as a
process: one request goes from letter to publication through the pages, each role doing its step,
with one return at each review level. A refused form shows the API's message next to its field; no
page shows a stack trace. Screenshots of the pages are kept in ``test-artifacts/console/``."""

import re
from contextlib import ExitStack
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Page, Route, ViewportSize, async_playwright, expect

from warta.contracts import Role
from warta.devstack.browser import DESK, PHONE, SHOTS, from_the_menu, indonesian_chromium, printed, shot
from warta.devstack.demo import DEV_INVENTORY, DEV_MEDIA, DEV_ROSTER
from warta.devstack.pytest_plugin import SERVICES
from warta.devstack.samples import jpeg, mp4, pdf
from warta.devstack.smtp import smtp_server
from warta.devstack.whatsapp import whatsapp_gateway
from warta.runtime.indonesian import format_date

WIB = ZoneInfo("Asia/Jakarta")


async def sign_in(page: Page, base: str, officer_id: str) -> None:
    await page.context.clear_cookies()
    await page.goto(f"{base}/")
    await expect(page).to_have_url(f"{base}/masuk")
    await page.get_by_label("Pilih petugas (pengembangan)").select_option(officer_id)
    await page.get_by_role("button", name="Masuk").click()
    await expect(page.get_by_role("heading", name="Menunggu Anda")).to_be_visible()


async def reach(page: Page, url: str, state: str) -> None:
    """Open a page until the event-driven side has caught up and it shows ``state``."""
    for _ in range(100):
        response = await page.goto(url)
        if response is not None and response.ok and await page.locator("#state").get_attribute("data-state") == state:
            return
        await page.wait_for_timeout(200)
    raise AssertionError(f"{url} never showed {state}: {await page.content()}")


async def expect_pictures_shown(page: Page, count: int) -> None:
    """Each thumbnail on the page is a picture the browser could load and draw, not a broken link."""
    thumbs = page.locator(".assets img.thumb")
    await expect(thumbs).to_have_count(count)
    for n in range(count):
        await expect(thumbs.nth(n)).to_have_js_property("complete", True)
        assert await thumbs.nth(n).evaluate("img => img.naturalWidth") > 0


CHUNK = 64 * 1024  # the console's upload piece in these walks: a 300 kB video takes five


async def upload_with_a_dropped_piece(page: Page, name: str, content: bytes, drop: int) -> list[int]:
    """Upload a file from the workspace page while the connection drops the ``drop``-th piece
    before it reaches the console; the offset each piece was sent at, in order."""
    offsets: list[int] = []

    async def cut(route: Route) -> None:
        if route.request.method != "PATCH":
            await route.continue_()
            return
        offsets.append(int(route.request.headers["upload-offset"]))
        if len(offsets) == drop:
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await page.route("**/tus/**", cut)
    await page.get_by_label("Berkas").set_input_files(
        files=[{"name": name, "mimeType": "video/mp4", "buffer": content}]
    )
    await page.get_by_role("button", name="Unggah", exact=True).click()
    await expect(page.locator(f'.assets li:has-text("{name}")')).to_have_count(1, timeout=30_000)
    await page.unroute("**/tus/**")
    return offsets


async def reach_text(page: Page, selector: str, text: str) -> None:
    """Reload until ``selector`` shows ``text``: what the archive learns from events comes a moment later."""
    for _ in range(100):
        if text in await page.locator(selector).inner_text():
            return
        await page.wait_for_timeout(200)
        await page.reload()
    raise AssertionError(f"{selector} never showed {text!r}: {await page.locator(selector).inner_text()}")


async def decide(page: Page, base: str, rid: str, state: str, outcome: str, reason: str = "", note: str = "") -> None:
    await reach(page, f"{base}/tinjauan/{rid}", state)
    await page.get_by_label("Setujui" if outcome == "approve" else "Kembalikan", exact=True).check()
    if reason:
        await page.get_by_label("Alasan").select_option(reason)
        await page.get_by_label("Catatan").fill(note)
    await page.get_by_role("button", name="Putuskan").click()
    await expect(page).to_have_url(f"{base}/permohonan/{rid}")


async def write_and_send(page: Page, base: str, rid: str, state: str, body: str, *, saved_first: bool = True) -> None:
    """The body corrected and the version sent; without ``saved_first`` the officer sends it
    straight away, and the version goes as she typed it."""
    await reach(page, f"{base}/liputan/{rid}", state)
    await page.get_by_label("Isi berita").fill(body)
    if saved_first:
        await page.get_by_role("button", name="Simpan naskah").click()
    await page.get_by_role("button", name="Kirim untuk diperiksa").click()
    await expect(page).to_have_url(f"{base}/permohonan/{rid}")


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("screen", [DESK, PHONE], ids=["1366px", "360px"])
async def test_a_request_from_letter_to_publication_through_the_pages(namespace, service_processes, tmp_path, screen):
    """The whole walk on the office's laptop and again on a phone."""
    RADIO_MAILBOX["full"] = True
    with ExitStack() as stack:
        relay = stack.enter_context(smtp_server(tmp_path, policy=radio_mailbox_full_until_emptied))
        mail = {"WARTA_SMTP_HOST": relay.host, "WARTA_SMTP_PORT": str(relay.port), "WARTA_SMTP_CA_FILE": relay.ca_file}
        gateway = stack.enter_context(whatsapp_gateway())
        processes = {name: service_processes(name) for name in (*SERVICES, "archive", "notifier")}
        wa = {"WARTA_WHATSAPP_URL": gateway.url, "WARTA_WHATSAPP_TOKEN": gateway.token}
        for process in processes.values():
            process.start(**mail, **wa, WARTA_NOTIFY_EVERY_SECONDS="0.2")
        await fill_the_directory(namespace, processes["notifier"].url)
        console = service_processes("console")
        urls = {f"WARTA_{name.upper()}_URL": p.url for name, p in processes.items()}
        console.start(**urls, WARTA_PUBLIC_URL=console.url, WARTA_UPLOAD_CHUNK_BYTES=str(CHUNK))
        await walk_the_pages(namespace, console.url, processes["scheduler"].url, relay, screen)


RADIO = "sari@radiokota.example"
RADIO_MAILBOX = {"full": True}


def radio_mailbox_full_until_emptied(address: str, tries: int) -> str | None:
    """Radio Kota's mailbox refuses mail for good until its editor empties it."""
    return "552 5.2.2 mailbox full" if address == RADIO and RADIO_MAILBOX["full"] else None


async def fill_the_directory(namespace, notifier: str) -> None:
    """The officers the notifier reaches, at any hour; the photographer is not in it yet."""
    admin = namespace.token(Role.ADMIN, "siti.admin")
    async with httpx.AsyncClient(base_url=notifier, headers=admin) as client:
        for number, (officer_id, name, role) in enumerate(
            [
                ("hendra.kabag", "Hendra Gunawan", "section_head"),
                ("rina.katim", "Rina Wulandari", "team_lead"),
                ("dewi.penulis", "Dewi Lestari", "coverage_team"),
            ],
            start=1,
        ):
            entry = {
                "officer_id": officer_id,
                "name": name,
                "role": role,
                "whatsapp": f"0811-0000-000{number}",
                "quiet_from": None,
                "quiet_until": None,
            }
            assert (await client.put(f"/officers/{officer_id}", json=entry)).status_code == 200


async def walk_the_pages(namespace, base: str, scheduler: str, relay, screen: ViewportSize) -> None:
    # The team lead's roster and kit are in the scheduler already, as in the office.
    async with httpx.AsyncClient(base_url=scheduler, headers=namespace.token(Role.TEAM_LEAD, "rina.katim")) as client:
        for officer in DEV_ROSTER:
            assert (await client.post("/officers", json=officer)).status_code == 201
        for kit in DEV_INVENTORY:
            assert (await client.post("/equipment", json=kit)).status_code == 201
    starts = (datetime.now(WIB) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)

    async with async_playwright() as playwright:
        browser = await indonesian_chromium(playwright)
        page = await browser.new_page(locale="id-ID", timezone_id="Asia/Jakarta", viewport=screen)
        await page.goto(f"{base}/masuk")
        await shot(page, "01-masuk")
        # By keyboard alone: Tab to the officer list (its first officer is Siti), Tab on, Enter.
        for _ in range(10):
            if await page.evaluate("() => document.activeElement.id") == "officer_id":
                break
            await page.keyboard.press("Tab")
        assert await page.evaluate("() => document.activeElement.id") == "officer_id"
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await expect(page.locator("header .who")).to_contain_text("Siti Rahmawati")
        if screen == PHONE:  # on a phone the menu folds behind its button, and opens when pressed
            menu, fold = page.get_by_role("navigation", name="Menu utama"), page.get_by_role("button", name="Menu")
            await expect(menu).to_be_hidden()
            await fold.click()
            await expect(menu.get_by_role("link", name="Buku agenda surat")).to_be_visible()
            await fold.click()
            await expect(menu).to_be_hidden()
        else:
            await expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        # Help: the SOP's steps, and where the office administrator does hers.
        await from_the_menu(page, "Bantuan")
        await expect(page.locator(".help-steps li")).to_have_count(1)
        await expect(page.locator(".help-steps")).to_contain_text("Langkah 1")
        await expect(page.locator("table.sop-steps tbody tr")).to_have_count(7)
        await expect(page.locator("table.sop-steps tfoot")).to_contain_text("380 menit")
        await shot(page, "01b-bantuan")
        await from_the_menu(page, "Beranda")
        await page.get_by_role("link", name="Registrasi surat permohonan").click()
        # Sent empty: every field the register needs is marked, each beside its input.
        await page.get_by_role("button", name="Simpan").click()
        for field in ("letter.number", "letter.sender", "event.title", "event.starts_at"):
            await expect(page.locator(f'[id="{field}-error"]')).to_have_text("wajib diisi")

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
        # Chosen by what the officer reads, never the code behind it.
        await page.get_by_label("Jenis pengirim").select_option(label="OPD")
        await page.get_by_label("Sifat surat").select_option(label="Biasa")
        await page.get_by_label("Pimpinan").select_option(label="Wali Kota")
        await page.get_by_label("Mulai (WIB)").fill(starts.strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_label("Selesai (WIB)").fill((starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        # The scanned letter goes with the form; a file that is no scan is refused beside its input.
        scan_input = page.get_by_label("Pindaian surat (PDF, JPEG atau PNG)")
        await scan_input.set_input_files(
            files=[{"name": "surat.pdf", "mimeType": "application/pdf", "buffer": b"bukan pindaian"}]
        )
        await page.get_by_role("button", name="Simpan").click()
        await expect(page.locator("#scan-error")).not_to_be_empty()
        await expect(page.get_by_label("Nomor surat")).to_have_value("005/77-Dinkes/2026")
        await scan_input.set_input_files(
            files=[{"name": "surat-dinkes.pdf", "mimeType": "application/pdf", "buffer": pdf()}]
        )
        await page.get_by_role("button", name="Simpan").click()
        # Ends before it starts: the API's message stands next to the field, the rest is kept,
        # and the scan already stored is not asked for again.
        error = page.locator('[id="event.ends_at-error"]')
        await expect(error).to_have_text("harus sesudah waktu mulai")  # the API's problem, in Indonesian
        await expect(page.get_by_label("Selesai (WIB)")).to_have_attribute("aria-invalid", "true")
        await expect(page.get_by_label("Nomor surat")).to_have_value("005/77-Dinkes/2026")
        await expect(page.locator("#scan-kept")).to_contain_text("surat-dinkes.pdf")
        await shot(page, "02-surat-baru-ditolak")

        await page.get_by_label("Selesai (WIB)").fill((starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        await page.get_by_role("button", name="Simpan").click()
        await expect(page.locator("#state")).to_have_attribute("data-state", "registered")
        await expect(page.locator("#state")).to_have_text("Terdaftar")  # in the office's words
        # The page opens with what the request is about: the event, its time in WIB, the leader.
        header = page.locator(".request-header")
        await expect(header).to_contain_text("Peresmian Puskesmas Cikokol")
        await expect(header).to_contain_text(f"{format_date(starts.date(), weekday=True)}, 09.00 s.d. 11.00 WIB")
        await expect(header).to_contain_text("Wali Kota")
        scan = await page.request.get(f"{base}{await page.locator('#scan-link').get_attribute('href')}")
        assert scan.ok
        assert (await scan.body()).startswith(b"%PDF")
        agenda_number = (await page.locator(".request-header .agenda-number").inner_text()).removeprefix("No. agenda ")

        # The register finds the letter by words of its sender and its subject, and exports it.
        await from_the_menu(page, "Buku agenda surat")
        await page.get_by_label("Pengirim").fill("dinas kes")
        await page.get_by_label("Kata dalam perihal").fill("peresmian puskesmas")
        await page.get_by_label("Status surat").select_option(label="Terdaftar")
        await page.get_by_role("button", name="Cari", exact=True).click()
        rows = page.locator("table.register tbody tr")
        await expect(rows).to_have_count(1)
        await expect(rows).to_contain_text(agenda_number)
        await expect(page.locator("#found")).to_contain_text("1 surat ditemukan")
        await shot(page, "02b-buku-agenda")
        async with page.expect_download() as download:
            await page.get_by_role("link", name="Unduh CSV").click()
        exported = (await (await download.value).path()).read_text(encoding="utf-8-sig").splitlines()
        assert exported[0].startswith("No. agenda;Diterima;Nomor surat"), exported[0]
        assert len(exported) == 2, exported
        assert agenda_number in exported[1], exported
        assert "Wali Kota" in exported[1], exported
        await page.get_by_label("Pengirim").fill("kecamatan")
        await page.get_by_role("button", name="Cari", exact=True).click()
        await expect(page.locator("#found")).to_contain_text("0 surat ditemukan")
        await page.goto(f"{base}/surat")
        await page.locator("table.register tbody tr a", has_text=agenda_number).click()
        await page.get_by_role("button", name="Terbitkan lembar disposisi").click()
        await expect(page.locator("#state")).to_have_attribute("data-state", "awaiting_disposition")
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
        # and the light shows green, not the text's colour
        await expect(waiting).to_have_css("border-left-color", "rgb(46, 125, 50)")
        await shot(page, "04-beranda-kepala-bagian")
        await waiting.get_by_role("link").click()
        # Deciding, she sees what else the leaders have accepted at that time: nothing yet.
        await expect(page.locator("#bentrok")).to_contain_text("Tidak ada kegiatan lain")
        await reach_text(page, ".request-header", "Langkah 2 (disposisi")  # once the archive has the sheet
        await shot(page, "04c-disposisi")
        await page.get_by_label("Catatan").fill("Mohon diliput lengkap.")
        await page.get_by_role("button", name="Disposisi").click()
        await expect(page.locator('[id="instructions-error"]')).not_to_be_empty()  # nothing ticked
        await expect(page.get_by_label("Catatan")).to_have_value("Mohon diliput lengkap.")  # her note stays
        await page.get_by_label("liput dan publikasikan").check()
        await page.get_by_role("button", name="Disposisi").click()
        await expect(page.locator("#state")).to_have_attribute("data-state", "disposed")
        # Her instructions and note stand on the request's page for everyone who follows it.
        await expect(page.locator("#isi-disposisi")).to_contain_text("Mohon diliput lengkap.")
        await expect(page.locator("#isi-disposisi")).to_contain_text("Hendra Gunawan")
        await expect(page.locator("#isi-disposisi")).to_contain_text("Liput dan publikasikan")
        rid = page.url.rsplit("/", 1)[1]

        # Step 3: the team lead assigns the writer and the photographer, without video.
        await sign_in(page, base, "rina.katim")
        await expect(page.locator('.waiting li[data-step="3"]')).to_have_count(1)
        # htmx refreshes the list alone every half minute: the same items, as a fragment.
        fragment = await (await page.request.get(f"{base}/menunggu")).text()
        assert fragment.lstrip().startswith('<div id="waiting"')
        assert 'data-step="3"' in fragment
        # The event on the week's agenda, on the day it is held.
        await page.goto(f"{base}/agenda?hari={starts.date()}")
        day = page.locator(f'section.day[data-date="{starts.date()}"]')
        await expect(day).to_contain_text("Peresmian Puskesmas Cikokol")
        await shot(page, "05b-agenda-minggu")
        # Its day alone, from the day's heading: the other days of the week are not shown.
        await day.locator("h2 a").click()
        await expect(page).to_have_url(f"{base}/agenda?hari={starts.date()}&tampilan=hari")
        await expect(page.locator("section.day")).to_have_count(1)
        await expect(page.locator("section.day h2")).to_have_text(format_date(starts.date(), weekday=True))
        await expect(page.locator("section.day")).to_contain_text("Peresmian Puskesmas Cikokol")
        await shot(page, "05c-agenda-hari")
        await page.goto(f"{base}/agenda?hari=besok")  # not a date: refused with its reason, no stack trace
        await expect(page.get_by_role("alert")).to_contain_text("Bukan tanggal yang sah: besok")
        await page.goto(f"{base}/")
        await page.locator('.waiting li[data-step="3"] a').click()
        # One officer listed twice is refused; no clash is involved, so no reason to override it is asked.
        for n in (1, 2):
            await page.get_by_label(f"Anggota {n}", exact=True).select_option("dewi.penulis")
            await page.get_by_label(f"Tugas {n}", exact=True).select_option("writer")
        await page.get_by_role("button", name="Bagi tim liputan").click()
        await expect(page.locator("#members-error")).not_to_be_empty()
        await expect(page.get_by_label("Alasan tetap menugaskan (bentrok)")).to_have_count(0)
        await page.get_by_label("Anggota 1", exact=True).select_option("dewi.penulis")
        await page.get_by_label("Tugas 1", exact=True).select_option("writer")
        await page.get_by_label("Anggota 2", exact=True).select_option("agus.fotografer")
        await page.get_by_label("Tugas 2", exact=True).select_option("photographer")
        for n in (3, 4):
            await page.get_by_label(f"Anggota {n}", exact=True).select_option("")
        await page.get_by_label("Perlu video").uncheck()
        await shot(page, "06-penugasan")
        await page.get_by_role("button", name="Bagi tim liputan").click()
        await reach(page, f"{base}/agenda/{rid}", "assigned")

        # Step 4: the writer drafts, uploads a photo, writes the post (counted as typed) and sends.
        await sign_in(page, base, "dewi.penulis")
        await reach(page, f"{base}/liputan/{rid}", "open")
        # Her home page lists the coverage waiting for her, with step 4's clock, and leads to it.
        await page.goto(f"{base}/")
        assigned = page.locator('.waiting li[data-step="4"]')
        await expect(assigned).to_have_count(1)
        await expect(assigned).to_contain_text("Peresmian Puskesmas Cikokol")
        await assigned.locator("a").click()
        await expect(page).to_have_url(f"{base}/liputan/{rid}")
        await page.get_by_role("button", name="Kirim untuk diperiksa").click()
        await expect(page.locator("#submission-errors")).to_contain_text("wajib melampirkan paling sedikit satu foto")
        # Said as a sending that did not go, with what is missing beside its field as well.
        await expect(page.get_by_role("alert")).to_contain_text("belum dapat dikirim untuk diperiksa")
        await expect(page.locator("#title-error")).not_to_be_empty()
        await page.get_by_label("Judul siaran pers").fill("Wali Kota Resmikan Puskesmas Cikokol")
        await page.get_by_label("Teras berita").fill("Wali Kota Tangerang meresmikan Puskesmas Cikokol.")
        await page.get_by_label("Isi berita").fill(
            "Puskesmas baru melayani warga **setiap hari**. Versi pertama.\n\n- poli umum\n- poli gigi"
        )
        await page.get_by_role("button", name="Simpan naskah").click()
        # She goes on with the lead and uploads before saving it: the page's media come again
        # after the upload, and what she typed is still there, to be saved with the draft.
        await page.get_by_label("Teras berita").fill("Wali Kota Tangerang meresmikan Puskesmas Cikokol hari ini.")
        # The officer never says whether a file is a photo or a video: its bytes do. A file that is
        # neither is refused in her words, next to the file input.
        await expect(page.get_by_label("Jenis", exact=True)).to_have_count(0)
        await page.get_by_label("Berkas").set_input_files(
            files=[{"name": "catatan.jpg", "mimeType": "image/jpeg", "buffer": b"bukan foto sama sekali"}]
        )
        await page.get_by_role("button", name="Unggah", exact=True).click()
        await expect(page.locator("#file-error")).to_have_text(
            re.compile(r"bukan foto \(JPEG, PNG, HEIC\) atau video \(MP4, MOV\)", re.IGNORECASE)
        )
        await page.get_by_label("Berkas").set_input_files(
            files=[{"name": "peresmian.jpg", "mimeType": "image/jpeg", "buffer": jpeg(seed=7)}]
        )
        await page.get_by_role("button", name="Unggah", exact=True).click()
        await expect(page.locator(".assets li")).to_contain_text("peresmian.jpg")
        await expect(page.locator(".assets li")).to_contain_text("foto")  # the kind its bytes say
        assert await page.evaluate("document.body.dataset.uploaded") == "100"  # htmx showed the progress
        await expect_pictures_shown(page, 1)
        await expect(page.get_by_label("Teras berita")).to_have_value(
            "Wali Kota Tangerang meresmikan Puskesmas Cikokol hari ini."
        )
        # A video too, played from the page; its caption-less photo gets one, saved with the draft.
        # The video's connection drops partway (its third piece is cut off): the upload goes on from
        # where the coverage service says it stands, not from the start.
        video = mp4(payload_bytes=300_000)
        offsets = await upload_with_a_dropped_piece(page, "sambutan.mp4", video, drop=3)
        await expect(page.locator('.assets li[data-kind="video"] video')).to_have_count(1)
        assert offsets[:3] == [0, CHUNK, 2 * CHUNK], offsets
        assert offsets[3] == 2 * CHUNK, offsets  # the dropped piece again, from its own offset
        assert offsets == sorted(offsets), offsets  # never back to the start
        assert offsets[-1] + CHUNK >= len(video), offsets
        await page.get_by_label("Keterangan foto peresmian.jpg").fill("Wali Kota menggunting pita peresmian")
        await page.get_by_role("button", name="Simpan naskah").click()
        await expect(page.get_by_label("Keterangan foto peresmian.jpg")).to_have_value(
            "Wali Kota menggunting pita peresmian"
        )
        # The Mayor's words as a quotation, the tags and the embargo, typed in the page. A quotation
        # without who said it is refused beside its field, and what she typed stays.
        await page.get_by_label("Isi kutipan (kutipan 1)").fill(
            "Puskesmas ini **untuk semua** warga & tenaga kesehatan [gallery]."
        )
        await page.get_by_label("Tag (pisahkan dengan koma)").fill("Puskesmas, Cikokol , Kesehatan")
        await page.get_by_label("Jangan diterbitkan sebelum (WIB, boleh kosong)").fill("2026-01-02T08:30")
        await page.get_by_role("button", name="Simpan naskah").click()
        await expect(page.locator("#quotes-0-speaker-error")).to_have_text(re.compile(r"wajib|kosong|diisi"))
        await expect(page.get_by_label("Isi kutipan (kutipan 1)")).to_have_value(
            "Puskesmas ini **untuk semua** warga & tenaga kesehatan [gallery]."
        )
        await expect(page.get_by_label("Tag (pisahkan dengan koma)")).to_have_value("Puskesmas, Cikokol, Kesehatan")
        embargo = page.get_by_label("Jangan diterbitkan sebelum (WIB, boleh kosong)")
        await expect(embargo).to_have_value("2026-01-02T08:30")
        await page.get_by_label("Nama (kutipan 1)").fill("Sachrudin")
        await page.get_by_label("Jabatan (kutipan 1)").fill("Wali Kota Tangerang")
        await page.get_by_role("button", name="Simpan naskah").click()
        await expect(page.locator(".field-error")).to_have_count(0)
        await expect(page.get_by_label("Nama (kutipan 1)")).to_have_value("Sachrudin")
        await expect(page.get_by_label("Nama (kutipan 2)")).to_have_value("")  # room for another
        await expect(embargo).to_have_value("2026-01-02T08:30")  # kept in UTC, shown in WIB (long past)
        await expect(page.get_by_label("Tag (pisahkan dengan koma)")).to_have_value("Puskesmas, Cikokol, Kesehatan")
        # The style rules read the draft as she writes: its words counted, a short body noted.
        assert int(await page.locator("#word-count").inner_text()) > 10
        await expect(page.locator('.style-warnings li[data-code="body_short"]')).to_contain_text("Isi berita baru")
        await page.get_by_label("Teks unggahan Instagram").fill("Puskesmas Cikokol resmi dibuka #KotaTangerang")
        await expect(page.locator("#count-instagram")).to_have_text("45")
        await page.get_by_role("button", name="Simpan unggahan Instagram").click()
        await expect(page.locator("#sosial-instagram .post-state")).to_have_text("tersimpan")
        # X counts an emoji as 2: the page counts as X does, and the service agrees with the page.
        await page.locator("#sosial-x summary").click()
        await page.get_by_label("Teks unggahan X").fill("\N{PARTY POPPER}" * 141)
        await expect(page.locator("#count-x")).to_have_text("282")
        await expect(page.locator("#count-x")).to_have_class("count over")
        await page.get_by_role("button", name="Simpan unggahan X").click()
        await expect(page.locator("#sosial-x .field-error")).to_have_text(
            "terlalu panjang: paling banyak 280 karakter, teks ini 282"
        )
        await expect(page.get_by_label("Teks unggahan X")).to_have_value("\N{PARTY POPPER}" * 141)  # kept as typed
        await page.get_by_label("Teks unggahan X").fill("\N{PARTY POPPER}" * 140)
        await expect(page.locator("#count-x")).to_have_text("280")
        await page.get_by_role("button", name="Simpan unggahan X").click()
        await expect(page.locator("#sosial-x .post-state")).to_have_text("tersimpan")
        await expect(page.locator(".checklist li[data-ok=false]")).to_have_count(0)
        await shot(page, "07-ruang-kerja-liputan")
        await page.get_by_role("button", name="Kirim untuk diperiksa").click()
        await expect(page).to_have_url(f"{base}/permohonan/{rid}")

        # Step 5: the team lead returns version 1; a return without its reason is refused first.
        await sign_in(page, base, "rina.katim")
        await page.goto(f"{base}/")  # her home lists the version by its event
        await expect(page.locator('.waiting li[data-step="5"]')).to_contain_text(
            "Peresmian Puskesmas Cikokol (versi 1)"
        )
        await reach(page, f"{base}/tinjauan/{rid}", "awaiting_team_lead")
        # The release reads as it will be published: its Markdown rendered, not shown as typed.
        # It is the very HTML the publisher sends out: the lead opens it, the body follows.
        article = page.locator("article.release")
        await expect(article.locator("p").first).to_have_text(
            "Wali Kota Tangerang meresmikan Puskesmas Cikokol hari ini."
        )
        await expect(article.locator("p strong")).to_have_text(["setiap hari", "untuk semua"])
        quotation = article.locator("blockquote p")
        await expect(quotation).to_have_text(
            ["“Puskesmas ini untuk semua warga & tenaga kesehatan [gallery].”", "— Sachrudin, Wali Kota Tangerang"]
        )
        await expect(quotation.first.locator("strong")).to_have_text("untuk semua")
        await expect(page.locator("#tag-siaran")).to_have_text("Tag: Puskesmas, Cikokol, Kesehatan")
        await expect(page.locator("#embargo")).to_have_text(
            "Tidak boleh diterbitkan sebelum 2 Januari 2026 pukul 08.30 WIB"
        )
        await expect(page.locator("article.release li")).to_have_text(["poli umum", "poli gigi"])
        await expect(page.locator("article.release")).not_to_contain_text("**")
        # The reviewer sees what will be published with it: the photo, the video and the posts.
        await expect_pictures_shown(page, 1)
        await expect(page.locator(".assets img.thumb")).to_have_attribute("alt", "Wali Kota menggunting pita peresmian")
        video = await page.locator(".assets video").get_attribute("src")
        part = await page.request.get(f"{base}{video}", headers={"Range": "bytes=0-99"})
        assert part.status == 206, part.status  # a player seeks through the video
        assert len(await part.body()) == 100
        await expect(page.locator("#unggahan-instagram")).to_contain_text("Puskesmas Cikokol resmi dibuka")
        await page.get_by_label("Kembalikan", exact=True).check()
        await page.get_by_label("Catatan").fill("Lengkapi jam pelayanan.")
        await page.get_by_role("button", name="Putuskan").click()
        await expect(page.locator(".field-error").first).not_to_be_empty()
        # Refused for its missing reason: her choice and her note are still in the form.
        await expect(page.get_by_label("Kembalikan", exact=True)).to_be_checked()
        await expect(page.get_by_label("Catatan")).to_have_value("Lengkapi jam pelayanan.")
        await shot(page, "08-pemeriksaan-ditolak")
        # A comment on the first paragraph; an empty one is refused next to its field first.
        await reach(page, f"{base}/tinjauan/{rid}", "awaiting_team_lead")
        await expect(page.locator("#komentar")).to_contain_text("Belum ada komentar.")
        await page.get_by_role("button", name="Kirim komentar").click()
        await expect(page.locator("#text-error")).to_have_text("wajib diisi")
        await expect(page.get_by_label("Isi komentar", exact=True)).to_have_attribute("aria-invalid", "true")
        await page.get_by_label("Bagian yang dikomentari").select_option(
            label="Paragraf 1 — Puskesmas baru melayani warga setiap hari. Versi pertama."
        )
        await page.get_by_label("Isi komentar", exact=True).fill("Sebutkan jam pelayanan puskesmas.")
        await page.get_by_role("button", name="Kirim komentar").click()
        comment = page.locator("#komentar li.comment")
        await expect(comment).to_have_count(1)
        await expect(comment).to_contain_text("Versi 1 · Paragraf 1")
        await expect(comment).to_contain_text("Rina Wulandari")  # by name, not her sign-in id
        await expect(comment).to_contain_text("Sebutkan jam pelayanan puskesmas.")
        await shot(page, "08b-pemeriksaan-komentar")
        await decide(page, base, rid, "awaiting_team_lead", "reject", "language", "Perbaiki ejaan pada teras.")

        await sign_in(page, base, "dewi.penulis")
        await page.goto(f"{base}/")  # her home says the coverage came back to be corrected
        back = page.locator('.waiting li[data-step="4"]')
        await expect(back).to_contain_text("Peresmian Puskesmas Cikokol")
        await expect(back.locator(".returned-mark")).to_have_text("Dikembalikan untuk diperbaiki")
        await reach(page, f"{base}/tinjauan/{rid}", "returned_to_coverage")
        await expect(page.locator("#komentar li.comment")).to_contain_text("Sebutkan jam pelayanan puskesmas.")
        # Her workspace opens with why it came back: the reason, the note, and the comments.
        await reach(page, f"{base}/liputan/{rid}", "open")
        returned = page.locator("#dikembalikan")
        await expect(returned).to_contain_text("Perbaiki ejaan pada teras.")
        await expect(returned).to_contain_text("Rina Wulandari")
        await expect(returned).to_contain_text("Sebutkan jam pelayanan puskesmas.")
        await shot(page, "08c-ruang-kerja-dikembalikan")
        body = "Puskesmas baru melayani warga **setiap hari**. Versi kedua.\n\n- poli umum\n- poli gigi"
        await write_and_send(page, base, rid, "open", body, saved_first=False)

        await sign_in(page, base, "rina.katim")
        await reach(page, f"{base}/tinjauan/{rid}", "awaiting_team_lead")
        await expect(page.locator('.diff[data-part="body"] ins')).to_contain_text("kedua.")
        await expect(page.locator("#pengembalian")).to_contain_text("Perbaiki ejaan pada teras.")  # the earlier return
        await shot(page, "09-pemeriksaan-perubahan")
        await decide(page, base, rid, "awaiting_team_lead", "approve")

        # Step 6: the section head returns version 2; the team lead corrects it and approves.
        await sign_in(page, base, "hendra.kabag")
        await decide(page, base, rid, "awaiting_section_head", "reject", "sensitivity", "Sebutkan nama Sekda.")
        await sign_in(page, base, "rina.katim")
        body = (
            "Puskesmas baru melayani warga **setiap hari**. Versi kedua. Turut hadir Sekda.\n\n- poli umum\n- poli gigi"
        )
        await write_and_send(page, base, rid, "returned_to_team_lead", body)
        await decide(page, base, rid, "awaiting_team_lead", "approve")
        await sign_in(page, base, "hendra.kabag")
        await decide(page, base, rid, "awaiting_section_head", "approve")

        # Step 7: the media registry is imported, the post's address recorded, the release sent.
        await sign_in(page, base, "siti.admin")
        await page.goto(f"{base}/media")
        # A first try with two bad lines: the dry run lists each, in her words, and keeps nothing.
        bad = (
            DEV_MEDIA
            + "Koran Baru,online,ya,,Tono,Redaksi,bukan-email,ya\n"
            + "Koran Lain,majalah,ya,,Rudi,Redaksi,rudi@lain.example,ya\n"
        )
        await page.get_by_label("Berkas CSV").set_input_files(
            files=[{"name": "media.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
        )
        await page.get_by_role("button", name="Impor").click()
        rows_refused = page.locator("#rows-error li")
        await expect(rows_refused).to_have_count(2)
        await expect(rows_refused.nth(0)).to_contain_text("baris 4: «bukan-email» bukan alamat email yang sah")
        await expect(rows_refused.nth(1)).to_contain_text("baris 5")
        await expect(page.locator("table.contacts tbody tr")).to_have_count(0)
        await shot(page, "09b-daftar-media-uji")
        registry = {"name": "media.csv", "mimeType": "text/csv", "buffer": DEV_MEDIA.encode()}
        await page.get_by_label("Berkas CSV").set_input_files(files=[registry])
        await page.get_by_label("Simpan hasil impor").check()
        await page.get_by_role("button", name="Impor").click()
        await expect(page.locator("#report")).to_contain_text("Kontak baru: 2")
        await expect(page.locator("table.contacts")).to_contain_text("Radio Kota")  # each contact's outlet
        await sign_in(page, base, "dewi.penulis")
        await reach(page, f"{base}/publikasi/{rid}", "ready")
        await page.get_by_label("Alamat berita di situs kota").fill(f"https://tangerangkota.go.id/berita/{rid}")
        await page.get_by_role("button", name="Catat alamat").click()
        await page.get_by_role("button", name="Terbitkan dan kirim ke media").click()
        await expect(page.locator("#state")).to_have_attribute("data-state", "published")
        await expect(page.locator("#state")).to_have_text("Terbit")
        await expect(page.locator(".deliveries tbody tr")).to_have_count(2)
        await expect(page.locator("article.release")).to_contain_text("Turut hadir Sekda.")
        # What the team posts by hand: the approved title and HTML, and the photos to download.
        copy = page.locator("#salin")
        await expect(copy.get_by_label("Judul siaran pers")).to_have_value("Wali Kota Resmikan Puskesmas Cikokol")
        await expect(copy.get_by_label("Isi berita (HTML)")).to_have_value(re.compile("<strong>setiap hari</strong>"))
        # The source as text, as a website's editor takes it: escaped where the release was, and a
        # bracket WordPress would run as a shortcode written as its character reference.
        await expect(copy.get_by_label("Isi berita (HTML)")).to_have_value(
            re.compile("warga &amp; tenaga kesehatan &#91;gallery&#93;")
        )
        async with page.expect_download() as photo:
            await copy.get_by_role("link", name="Unduh foto 1").click()
        assert (await photo.value).suggested_filename.endswith("-1.jpg")
        assert (await (await photo.value).path()).read_bytes() == jpeg(seed=7)  # the very bytes uploaded
        # Radio Kota's mailbox was full: its email failed for good, and the page says what to do.
        owed = page.locator(".owed")
        await expect(page.locator('[data-owed="emails_failed"]')).to_contain_text("1 email ke media gagal terkirim")
        assert len(relay.mailbox.received) == 1
        RADIO_MAILBOX["full"] = False  # the editor empties it; the officer sends again
        await page.get_by_role("button", name="Kirim ulang email yang gagal").click()
        await expect(page.locator('.deliveries td[data-state="sent"]')).to_have_count(2)
        await expect(page.locator('[data-owed="emails_failed"]')).to_have_count(0)
        assert [m["To"] for m in relay.mailbox.received].count(RADIO) == 1
        # What is still owed: the social posts made by hand from their packages, recorded here.
        await expect(owed).to_contain_text("2 unggahan media sosial belum dicatat (Instagram, X)")
        await expect(page.locator('[data-owed="social-instagram"]')).to_contain_text("Unggahan Instagram belum dicatat")
        await expect(page.get_by_label("Teks untuk disalin").first).to_have_value(
            "Puskesmas Cikokol resmi dibuka #KotaTangerang"
        )
        await shot(page, "10-publikasi")
        await page.get_by_label("Alamat unggahan Instagram").fill("https://www.instagram.com/p/C1kota/")
        await page.get_by_role("button", name="Catat unggahan").first.click()
        await expect(page.locator("#paket-instagram")).to_contain_text("Sudah diunggah di")
        await expect(page.locator('[data-owed="social-instagram"]')).to_have_count(0)
        await expect(owed).to_contain_text("1 unggahan media sosial belum dicatat (X)")
        await expect(owed).not_to_contain_text("gagal")

        # Her own choice of messages: news of a published release gathered every 30 minutes.
        await from_the_menu(page, "Pemberitahuan")
        # Her inbox: what the notifier sent her, each notice once, leading to its request.
        assigned_notice = page.locator("#kotak-masuk li", has_text="Penugasan liputan")
        await expect(assigned_notice).to_have_count(1)
        await expect(assigned_notice).to_contain_text("WhatsApp (terkirim)")
        assert await assigned_notice.get_by_role("link", name="Buka permohonan").get_attribute("href") == (
            f"/permohonan/{rid}"
        )
        await page.get_by_label("Siaran pers yang telah terbit").select_option(label="Ringkasan tiap 30 menit")
        await page.get_by_role("button", name="Simpan pilihan").click()
        await expect(page.get_by_role("status")).to_have_text("Pilihan Anda tersimpan.")
        await expect(page.get_by_label("Siaran pers yang telah terbit")).to_have_value("30")
        await shot(page, "10b-pemberitahuan")

        # Her calendar: the page gives the address of her assignments, which her calendar app
        # opens without a sign-in through the console; a forged key opens nothing.
        await from_the_menu(page, "Kalender")
        mine = await page.get_by_label("Penugasan liputan saya").input_value()
        assert mine.startswith(f"{base}/kalender/"), mine
        await shot(page, "10c-kalender")
        async with httpx.AsyncClient() as calendar_app:
            feed = await calendar_app.get(mine)
            assert feed.status_code == 200, feed.text
            assert "BEGIN:VCALENDAR" in feed.text
            assert "BEGIN:VEVENT" in feed.text  # her assignment of this walk
            forged = await calendar_app.get(mine.split("key=")[0] + "key=palsu")
            assert forged.status_code == 403

        # The request's page: the whole story from the archive, every step timed.
        for _ in range(100):
            await page.goto(f"{base}/permohonan/{rid}")
            if "7" in await page.locator(".steps tbody tr td:first-child").all_inner_texts():
                break
            await page.wait_for_timeout(200)
        runs = await page.locator(".steps tbody tr td:first-child").all_inner_texts()
        assert {int(s.split()[0]) for s in runs} == set(range(1, 8))
        assert runs == sorted(runs, key=lambda r: (int(r.split()[0]), r)), runs  # step by step, each run in turn
        await expect(page.locator(".timeline")).to_contain_text("siaran pers dipublikasikan")
        # Officers by name, as they signed in, not by their ids.
        await expect(page.locator(".timeline")).to_contain_text("Siti Rahmawati: surat permohonan diregistrasi")
        await expect(page.locator(".timeline")).not_to_contain_text("siti.admin")
        await expect(page.locator("#stage")).to_have_text("Terbit")  # the journey, not only the letter's state
        await shot(page, "11-riwayat-permohonan")
        await printed(page, "11-riwayat-permohonan")

        # The team lead sees whom the request's messages reached; the photographer is not in the
        # directory, so his failed; once he is added, she sends them again.
        await sign_in(page, base, "rina.katim")
        await page.goto(f"{base}/permohonan/{rid}#pesan")
        table = page.locator("table.messages")
        await expect(table).to_contain_text("Versi menunggu pemeriksaan ketua tim")
        await expect(table).to_contain_text("Hendra Gunawan")
        failed = table.locator('tr:has(td[data-state="failed"])')
        await expect(failed.first).to_contain_text("Agus Salim (belum ada di direktori)")  # named from the roster
        how_many = await failed.count()
        assert how_many >= 1
        await shot(page, "11b-pesan-permohonan")
        await page.get_by_role("button", name=f"Kirim ulang pesan yang gagal ({how_many})").click()
        await expect(page.get_by_role("status")).to_have_text(f"{how_many} pesan dikirim ulang.")

        # The head of section's dashboard: every step finished this month, none over its standard.
        await sign_in(page, base, "hendra.kabag")
        await from_the_menu(page, "Dasbor SOP")
        finished = page.locator("#this_month table.sop tbody td.finished")
        assert [int(n) for n in await finished.all_inner_texts()] == [1, 1, 1, 2, 3, 2, 1]
        over = page.locator("#this_month table.sop tbody td.over")
        assert set(await over.all_inner_texts()) == {"0"}
        await expect(page.locator("#this_month svg rect")).to_have_count(7)
        await expect(page.locator("#this_month td.percent").first).to_have_text("100,0 %")  # a decimal comma
        await shot(page, "12-dasbor-sop")
        await printed(page, "12-dasbor-sop")
        # A period of her choosing, from the first of the month to today, and its table to download.
        today = datetime.now(WIB).date()
        await page.get_by_label("Dari tanggal").fill(today.replace(day=1).isoformat())
        await page.get_by_label("Sampai tanggal").fill(today.isoformat())
        await page.get_by_role("button", name="Tampilkan").click()
        await expect(page.locator("#chosen h2")).to_contain_text(format_date(today))
        chosen = page.locator("#chosen table.sop tbody td.finished")
        assert [int(n) for n in await chosen.all_inner_texts()] == [1, 1, 1, 2, 3, 2, 1]
        async with page.expect_download() as download:
            await page.get_by_role("link", name="Unduh CSV").click()
        table = (await (await download.value).path()).read_text(encoding="utf-8-sig").splitlines()
        assert table[0].split(";")[:4] == ["Periode", "SOP", "Langkah", "Nama langkah"], table[0]
        assert len(table) == 8, table  # the header and the seven steps
        assert table[1].endswith(";100,0"), table[1]
        await shot(page, "12b-dasbor-periode")

        await page.goto(f"{base}/bahasa/en", referer="https://elsewhere.example/")
        await expect(page).to_have_url(f"{base}/")  # back to this site only
        await expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
        await expect(page.locator("header .who")).to_contain_text("Hendra Gunawan · Head of the Protocol")
        await page.goto(f"{base}/permohonan/tidak-ada")
        await expect(page.get_by_role("heading", name="The request was refused")).to_be_visible()
        await shot(page, "06-not-found-en")
        await browser.close()
    print(f"checked: one request from letter to publication through the pages in Chromium; screenshots in {SHOTS}")
