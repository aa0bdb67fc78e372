"""The pure rules of step 4: media types from bytes, the style reading, the channels' limits."""

from datetime import date

import pytest

from warta.contracts import AssetKind, InvalidInput, Quote, SocialChannel, UnsupportedMediaType
from warta.coverage.media import MediaType, media_type_of, require_media
from warta.coverage.press import Draft, read_draft, words
from warta.coverage.social import check_post


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01", MediaType.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", MediaType.PNG),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", MediaType.HEIC),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", MediaType.MP4),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", MediaType.MOV),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", None),  # a Windows program
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", None),
        (b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x00\x00", None),
        (b"", None),
    ],
)
def test_media_types_come_from_the_bytes(head, expected):
    assert media_type_of(head) is expected


def test_a_video_declared_as_a_photo_is_refused():
    with pytest.raises(UnsupportedMediaType) as refused:
        require_media(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", AssetKind.PHOTO)
    assert refused.value.fields[0].field == "file"


def test_words_ignore_markdown_and_punctuation():
    assert words("**Wali Kota** meresmikan _taman_ — di [Cisadane](https://x)!") == 6
    assert words("Jum'at pagi, serah-terima") == 3


def test_the_style_reading_warns_and_never_blocks():
    long_title = " ".join(["kata"] * 13)
    draft = Draft(title=long_title, lead=" ".join(["x"] * 41), body="pendek")
    reading = read_draft(draft)
    assert [w.code for w in reading.warnings] == ["title_too_long", "lead_too_long", "dateline_missing", "body_short"]
    assert reading.title_words == 13
    assert reading.lead_words == 41
    good = Draft(
        title="Wali Kota Resmikan Taman Literasi Cisadane",
        dateline_date=date(2026, 11, 30),
        lead="Wali Kota Tangerang meresmikan Taman Literasi Cisadane pada Senin pagi.",
        body=" ".join(["isi"] * 150),
        quotes=(Quote(speaker="Sachrudin", function="Wali Kota Tangerang", text="Taman ini untuk warga."),),
    )
    reading = read_draft(good)
    assert reading.warnings == []
    assert reading.word_count == 6 + 10 + 150 + 4
    assert good.as_press_release().dateline == "Tangerang, 30 November 2026"


@pytest.mark.parametrize(
    ("channel", "text", "title", "media", "fields"),
    [
        (SocialChannel.X, "a" * 281, None, [], ["text"]),
        (SocialChannel.X, "ok", None, [AssetKind.PHOTO] * 5, ["media"]),
        (SocialChannel.X, "ok", None, [AssetKind.PHOTO, AssetKind.VIDEO], ["media"]),
        (SocialChannel.INSTAGRAM, "tanpa foto", None, [], ["media"]),
        (SocialChannel.INSTAGRAM, " ".join(f"#t{i}" for i in range(31)), None, [AssetKind.PHOTO], ["text"]),
        (SocialChannel.YOUTUBE, "deskripsi", None, [AssetKind.VIDEO], ["title"]),
        (SocialChannel.YOUTUBE, "deskripsi", "Judul", [AssetKind.PHOTO], ["media", "media"]),
        (SocialChannel.FACEBOOK, "ok", "Judul", [], ["title"]),
        (SocialChannel.TIKTOK, "ok", None, [AssetKind.VIDEO, AssetKind.VIDEO], ["media"]),
    ],
)
def test_each_channel_refuses_what_the_platform_would(channel, text, title, media, fields):
    with pytest.raises(InvalidInput) as refused:
        check_post(channel, text=text, title=title, media_kinds=media)
    assert [f.field for f in refused.value.fields] == fields


@pytest.mark.parametrize(
    ("channel", "title", "media"),
    [
        (SocialChannel.X, None, [AssetKind.PHOTO] * 4),
        (SocialChannel.INSTAGRAM, None, [AssetKind.PHOTO, AssetKind.VIDEO]),
        (SocialChannel.YOUTUBE, "Peresmian Taman", [AssetKind.VIDEO]),
        (SocialChannel.FACEBOOK, None, []),
        (SocialChannel.TIKTOK, None, [AssetKind.PHOTO] * 3),
    ],
)
def test_posts_within_the_limits_pass(channel, title, media):
    check_post(channel, text="Taman Literasi Cisadane dibuka #Tangerang", title=title, media_kinds=media)


def test_x_takes_140_emoji_as_x_does_and_names_the_count_when_over():
    check_post(SocialChannel.X, text="\N{GRINNING FACE}" * 140, title=None, media_kinds=[])
    with pytest.raises(InvalidInput) as refused:
        check_post(SocialChannel.X, text="\N{GRINNING FACE}" * 141, title=None, media_kinds=[])
    (problem,) = refused.value.fields
    assert (problem.field, problem.type, problem.limits) == ("text", "post_too_long", {"max": "280", "actual": "282"})
