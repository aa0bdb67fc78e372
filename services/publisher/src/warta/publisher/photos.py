"""Photos as a newsroom publishes them: a copy for the public that says who took it, whose it is
and what it shows, and nothing about where it was taken or by which device.

The copy keeps the picture's pixels untouched (the metadata is rewritten, the image is not
re-encoded) and keeps only the camera data a reader may see (an allow-list: orientation, capture
time, make and model, exposure); GPS positions, serial numbers, owner names, maker notes and any
earlier IPTC, XMP or comment are dropped. It then writes the caption, the photographer, the credit
and the copyright as IPTC and XMP, where newsroom tools and WordPress read them. A HEIC photo,
which most browsers cannot show, is published as a JPEG. The coverage service's original is
never changed: this works on the bytes fetched from it.
"""

import io
from dataclasses import dataclass

import pyexiv2
from PIL import Image

from warta.runtime.images import decoded

KEPT_EXIF = {
    "Exif.Image.Orientation",
    "Exif.Image.Make",
    "Exif.Image.Model",
    "Exif.Image.XResolution",
    "Exif.Image.YResolution",
    "Exif.Image.ResolutionUnit",
    "Exif.Photo.DateTimeOriginal",
    "Exif.Photo.DateTimeDigitized",
    "Exif.Photo.OffsetTimeOriginal",
    "Exif.Photo.ExposureTime",
    "Exif.Photo.FNumber",
    "Exif.Photo.ExposureProgram",
    "Exif.Photo.ISOSpeedRatings",
    "Exif.Photo.FocalLength",
    "Exif.Photo.Flash",
    "Exif.Photo.WhiteBalance",
    "Exif.Photo.ColorSpace",
    "Exif.Photo.PixelXDimension",
    "Exif.Photo.PixelYDimension",
}
UTF8 = "\x1b%G"  # IPTC's coded character set for UTF-8: without it readers take the text as Latin-1
HEIC_JPEG_QUALITY = 92


@dataclass(frozen=True)
class PhotoNotice:
    """What the published copy says about itself."""

    caption: str
    byline: str | None  # the photographer
    credit: str  # e.g. "Dewi Lestari/Prokopim Kota Tangerang"
    copyright: str  # e.g. "© 2026 Pemerintah Kota Tangerang"


def published_copy(data: bytes, content_type: str, notice: PhotoNotice) -> tuple[bytes, str]:
    """The copy to publish and its content type (JPEG or PNG). CPU work: run it off the loop."""
    if content_type not in ("image/jpeg", "image/png"):
        data, content_type = _as_jpeg(data), "image/jpeg"
    data = picture_only(data)
    with pyexiv2.ImageData(data) as image:
        kept = {key: value for key, value in image.read_exif().items() if key in KEPT_EXIF}
        image.clear_exif()
        image.clear_iptc()
        image.clear_xmp()
        image.clear_comment()
        if kept:
            image.modify_exif(kept)
        image.modify_iptc(_iptc(notice))
        image.modify_xmp(_xmp(notice))
        return image.get_bytes(), content_type


def _iptc(notice: PhotoNotice) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {
        "Iptc.Envelope.CharacterSet": UTF8,
        "Iptc.Application2.Credit": notice.credit,
        "Iptc.Application2.Copyright": notice.copyright,
    }
    if notice.caption:
        fields["Iptc.Application2.Caption"] = notice.caption
    if notice.byline:
        fields["Iptc.Application2.Byline"] = [notice.byline]
    return fields


def _xmp(notice: PhotoNotice) -> dict[str, str | list[str] | dict[str, str]]:
    fields: dict[str, str | list[str] | dict[str, str]] = {
        "Xmp.photoshop.Credit": notice.credit,
        "Xmp.dc.rights": {'lang="x-default"': notice.copyright},
    }
    if notice.caption:
        fields["Xmp.dc.description"] = {'lang="x-default"': notice.caption}
    if notice.byline:
        fields["Xmp.dc.creator"] = [notice.byline]
    return fields


# What a picture needs besides its metadata, which is written anew: a JPEG's JFIF header, EXIF
# (cut down to KEPT_EXIF above), ICC colour profile and Adobe colour transform; a PNG's critical
# chunks and its colour and pixel-size chunks. Anything else (a phone's depth map or motion clip in
# its own segment or after the image, a maker's APPn block, PNG text chunks) may say where or by
# what the photo was taken.
JPEG_KEPT_APP = {0xE0: b"JFIF", 0xE1: b"Exif\0\0", 0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}
PNG_KEPT = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs"}
SCAN_BYTES = frozenset((0x00, *range(0xD0, 0xD8)))  # after 0xFF in a scan: a stuffed byte, a restart
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def picture_only(data: bytes) -> bytes:
    """The picture's own segments or chunks, up to its end: nothing appended after it and no block
    outside the allow-list above. Bytes that are neither a JPEG nor a PNG are returned as they are,
    for the metadata library to refuse."""
    if data.startswith(b"\xff\xd8"):
        try:
            return _jpeg_only(data)
        except ValueError:
            # A JPEG a decoder reads but whose blocks do not follow one another: its pixels are
            # published re-encoded rather than its unknown bytes as they are.
            return _jpeg_only(_as_jpeg(data))
    if data.startswith(PNG_SIGNATURE):
        return _png_only(data)
    return data


def _jpeg_only(data: bytes) -> bytes:
    out = bytearray(b"\xff\xd8")
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise ValueError(f"not a JPEG marker at byte {at}")
        marker = data[at + 1]
        if marker == 0xFF:  # a fill byte
            at += 1
            continue
        if marker == 0xD9:  # end of image: whatever follows is not the picture
            break
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        segment = data[at : at + 2 + length]
        app = 0xE0 <= marker <= 0xEF
        if marker == 0xFE or (app and not segment[4:].startswith(JPEG_KEPT_APP.get(marker, b"\xff"))):
            at += 2 + length  # a comment or an application block not on the list
            continue
        out += segment
        at += 2 + length
        if marker == 0xDA:  # start of scan: the entropy-coded data runs to the next real marker
            end = data.find(b"\xff", at)
            while end != -1 and end + 1 < len(data) and data[end + 1] in SCAN_BYTES:
                end = data.find(b"\xff", end + 2)
            if end == -1 or end + 1 >= len(data):
                raise ValueError("a JPEG scan without its end")
            out += data[at:end]
            at = end
    return bytes(out + b"\xff\xd9")


def _png_only(data: bytes) -> bytes:
    out = bytearray(PNG_SIGNATURE)
    at = len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        chunk = data[at : at + 12 + length]
        if kind in PNG_KEPT:
            out += chunk
        at += 12 + length
        if kind == b"IEND":
            break
    return bytes(out)


def _as_jpeg(data: bytes) -> bytes:
    picture = decoded(data, max_pixels=Image.MAX_IMAGE_PIXELS or 0).image
    out = io.BytesIO()
    # The camera's orientation and capture data travel along; the allow-list above then decides
    # what of them stays.
    picture.convert("RGB").save(out, "JPEG", quality=HEIC_JPEG_QUALITY, exif=picture.getexif())
    return out.getvalue()
