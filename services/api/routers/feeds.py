"""The public job feed: no API key, an address per organization (shared/feed_address.py).

    GET /feeds/{token}/indeed.xml              every live feed job, Indeed's XML format, streamed
    GET /feeds/{token}/jobs/{reference}/       one live job's page with schema.org JobPosting data

A token that is not the organization's current one, and a job that is not live, answer 404
alike, so a stranger learns nothing. Both answer `ETag` and `Last-Modified`, and 304 to a
matching `If-None-Match`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from email.utils import format_datetime
from itertools import islice

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse

from services.api.deps import SessionDep
from services.api.feed_documents import indeed_feed, job_page
from services.api.feed_listing import Validators, company_name, feed_organization, live_job, live_jobs, validators
from services.api.schemas.errors import error_answers

router = APIRouter(prefix="/feeds", tags=["feeds"])

NO_FEED = "no such feed"
JOBS_PER_CHUNK = 200  # about 200 KB a write: few writes, memory still bounded
CACHE_CONTROL = "public, max-age=300"  # crawlers come back often; five minutes stale is fine for a job list
FEED_XML = {"content": {"application/xml": {"schema": {"type": "string"}}}, "description": "Indeed's XML feed."}
NOT_MODIFIED = {"description": "The copy the client holds (If-None-Match) is current; no body."}


def _organization(request: Request, session: SessionDep, token: str) -> int:
    organization_id = feed_organization(session, request.app.state.cipher, token)
    if organization_id is None:
        raise HTTPException(404, NO_FEED)
    return organization_id


def _base_url(request: Request) -> str:
    return request.app.state.settings.public_base_url or str(request.base_url)


def _chunks(parts: Iterator[str]) -> Iterator[bytes]:
    """A write per `JOBS_PER_CHUNK` jobs, not per job: each chunk costs a trip through the server."""
    while batch := list(islice(parts, JOBS_PER_CHUNK)):
        yield "".join(batch).encode()


def _cache_headers(found: Validators) -> dict[str, str]:
    headers = {"ETag": found.etag, "Cache-Control": CACHE_CONTROL}
    if found.last_modified:
        headers["Last-Modified"] = format_datetime(found.last_modified.astimezone(UTC), usegmt=True)
    return headers


def _not_modified(request: Request, found: Validators) -> bool:
    asked = request.headers.get("if-none-match", "")
    return found.etag in {tag.strip() for tag in asked.split(",")} or asked.strip() == "*"


@router.get(
    "/{token}/indeed.xml",
    response_class=StreamingResponse,
    responses={200: FEED_XML, 304: NOT_MODIFIED, **error_answers(404, 422, inline=True)},
)
def indeed_xml(token: str, request: Request, session: SessionDep):
    """The organization's live jobs in Indeed's XML feed format (all of them: Indeed refuses partial feeds)."""
    organization_id = _organization(request, session, token)
    found = validators(session, organization_id, token)
    headers = _cache_headers(found)
    if _not_modified(request, found):
        return Response(status_code=304, headers=headers)
    base_url, company = _base_url(request), company_name(session, organization_id)
    # The stream reads in sessions of its own: this one's transaction ends here, or on SQLite
    # (`jobpub dev`) it would hold the database lock the stream's reads then wait for.
    session.rollback()
    jobs = live_jobs(request.app.state.sessions, organization_id, base_url, token)
    body = _chunks(indeed_feed(jobs, company, base_url))
    return StreamingResponse(body, media_type="application/xml; charset=utf-8", headers=headers)


@router.get(
    "/{token}/jobs/{reference}/",
    response_class=HTMLResponse,
    responses={304: NOT_MODIFIED, **error_answers(404, 422, inline=True)},
)
def job_page_html(token: str, reference: str, request: Request, session: SessionDep):
    """A live job's public page, with its schema.org JobPosting (JSON-LD) for Google for Jobs."""
    organization_id = _organization(request, session, token)
    job = live_job(session, organization_id, reference, _base_url(request), token)
    if job is None:
        raise HTTPException(404, "no such job in this feed")
    found = validators(session, organization_id, token, reference)
    headers = _cache_headers(found)
    if _not_modified(request, found):
        return Response(status_code=304, headers=headers)
    return HTMLResponse(job_page(job), headers=headers)
