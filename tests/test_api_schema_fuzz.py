"""Schemathesis against the API's own OpenAPI document: whatever a client sends, no 5xx.

Every operation of the schema gets generated requests — valid ones, and invalid ones (wrong
types, out-of-range numbers, NUL characters, missing fields …) — sent with a valid tenant's
`X-API-Key` to the real application (`create_app` on this run's PostgreSQL database), in
process through its ASGI interface. A response must not be a 5xx (nor an exception escaping
the app), and a documented status must answer a body and content type the schema documents.

Nothing generated leaves this machine: schemathesis' ASGI client mounts the app for every
http(s) URL, and while the test runs a guard lets sockets reach loopback addresses only (the
platform emulators, which `test-connection` calls, PostgreSQL, Redis) and resolves no names
(a notification URL's host is otherwise looked up when it is saved).
"""

from __future__ import annotations

import ipaddress
import socket

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from sqlalchemy import create_engine, delete

from services.api.app import create_app
from shared.config import Settings
from shared.db import unit_of_work
from shared.models import KeyScope, Organization

# Bounded and repeatable: the same requests on every run (derandomized, no example database).
# About 1,400 requests and 15 s for the whole file on a 2-core machine.
MAX_EXAMPLES = 40
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

# The checks kept. The others of schemathesis' defaults report what this schema does not
# document rather than faults: FastAPI documents only the 2xx and the 422 of an operation, so
# the 401/404/409/413/429 the README promises are "undocumented status codes", 405 answers carry
# no `Allow` header, and a schema-valid body refused for what a schema cannot say (an unknown
# job, a platform not connected, LinkedIn without its URN) is "positive data rejected".
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.content_type_conformance,
]

# The schema is read at collection, when the test database does not exist yet, from an app on
# a throwaway SQLite engine: the document does not depend on settings or database, and the
# fixture below checks that the app under test answers the very same one. (Schemathesis'
# `from_fixture` loader would read it from the fixture's app, but fails on pytest 9.2.)
_DOC_APP = create_app(Settings(database_url="sqlite://", broker_url=None), create_engine("sqlite://"))
schema = schemathesis.openapi.from_dict(_DOC_APP.openapi(), config=CONFIG)


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
def test_no_server_error(case, api):
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
