"""Schemathesis against the API's own OpenAPI document, with every check it has: the document
tells the truth about every answer, and the API keeps the document's promises.

Every operation of the schema gets generated requests — valid ones, and invalid ones (wrong
types, out-of-range numbers, NUL characters, missing fields …), requests without the key or
with a wrong one, methods the path does not take — sent with a valid tenant's `X-API-Key` to
the real application (`create_app` on this run's PostgreSQL database), in process through its
ASGI interface. No answer may be a 5xx; each status, content type, header and body must be one
the document lists for the operation; a request the schema refuses must be refused, and one it
allows must not be (but see RULES_NO_SCHEMA_STATES); a 405 names the path's methods in `Allow`.

Nothing generated leaves this machine: schemathesis' ASGI client mounts the app for every
http(s) URL, and while the test runs a guard lets sockets reach loopback addresses only (the
platform emulators, which `test-connection` calls, PostgreSQL, Redis) and resolves no names
(a notification URL's host is otherwise looked up when it is saved).
"""

from __future__ import annotations

import copy
import ipaddress
import socket

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import CHECKS as CHECK_REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from sqlalchemy import create_engine, delete

from services.api.app import create_app
from shared.config import Settings
from shared.db import unit_of_work
from shared.models import KeyScope, Organization

# Bounded and repeatable: the same requests on every run (derandomized, no example database).
# About 65 s of CPU for the whole file (25 examples; 40 took 81 s), measured on a shared 2-core machine.
MAX_EXAMPLES = 25
# The stateful phase: 30 scenarios of up to 6 calls, about 20 s.
STATEFUL_SCENARIOS = 30
# Repeatable like the rest: the same scenarios on every run, each of at most 6 calls.
STATEFUL_SETTINGS = hypothesis.settings(
    max_examples=STATEFUL_SCENARIOS,
    stateful_step_count=6,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
CONFIG = SchemathesisConfig.from_dict(
    {
        "suppress-health-check": ["all"],
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # The key goes on every call (below); generating keys would only test the 401.
            "with-security-parameters": False,
        },
    }
)

# Every check schemathesis has: test_every_check_of_schemathesis_runs notices a new one.
# Three of them judge a sequence of calls (a resource used after its DELETE, one missing right
# after its POST, one identity reading another's object): they read the record of earlier calls
# that only test_sequences_of_calls_keep_the_documents_promises keeps. The third also needs
# several identities declared to schemathesis (its Web Fuzzing Commons auth file), which this
# file does not give it: tests/test_api_schema_fuzz_tenants.py runs the stateful phase again with
# two organizations declared as peers, and tests/test_tenant_isolation.py tries every route.
SEQUENCE_CHECKS = [
    schemathesis.checks.use_after_free,
    schemathesis.checks.ensure_resource_availability,
    schemathesis.checks.object_level_authorization,
]


# A 422 for a request the schema allows is right only where the rule needs more than the
# request: what the organization holds, the platform the path or the body names, or the clock.
# Each such rule answers a documented 422 whose problems have these types; any other refusal of a
# schema-valid request fails the run (so a rule that can be stated goes into the schema).
RULES_NO_SCHEMA_STATES = {
    "platform_not_connected": "publishing or syncing where the organization has no connection",
    "unknown_posting": "replaying a posting id the organization does not have",
    "unknown_status_update": "replaying a status update id the organization does not have",
    "unknown_application": "erasing an application id the organization does not have",
    "unsafe_url": "a webhook host that is not a public address (the deployment's allowed networks decide)",
    "datetime_future": "an expiry in the past: the schema cannot name the current time",
    "datetime_not_future": "an application status dated in the future: nor here",
    "idempotency_key_reused": "an Idempotency-Key an earlier request with another body used",
    "missing": "LinkedIn's organization_urn: needed for the platform the path names",
    "not_allowed": "an apply secret for a platform other than Indeed (the platform is in the path)",
    "too_short": "the feed's secret, at least 32 characters (the platform is in the path)",
    "string_too_short": "a description shorter than the platform published to takes (LinkedIn: 100)",
    "location_form": "a location LinkedIn cannot read, when the job is published there",
    "too_many_locations": "more places than Naukri takes, when the job is published there",
    "duplicate_location": "the same place twice in another case: JSON Schema's uniqueItems is case-sensitive",
    "value_error": "a salary's or a knock-out's maximum below its minimum: JSON Schema compares no two fields",
    "range_order": "a platform's range (Naukri's experience, CTC) whose min is more than its max: nor here",
    "knockout_invalid": "a knock-out's accepted answers must be among the question's own choices",
    "choices_repeated": "two choices that differ only in white space the API strips",
    "question_id_repeated": "the same question id twice: uniqueItems cannot look inside the questions",
}
# Types pydantic uses too, for rules a schema does state: these pass only at these fields.
ONLY_AT = {
    "knockout_invalid": {"screening_questions"},
    "choices_repeated": {"screening_questions"},
    # A platform's own field is required only where the job is published (the body's platforms).
    "missing": {"organization_urn", "board_fields"},
    "string_too_short": {"description"},
    "value_error": {"salary", "knockout"},
}
# Every rule of a single value is in the document now: each platform's own fields
# (shared/platforms/fields.py) and a screening question's rules per type (services/api/schemas/questions.py).
CHECKED_IN_WORDS_UNDER: set[str] = set()


def _rule_no_schema_states(problem) -> bool:
    kind, where = problem["type"], set(problem["loc"])
    if where & CHECKED_IN_WORDS_UNDER:
        return True
    return kind in RULES_NO_SCHEMA_STATES and (kind not in ONLY_AT or bool(ONLY_AT[kind] & where))


