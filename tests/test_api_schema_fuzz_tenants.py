"""Schemathesis' stateful run with two organizations declared to it as peers, so that its
object-level authorization check judges something: a read one tenant makes of an object it
created or listed (once per operation and resource in a run) is sent again with the other
tenant's key, and an answer holding the same object fails the run.

Schemathesis learns the identities from a Web Fuzzing Commons auth file: one entry per tenant
with its `X-API-Key` as a fixed header, `peers` naming both, and every generated call pinned to
the first (the owner). Each scenario starts from two fresh organizations, as the stateful test of
tests/test_api_schema_fuzz.py starts from one, by giving the two entries the new keys.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import schemathesis
from schemathesis.wfc.escalation import escalating_provider
from schemathesis.wfc.providers import FixedHeaderAuthProvider
from sqlalchemy import delete

from services.api.app import create_app
from shared.db import unit_of_work
from shared.models import Application, Job, KeyScope, Organization, Posting
from shared.postings import new_external_id
from tests.conftest import Tenant
from tests.support import DESCRIPTION
from tests.test_api_schema_fuzz import CHECKS, CONFIG, STATEFUL_SETTINGS, loopback_only

__all__ = ["loopback_only"]  # a fixture: used by name

OWNER, PEER = "owner", "peer"
API_KEY_HEADER = "X-API-Key"
APPLICATION_PATH = re.compile(r"/jobs/publishing/applications/(?P<id>\d+)/")


@dataclass(frozen=True)
class Exchange:
    """One request the app answered, with the identity whose key it carried."""

    method: str
    path: str
    identity: str | None
    status: int


class RecordingApp:
    """The app under test, noting who asked for what and what it answered."""

    def __init__(self, app, identity_by_key: dict[str, str]):
        self.app = app
        self.identity_by_key = identity_by_key
        self.exchanges: list[Exchange] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        key = dict(scope["headers"]).get(API_KEY_HEADER.lower().encode(), b"").decode()

        async def noting_send(message):
            if message["type"] == "http.response.start":
                identity = self.identity_by_key.get(key)
                self.exchanges.append(Exchange(scope["method"], scope["path"], identity, message["status"]))
            await send(message)

        return await self.app(scope, receive, noting_send)


def _peers_schema(app: RecordingApp, tmp_path, owner_key: str, peer_key: str):
    """The app's document with both tenants declared to schemathesis as peers, the owner sending every call."""
    auth_file = tmp_path / "wfc-auth.json"
    entries = [
        {"name": name, "fixedHeaders": [{"name": API_KEY_HEADER, "value": key}]}
        for name, key in ((OWNER, owner_key), (PEER, peer_key))
    ]
    auth_file.write_text(json.dumps({"schemaVersion": "1", "auth": entries}))
    # The fuzz file's settings, with the two identities: what `--auth-wfc` and `--auth-wfc-user`
    # set on the command line, and the peers, which `update` does not take.
    config = copy.deepcopy(CONFIG)
    auth = config.projects.default.auth
    auth.update(wfc_path=str(auth_file), wfc_user=OWNER)
    assert auth.wfc is not None
    auth.wfc.peers = [OWNER, PEER]
    # A copy: schemathesis writes the links it infers into the document, and FastAPI keeps its own.
    schema = schemathesis.openapi.from_dict(copy.deepcopy(app.app.openapi()), config=config)
    schema.app = app  # where the checks that send requests of their own send them
    return schema


def _applied(sessions, tenant: Tenant) -> int:
    """A job of the tenant's on Naukri, with one application to it; the application's id."""
    with unit_of_work(sessions) as session:
        job = Job(
            organization_id=tenant.id,
            title="Platform engineer",
            description=DESCRIPTION,
            location="Pune, India",
            employment_type="full_time",
            workplace_type="remote",
            apply_url="https://tenants.example/apply",
            company_name="Tenants",
            skills=[],
        )
        session.add(job)
        session.flush()
        posting = Posting(organization_id=tenant.id, job=job, platform="naukri", external_id=new_external_id(job.id))
        session.add(posting)
        session.flush()
        application = Application(
            organization_id=tenant.id,
            job_id=job.id,
            posting_id=posting.id,
            platform="naukri",
            external_application_id=f"naukri-{tenant.id}",
            source="Naukri",
            candidate_name=f"Candidate of {tenant.name}",
            candidate_email=f"candidate@{tenant.name}.example",
            applied_at=datetime(2026, 1, 5, tzinfo=UTC),
            raw={},
        )
        session.add(application)
        session.flush()
        return application.id


def test_one_tenant_never_reads_what_another_holds(settings, engine, make_tenant, sessions, tmp_path, loopback_only):
    """The stateful phase with two peers, each holding an application: object_level_authorization
    replays the owner's reads of its own objects with the peer's key; any answer holding one fails."""
    identity_by_key: dict[str, str] = {}
    owners_applications: set[int] = set()
    recording = RecordingApp(create_app(settings, engine), identity_by_key)
    first_owner, first_peer = make_tenant(scope=KeyScope.OPERATOR), make_tenant(scope=KeyScope.OPERATOR)
    schema = _peers_schema(recording, tmp_path, first_owner.api_key, first_peer.api_key)
    provider = escalating_provider(schema)
    assert provider is not None and provider.peers == (OWNER, PEER)

    def fresh_tenant(name: str) -> Tenant:
        """A new organization with one application, whose key the WFC entry `name` now sends."""
        tenant = make_tenant(scope=KeyScope.OPERATOR)
        application_id = _applied(sessions, tenant)
        if name == OWNER:
            owners_applications.add(application_id)
        entry = provider.provider_for(name)
        assert isinstance(entry, FixedHeaderAuthProvider)
        entry.headers[0].value = tenant.api_key
        identity_by_key[tenant.api_key] = name
        return tenant

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self):
            # Each scenario from the same start (as in the one-tenant stateful test): two new
            # organizations, each with one application the other must never see.
            self.tenants = [fresh_tenant(OWNER), fresh_tenant(PEER)]

        def teardown(self):
            with unit_of_work(sessions) as session:
                ids = [tenant.id for tenant in self.tenants]
                session.execute(delete(Organization).where(Organization.id.in_(ids)))

        def get_call_kwargs(self, case):
            return {"app": recording}  # the owner's key is on the case: schemathesis' auth put it there

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs={"app": recording}, recorder=self.recorder)

    try:
        Workflow.run(settings=STATEFUL_SETTINGS)
    finally:
        with unit_of_work(sessions) as session:
            session.execute(delete(Organization).where(Organization.id.in_([first_owner.id, first_peer.id])))

    # The check really probed. Schemathesis replays a read as a peer once per operation and
    # resource in a run; the owner's applications are the objects here it can tell are the owner's
    # (their ids come from its list, and the peer's own list lacks them). So: the peer's key asked
    # for an application the owner holds and was told it does not exist (an answer holding it
    # would have failed the run). Without peers declared, no request carries the peer's key at all.
    peer_requests = [e for e in recording.exchanges if e.identity == PEER]
    assert {e.method for e in peer_requests} == {"GET"}, "the peer's key went on a write"
    probes = [
        e
        for e in peer_requests
        if (found := APPLICATION_PATH.fullmatch(e.path)) and int(found["id"]) in owners_applications
    ]
    assert probes, f"the peer's key never asked for an application of the owner's: {peer_requests}"
    assert {e.status for e in probes} == {404}, probes
