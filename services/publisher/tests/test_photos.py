"""The copy of a photo the public gets, read back by exiftool (Debian's, independent of the
library that wrote it): the caption, photographer, credit and copyright in IPTC and XMP, nothing
of where it was taken or by which camera body, and the very pixels the photographer took."""

import io
import json
import subprocess

from PIL import Image, PngImagePlugin
from pillow_heif import register_heif_opener

from warta.devstack import samples
from warta.publisher.photos import PhotoNotice, published_copy

register_heif_opener()
NOTICE = PhotoNotice(
    caption="Wali Kota menggunting pita “Taman Literasi”",
    byline="Dewi Lestari",
    credit="Dewi Lestari/Prokopim Kota Tangerang",
    copyright="© 2026 Pemerintah Kota Tangerang",
)


def exiftool(data: bytes) -> dict[str, object]:
    read = subprocess.run(["exiftool", "-j", "-G1", "-"], input=data, capture_output=True, check=True)
    tags: dict[str, object] = json.loads(read.stdout)[0]
    return tags


def test_a_camera_photo_is_published_with_its_notice_and_without_location_or_serials():
    original = samples.camera_jpeg()
    assert "GPS:GPSLatitude" in exiftool(original)  # what a camera or phone writes
    copy, content_type = published_copy(original, "image/jpeg", NOTICE)
    tags = exiftool(copy)
    assert content_type == "image/jpeg"
    assert tags["IPTC:Caption-Abstract"] == tags["XMP-dc:Description"] == NOTICE.caption
    assert tags["IPTC:Credit"] == tags["XMP-photoshop:Credit"] == NOTICE.credit
    assert tags["IPTC:By-line"] == tags["XMP-dc:Creator"] == "Dewi Lestari"
    assert tags["IPTC:CopyrightNotice"] == tags["XMP-dc:Rights"] == NOTICE.copyright
    leaks = [t for t in tags if any(word in t for word in ("GPS", "Serial", "Owner", "MakerNote"))]
    assert leaks == []
    assert "IFD0:ImageDescription" not in tags  # the camera's "OLYMPUS DIGITAL CAMERA"
    assert (tags["IFD0:Model"], tags["ExifIFD:DateTimeOriginal"]) == ("E-M10MarkIV", "2026:11:30 09:15:00")
    assert Image.open(io.BytesIO(copy)).tobytes() == Image.open(io.BytesIO(original)).tobytes()


def test_a_heic_photo_is_published_as_a_jpeg_a_browser_can_show():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "HEIF")
    copy, content_type = published_copy(out.getvalue(), "image/heic", NOTICE)
    assert content_type == "image/jpeg"
    assert copy.startswith(b"\xff\xd8\xff")
    assert exiftool(copy)["IPTC:Credit"] == NOTICE.credit
    assert Image.open(io.BytesIO(copy)).size == (64, 48)


LOCATION = b"LOKASI -6.1783,106.6319"  # what a phone's own block or appended clip may carry


def _segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(body) + 2).to_bytes(2, "big") + body


def test_blocks_off_the_list_and_bytes_after_the_picture_are_not_published():
    original = samples.camera_jpeg()
    # A maker's APP3 block, a Photoshop block, a comment, and a motion clip after the image's end,
    # each saying where the photo was taken.
    phone = (
        original[:2]
        + _segment(0xE3, b"DEPTH\0" + LOCATION)
        + _segment(0xED, b"Photoshop 3.0\0" + LOCATION)
        + _segment(0xFE, LOCATION)
        + original[2:]
        + b"MotionPhoto_Data"
        + LOCATION
    )
    assert Image.open(io.BytesIO(phone)).tobytes() == Image.open(io.BytesIO(original)).tobytes()
    copy, _ = published_copy(phone, "image/jpeg", NOTICE)
    assert LOCATION not in copy
    assert b"MotionPhoto_Data" not in copy
    assert copy.endswith(b"\xff\xd9")
    assert Image.open(io.BytesIO(copy)).tobytes() == Image.open(io.BytesIO(original)).tobytes()
    tags = exiftool(copy)
    assert tags["IPTC:Credit"] == NOTICE.credit
    assert tags["IFD0:Model"] == "E-M10MarkIV"  # the EXIF the list keeps is still read


def test_a_png_keeps_its_pixels_and_colour_and_loses_its_text_chunks_and_what_follows_it():
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", LOCATION.decode())
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "PNG", pnginfo=info)
    original = out.getvalue() + LOCATION
    assert LOCATION in original
    copy, content_type = published_copy(original, "image/png", NOTICE)
    assert content_type == "image/png"
    assert LOCATION not in copy
    assert Image.open(io.BytesIO(copy)).tobytes() == Image.new("RGB", (40, 30), (10, 120, 200)).tobytes()
    assert exiftool(copy)["XMP-photoshop:Credit"] == NOTICE.credit
