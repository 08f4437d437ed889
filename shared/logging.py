"""structlog set-up shared by every process, with secrets and candidates' personal data kept out
of every line before anything is written.

Context (correlation id, job, platform, message id) is bound with structlog's contextvars, so
every line a request or a message causes carries it without passing it around.

Never in the logs, at any level (DEBUG included), and why:

- A candidate's name, e-mail, phone, cover letter, résumé link and answers. Logs are copied to
  places personal data must not go (log stores, tickets, a terminal on screen) and are kept long
  after an application is erased. Code logs ids instead (application, job, sync, delivery), and
  events carry ids only, so dramatiq's DEBUG lines, which print a message's arguments, hold none.
- SQL parameters: every engine hides them (shared/db.py), because a database error's message would
  otherwise carry the rows of the statement that failed, a whole page of candidates.
- Query strings: uvicorn's access line keeps the path only (a caller may search by e-mail), and
  httpx's request lines are off (the platforms' URLs carry references and cursors).
- Secrets (client secrets, tokens, API keys), masked by key name and by the shape of the text.

What is written by mistake is masked as a safety net: values under keys that name personal data
(`candidate_email`, `email`, `phone`, `firstName`, ...) and e-mail addresses anywhere in a line.
A name or a phone number has no shape to recognise, so only not logging them keeps them out.
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
# Keys naming a candidate's personal data, in our words (candidate_email) and the platforms' (phoneNumber).
_PERSONAL_KEYS = re.compile(
    r"candidate|e-?mail|phone|mobile|(first|last|full|given|family|middle)_?name|cover_?letter"
    r"|resume_?(url|file)|media_?url|answers",
    re.IGNORECASE,
)
# API keys we issue look like jp_<id>_<secret>; bearer tokens may appear inside free text.
_SECRET_TEXT = re.compile(r"(jp_[A-Za-z0-9]+_)[A-Za-z0-9_-]+|(Bearer\s+)[A-Za-z0-9._~+/=-]+")
# An e-mail address is the one piece of personal data with a shape of its own (a top-level domain
# of letters, so "postgres@127.0.0.1" in a database URL stays readable).
_EMAIL_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def mask_text(text: str) -> str:
    text = _SECRET_TEXT.sub(lambda m: (m.group(1) or m.group(2)) + MASK, text)
    return _EMAIL_TEXT.sub(MASK, text)


def _masked_key(key: object) -> bool:
    return bool(_SECRET_KEYS.search(str(key)) or _PERSONAL_KEYS.search(str(key)))


def _mask(value: object) -> object:
    if isinstance(value, dict):
        return {k: MASK if _masked_key(k) else _mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask(v) for v in value)
    if isinstance(value, str):
        return mask_text(value)
    return value


def redact(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Mask values under secret or personal keys, and secret-looking text and e-mail addresses anywhere in a line."""
    return {k: MASK if _masked_key(k) and k != "event" else _mask(v) for k, v in event_dict.items()}


class AccessPathOnly(logging.Filter):
    """uvicorn's access line without the query string: what a caller searched for is theirs, not the log's."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn logs '%s - "%s %s HTTP/%s" %d' with (client, method, path with query, version, status).
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def configure_logging(settings: Settings) -> None:
    renderer = structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer(colors=False)
    shared_processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact,
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
    if not any(isinstance(f, AccessPathOnly) for f in access.filters):  # configured again by each test's app
        access.addFilter(AccessPathOnly())
