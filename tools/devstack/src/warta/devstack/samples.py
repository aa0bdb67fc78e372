"""Real photo and video files for the demo, the tests and the benchmarks, made on the spot."""

import io
import os
import struct

from PIL import Image

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


def png(width: int = 64, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


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
