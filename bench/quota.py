"""How much of a platform's request quota the publishers use, and how many 429s they cause.

A Naukri emulator allows N requests/s per client (a token bucket holding one second's worth)
and answers each admitted request after 200 ms; two `jobpub worker` processes, each its own
group as two hosts would run them, publish a backlog for one organization. The figure is the
emulator's admitted requests per second over a window in the middle of the run (after a
warm-up, while the backlog lasts), as a share of N; and every 429 the emulator gave. Run once
paced (JOBPUB_NAUKRI_REQUESTS_PER_SECOND=N) and once not (0: only Retry-After is honoured), so
the difference pacing makes is measured too.
"""

from __future__ import annotations

import os
import time

import httpx

from bench.run import BIN, Processes, count_events, jobpub_env, record_publish_requests, wait_for_count, wait_for_http
from tests.support import free_port

LATENCY_SECONDS = 0.2
WARM_UP_SECONDS = 5.0
TAIL_SECONDS = 4.0  # backlog beyond the window, so the workers are never short of work inside it
WORKER_PROCESSES = 2


def start_quota_emulator(procs: Processes, client_id: str, secret: str, per_second: float) -> str:
    port = free_port()
    procs.start(
        [str(BIN / "jobpub"), "emulator", "naukri", "--port", str(port), "--client", f"{client_id}:{secret}"],
        dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/_emulator/stats")
    httpx.post(f"{url}/_emulator/quota", json={"requests_per_second": per_second, "latency_seconds": LATENCY_SECONDS})
    return url


def bench_quota(
    procs: Processes,
    settings,
    sessions,
    tenant: tuple[int, str, str],
    *,
    per_second: float,
    seconds: float,
    threads: int,
    paced: bool,
) -> dict:
    organization_id, client_id, secret = tenant
    emulator_url = start_quota_emulator(procs, client_id, secret, per_second)
    namespace = f"{settings.broker_namespace}-quota-{'paced' if paced else 'unpaced'}"
    env = jobpub_env(settings.model_copy(update={"naukri_api_url": emulator_url, "broker_namespace": namespace}))
    env.update(
        JOBPUB_NAUKRI_REQUESTS_PER_SECOND=str(per_second if paced else 0),
        JOBPUB_PUBLISH_MAX_ATTEMPTS="50",  # unpaced, a posting may meet many 429s; it must not fail for it
    )
    relay = procs.start([str(BIN / "jobpub"), "relay"], env)
    command = [
        str(BIN / "jobpub"),
        "worker",
        "--queues",
        "publish.naukri",
        "--processes",
        "1",
        "--threads",
        str(threads),
    ]
    workers = [procs.start(command, env) for _ in range(WORKER_PROCESSES)]
    time.sleep(5)  # let both groups boot

    jobs = int(per_second * (WARM_UP_SECONDS + seconds + TAIL_SECONDS))
    published_before = count_events(sessions, "JobPublished")
    record_publish_requests(sessions, organization_id, jobs)
    time.sleep(WARM_UP_SECONDS)
    first, began = admitted(emulator_url), time.perf_counter()
    time.sleep(seconds)
    last, ended = admitted(emulator_url), time.perf_counter()
    wait_for_count(lambda: count_events(sessions, "JobPublished") - published_before, jobs, timeout=300)
    quota = httpx.get(f"{emulator_url}/_emulator/stats").json()["quota"]
    for worker in workers:
        procs.stop(worker)
    procs.stop(relay)
    used = (last - first) / (ended - began)
    return {
        "per_second": used,
        "share": used / per_second,
        "refused": quota["refused"],
        "ignored_retry_after": quota["ignored_retry_after"],
        "jobs": jobs,
        "threads": threads,
    }


def admitted(emulator_url: str) -> int:
    return httpx.get(f"{emulator_url}/_emulator/stats").json()["quota"]["accepted"]
