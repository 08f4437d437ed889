"""The public address of an organization's job feed: a token no one can work out from another's.

    token = "<organization id>-" + base64url(HMAC-SHA256(key=<feed connection's secret>,
                                                         msg="organization:<id>/feed"))[:32]

The secret is the `feed` connection's client secret (kept encrypted like every platform secret),
so rotating the address is replacing that secret: the old token then matches nothing (404). The
organization id in front only says which secret to check against; without the secret the token
cannot be made, and comparing is constant-time. No table of tokens is needed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

FEED_PLATFORM = "feed"
TOKEN_DIGEST_CHARS = 32  # 192 bits of the HMAC: far past guessing, short enough for a URL
FEED_PATH = "/feeds/{token}/indeed.xml"
JOB_PAGE_PATH = "/feeds/{token}/jobs/{reference}/"


def new_feed_secret() -> str:
    """A fresh secret for a feed connection: a new one is a new address."""
    return secrets.token_urlsafe(32)


def feed_token(organization_id: int, secret: str) -> str:
    message = f"organization:{organization_id}/feed".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return f"{organization_id}-{base64.urlsafe_b64encode(digest).decode()[:TOKEN_DIGEST_CHARS]}"


def organization_of(token: str) -> int | None:
    """Whose feed the token claims to be (still to be checked against that organization's secret)."""
    prefix, _, digest = token.partition("-")
    if not prefix.isdigit() or len(prefix) > 18 or len(digest) != TOKEN_DIGEST_CHARS:
        return None
    return int(prefix)


def token_matches(token: str, organization_id: int, secret: str) -> bool:
    return hmac.compare_digest(token.encode(), feed_token(organization_id, secret).encode())


def feed_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + FEED_PATH.format(token=token)


def job_page_url(base_url: str, token: str, reference: str) -> str:
    return base_url.rstrip("/") + JOB_PAGE_PATH.format(token=token, reference=reference)
