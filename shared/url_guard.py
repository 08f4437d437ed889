"""The guard on URLs a tenant gives us and our servers then fetch (notification webhooks).

A tenant must not make jobpub call into its own network: loopback, private, link-local (cloud
metadata at 169.254.169.254), multicast and other non-public addresses are refused, both when
the URL is saved and when it is fetched (a name can be made to resolve elsewhere later). The
fetch then connects to the very address that was checked, so a second lookup cannot swap it.
Redirects are never followed. Deployment settings name networks that are allowed anyway
(`JOBPUB_WEBHOOK_ALLOWED_NETWORKS`, for a test receiver or an internal relay); URLs set by the
deployment itself (platform base URLs) are trusted and do not come here.

IPv6 addresses that carry an IPv4 address are judged by it. An IPv4-mapped address
(::ffff:a.b.c.d) is a connection to a.b.c.d itself, so it is that address in every respect,
allowances included. NAT64 (64:ff9b::/96), 6to4 (2002::/16) and Teredo (2001::/32) reach the
IPv4 address through a gateway, so it must be public: an allowance of 127.0.0.0/8 or 10.0.0.0/8
names our own network, not the one behind someone's gateway. The forms whose IPv4 address
cannot be found or that are deprecated (local-use NAT64 64:ff9b:1::/48, IPv4-compatible ::/96,
site-local fec0::/10) are refused outright, unless the IPv6 range itself is allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
# Refused outright: where the IPv4 address sits is up to the operator (RFC 8215), or the form is deprecated.
REFUSED_IPV6 = {
    ipaddress.ip_network("64:ff9b:1::/48"): "a local-use NAT64",
    ipaddress.ip_network("fec0::/10"): "a site-local (deprecated)",
}
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated (RFC 4291); :: and ::1 keep their own names


class UnsafeUrl(ValueError):
    """The URL may not be fetched; the message says why, in terms a tenant can act on."""


@dataclass(frozen=True)
class CheckedTarget:
    url: str
    host: str  # as written in the URL: the Host header and the TLS server name
    address: str  # the checked IP address to connect to
    port: int


def parse_networks(text: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def check_url_shape(url: str) -> tuple[str, int]:
    """http(s), a host, no credentials in it; returns the host and port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeUrl(f"not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise UnsafeUrl("must not carry a user name or password")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_on_save(url: str, allowed: tuple[Network, ...] = ()) -> None:
    """Refuse what is refusable without a lookup: a non-public IP literal, or localhost.

    A name that does not resolve (yet, or from here) is accepted; the fetch checks it again.
    """
    host, port = check_url_shape(url)
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        raise UnsafeUrl(f"{host} is this machine: webhooks must go to a public address")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:  # a name, not an address literal
        addresses = _resolve(host, port, strict=False)
    for address in addresses:
        _check_address(address, host, allowed)


def check_on_fetch(url: str, allowed: tuple[Network, ...] = ()) -> CheckedTarget:
    """Resolve now and check every address; returns the one to connect to."""
    host, port = check_url_shape(url)
    addresses = _resolve(host, port, strict=True)
    for address in addresses:
        _check_address(address, host, allowed)
    return CheckedTarget(url=url, host=host, address=str(addresses[0]), port=port)


def _resolve(host: str, port: int, *, strict: bool) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        if strict:
            raise UnsafeUrl(f"{host} does not resolve") from None
        return []
    addresses: list[Address] = []
    for *_, sockaddr in infos:
        ip = sockaddr[0]
        assert isinstance(ip, str)  # an AF_INET or AF_INET6 socket address, the only families a host name gives
        addresses.append(ipaddress.ip_address(ip.split("%")[0]))
    return addresses


def _check_address(address: Address, host: str, allowed: tuple[Network, ...]) -> None:
    if any(address in network for network in allowed):
        return
    if address.version == 6 and address.ipv4_mapped is not None:
        _check_address(address.ipv4_mapped, host, allowed)
        return
    if address.version == 6:
        _check_ipv6_forms(address, host)
    if not address.is_global or address.is_multicast:
        raise UnsafeUrl(f"{host} is a {_kind(address)} address ({address}): webhooks must go to a public address")


def _check_ipv6_forms(address: ipaddress.IPv6Address, host: str) -> None:
    """Refuse the deprecated forms, and a gateway's way to an IPv4 address that is not public."""
    refused = next((kind for network, kind in REFUSED_IPV6.items() if address in network), None)
    if refused is None and address in IPV4_COMPATIBLE and not (address.is_loopback or address.is_unspecified):
        refused = "an IPv4-compatible (deprecated)"
    if refused:
        raise UnsafeUrl(f"{host} is {refused} address ({address}): webhooks must go to a public address")
    for embedded in _embedded_ipv4(address):
        if not embedded.is_global or embedded.is_multicast:
            raise UnsafeUrl(
                f"{host} reaches {embedded} through a gateway, and that is a {_kind(embedded)} address: "
                "webhooks must go to a public address"
            )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    if address in NAT64_WELL_KNOWN:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)  # the Teredo server and the client's own address
    return []


def _kind(address: Address) -> str:
    return (
        "loopback"
        if address.is_loopback
        else "link-local"
        if address.is_link_local
        else "private"
        if address.is_private
        else "non-public"
    )
