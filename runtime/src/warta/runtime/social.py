"""How long a social post is, as each platform counts it, for the service that checks a post and
the console that counts it as it is typed: one function, so both always say the same.

X counts by its published weighting (twitter-text 3): most Latin letters 1, most other
characters (CJK, emoji) 2, every link 23. The others count characters (code points), as their
documented limits are given: Instagram and TikTok 2,200, Facebook 63,206, YouTube 5,000.
"""

from twitter_text import parse_tweet

from warta.contracts import SocialChannel

TEXT_LIMITS = {
    SocialChannel.INSTAGRAM: 2200,
    SocialChannel.FACEBOOK: 63206,
    SocialChannel.X: 280,
    SocialChannel.YOUTUBE: 5000,
    SocialChannel.TIKTOK: 2200,
}


def post_length(channel: SocialChannel, text: str) -> int:
    if channel is SocialChannel.X:
        return int(parse_tweet(text).weightedLength)
    return len(text)