def positive_data_acceptance(ctx, response, case):
    """Schemathesis' own check, but a 422 whose every problem is one of RULES_NO_SCHEMA_STATES passes."""
    if response.status_code == 422 and all(map(_rule_no_schema_states, response.json()["detail"])):
        return None
    return schemathesis.checks.positive_data_acceptance(ctx, response, case)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
    positive_data_acceptance,
    schemathesis.checks.missing_required_header,
    schemathesis.checks.unsupported_method,
    schemathesis.checks.allow_header_conformance,
    schemathesis.checks.ignored_auth,
    *SEQUENCE_CHECKS,
]

# The schema is read at collection, when the test database does not exist yet, from an app on
# a throwaway SQLite engine: the document does not depend on settings or database, and the
# fixture below checks that the app under test answers the very same one. (Schemathesis'
# `from_fixture` loader would read it from the fixture's app, but fails on pytest 9.2.)
_DOC_APP = create_app(Settings(database_url="sqlite://", broker_url=None), create_engine("sqlite://"))
# A copy: the stateful phase writes the links it infers into the document it is given, and
# `_DOC_APP.openapi()` is the app's cached one, which the `api` fixture compares each app against.
schema = schemathesis.openapi.from_dict(copy.deepcopy(_DOC_APP.openapi()), config=CONFIG)
# The checks that send requests of their own (ignored_auth without the key, a content type
# probe) pick the ASGI transport by this; each sends to the app under test (`transport_kwargs`).
schema.app = _DOC_APP


@pytest.fixture
def loopback_only(monkeypatch):
    """Sockets may connect to loopback addresses only, and no name is resolved."""
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def _address(host) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        try:
            return ipaddress.ip_address(str(host).split("%")[0])
        except ValueError:
            return None

    def guarded_connect(sock, address):
        target = _address(address[0]) if sock.family in (socket.AF_INET, socket.AF_INET6) else None
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not (target and target.is_loopback):
            raise ConnectionRefusedError(f"the schema fuzz test connects to loopback only, not {address[0]}")
        return connect(sock, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in (None, "localhost") and _address(name) is None:  # an address literal needs no lookup
            raise socket.gaierror(socket.EAI_NONAME, f"the schema fuzz test resolves no names ({name})")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


@pytest.fixture
def api(settings, engine, sessions, make_tenant, loopback_only):
    """The real app on the test database, and a fresh tenant (connected to both emulators) per operation."""
    tenant = make_tenant(scope=KeyScope.OPERATOR)  # an operator key reaches every route
    app = create_app(settings, engine)
    assert app.openapi() == _DOC_APP.openapi()
    yield app, tenant
    # Its jobs, postings, events still to relay, syncs and endpoints go with it (ON DELETE CASCADE),
    # so a pipeline started by a later test has nothing of this one's to work on.
    with unit_of_work(sessions) as session:
        session.execute(delete(Organization).where(Organization.id == tenant.id))


@schema.parametrize()
def test_the_api_keeps_its_documents_promises(case, api):
    app, tenant = api
    response = case.call(app=app, headers=tenant.headers)
    if case.operation.definition.raw.get("security"):
        assert response.status_code != 401, "the tenant's key was refused: the run would test nothing but the 401"
    case.validate_response(response, checks=CHECKS, headers=tenant.headers, transport_kwargs={"app": app})


def test_the_guard_keeps_the_run_on_loopback(loopback_only):
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1: routable nowhere
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 443)
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("example.com", 80))  # a name, which connect() would resolve itself
    assert socket.getaddrinfo("127.0.0.1", 80)


def test_every_check_of_schemathesis_runs():
    """A check a new schemathesis brings is run here too, or this says which one to add."""
    load_all_checks()
    ours = {check.__name__ for check in CHECKS}
    assert {check.__name__ for check in CHECK_REGISTRY.get_all()} == ours


def test_sequences_of_calls_keep_the_documents_promises(api, make_tenant, sessions):
    """The stateful phase: calls chained by the links schemathesis infers from the document (a job
    published, then its status, close, repost; an endpoint listed, then its deliveries and its
    DELETE ...), every check judging each step with the record of the steps before it."""
    app, _ = api
    steps: list[tuple[str, int, bool]] = []  # (operation, status, reached by a link from an earlier call)

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self):
            # Each scenario from the same start: a tenant of its own (an older scenario's jobs in
            # the lists would make the next one draw differently, which hypothesis refuses).
            self.tenant = make_tenant(scope=KeyScope.OPERATOR)

        def teardown(self):
            with unit_of_work(sessions) as session:  # as the `api` fixture does, for the same reason
                session.execute(delete(Organization).where(Organization.id == self.tenant.id))

        def get_call_kwargs(self, case):
            return {"app": app, "headers": self.tenant.headers}

        def after_call(self, response, case):
            super().after_call(response, case)
            parent = self.recorder.find_parent(case_id=case.id)
            steps.append((case.operation.label, response.status_code, parent is not None))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=CHECKS,
                headers=self.tenant.headers,
                transport_kwargs={"app": app},
                recorder=self.recorder,
            )

    Workflow.run(settings=STATEFUL_SETTINGS)
    # The run chained calls, and some of those reached a real object (a platform connection read,
    # replaced and deleted through the name a listing gave): the sequence checks had something to judge.
    linked = [(operation, status) for operation, status, by_link in steps if by_link]
    assert len(linked) >= 20, f"only {len(linked)} of {len(steps)} calls followed a link"
    assert any(200 <= status < 300 for _, status in linked), f"no linked call succeeded: {linked}"
