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


def _as_jpeg(data: bytes) -> bytes:
    picture = decoded(data, max_pixels=Image.MAX_IMAGE_PIXELS or 0).image
    out = io.BytesIO()
    # The camera's orientation and capture data travel along; the allow-list above then decides
    # what of them stays.
    picture.convert("RGB").save(out, "JPEG", quality=HEIC_JPEG_QUALITY, exif=picture.getexif())
    return out.getvalue()
