"""Running an emulator app as a real HTTP server: on a background thread for tests and `jobpub dev`
(`serve_in_thread`), or in the foreground for `jobpub emulator` (`serve_forever`).

Both bind loopback unless told otherwise: an emulator accepts any registered secret and has
control endpoints with no authentication at all.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI

from services.emulators.http_edge import DeliberateDisconnect

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 10.0
# In-flight requests (a `slow` fault) get this long to finish when a server stops.
GRACEFUL_SHUTDOWN_SECONDS = 2  # uvicorn takes whole seconds
STOP_TIMEOUT_SECONDS = 10.0
UVICORN_LOGGERS = ("uvicorn.error", "uvicorn.access")


class _EmulatorLogFilter(logging.Filter):
    """Keeps uvicorn quiet about emulators without touching the loggers' levels or handlers.

    Levels and handlers of the uvicorn loggers are process-wide: in `jobpub dev` the API's own
    uvicorn shares them, so setting them for an emulator thread would silence the API too.
    Instead, drop info records from emulator threads, and drop the traceback uvicorn logs when a
    fault cuts a connection on purpose.
    """

    def __init__(self) -> None:
        super().__init__()
        self.quiet_threads: set[int] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], DeliberateDisconnect):
            return False
        return not (record.thread in self.quiet_threads and record.levelno < logging.WARNING)


_log_filter = _EmulatorLogFilter()
_filter_installed = threading.Lock()


def _install_log_filter() -> None:
    with _filter_installed:
        for name in UVICORN_LOGGERS:
            logger = logging.getLogger(name)
            if _log_filter not in logger.filters:
                logger.addFilter(_log_filter)


@dataclass
class RunningServer:
    """An emulator serving on a background thread; `stop()` shuts it down and joins the thread."""

    url: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(STOP_TIMEOUT_SECONDS)
        if self._thread.is_alive():  # a connection refused to close: stop waiting for it
            self._server.force_exit = True
            self._thread.join(STOP_TIMEOUT_SECONDS)
        _log_filter.quiet_threads.discard(self._thread.ident)


def serve_in_thread(app: FastAPI, host: str = LOOPBACK, port: int = 0) -> RunningServer:
    """Start serving `app` on a thread and return once it accepts connections.

    Port 0 picks a free port. We bind the socket ourselves so the port is known before uvicorn
    starts; uvicorn installs no signal handlers off the main thread.
    """
    _install_log_filter()
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    # log_config=None and no log_level: uvicorn must not reconfigure the process's logging.
    config = uvicorn.Config(app, log_config=None, lifespan="off", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=_run_quietly, args=(server, sock), name=f"emulator-{bound_port}", daemon=True)
    thread.start()
    _wait_until_started(server, thread)
    url = f"http://{_url_host(host)}:{bound_port}"
    _announce_url(app, url)
    return RunningServer(url=url, port=bound_port, _server=server, _thread=thread)


def serve_forever(app: FastAPI, host: str = LOOPBACK, port: int = 8100) -> None:
    """Serve `app` in the foreground until interrupted (Ctrl+C / SIGTERM)."""
    _install_log_filter()
    if not _is_loopback(host):
        print(f"warning: the emulator on {host} is reachable from other machines", file=sys.stderr)
    print(f"emulator listening on http://{_url_host(host)}:{port}", file=sys.stderr)
    _announce_url(app, f"http://{_url_host(host)}:{port}")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")


def _announce_url(app: FastAPI, url: str) -> None:
    """Tell the emulator where it listens: the links it puts in applications (resumes) need it."""
    emulator = getattr(app.state, "emulator", None)
    if emulator is not None and hasattr(emulator, "public_url"):
        emulator.public_url = url


def _run_quietly(server: uvicorn.Server, sock: socket.socket) -> None:
    _log_filter.quiet_threads.add(threading.get_ident())
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()  # uvicorn closes it on shutdown, but not when startup fails


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the emulator server stopped while starting")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the emulator server did not start in time")
        time.sleep(0.01)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
