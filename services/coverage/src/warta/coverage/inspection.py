"""What a stored photo or video says about itself, read before it becomes an asset: a photo
decoded whole (within the pixel limit) for its dimensions, capture time and thumbnail; a video's
box headers for its duration and dimensions, never the whole video. A file that does not read as
what it claims to be is refused (``Unreadable``)."""

import io
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from warta.runtime.images import ImageFault, ImageRefused, decoded
from warta.runtime.indonesian import JAKARTA

THUMBNAIL_PIXELS = 320
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_IFD = 0x8769
MP4_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)
MAX_SECONDS = (datetime(9999, 1, 1, tzinfo=UTC) - MP4_EPOCH).total_seconds()  # the last a datetime holds

ReadAt = Callable[[int, int], Awaitable[bytes]]


class VideoFault(StrEnum):
    """Why a video is refused, as the rule's name a field problem carries."""

    INCOMPLETE = "video_incomplete"
    DAMAGED = "video_damaged"


class Unreadable(Exception):
    """The file is not a whole photo or video; ``reason`` says why, in English, ``fault`` names
    the rule and ``limits`` its numbers, for the console to say it in the officer's words."""

    def __init__(self, reason: str, *, fault: ImageFault | VideoFault, limits: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fault = fault
        self.limits = limits or {}


@dataclass
class Inspection:
    width: int | None = None
    height: int | None = None
    captured_at: datetime | None = None
    duration_seconds: float | None = None
    thumbnail_jpeg: bytes | None = None


def inspect_photo(data: bytes, *, max_pixels: int) -> Inspection:
    """Dimensions, EXIF capture time (camera clocks here run on WIB) and a JPEG thumbnail. CPU
    work: run it off the event loop."""
    try:
        photo = decoded(data, max_pixels=max_pixels, reduced=True)
    except ImageRefused as refused:
        raise Unreadable(refused.reason, fault=refused.fault, limits=refused.limits) from refused
    image = photo.image
    exif = image.getexif()
    original = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(0x0132)
    captured = None
    if isinstance(original, str):
        try:
            captured = datetime.strptime(original.strip(), "%Y:%m:%d %H:%M:%S").replace(tzinfo=JAKARTA)
        except ValueError:
            captured = None
    thumb = image.convert("RGB")
    thumb.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80)
    return Inspection(width=photo.width, height=photo.height, captured_at=captured, thumbnail_jpeg=out.getvalue())


async def inspect_video(read_at: ReadAt, size: int) -> Inspection:
    """Creation time and duration from ``mvhd``, dimensions from the first video ``tkhd``: box
    headers only, wherever ``moov`` sits in the file; a video without its ``moov`` cannot play."""
    moov = await _find_box(read_at, 0, size, b"moov")
    if moov is None:
        raise Unreadable(
            "the video is incomplete or damaged: it has no index (moov box); was the transfer cut short?",
            fault=VideoFault.INCOMPLETE,
        )
    start, end = moov
    found = Inspection()
    mvhd = await _find_box(read_at, start, end, b"mvhd")
    if mvhd is not None:
        body = await read_at(mvhd[0], min(mvhd[1] - mvhd[0], 32))
        try:
            if body[0] == 1:
                created, _, timescale, duration = struct.unpack(">QQIQ", body[4:32])
            else:
                created, _, timescale, duration = struct.unpack(">IIII", body[4:20])
        except (IndexError, struct.error):
            raise Unreadable(
                "the video is damaged: its header (mvhd box) is cut short", fault=VideoFault.DAMAGED
            ) from None
        if created and created < MAX_SECONDS:  # a clock no camera had says nothing of when it was taken
            found.captured_at = MP4_EPOCH + timedelta(seconds=created)
        if timescale:
            found.duration_seconds = round(duration / timescale, 3)
    position = start
    while (trak := await _find_box(read_at, position, end, b"trak")) is not None:
        tkhd = await _find_box(read_at, trak[0], trak[1], b"tkhd")
        if tkhd is not None:
            length = tkhd[1] - tkhd[0]
            tail = await read_at(tkhd[1] - 8, 8) if length >= 8 else b""
            width, height = (struct.unpack(">II", tail)) if len(tail) == 8 else (0, 0)
            if width and height:
                found.width, found.height = width >> 16, height >> 16
                break
        position = trak[1]
    return found


async def _find_box(read_at: ReadAt, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    """The body span of the first box of ``kind`` between ``start`` and ``end``."""
    position = start
    while position + 8 <= end:
        header = await read_at(position, 16)
        if len(header) < 8:
            return None
        length, box = struct.unpack(">I4s", header[:8])
        body = position + 8
        if length == 1 and len(header) >= 16:
            length = struct.unpack(">Q", header[8:16])[0]
            body = position + 16
        elif length == 0:
            length = end - position
        if length < 8:
            return None
        if box == kind:
            return body, position + length
        position += length
    return None
