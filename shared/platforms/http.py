"""How a platform's HTTP answer becomes one of our errors; shared by every adapter.

Every request waits its turn of the platform's request quota first (quota.py), and a 429 moves
that turn back for every process. Transport failures, 5xx and 429 are transient; an adapter
decides what the other statuses mean for its platform. No message built here carries a header,
a body or a query string, so none can carry a secret.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from shared.platforms.base import QuotaWait, TransientPlatformError
from shared.platforms.quota import PlatformQuota, QuotaWaitTooLong


def send(
    http: httpx.Client,
    platform: str,
    method: str,
    url: str,
    *,
    quota: PlatformQuota | None = None,
    quota_key: str = "",
    **kwargs: Any,
) -> httpx.Response:
    """Send one request in its turn of the platform's quota (`quota_key`: see quota.quota_key);
    raise TransientPlatformError for what is worth retrying.

    `unclear` on the error says whether the platform may have acted on the request: a refused
    connection never reached it, a read timeout or a dropped answer may have.
    """
    if quota is not None:
        try:
            quota.wait_turn(quota_key)
        except QuotaWaitTooLong as error:
            raise QuotaWait(f"{platform} request quota: {error}", retry_after=error.seconds) from None
    try:
        response = _exchange(http, method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        raise TransientPlatformError(f"{platform} could not be reached ({type(error).__name__})") from None
    except httpx.TimeoutException as error:
        raise TransientPlatformError(
            f"{platform} did not answer in time ({type(error).__name__})", unclear=True
        ) from None
    except httpx.TransportError as error:
        raise TransientPlatformError(
            f"the connection to {platform} broke ({type(error).__name__})", unclear=True
        ) from None
    if response.status_code == 429:
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if quota is not None:
            quota.back_off(quota_key, wait)  # every process sending for this client waits it out
        raise TransientPlatformError(f"{platform} rate limit reached (429)", retry_after=wait)
    if response.status_code >= 500:
        raise TransientPlatformError(f"{platform} answered {response.status_code}", unclear=True)
    return response


def _exchange(http: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """`http.request(method, url, **kwargs)` for what adapters pass (headers, params, json, data):
    the request, with the client's headers and timeout, goes straight to the client's transport
    for its URL (a proxy's, if the environment names one). The client's other layers, a cookie jar,
    an auth flow, redirects, event hooks, serve no platform call here (redirects are off; no
    adapter sets auth or reads a cookie), and cost a third of the CPU of a call."""
    headers = http.headers.copy()
    headers.update(kwargs.pop("headers", None) or {})
    request = httpx.Request(method, url, headers=headers, extensions={"timeout": http.timeout.as_dict()}, **kwargs)
    # The one private name used: httpx offers no public way to its transport for a URL. An httpx
    # without it takes the public path, all layers included.
    transport_for = getattr(http, "_transport_for_url", None)
    if transport_for is None:
        return http.send(request)
    response: httpx.Response = transport_for(request.url).handle_request(request)
    response.request = request
    try:
        response.read()
    finally:
        response.close()
    return response


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: it may be a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
