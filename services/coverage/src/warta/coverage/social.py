"""Social-media posts, one per channel, checked against each channel's own limits.

The limits are the platforms' published ones (as of 2026), a text's length counted as the
platform counts it (``warta.runtime.social``): what a platform would refuse is refused here,
before the social-media editor finds out at posting time.
"""

import re
from dataclasses import dataclass

from warta.contracts import AssetKind, FieldProblem, InvalidInput, SocialChannel
from warta.runtime.social import TEXT_LIMITS, post_length

HASHTAG = re.compile(r"(?<!\w)#\w+", re.UNICODE)


@dataclass(frozen=True)
class ChannelLimits:
    max_text: int
    max_hashtags: int
    max_photos: int
    max_videos: int
    min_media: int = 0
    mixed_media: bool = True  # may photos and video share one post?
    title_max: int | None = None  # a channel that needs a title
    needs_video: bool = False


LIMITS: dict[SocialChannel, ChannelLimits] = {
    SocialChannel.INSTAGRAM: ChannelLimits(
        max_text=TEXT_LIMITS[SocialChannel.INSTAGRAM], max_hashtags=30, max_photos=10, max_videos=10, min_media=1
    ),
    SocialChannel.FACEBOOK: ChannelLimits(
        max_text=TEXT_LIMITS[SocialChannel.FACEBOOK], max_hashtags=30, max_photos=10, max_videos=1
    ),
    SocialChannel.X: ChannelLimits(
        max_text=TEXT_LIMITS[SocialChannel.X], max_hashtags=10, max_photos=4, max_videos=1, mixed_media=False
    ),
    SocialChannel.YOUTUBE: ChannelLimits(
        max_text=TEXT_LIMITS[SocialChannel.YOUTUBE],
        max_hashtags=15,
        max_photos=0,
        max_videos=1,
        title_max=100,
        needs_video=True,
    ),
    SocialChannel.TIKTOK: ChannelLimits(
        max_text=TEXT_LIMITS[SocialChannel.TIKTOK],
        max_hashtags=30,
        max_photos=35,
        max_videos=1,
        min_media=1,
        mixed_media=False,
    ),
}


def _problem(field: str, kind: str, message: str, **limits: int) -> FieldProblem:
    return FieldProblem(field, message, type=kind, limits={k: str(v) for k, v in limits.items()})


def check_post(channel: SocialChannel, *, text: str, title: str | None, media_kinds: list[AssetKind]) -> None:
    """Refuse a post its channel would refuse, naming each broken limit (by a type the console
    says in Bahasa Indonesia, with the channel's number and the post's)."""
    limits, name = LIMITS[channel], channel.value
    problems = [
        *_text_problems(channel, limits, text),
        *_title_problems(name, limits, title),
        *_media_problems(name, limits, media_kinds),
    ]
    if problems:
        raise InvalidInput(f"the {name} post breaks the channel's limits", fields=problems)


def _text_problems(channel: SocialChannel, limits: ChannelLimits, text: str) -> list[FieldProblem]:
    name, problems = channel.value, []
    length = post_length(channel, text)
    if length > limits.max_text:
        message = f"{name} allows {limits.max_text} characters; this has {length}"
        problems.append(_problem("text", "post_too_long", message, max=limits.max_text, actual=length))
    hashtags = len(HASHTAG.findall(text))
    if hashtags > limits.max_hashtags:
        message = f"{name} allows {limits.max_hashtags} hashtags; this has {hashtags}"
        problems.append(_problem("text", "too_many_hashtags", message, max=limits.max_hashtags, actual=hashtags))
    return problems


def _title_problems(name: str, limits: ChannelLimits, title: str | None) -> list[FieldProblem]:
    if limits.title_max is None:
        return [_problem("title", "no_title", f"{name} posts have no title")] if title else []
    if not (title or "").strip():
        return [_problem("title", "title_needed", f"{name} needs a title")]
    if title and len(title) > limits.title_max:
        message = f"{name} allows a title of {limits.title_max} characters"
        return [_problem("title", "string_too_long", message, max_length=limits.title_max)]
    return []


def _media_problems(name: str, limits: ChannelLimits, media_kinds: list[AssetKind]) -> list[FieldProblem]:
    photos, videos = media_kinds.count(AssetKind.PHOTO), media_kinds.count(AssetKind.VIDEO)
    problems = []
    if photos > limits.max_photos:
        message = f"{name} takes at most {limits.max_photos} photos; this has {photos}"
        problems.append(_problem("media", "too_many_photos", message, max=limits.max_photos, actual=photos))
    if videos > limits.max_videos:
        message = f"{name} takes at most {limits.max_videos} videos; this has {videos}"
        problems.append(_problem("media", "too_many_videos", message, max=limits.max_videos, actual=videos))
    if photos + videos < limits.min_media:
        message = f"{name} needs at least {limits.min_media} photo or video"
        problems.append(_problem("media", "too_few_media", message, min=limits.min_media))
    if limits.needs_video and not videos:
        problems.append(_problem("media", "video_needed", f"{name} needs a video"))
    if not limits.mixed_media and photos and videos:
        problems.append(_problem("media", "mixed_media", f"{name} does not mix photos and video in one post"))
    return problems
