"""structlog set-up shared by every process, with secrets masked before anything is written.

Context (correlation id, job, platform, message id) is bound with structlog's contextvars, so
every line a request or a message causes carries it without passing it around.
"""

from __future__ import annotations

import logging
import re
import sys

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from shared.config import Settings

MASK = "***"
_SECRET_KEYS = re.compile(r"secret|token|password|authorization|api[_-]?key|credential", re.IGNORECASE)
# API keys we issue look like jp_<id>_<secret>; bearer tokens may appear inside free text.
_SECRET_TEXT = re.compile(r"(jp_[A-Za-z0-9]+_)[A-Za-z0-9_-]+|(Bearer\s+)[A-Za-z0-9._~+/=-]+")


def mask_text(text: str) -> str:
    return _SECRET_TEXT.sub(lambda m: (m.group(1) or m.group(2)) + MASK, text)


def _mask(value: object) -> object:
    if isinstance(value, dict):
        return {k: MASK if _SECRET_KEYS.search(str(k)) else _mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask(v) for v in value)
    if isinstance(value, str):
        return mask_text(value)
    return value


def redact_secrets(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Mask values under secret-looking keys and secret-looking text anywhere in a line."""
    return {k: MASK if _SECRET_KEYS.search(k) and k != "event" else _mask(v) for k, v in event_dict.items()}


class WithoutQueryString(logging.Filter):
    """Cuts the query string off uvicorn's access lines: a query may hold a candidate's e-mail
    (`GET /jobs/publishing/privacy/candidates/?email=…`), which must never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access record: (client address, method, path with query, HTTP version, status).
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            if isinstance(path, str):
                record.args = (client, method, path.split("?", 1)[0], version, status)
        return True


def configure_logging(settings: Settings) -> None:
    renderer = structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer(colors=False)
    shared_processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_secrets,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared_processors,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # Library logs (uvicorn, dramatiq, httpx) go through the same masking and rendering.
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # httpx logs every request URL at INFO; keep it at WARNING so query strings stay out of the logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, WithoutQueryString) for existing in access.filters):
        access.addFilter(WithoutQueryString())
