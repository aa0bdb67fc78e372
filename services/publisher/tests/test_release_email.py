"""The release's email rendered once for a fan-out and joined per contact: every copy reads, in a
mail program's parser, as the whole release with that contact's greeting, address and opt-out
link, and nothing of another contact's."""

import email
import email.policy
from datetime import UTC, datetime

import pytest

from warta.publisher.mail import Delivery, ReleaseEmail
from warta.publisher.website import Picture
from warta.runtime.release import RenderedRelease

SENT_AT = datetime(2026, 12, 6, 7, 30, tzinfo=UTC)
RELEASE = RenderedRelease(
    title="Wali Kota Resmikan Taman Literasi — Cikokol",
    # Braces, a line starting with a dot, a line past the 998 octets SMTP allows, and "--" lines:
    # each is what a naive join of bytes gets wrong.
    html="<p>Taman {baru} dibuka.</p>\n<p>. Titik di awal baris.</p>\n<p>" + "panjang " * 200 + "</p>",
    text="Taman {baru} dibuka.\n\n. Titik di awal baris.\nFrom Cikokol.\n--\n" + "panjang " * 200,
    excerpt="",
    tags=(),
)
PHOTO = Picture(
    sha256="a" * 64,
    content_type="image/jpeg",
    data=b"\xff\xd8\xff" + bytes(range(256)) * 40,
    caption="Wali Kota menggunting pita",
    credit="Dewi Lestari",
)


def release_email(attached: tuple[Picture, ...] = (PHOTO,)) -> ReleaseEmail:
    return ReleaseEmail(
        RELEASE,
        photos=(PHOTO,),
        photo_urls={PHOTO.sha256: "https://tangerangkota.go.id/foto/1.jpg"},
        attached=attached,
        website_url="https://tangerangkota.go.id/berita/1",
        sender="Prokopim Kota Tangerang <prokopim@tangerangkota.go.id>",
        domain="warta.tangerangkota.go.id",
    )


def delivery(email_address: str, name: str) -> Delivery:
    return Delivery(request_id="r-1", version=2, email=email_address, name=name)


def read(data: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    assert [part.defects for part in message.walk()] == [[] for _ in message.walk()]
    return message


def test_each_copy_reads_as_the_whole_release_with_its_own_greeting_address_and_link():
    rendered = release_email()
    budi = rendered.for_contact(delivery("budi@tangex.co.id", "Budi Śantoso"), "https://x.id/b?t=1", SENT_AT)
    sari = rendered.for_contact(delivery("sari@antaranews.com", "Sari"), "https://x.id/b?t=2", SENT_AT)
    assert (budi.sender, budi.recipients, budi.international) == (
        "prokopim@tangerangkota.go.id",
        ("budi@tangex.co.id",),
        False,
    )
    assert max(len(line) for line in budi.data.split(b"\r\n")) <= 998
    mail = read(budi.data)
    assert mail["From"] == "Prokopim Kota Tangerang <prokopim@tangerangkota.go.id>"
    assert mail["To"] == "budi@tangex.co.id"
    assert mail["Subject"] == "[Siaran Pers] Wali Kota Resmikan Taman Literasi — Cikokol"
    assert mail["Message-ID"] == budi.message_id
    assert mail["Date"].datetime == SENT_AT
    assert mail["List-Unsubscribe"] == "<https://x.id/b?t=1>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Yth. Budi Śantoso,\n\nWali Kota Resmikan Taman Literasi — Cikokol\n\n")
    assert RELEASE.text in text
    photo = "- Wali Kota menggunting pita (Foto: Dewi Lestari) — https://tangerangkota.go.id/foto/1.jpg"
    assert f"{photo}, terlampir: foto-1-wali-kota-menggunting-pita.jpg\n" in text
    assert "Selengkapnya: https://tangerangkota.go.id/berita/1" in text
    assert text.endswith("Berhenti menerima siaran pers: https://x.id/b?t=1\n")
    html = mail.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert "<p>Yth. Budi Śantoso,</p>" in html
    assert RELEASE.html in html
    assert '<a href="https://x.id/b?t=1">Berhenti menerima siaran pers</a>' in html
    [attachment] = mail.iter_attachments()
    assert attachment.get_filename() == "foto-1-wali-kota-menggunting-pita.jpg"
    assert attachment.get_content() == PHOTO.data
    # The other copy shares the release and nothing personal.
    other = read(sari.data)
    assert other["To"] == "sari@antaranews.com"
    assert other["Message-ID"] != mail["Message-ID"]
    assert b"Budi" not in sari.data
    assert b"t=3D1" not in sari.data
    assert other.get_body(("plain",)).get_content().startswith("Yth. Sari,")


def test_a_real_opt_out_link_is_one_header_line_a_mail_program_reads():
    """A link as long as the publisher's (the address's token and its key) is written as it is, on
    one line: folded by the ``email`` package it became an encoded-word no mail program reads."""
    link = "https://warta.tangerangkota.go.id/media/berhenti/YnVkaUB0YW5nZXguY28uaWQ?key=" + "0f" * 16
    copy = release_email().for_contact(delivery("budi@tangex.co.id", "Budi"), link, SENT_AT)
    assert f"\r\nList-Unsubscribe: <{link}>\r\n".encode() in copy.data
    head = copy.data.partition(b"\r\n\r\n")[0].split(b"\r\n")
    assert [line for line in head if b"=?" in line and not line.startswith(b"Subject:")] == []


def test_a_sender_that_is_no_ascii_address_cannot_be_mailed():
    with pytest.raises(ValueError, match="not an ASCII email address"):
        ReleaseEmail(
            RELEASE,
            photos=(),
            photo_urls={},
            attached=(),
            website_url=None,
            sender="Prokopim <prokopim@tangérang.go.id>",
            domain="warta.tangerangkota.go.id",
        )


def test_a_copy_made_again_is_the_same_message_for_the_newsroom():
    """After a crash between the relay's acceptance and the ledger's mark, the copy goes again:
    with the same Message-ID, so the newsroom's mail program sees one message."""
    again = release_email().for_contact(delivery("budi@tangex.co.id", "Budi"), "https://x.id/b?t=1", SENT_AT)
    first = release_email().for_contact(delivery("budi@tangex.co.id", "Budi"), "https://x.id/b?t=1", SENT_AT)
    assert again.message_id == first.message_id == read(again.data)["Message-ID"]


def test_without_attachments_the_copy_is_the_text_and_html_alone():
    copy = release_email(attached=()).for_contact(delivery("budi@tangex.co.id", "Budi"), "https://x.id/b", SENT_AT)
    mail = read(copy.data)
    assert mail.get_content_type() == "multipart/alternative"
    assert list(mail.iter_attachments()) == []
    assert "terlampir" not in mail.get_body(("plain",)).get_content()


def test_an_address_outside_ascii_is_carried_as_utf8_and_says_it_needs_smtputf8():
    copy = release_email().for_contact(delivery("dewi@média.id", "Dewi"), "https://x.id/b", SENT_AT)
    assert copy.international
    assert "To: dewi@média.id\r\n".encode() in copy.data
    assert read(copy.data)["To"] == "dewi@média.id"


def test_a_title_that_would_begin_a_header_of_its_own_cannot_be_mailed():
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        ReleaseEmail(
            RenderedRelease(title="Judul\nBcc: semua@contoh.id", html="", text="", excerpt="", tags=()),
            photos=(),
            photo_urls={},
            attached=(),
            website_url=None,
            sender="prokopim@tangerangkota.go.id",
            domain="warta.tangerangkota.go.id",
        )
