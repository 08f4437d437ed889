"""Request dependencies: a database session per request, and the caller's organization."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import structlog
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.models import KeyScope
from shared.tenants import authenticate

API_KEY_HEADER = "X-API-Key"
_api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="The organization's API key (jp_…).")


def get_session(request: Request) -> Iterator[Session]:
    """A session whose work is rolled back unless the route calls `commit()`."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    session = sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def current_organization(request: Request, key: Annotated[str | None, Security(_api_key)]) -> int:
    if not key:
        raise HTTPException(401, f"missing API key: send it in the {API_KEY_HEADER} header")
    # A short session of its own: the request's session then starts its transaction only when
    # the route writes, after the idempotency key has been claimed in a transaction of its own.
    with request.app.state.sessions() as session:
        api_key = authenticate(session, key)
    if api_key is None:
        raise HTTPException(401, "invalid or revoked API key")
    organization_id = api_key.organization_id
    request.state.api_key = api_key  # its scope and id, for operator routes and the publishing log
    structlog.contextvars.bind_contextvars(organization_id=organization_id)
    wait = request.app.state.rate_limit.wait_before_next(organization_id)
    if wait is not None:
        raise HTTPException(
            429,
            f"your organization's request rate limit is reached; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    return organization_id


CurrentOrg = Annotated[int, Depends(current_organization)]


def operator_organization(request: Request, organization_id: CurrentOrg) -> int:
    """The caller's organization, for routes only an operator key may use (403 for a recruiter key)."""
    if request.state.api_key.scope != KeyScope.OPERATOR:
        raise HTTPException(
            403, "this needs an operator key of your organization (jobpub apikey create --scope operator)"
        )
    return organization_id


OperatorOrg = Annotated[int, Depends(operator_organization)]


def correlation_id(request: Request) -> str:
    return request.state.correlation_id


CorrelationId = Annotated[str, Depends(correlation_id)]
