"""An organization's platform connections: configure, read, change, remove, and test them.

Secrets are encrypted on the way in (shared/crypto.py) and never answered back. Every change
is a `PlatformConnectionChanged` event in the publishing log, naming the fields, not the values.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.convertors import Convertor, register_url_convertor

from services.api.deps import CorrelationId, CurrentOrg, SessionDep
from services.api.job_publishing import FieldProblem
from services.api.schemas.common import ALL_PLATFORMS, PlatformName
from services.api.schemas.errors import error_answers
from services.api.schemas.platforms import (
    FEED_SECRET_MIN,
    ConnectionIn,
    ConnectionOut,
    ConnectionPatch,
    ConnectionsOut,
    ConnectionTestOut,
)
from shared.connections import (
    credentials_of,
    find_connection,
    load_credentials,
    save_connection,
    seal_apply_secret,
    seal_secret,
)
from shared.crypto import CredentialCipher, CredentialDecryptError
from shared.events import PlatformConnectionChanged
from shared.feed_address import FEED_PLATFORM, feed_token, feed_url, job_page_url, new_feed_secret
from shared.models import PlatformConnection
from shared.outbox import record
from shared.platforms.base import AuthenticationFailed, PlatformError, TransientPlatformError


class _PlatformSegment(Convertor[str]):
    """Any path segment but `fields`, which is a path of its own (GET /jobs/publishing/platforms/fields/).
    A segment that names no platform still reaches the route, whose 422 names the `platform` field."""

    regex = "(?!fields/)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


# `{platform:platform}`: a PUT to /platforms/fields/ is then the 405 of that path (with its `Allow`),
# not a 422 saying "fields" is no platform. Registered once, here, before the routes below use it.
register_url_convertor("platform", _PlatformSegment())

router = APIRouter(prefix="/jobs/publishing/platforms", tags=["platforms"], responses=error_answers(401, 429))

INDEED = "indeed"
NOT_CONFIGURED = "this platform is not configured for your organization"


def _cipher(request: Request) -> CredentialCipher:
    if request.app.state.cipher is None:
        raise HTTPException(503, "JOBPUB_ENCRYPTION_KEYS is not set on the server: credentials cannot be stored")
    return request.app.state.cipher


def _configured(session: Session, organization_id: int, platform: str) -> PlatformConnection:
    connection = find_connection(session, organization_id, platform)
    if connection is None:
        raise HTTPException(404, NOT_CONFIGURED)
    return connection


def _require_urn(platform: str, urn: str | None) -> None:
    if platform == "linkedin" and not urn:
        raise FieldProblem(("body", "organization_urn"), "LinkedIn needs urn:li:organization:<id>", "missing")


def _require_apply_secret_holder(platform: str, secret: SecretStr | None) -> str | None:
    """The apply secret as text; only Indeed has one (its Indeed Apply token's API secret)."""
    if secret is None:
        return None
    if platform != INDEED:
        message = "only Indeed has an apply secret (the Indeed Apply token's API secret)"
        raise FieldProblem(("body", "apply_secret"), message, "not_allowed")
    return secret.get_secret_value()


def _require_strong_feed_secret(platform: str, secret: str | None) -> None:
    if platform == FEED_PLATFORM and secret is not None and len(secret) < FEED_SECRET_MIN:
        message = f"the feed's secret is the seed of its public address: at least {FEED_SECRET_MIN} characters"
        raise FieldProblem(("body", "client_secret"), message, "too_short")


def _shown(request: Request, connection: PlatformConnection) -> ConnectionOut:
    """The connection as answered; the feed's also carries its public addresses (from the live secret)."""
    shown = ConnectionOut.model_validate(connection)
    base_url = request.app.state.settings.public_base_url
    if connection.platform != FEED_PLATFORM or not base_url:
        return shown
    token = feed_token(connection.organization_id, credentials_of(_cipher(request), connection).client_secret)
    job_page = job_page_url(base_url, token, "{reference}")
    return shown.model_copy(update={"feed_url": feed_url(base_url, token), "job_page_url": job_page})


def _changed(
    session: Session, organization_id: int, platform: str, change: str, fields: list[str], correlation_id: str
) -> None:
    event = PlatformConnectionChanged(organization_id=organization_id, platform=platform, change=change, fields=fields)
    record(session, event, correlation_id=correlation_id)


@router.get("/", response_model=ConnectionsOut)
def list_connections(organization_id: CurrentOrg, session: SessionDep):
    """Every configured platform, and which of them a publish can use now."""
    rows = session.scalars(
        select(PlatformConnection).where(PlatformConnection.organization_id == organization_id)
    ).all()
    connections = sorted(rows, key=lambda row: ALL_PLATFORMS.index(row.platform))
    return {"items": connections, "connected": [row.platform for row in connections if row.enabled]}


@router.get("/{platform:platform}/", response_model=ConnectionOut, responses=error_answers(404, 422, 503))
def read_connection(platform: PlatformName, request: Request, organization_id: CurrentOrg, session: SessionDep):
    return _shown(request, _configured(session, organization_id, platform))


@router.put(
    "/{platform:platform}/",
    response_model=ConnectionOut,
    responses={201: {"model": ConnectionOut, "description": "Configured now."}, **error_answers(400, 413, 422, 503)},
)
def replace_connection(
    platform: PlatformName,
    body: ConnectionIn,
    request: Request,
    response: Response,
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
):
    """Configure the platform, or replace its whole configuration (201 when new)."""
    _require_urn(platform, body.organization_urn)
    _require_strong_feed_secret(platform, body.client_secret.get_secret_value())
    apply_secret = _require_apply_secret_holder(platform, body.apply_secret)
    existed = find_connection(session, organization_id, platform) is not None
    connection = save_connection(
        session,
        _cipher(request),
        organization_id=organization_id,
        platform=platform,
        client_id=body.client_id,
        client_secret=body.client_secret.get_secret_value(),
        organization_urn=body.organization_urn,
        enabled=body.enabled,
        publish_max_attempts=body.publish_max_attempts,
        sync_interval_seconds=body.sync_interval_seconds,
        apply_secret=apply_secret,
    )
    fields = sorted(body.model_fields_set)
    _changed(session, organization_id, platform, "updated" if existed else "configured", fields, correlation_id)
    session.commit()
    response.status_code = 200 if existed else 201
    return _shown(request, connection)


@router.patch("/{platform:platform}/", response_model=ConnectionOut, responses=error_answers(404, 400, 413, 422, 503))
def update_connection(
    platform: PlatformName,
    body: ConnectionPatch,
    request: Request,
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
):
    """Change some fields; a new client_secret replaces the stored one."""
    connection = _configured(session, organization_id, platform)
    changes = body.model_dump(exclude_unset=True)
    apply_secret = _require_apply_secret_holder(platform, body.apply_secret)
    if "organization_urn" in changes:
        _require_urn(platform, changes["organization_urn"])
    for field in ("client_id", "organization_urn", "enabled"):
        if field in changes and changes[field] is not None:
            setattr(connection, field, changes[field])
    for field in ("publish_max_attempts", "sync_interval_seconds"):  # null resets to the deployment's default
        if field in changes:
            setattr(connection, field, changes[field])
    if body.client_secret is not None:
        _require_strong_feed_secret(platform, body.client_secret.get_secret_value())
        connection.client_secret_encrypted = seal_secret(
            _cipher(request), organization_id, platform, body.client_secret.get_secret_value()
        )
    if "apply_secret" in changes:  # null removes it: the client secret verifies Indeed's pushes again
        connection.apply_secret_encrypted = seal_apply_secret(_cipher(request), organization_id, platform, apply_secret)
    _changed(session, organization_id, platform, "updated", sorted(changes), correlation_id)
    session.commit()
    return _shown(request, connection)


@router.post(
    "/feed/new-address/",
    response_model=ConnectionOut,
    responses={201: {"model": ConnectionOut, "description": "The feed is configured now."}, **error_answers(503)},
)
def new_feed_address(
    request: Request,
    response: Response,
    organization_id: CurrentOrg,
    session: SessionDep,
    correlation_id: CorrelationId,
):
    """Give the organization's job feed a new public address (configuring the feed if it is not yet);
    the old address answers 404 from now on."""
    existed = find_connection(session, organization_id, FEED_PLATFORM)
    connection = save_connection(
        session,
        _cipher(request),
        organization_id=organization_id,
        platform=FEED_PLATFORM,
        client_id=existed.client_id if existed else "job feed",
        client_secret=new_feed_secret(),
        organization_urn=None,
        enabled=existed.enabled if existed else True,
        publish_max_attempts=existed.publish_max_attempts if existed else None,
        sync_interval_seconds=existed.sync_interval_seconds if existed else None,
    )
    _changed(
        session,
        organization_id,
        FEED_PLATFORM,
        "updated" if existed else "configured",
        ["client_secret"],
        correlation_id,
    )
    session.commit()
    response.status_code = 200 if existed else 201
    return _shown(request, connection)


@router.delete("/{platform:platform}/", status_code=204, responses=error_answers(404, 422))
def delete_connection(
    platform: PlatformName, organization_id: CurrentOrg, session: SessionDep, correlation_id: CorrelationId
):
    """Remove the platform's credentials; publishing and pulling there stop until it is configured again."""
    session.delete(_configured(session, organization_id, platform))
    _changed(session, organization_id, platform, "deleted", [], correlation_id)
    session.commit()
    return Response(status_code=204)


@router.post(
    "/{platform:platform}/test-connection/", response_model=ConnectionTestOut, responses=error_answers(404, 422, 503)
)
def test_connection(platform: PlatformName, request: Request, organization_id: CurrentOrg, session: SessionDep):
    """Try the stored credentials against the platform with one harmless call, and say what happened."""
    _configured(session, organization_id, platform)
    try:
        credentials = load_credentials(session, _cipher(request), organization_id, platform, require_enabled=False)
        message = request.app.state.platforms[platform].check_credentials(credentials)
        return {"platform": platform, "ok": True, "message": message}
    except CredentialDecryptError:
        message = "the stored secret cannot be decrypted with the server's keys: configure it again"
    except AuthenticationFailed as error:
        message = f"invalid client id or secret: {error}"
    except TransientPlatformError as error:
        message = f"platform unreachable: {error}"
    except PlatformError as error:
        message = f"platform refused: {error}"
    return {"platform": platform, "ok": False, "message": message}
