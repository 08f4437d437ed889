"""A `jobpub worker` process's resident memory over many messages: at the start, at the end, and
its peak (the kernel's high-water mark, VmHWM, so no spike between samples is missed).

The messages are publish messages for postings already published: the path of every duplicate
delivery (a relay resend, a redelivery after a crash). Each runs jobpub's actor with its
middleware, logging context, claim (one UPDATE that finds nothing to claim) and the posting's
SELECT, so what a message allocates is allocated, without 100,000 platform calls: the whole
pipeline runs at about a hundred publishes a second here, far too slow for 100,000 in a bench.
"""

from __future__ import annotations

import threading
import time
import uuid

import redis
from dramatiq import Message
from sqlalchemy import select

from bench.procfs import descendants, memory_kib
from bench.run import BIN, Processes, jobpub_env
from shared.broker import build_broker
from shared.models import Posting, PostingStatus
from shared.outbox import publish_dispatch

SENDER_THREADS = 4
WORKER_THREADS = 8


def bench_memory(procs: Processes, settings, sessions, messages: int) -> dict:
    settings = settings.model_copy(update={"broker_namespace": f"{settings.broker_namespace}-memory"})
    with sessions() as session:
        posting_ids = list(session.scalars(select(Posting.id).where(Posting.status == PostingStatus.PUBLISHED)))
    worker = procs.start(
        [
            str(BIN / "jobpub"),
            "worker",
            "--queues",
            "publish.naukri",
            "--processes",
            "1",
            "--threads",
            str(WORKER_THREADS),
        ],
        jobpub_env(settings),
    )
    time.sleep(5)
    process = worker_process(worker.pid)
    start = memory_kib(process)["rss"]
    began = time.perf_counter()
    send_messages(settings, posting_ids, messages)
    wait_until_consumed(settings)
    elapsed = time.perf_counter() - began
    end = memory_kib(process)
    procs.stop(worker)
    mib = 1024
    return {"start": start / mib, "end": end["rss"] / mib, "peak": end["peak"] / mib, "per_second": messages / elapsed}


def worker_process(cli_pid: int) -> int:
    """The process doing the work: the dramatiq CLI forks it below itself."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = [pid for pid in descendants(cli_pid) if pid != cli_pid]
        if children:
            return children[-1]
        time.sleep(0.2)
    raise RuntimeError("the worker process did not start")


def send_messages(settings, posting_ids: list[int], total: int) -> None:
    broker = build_broker(settings)
    route = publish_dispatch("naukri")

    def send(share: range) -> None:
        for n in share:
            event = {"event_id": str(uuid.uuid4()), "posting_id": posting_ids[n % len(posting_ids)]}
            message = Message(
                queue_name=route.queue,
                actor_name=route.actor,
                args=(),
                kwargs={"event": event, "correlation_id": None},
                options={},
            )
            broker.enqueue(message)

    threads = [threading.Thread(target=send, args=(range(i, total, SENDER_THREADS),)) for i in range(SENDER_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    broker.close()


def wait_until_consumed(settings, timeout: float = 900) -> None:
    """Until the queue holds no message, waiting or unacknowledged (dramatiq keeps both in one hash)."""
    client = redis.Redis.from_url(settings.broker_url)
    key = f"{settings.broker_namespace}:{publish_dispatch('naukri').queue}.msgs"
    deadline = time.monotonic() + timeout
    while client.hlen(key):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{client.hlen(key)} messages still in the queue after {timeout}s")
        time.sleep(0.5)
