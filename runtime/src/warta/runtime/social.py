"""How long a social post is, as each platform counts it, for the service that checks a post and
the console that counts it as it is typed: one function, so both always say the same.

X counts by its published weighting (twitter-text, configuration version 3): the text in NFC;
every link 23, whatever its length; every emoji, however many code points its sequence has, 2;
every other character 1 inside the ranges X names (Latin, Greek, Cyrillic and more, general
punctuation) and 2 elsewhere (CJK and the like). Links are found as X finds most of them: with
``http(s)://`` or ``www.``, or typed bare with a common or a country top-level domain (a bare
``name.cc`` with nothing after it is text, as on X). The others count characters (code points),
as their documented limits are given: Instagram and TikTok 2,200, Facebook 63,206, YouTube 5,000.
"""

import re
import unicodedata

import emoji

from warta.contracts import SocialChannel

TEXT_LIMITS = {
    SocialChannel.INSTAGRAM: 2200,
    SocialChannel.FACEBOOK: 63206,
    SocialChannel.X: 280,
    SocialChannel.YOUTUBE: 5000,
    SocialChannel.TIKTOK: 2200,
}

# twitter-text v3: characters weighing 1 (of 2); everything else, and every emoji, weighs 2.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
LINK_WEIGHT = 23
EMOJI_WEIGHT = 2

_GENERIC_TLDS = (
    "com|net|org|info|biz|edu|gov|mil|int|name|pro|app|dev|news|online|site|web|blog|shop|store|tech|media|live"
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_LINK = re.compile(
    rf"""(?<![\w@.\-])(?:
        (?:https?://|www\.)[^\s]+                                   # with a scheme or www.
      | (?:{_LABEL}\.)+(?:{_GENERIC_TLDS})(?![\w-])(?:/[^\s]*)?      # bare, a common domain
      | (?:{_LABEL}\.){{2,}}[a-z]{{2}}(?![\w-])(?:/[^\s]*)?          # bare, name.xx.cc
      | {_LABEL}\.[a-z]{{2}}/[^\s]*                                  # bare name.cc with a path
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Closing punctuation typed after a link is the sentence's, not the link's (as X reads it).
_TRAILING = ".,;:!?)]}'\""


def post_length(channel: SocialChannel, text: str) -> int:
    if channel is SocialChannel.X:
        return x_weighted_length(text)
    return len(text)


def x_weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for start, end, weight in _tokens(text):
        length += sum(_weight(c) for c in text[position:start]) + weight
        position = end
    return length + sum(_weight(c) for c in text[position:])


def _tokens(text: str) -> list[tuple[int, int, int]]:
    """The links and emoji in ``text``, as (start, end, weight), in order, not overlapping."""
    tokens = []
    for match in _LINK.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING:
            end -= 1
        tokens.append((match.start(), end, LINK_WEIGHT))
    taken = [(s, e) for s, e, _ in tokens]
    for found in emoji.emoji_list(text):
        start, end = found["match_start"], found["match_end"]
        if not any(s <= start < e for s, e in taken):
            tokens.append((start, end, EMOJI_WEIGHT))
    return sorted(tokens)


def _weight(character: str) -> int:
    point = ord(character)
    return 1 if any(low <= point <= high for low, high in _LIGHT_RANGES) else 2
