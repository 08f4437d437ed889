"""Platform adapters: one module per platform behind the `Platform` interface in `base`."""

from __future__ import annotations

from functools import cache
from typing import Protocol, cast

import httpx

from shared.config import Settings
from shared.platforms.base import Platform
from shared.platforms.feed import FeedPlatform
from shared.platforms.indeed import IndeedPlatform
from shared.platforms.linkedin import LinkedInPlatform
from shared.platforms.naukri import NaukriPlatform
from shared.platforms.quota import PlatformQuota, build_quotas
from shared.platforms.transport import PerThreadTransport


class Adapter(Protocol):
    """What the registry needs of an adapter class: its platform's name, and how it is built."""

    name: str

    @classmethod
    def from_settings(cls, settings: Settings, http: httpx.Client, quota: PlatformQuota | None) -> Platform:
        """The adapter for these settings; `quota` is its platform's shared pace (None: unpaced)."""
        ...


# Every platform jobpub speaks to, in the order lists show them. Adding a platform is adding its
# adapter class here; its name is then used in requests, queues (`publish.<name>`), connections
# and stored rows, and the API's platform names, the connections and the metrics follow
# (docs/platforms.md).
ADAPTERS: tuple[type[Adapter], ...] = (LinkedInPlatform, NaukriPlatform, IndeedPlatform, FeedPlatform)
PLATFORM_NAMES: tuple[str, ...] = tuple(adapter.name for adapter in ADAPTERS)


def adapter_class(name: str) -> type[Platform]:
    """The adapter class of platform `name`: what is known of the platform before any call (its
    display name, shortest description, renewal, own fields) lives on it as class attributes."""
    return _adapter_classes()[name]


@cache
def _adapter_classes() -> dict[str, type[Platform]]:
    return {adapter.name: cast("type[Platform]", adapter) for adapter in ADAPTERS}


def build_http_client(settings: Settings) -> httpx.Client:
    """One client for every adapter of a process; its connections are pooled per thread (transport.py)."""
    return httpx.Client(timeout=settings.http_timeout_seconds, transport=PerThreadTransport(), follow_redirects=False)


def build_platforms(settings: Settings, http: httpx.Client) -> dict[str, Platform]:
    """Every platform jobpub speaks to, keyed by the name used in requests and queues."""
    quotas = build_quotas(
        settings, PLATFORM_NAMES
    )  # shared by every process through Redis; none on the embedded default
    return {adapter.name: adapter.from_settings(settings, http, quotas.get(adapter.name)) for adapter in ADAPTERS}
