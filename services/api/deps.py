"""Request dependencies: a database session per request, and the caller's organization."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import Depends, HTTPException, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session, sessionmaker

from services.api.key_cache import CheckedKey, KeyCache, digest
from shared.config import Settings
from shared.models import KeyScope
from shared.tenants import authenticate

API_KEY_HEADER = "X-API-Key"
_api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="The organization's API key (jp_…).")


# The dependencies below that touch no database or network are `async def`: FastAPI runs a plain
# `def` dependency in its thread pool, and the hop there and back costs more than their work.


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session whose work is rolled back unless the route calls `commit()`."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    session = sessions()  # connects only when first used, in the route's thread
    try:
        yield session
    finally:
        if session.in_transaction():  # a ROLLBACK is a round trip: not on the event loop
            await run_in_threadpool(_roll_back_and_close, session)
        else:
            session.close()


def _roll_back_and_close(session: Session) -> None:
    session.rollback()
    session.close()


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def current_organization(request: Request, key: Annotated[str | None, Security(_api_key)]) -> int:
    if not key:
        raise HTTPException(401, f"missing API key: send it in the {API_KEY_HEADER} header")
    cache: KeyCache = request.app.state.key_cache
    presented = digest(key)
    cached = cache.get(presented)
    # Read before the database, so a key read there is kept only if no revocation came in between.
    stamped = cache.mark
    checked = cached[0] if cached else _checked_in_database(request, key)
    counted = request.app.state.rate_limit.count(checked.organization_id)
    cache.observe(counted.revocation_mark)
    if cached is None:
        cache.keep(presented, checked, stamped, counted.revocation_mark)
    elif cached[1] != counted.revocation_mark:
        # A key was revoked somewhere (or Redis is unreachable): ask the database. The mark was read
        # before this look-up, so its answer may be kept under that mark.
        checked = _checked_in_database(request, key)
        cache.keep(presented, checked, counted.revocation_mark, counted.revocation_mark)
    request.state.api_key = checked  # its scope and id, for operator routes and the publishing log
    structlog.contextvars.bind_contextvars(organization_id=checked.organization_id)
    if counted.wait is not None:
        raise HTTPException(
            429,
            f"your organization's request rate limit is reached; try again in {counted.wait} s",
            headers={"Retry-After": str(counted.wait)},
        )
    return checked.organization_id


def _checked_in_database(request: Request, key: str) -> CheckedKey:
    # A short session of its own: the request's session then starts its transaction only when
    # the route writes, after the idempotency key has been claimed in a transaction of its own.
    with request.app.state.sessions() as session:
        api_key = authenticate(session, key)
        if api_key is None:
            raise HTTPException(401, "invalid or revoked API key")
        return CheckedKey.of(api_key)


CurrentOrg = Annotated[int, Depends(current_organization)]


def operator_organization(request: Request, organization_id: CurrentOrg) -> int:
    """The caller's organization, for routes only an operator key may use (403 for a recruiter key)."""
    if request.state.api_key.scope != KeyScope.OPERATOR:
        raise HTTPException(
            403, "this needs an operator key of your organization (jobpub apikey create --scope operator)"
        )
    return organization_id


OperatorOrg = Annotated[int, Depends(operator_organization)]


async def correlation_id(request: Request) -> str:
    return request.state.correlation_id


CorrelationId = Annotated[str, Depends(correlation_id)]
