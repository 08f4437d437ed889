"""The publish endpoint benchmark: `jobpub api` (one uvicorn process) in requests per second with
p50/p99 latency, beside a bare FastAPI endpoint doing one INSERT and one dramatiq send
(bench/bare_api.py). The load comes from this process, one connection per client thread.
"""

from __future__ import annotations

import statistics
import threading
import time

import httpx

from bench.run import BIN, Processes, bare_env, jobpub_env, wait_for_http
from tests.support import free_port, job_body


def load(url: str, body: dict, headers: dict, total: int, concurrency: int) -> dict:
    """`total` POSTs from `concurrency` threads, each with its own connection."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    remaining = iter(range(total))

    def run():
        nonlocal failures
        with httpx.Client(timeout=30) as client:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                began = time.perf_counter()
                status = client.post(url, json=body, headers=headers).status_code
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    failures += status != 202

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "per_second": total / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "failures": failures,
    }


def bench_api(procs: Processes, settings, api_key: str, requests: int, concurrency: int) -> tuple[dict, dict]:
    body = {"job": job_body(), "platforms": ["naukri"]}
    port = free_port()
    api = procs.start([str(BIN / "jobpub"), "api", "--port", str(port)], jobpub_env(settings))
    wait_for_http(f"http://127.0.0.1:{port}/livez")
    load(f"http://127.0.0.1:{port}/jobs/publishing/publish/", body, {"X-API-Key": api_key}, 100, concurrency)  # warm-up
    ours = load(
        f"http://127.0.0.1:{port}/jobs/publishing/publish/", body, {"X-API-Key": api_key}, requests, concurrency
    )
    procs.stop(api)

    port = free_port()
    bare = procs.start(
        [str(BIN / "uvicorn"), "bench.bare_api:app", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        bare_env(settings),
    )
    wait_for_http(f"http://127.0.0.1:{port}/docs")
    load(f"http://127.0.0.1:{port}/publish/", body, {}, 100, concurrency)
    ceiling = load(f"http://127.0.0.1:{port}/publish/", body, {}, requests, concurrency)
    procs.stop(bare)
    return ours, ceiling
