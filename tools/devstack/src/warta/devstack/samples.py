"""Real photo and video files for the demo, the tests and the benchmarks, made on the spot."""

import io
import os
import struct
from datetime import datetime, timedelta
from typing import Any

from PIL import Image

from warta.runtime.indonesian import JAKARTA

MP4_EPOCH_OFFSET = 2082844800  # seconds from 1904-01-01 to 1970-01-01


def jpeg(width: int = 640, height: int = 480, taken: str = "2026:11:30 09:15:00", seed: int = 0) -> bytes:
    image = Image.new("RGB", (width, height), (seed % 256, 120, 200))
    exif = image.getexif()
    exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal, in the camera's (WIB) clock
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def camera_jpeg(
    width: int = 640, height: int = 480, *, seed: int = 0, description: str = "OLYMPUS DIGITAL CAMERA"
) -> bytes:
    """A JPEG as a camera or phone writes it: make and model, capture time, the camera's default
    description, its serial number and the GPS position where it was taken (Tangerang's city hall)."""
    image = Image.new("RGB", (width, height), (seed % 256, 90, 160))
    exif = image.getexif()
    exif[0x010E] = description  # ImageDescription
    exif[0x010F] = "OLYMPUS CORPORATION"  # Make
    exif[0x0110] = "E-M10MarkIV"  # Model
    exif[0x0112] = 1  # Orientation
    photo = exif.get_ifd(0x8769)
    photo[0x9003] = "2026:11:30 09:15:00"  # DateTimeOriginal, in the camera's (WIB) clock
    photo[0xA431] = "BHX204512"  # BodySerialNumber
    photo[0xA430] = "Dewi Lestari"  # CameraOwnerName
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (6.0, 10.0, 43.0), 3: "E", 4: (106.0, 37.0, 55.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def registration(
    number: str,
    *,
    sender: str = "Bappeda",
    subject: str = "Musrenbang",
    title: str = "Musrenbang Kota",
    leader: str = "sekda",
    starts_in: timedelta = timedelta(days=7),
    hours: float = 2,
) -> dict[str, Any]:
    """A letter as the administrator registers it, for an event ``starts_in`` from now (requests
    are for events still to come), dated two days ago."""
    now = datetime.now(JAKARTA)
    starts = now.replace(minute=0, second=0, microsecond=0) + starts_in
    return {
        "letter": {
            "number": number,
            "date": f"{(now - timedelta(days=2)).date()}",
            "sender": sender,
            "sender_kind": "opd",
            "subject": subject,
        },
        "event": {
            "title": title,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=hours)).isoformat(),
            "location": "Puspem",
            "leader": leader,
        },
    }


def pdf(pages: int = 1, *, padding: int = 0, text: str = "Surat permohonan") -> bytes:
    """A valid PDF of ``pages`` pages with a line of text each; ``padding`` bytes more in a stream
    no page uses, to make it as large as a scanner's (the objects' offsets are exact)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    for i in range(pages):
        content = f"BT /F1 12 Tf 72 720 Td ({text} {i + 1}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    if padding:
        objects.append(b"<< /Length %d >>\nstream\n" % padding + bytes(padding) + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png(width: int = 64, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A "decompression bomb": a valid 1-bit PNG of ``width`` by ``height`` (900 megapixels by
    default) that is well under 1 MB, since every row is the same."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + bytes((width + 7) // 8)  # filter byte, then the row's bits
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def pdf_of_size(total: int) -> bytes:
    """A valid one-page PDF of exactly ``total`` bytes."""
    padding = total - len(pdf(1, padding=1))
    while len(made := pdf(1, padding=padding)) != total:
        padding += total - len(made)
    return made


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def mp4_header(*, width: int = 1920, height: int = 1080, seconds: int = 95, created_unix: int = 1_796_000_000) -> bytes:
    """``ftyp`` and a ``moov`` with ``mvhd`` (creation time, duration) and one video ``tkhd``."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    created = created_unix + MP4_EPOCH_OFFSET
    mvhd = _box(b"mvhd", b"\x00\x00\x00\x00" + struct.pack(">IIII", created, created, 1000, seconds * 1000) + bytes(80))
    tkhd_body = b"\x00\x00\x00\x07" + struct.pack(">IIII", created, created, 1, 0) + struct.pack(">I", seconds * 1000)
    tkhd_body += bytes(8 + 2 + 2 + 2 + 2) + bytes(36) + struct.pack(">II", width << 16, height << 16)
    moov = _box(b"moov", mvhd + _box(b"trak", _box(b"tkhd", tkhd_body)))
    return ftyp + moov


def mp4(payload_bytes: int = 3 * 1024 * 1024, **kwargs: int) -> bytes:
    """A small MP4 whose ``mdat`` holds ``payload_bytes`` of noise."""
    header = mp4_header(**kwargs)
    return header + struct.pack(">I4s", 8 + payload_bytes, b"mdat") + os.urandom(payload_bytes)
