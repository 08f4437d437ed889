"""Prometheus metrics of a `jobpub worker` group: dramatiq's and jobpub's, from every worker process, summed.

Imported only when JOBPUB_WORKER_METRICS_ENABLED is set (see shared/broker.py). dramatiq's
Prometheus middleware counts messages; jobpub's counters (shared/metrics.py) are incremented
by the actors. Each worker process keeps its values in files in the group's folder
(prometheus_client's multiprocess mode); one server per group, a process the dramatiq command
forks, reads them all and answers on JOBPUB_WORKER_METRICS_HOST:JOBPUB_WORKER_METRICS_PORT.

The group's folder is named after the dramatiq main process (the parent of every worker
process and of the server): its pid and, where /proc tells, its start time, since a container
restarted in place gets the same pids again. So a restarted group starts from fresh files and
two groups on one machine never mix; the server removes the folders of groups that are gone.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import dramatiq
from dramatiq.middleware import Middleware

from shared.config import Settings, get_settings
from shared.metrics import start_at_zero, use_multiprocess_storage

DEFAULT_FOLDER = "jobpub-worker-metrics"
GROUP_PREFIX = "group-"


def group_directory(settings: Settings) -> str:
    """The folder of this process's worker group (called in a worker process or in the group's server)."""
    base = settings.worker_metrics_dir or os.path.join(tempfile.gettempdir(), DEFAULT_FOLDER)
    return os.path.join(base, GROUP_PREFIX + _process_identity(os.getppid()))


def worker_metrics_middleware(settings: Settings) -> Middleware:
    """dramatiq's Prometheus middleware, keeping its files in the group's folder and served by our server."""
    directory = group_directory(settings)
    # dramatiq's middleware reads these when its module is first imported: point them at ours first.
    # Their names are dramatiq's own, in lower case.
    os.environ["dramatiq_prom_db"] = directory  # noqa: SIM112
    os.environ["dramatiq_prom_host"] = settings.worker_metrics_host  # noqa: SIM112
    os.environ["dramatiq_prom_port"] = str(settings.worker_metrics_port)  # noqa: SIM112
    from dramatiq.middleware import prometheus

    if directory != prometheus.DB_PATH:
        raise RuntimeError("dramatiq's Prometheus middleware was imported before jobpub could configure it")

    class WorkerMetrics(prometheus.Prometheus):
        @property
        def forks(self) -> list[Callable[[], int]]:
            return [serve_worker_metrics]  # instead of dramatiq's, which reads the parent's environment

        def after_process_boot(self, broker: dramatiq.Broker) -> None:
            use_multiprocess_storage(directory)  # before dramatiq or an actor makes a value
            start_at_zero()
            # The ignore: dramatiq ships its types, but its Prometheus middleware overrides this unannotated.
            super().after_process_boot(broker)  # type: ignore[no-untyped-call]

    return WorkerMetrics()


def serve_worker_metrics() -> int:
    """The group's metrics server: runs in a process of its own until the dramatiq command stops it."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    settings = get_settings()
    directory = group_directory(settings)
    os.makedirs(directory, exist_ok=True)
    _remove_folders_of_gone_groups(Path(directory).parent)
    registry = CollectorRegistry()
    # The ignore: prometheus_client ships its types but leaves MultiProcessCollector.__init__ unannotated.
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    address = (settings.worker_metrics_host, settings.worker_metrics_port)
    try:
        _server, thread = start_http_server(address[1], address[0], registry)
    except OSError as error:
        logging.getLogger(__name__).error("worker metrics cannot listen on %s:%s: %s", *address, error)
        return 1
    logging.getLogger(__name__).info("worker metrics on http://%s:%s/metrics", *address)
    thread.join()
    return 0


def _process_identity(pid: int) -> str:
    """`<pid>-<start time>`; just the pid where there is no /proc (a developer's Mac)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return str(pid)
    return f"{pid}-{stat.rpartition(')')[2].split()[19]}"  # field 22, counted after the command's name


def _remove_folders_of_gone_groups(base: Path) -> None:
    for folder in base.glob(f"{GROUP_PREFIX}*"):
        pid = folder.name.removeprefix(GROUP_PREFIX).partition("-")[0]
        if pid.isdigit() and not (_alive(int(pid)) and folder.name == GROUP_PREFIX + _process_identity(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
