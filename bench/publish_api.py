"""The publish endpoint benchmark: `jobpub api` (one uvicorn process) in requests per second with
p50/p99 latency, beside a bare FastAPI endpoint doing one INSERT and one dramatiq send
(bench/bare_api.py). The load comes from this process, one connection per client thread. The
servers' round trips (bench/counting.py) and their and PostgreSQL's CPU are measured over the
same requests.
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import httpx

from bench.counting import Window, counted_env
from bench.pipeline import database_backends
from bench.procfs import CpuWatch, descendants
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


def measured_load(server, database_url: str, counts: Path | None, url: str, body, headers, requests, concurrency):
    """`load` after a warm-up, with the server's round trips and CPU (and its database's) over it."""
    load(url, body, headers, 100, concurrency)
    round_trips = Window(counts)
    cpu = CpuWatch({"API": lambda: descendants(server.pid), "PostgreSQL": lambda: database_backends(database_url)})
    round_trips.start()
    cpu.start()
    measured = load(url, body, headers, requests, concurrency)
    return {**measured, "cpu": cpu.stop(), "counts": round_trips.stop()}


def bench_api(
    procs: Processes, settings, api_key: str, requests: int, concurrency: int, counts: Path | None = None
) -> tuple[dict, dict]:
    """jobpub's API and the bare one; each server's round trips counted under `counts` (None: not counted)."""
    body = {"job": job_body(), "platforms": ["naukri"]}
    database_url = settings.database_url.replace("+psycopg", "")

    def env(base: dict, name: str) -> dict:
        return base if counts is None else counted_env(base, counts / name)

    port = free_port()
    api = procs.start([str(BIN / "jobpub"), "api", "--port", str(port)], env(jobpub_env(settings), "api"))
    wait_for_http(f"http://127.0.0.1:{port}/livez")
    url = f"http://127.0.0.1:{port}/jobs/publishing/publish/"
    ours = measured_load(
        api, database_url, counts and counts / "api", url, body, {"X-API-Key": api_key}, requests, concurrency
    )
    procs.stop(api)

    port = free_port()
    bare = procs.start(
        [str(BIN / "uvicorn"), "bench.bare_api:app", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env(bare_env(settings), "bare-api"),
    )
    wait_for_http(f"http://127.0.0.1:{port}/docs")
    url = f"http://127.0.0.1:{port}/publish/"
    ceiling = measured_load(bare, database_url, counts and counts / "bare-api", url, body, {}, requests, concurrency)
    procs.stop(bare)
    return ours, ceiling
