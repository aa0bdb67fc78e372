"""The media's own way off the registry: every email carries a link that opts its contact out, and
a newsroom has no officer's token to send with it.

So the link carries a key instead: an HMAC of the contact's address under the publisher's opt-out
secret, as the scheduler's calendar feeds carry theirs. Only a link the publisher made opens, a
changed address or key does not, and rotating the secret revokes every link sent so far.

RFC 8058 one-click: the email's ``List-Unsubscribe`` names the link and ``List-Unsubscribe-Post``
says that a POST of ``List-Unsubscribe=One-Click`` to it opts out, which a mail program does
without showing a page. Opened in a browser (a GET), the link only shows a page whose button posts
the same: mail scanners open every link of a message they check, and must not opt anyone out.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

PATH = "/media/opt-out/{contact}"
ONE_CLICK = "List-Unsubscribe=One-Click"  # the body a one-click POST carries (RFC 8058)


def contact_segment(email: str) -> str:
    """The address as one path segment: every character an address may hold survives a URL, a
    proxy and a mail program's line wrapping."""
    return base64.urlsafe_b64encode(email.encode()).decode().rstrip("=")


def email_of(segment: str) -> str | None:
    """The address a path segment names, or None when it names none."""
    try:
        email = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)).decode()
    except ValueError:  # not base64 (binascii.Error is one), not ASCII, or not UTF-8 underneath
        return None
    # One spelling per address: the decoder skips characters it does not know.
    return email if contact_segment(email) == segment else None


@dataclass(frozen=True)
class OptOutLinks:
    """Makes and checks the opt-out links of the media's emails."""

    secret: str
    base_url: str  # where the internet reaches the publisher's public routes (WARTA_PUBLIC_URL)

    def key(self, email: str) -> str:
        return hmac.new(self.secret.encode(), f"opt-out:{email}".encode(), hashlib.sha256).hexdigest()[:32]

    def link(self, email: str) -> str:
        return f"{self.base_url.rstrip('/')}{PATH.format(contact=contact_segment(email))}?key={self.key(email)}"

    def opened(self, segment: str, key: str) -> str | None:
        """The address a link opens, or None for a link the publisher did not make."""
        email = email_of(segment)
        if email is None:
            return None
        # As bytes: compare_digest refuses str with non-ASCII characters, and a link may carry any.
        return email if hmac.compare_digest(self.key(email).encode(), key.encode()) else None
