"""A video's header read as a phone wrote it, or as a broken or hostile one: what is known of it,
and a clock no camera had taken for no time at all rather than a crash."""

import struct

from warta.coverage.inspection import inspect_video
from warta.devstack.samples import mp4_header


def reader(video: bytes):
    async def read_at(offset: int, length: int) -> bytes:
        return video[offset : offset + length]

    return read_at


async def test_a_phone_video_header_gives_its_size_length_and_time():
    video = mp4_header(width=1280, height=720, seconds=42, created_unix=1_796_000_000)
    found = await inspect_video(reader(video), len(video))
    assert (found.width, found.height, found.duration_seconds) == (1280, 720, 42.0)
    assert found.captured_at is not None
    assert found.captured_at.timestamp() == 1_796_000_000


async def test_a_creation_time_past_any_calendar_is_left_unknown():
    mvhd = struct.pack(">I4s", 8 + 32, b"mvhd") + b"\x01\x00\x00\x00" + struct.pack(">QQIQ", 2**63, 0, 1000, 5000)
    video = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    found = await inspect_video(reader(video), len(video))
    assert found.captured_at is None
    assert found.duration_seconds == 5.0
