"""A post's length as each platform counts it: X by its weighting, the others by characters."""

import pytest

from warta.contracts import SocialChannel
from warta.runtime.social import TEXT_LIMITS, post_length

EMOJI = "\N{GRINNING FACE}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Puskesmas Cikokol resmi dibuka #KotaTangerang", 45),
        (EMOJI * 140, 280),  # an emoji weighs 2 on X, whatever its code units
        ("\N{WOMAN}\N{ZERO WIDTH JOINER}\N{PERSONAL COMPUTER}", 2),  # one emoji sequence, one emoji
        ("Renée dan Citra", 15),  # Latin letters with accents weigh 1
        ("東京", 4),  # CJK weighs 2
        ("Baca https://tangerangkota.go.id/berita/peresmian-puskesmas-cikokol-yang-panjang", 5 + 23),  # a link is 23
        ("Info: tangerangkota.go.id", 6 + 23),  # a bare address is a link too
        ("Lihat https://tangerangkota.go.id/berita.", 6 + 23 + 1),  # the full stop is the sentence's
        ("contoh.id", 9),  # a bare name.cc with nothing after it is text, as on X
        ("contoh.id/berita", 23),
        ("Pukul 10.00 WIB di Jl.Sudirman", 30),  # times and abbreviations are not links
        ("e\u0301", 1),  # counted in NFC: é
    ],
)
def test_x_counts_by_its_weighting(text, expected):
    assert post_length(SocialChannel.X, text) == expected


def test_the_others_count_characters_not_bytes_or_code_units():
    text = EMOJI * 2200
    for channel in (SocialChannel.INSTAGRAM, SocialChannel.TIKTOK, SocialChannel.FACEBOOK, SocialChannel.YOUTUBE):
        assert post_length(channel, text) == 2200
    assert post_length(SocialChannel.INSTAGRAM, text) <= TEXT_LIMITS[SocialChannel.INSTAGRAM]
    assert len(text.encode("utf-16-le")) // 2 == 4400  # what a JavaScript counter would have said
