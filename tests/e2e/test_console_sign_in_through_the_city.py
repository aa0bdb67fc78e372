"""Signing in to the console through an OpenID Connect provider (node-oidc-provider standing in
for the city's), in headless Chromium: the officer goes to the provider's login page and comes back
signed in; the access token the provider issued is what the services accept. A forged return, or a
city account that is not one of the section's officers, signs nobody in."""

from contextlib import ExitStack

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from warta.contracts import Role
from warta.devstack.browser import indonesian_chromium, shot
from warta.devstack.idp import identity_provider

OFFICERS = {"siti.admin": ("Siti Rahmawati", Role.ADMIN), "hendra.kabag": ("Hendra Gunawan", Role.SECTION_HEAD)}


async def sign_in_at_the_provider(page: Page, base: str, login: str) -> None:
    await page.context.clear_cookies()
    await page.goto(f"{base}/")
    await expect(page).to_have_url(f"{base}/masuk")
    await page.get_by_role("link", name="Masuk dengan akun Pemerintah Kota Tangerang").click()
    # The provider's own login page (its development one: any password).
    await page.locator("input[name=login]").fill(login)
    await page.locator("input[name=password]").fill("rahasia")
    await page.locator("button[type=submit]").click()


async def officers_token(page: Page) -> str | None:
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    return cookies.get("warta_token")


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_an_officer_signs_in_through_the_city_provider_and_the_services_accept_the_token(
    namespace, service_processes, tmp_path
):
    with ExitStack() as stack:
        intake, console = service_processes("intake"), service_processes("console")
        idp = stack.enter_context(
            identity_provider(OFFICERS, [f"{console.url}/masuk/kembali"], log_path=tmp_path / "idp.log")
        )
        intake.start(**idp.service_env())
        console.start(**idp.console_env(console.url), WARTA_INTAKE_URL=intake.url)

        async with async_playwright() as playwright:
            browser = await indonesian_chromium(playwright)
            page = await browser.new_page(locale="id-ID", timezone_id="Asia/Jakarta")
            await page.goto(f"{console.url}/masuk")
            await expect(page.get_by_label("Pilih petugas (pengembangan)")).to_have_count(0)  # no dev sign-in
            await shot(page, "00-masuk-oidc")

            await sign_in_at_the_provider(page, console.url, "siti.admin")
            await expect(page).to_have_url(f"{console.url}/")
            await expect(page.get_by_role("heading", name="Menunggu Anda")).to_be_visible()  # intake's inbox, read
            await expect(page.locator("header .who")).to_contain_text("Siti Rahmawati · Pengadministrasi Perkantoran")
            token = await officers_token(page)
            assert token is not None
            print("injected: an admin's sign-in at the provider; checked: back on the home page, named, with a role")

            async with httpx.AsyncClient(base_url=intake.url) as api:
                assert (await api.get("/inbox", headers={"Authorization": f"Bearer {token}"})).status_code == 200
                # The development tokens mean nothing where the provider signs officers in.
                assert (await api.get("/inbox", headers=namespace.token(Role.ADMIN, "siti.admin"))).status_code == 401
            print("checked: intake accepts the provider's access token and refuses a development one")

            # A return that does not answer this browser's own sign-in (forged, or replayed).
            await page.goto(f"{console.url}/masuk/kembali?code=forged&state=forged")
            await expect(page.get_by_role("alert")).to_contain_text("Gagal masuk")
            assert await officers_token(page) is None
            await page.goto(f"{console.url}/")
            await expect(page).to_have_url(f"{console.url}/masuk")
            print("injected: a forged return; checked: refused, signed out")

            # A city account that is not one of the section's officers has no Warta role.
            await sign_in_at_the_provider(page, console.url, "budi.dishub")
            await expect(page.get_by_role("alert")).to_contain_text("Gagal masuk")
            assert await officers_token(page) is None
            await shot(page, "00-masuk-ditolak")
            print("injected: a city account without a Warta role; checked: refused at the console")

            await sign_in_at_the_provider(page, console.url, "hendra.kabag")
            await expect(page.locator("header .who")).to_contain_text("Hendra Gunawan · Kepala Bagian Protokol")
            await page.get_by_role("button", name="Keluar").click()
            await expect(page).to_have_url(f"{console.url}/masuk")
            assert await officers_token(page) is None
            print("checked: the section head signs in likewise and signs out")
            await browser.close()
