"""An unpaced quota skips its Redis round trip only while no 429 block can hold the schedule.

Two `PlatformQuota`s on clients of their own stand for two worker processes; they share a Redis
namespace of this test's own. Counts of the reserve script's calls, and whether a wait happened.
"""

from __future__ import annotations

import secrets
import time

import pytest
import redis

from shared.platforms.quota import PlatformQuota
from shared.platforms.quota_blocks import BlockWatch
from tests.conftest import REDIS_URL

KEY = "organization:1:client:c"
BLOCK_SECONDS = 0.6


def a_process(namespace: str) -> tuple[PlatformQuota, BlockWatch, redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=0.5)
    blocks = BlockWatch(client, f"{namespace}:platform-quota:blocks")
    return PlatformQuota(client, f"{namespace}:platform-quota:naukri", 0, 10, blocks), blocks, client


def seen_clear(quota: PlatformQuota, blocks: BlockWatch, namespace: str) -> bool:
    """Send until this process knows the schedule is clear (its subscription confirmed, Redis asked once)."""
    schedule = f"{namespace}:platform-quota:naukri:{KEY}:next-slot"
    deadline = time.monotonic() + 2
    while not blocks.known_clear(schedule) and time.monotonic() < deadline:
        quota.wait_turn(KEY)
        time.sleep(0.01)
    return blocks.known_clear(schedule)


def waited(quota: PlatformQuota) -> float:
    start = time.monotonic()
    quota.wait_turn(KEY)
    return time.monotonic() - start


@pytest.fixture
def namespace():
    name = f"jobpub-test-blocks-{secrets.token_hex(4)}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def test_a_schedule_seen_clear_is_known_clear_and_sent_on_without_asking_redis(namespace):
    quota, blocks, _ = a_process(namespace)
    # The first request subscribes and asks Redis; once the subscription is confirmed and Redis
    # said no block holds, the schedule is known clear: wait_turn then returns before any call.
    assert seen_clear(quota, blocks, namespace)
    assert waited(quota) < 0.05


def test_a_block_set_by_another_process_holds_back_the_next_request(namespace):
    ours, blocks, _ = a_process(namespace)
    theirs, _, _ = a_process(namespace)
    assert seen_clear(ours, blocks, namespace)
    theirs.back_off(KEY, BLOCK_SECONDS)
    time.sleep(0.01)  # the announcement on its way over loopback
    assert waited(ours) >= BLOCK_SECONDS - 0.1
    assert waited(ours) < 0.05  # the block is over, and Redis said so


def test_a_block_set_while_the_subscription_was_lost_is_still_honoured(namespace):
    ours, blocks, client = a_process(namespace)
    theirs, _, _ = a_process(namespace)
    assert seen_clear(ours, blocks, namespace)
    # Given our subscription's connection is killed, when another process blocks the schedule …
    port = blocks._pubsub.connection._sock.getsockname()[1]
    [subscriber] = [entry["id"] for entry in client.client_list() if entry["addr"] == f"127.0.0.1:{port}"]
    client.client_kill_filter(_id=subscriber)
    theirs.back_off(KEY, BLOCK_SECONDS)
    # … then our next request asks Redis, and waits the block out.
    assert waited(ours) >= BLOCK_SECONDS - 0.1
