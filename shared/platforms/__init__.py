"""Platform adapters: one module per platform behind the `Platform` interface in `base`."""

from __future__ import annotations

from functools import cache

import httpx

from shared.config import Settings
from shared.platforms.base import Platform

# Every platform jobpub speaks to, in the order lists show them: the names used in requests, queues
# (`publish.<name>`), connections and stored rows. `build_platforms` builds one adapter per name;
# the API's platform names, the connections and the metrics read this list (docs/platforms.md).
PLATFORM_NAMES: tuple[str, ...] = ("linkedin", "naukri", "indeed", "feed")

# Connections per platform per process; each worker thread holds at most one at a time.
HTTP_POOL_CONNECTIONS = 32


def adapter_class(name: str) -> type[Platform]:
    """The adapter class of platform `name`: what is known of the platform before any call (its
    display name, shortest description, renewal, own fields) lives on it as class attributes."""
    return _adapter_classes()[name]


@cache
def _adapter_classes() -> dict[str, type[Platform]]:
    from shared.platforms.feed import FeedPlatform
    from shared.platforms.indeed import IndeedPlatform
    from shared.platforms.linkedin import LinkedInPlatform
    from shared.platforms.naukri import NaukriPlatform

    classes: dict[str, type[Platform]] = {
        "linkedin": LinkedInPlatform,
        "naukri": NaukriPlatform,
        "indeed": IndeedPlatform,
        "feed": FeedPlatform,
    }
    assert tuple(classes) == PLATFORM_NAMES, "an adapter class per name in PLATFORM_NAMES, in its order"
    return classes


def build_http_client(settings: Settings) -> httpx.Client:
    return httpx.Client(
        timeout=settings.http_timeout_seconds,
        limits=httpx.Limits(max_connections=HTTP_POOL_CONNECTIONS, max_keepalive_connections=HTTP_POOL_CONNECTIONS),
        follow_redirects=False,
    )


def build_platforms(settings: Settings, http: httpx.Client) -> dict[str, Platform]:
    """Every platform jobpub speaks to, keyed by the name used in requests and queues."""
    from shared.platforms.feed import FeedPlatform
    from shared.platforms.indeed import IndeedPlatform
    from shared.platforms.linkedin import LinkedInPlatform
    from shared.platforms.naukri import NaukriPlatform
    from shared.platforms.quota import build_quotas

    quotas = build_quotas(settings)  # shared by every process through Redis; none on the embedded default
    platforms: dict[str, Platform] = {
        "linkedin": LinkedInPlatform(
            http,
            api_url=settings.linkedin_api_url,
            oauth_url=settings.linkedin_oauth_url,
            job_view_url=settings.linkedin_job_view_url,
            quota=quotas.get("linkedin"),
        ),
        "naukri": NaukriPlatform(http, api_url=settings.naukri_api_url, quota=quotas.get("naukri")),
        "indeed": IndeedPlatform(
            http,
            api_url=settings.indeed_api_url,
            oauth_url=settings.indeed_oauth_url,
            quota=quotas.get("indeed"),
        ),
        "feed": FeedPlatform(public_base_url=settings.public_base_url),
    }
    assert tuple(platforms) == PLATFORM_NAMES, "an adapter per name in PLATFORM_NAMES, in its order"
    return platforms
