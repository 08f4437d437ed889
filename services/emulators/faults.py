"""The faults a test or benchmark switches on in an emulator, and the rules they follow: which
kinds exist, which requests each aims at (`"on"`, `"client"`), how many requests it lets through
first (`"after"`) and how many it strikes (`"times"`); and acting on the ones that strike before a
request does anything (`apply_request_faults`) or just before a create answers (`answer_late`).

The switched-on faults live in `EmulatorState`, under its lock; the functions here that read or
change them expect the caller to hold it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from services.emulators.http_edge import ConnectionDropRequested, ErrorAnswer

if TYPE_CHECKING:
    from services.emulators.base import EmulatorState

# The operations a request fault can aim at with "on"; without "on" it aims at creates.
CREATE = "create"
LOOKUP = "lookup"
APPLICATIONS = "applications"  # the application pulls
STATUS = "status"  # application statuses sent back (LinkedIn's lifecycle actions, Indeed's dispositions)
ALL = "all"
FAULT_TARGETS = (CREATE, LOOKUP, APPLICATIONS, STATUS, ALL)
# Only these may hit other requests than creates, and only when their dict says "on";
# a rejection, a late answer or a lost response only makes sense for a request that creates something.
FAULTS_ANYWHERE = frozenset({"slow", "drop_connection", "rate_limit", "server_error"})
FAULT_KINDS = FAULTS_ANYWHERE | {"reject", "slow_answer", "lose_response"}


def check_faults(faults: dict, kinds: frozenset[str]) -> None:
    """Raise ValueError for an unknown kind (a typo in a test), a spec that is not a dict, or a bad "on"."""
    unknown = set(faults) - kinds
    if unknown:
        raise ValueError(
            f"unknown fault(s): {', '.join(sorted(unknown))}; this emulator has {', '.join(sorted(kinds))}"
        )
    if not all(isinstance(spec, dict) for spec in faults.values()):
        raise ValueError('each fault takes a dict, e.g. {"times": 1}')
    if any(spec.get("on", ALL) not in FAULT_TARGETS for spec in faults.values()):
        raise ValueError(f'"on" takes one of: {", ".join(FAULT_TARGETS)}')


def take_matching_fault(faults: dict[str, dict], kind: str, operation: str, client_id: str | None) -> dict | None:
    """The fault of this kind in `faults` that applies to this request, counting one use off it
    (and removing it once used up). The caller holds the emulator's lock.

    A fault with `"after": n` first lets n requests it aims at through untouched; one with
    `"client": id` strikes only that client's requests (one customer's account misbehaves).
    """
    fault = faults.get(kind)
    if fault is None or not _aims_at(kind, fault, operation):
        return None
    if fault.get("client") not in (None, client_id):
        return None
    if int(fault.get("after", 0)) > 0:
        fault["after"] = int(fault["after"]) - 1
        return None
    times = int(fault.get("times", 1))
    if times <= 1:
        del faults[kind]
    else:
        fault["times"] = times - 1
    return dict(fault)


def _aims_at(kind: str, fault: dict, operation: str) -> bool:
    if kind not in FAULTS_ANYWHERE:
        return True  # not a request fault: only the one place that acts on it ever takes it
    return fault.get("on", CREATE) in (ALL, operation)


async def apply_request_faults(
    state: EmulatorState,
    operation: str,
    *,
    rate_limited: Callable[[Any], ErrorAnswer],
    server_error: Callable[[int], ErrorAnswer],
    client_id: str | None = None,
) -> None:
    """Act on the faults that strike before a request does anything; raise the answer to give.

    `rate_limited(retry_after)` and `server_error(status)` build each platform's own bodies;
    `client_id` is the caller, for faults aimed at one client.
    """
    slow = state.take_fault("slow", operation, client_id)
    if slow:
        await asyncio.sleep(float(slow.get("seconds", 1.0)))
    if state.take_fault("drop_connection", operation, client_id):
        raise ConnectionDropRequested()
    limit = state.take_fault("rate_limit", operation, client_id)
    if limit:
        raise rate_limited(limit.get("retry_after", 1))
    failure = state.take_fault("server_error", operation, client_id)
    if failure:
        raise server_error(int(failure.get("status", 500)))


async def answer_late(state: EmulatorState, client_id: str | None = None) -> None:
    """The `slow_answer` fault: the posting is stored, the answer waits (a caller that dies
    meanwhile leaves a posting it never heard of)."""
    late = state.take_fault("slow_answer", CREATE, client_id)
    if late:
        await asyncio.sleep(float(late.get("seconds", 1.0)))
