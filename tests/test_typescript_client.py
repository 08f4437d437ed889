"""The TypeScript client (clients/typescript/): its OpenAPI document and generated types are the
app's current ones, it type-checks, and a frontend that installs it from the repository publishes
a job to both platforms through it against a running API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import httpx
import pytest

from services.api.openapi_export import openapi_document, openapi_json
from shared.models import KeyScope
from tests.conftest import LIVE_API_PORT, create_tenant
from tests.support import job_body

PACKAGE = Path(__file__).resolve().parents[1] / "clients" / "typescript"
REGENERATE = "python -m services.api.openapi_export > clients/typescript/openapi.json"
NPM = shutil.which("npm")
needs_npm = pytest.mark.skipif(NPM is None, reason="npm is not on PATH: the TypeScript client cannot be built here")


def npm(*args: str, cwd: Path = PACKAGE, env: dict | None = None, timeout: float = 300) -> str:
    assert NPM is not None
    done = subprocess.run(
        [NPM, *args, "--no-audit", "--no-fund"] if args[0] in ("ci", "install") else [NPM, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"npm {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_committed_openapi_document_is_the_apps():
    committed = (PACKAGE / "openapi.json").read_text()
    assert committed == openapi_json(), f"clients/typescript/openapi.json is stale; run `{REGENERATE}`"


def test_the_running_api_serves_the_exported_document(live_api):
    """docs/api.md sends Python users to GET /openapi.json: it is the document the client is built from."""
    served = httpx.get(f"http://127.0.0.1:{LIVE_API_PORT}/openapi.json")
    assert served.status_code == 200
    assert served.json() == openapi_document()


@pytest.fixture(scope="module")
def installed_package():
    """The package's pinned dependencies, installed from its package-lock.json."""
    npm("ci", "--ignore-scripts")
    return PACKAGE


@needs_npm
def test_the_committed_types_are_generated_from_the_document_and_type_check(installed_package, tmp_path):
    fresh = tmp_path / "schema.ts"
    script = json.loads((PACKAGE / "package.json").read_text())["scripts"]["generate"]
    npm("exec", "--", *script.replace("src/schema.ts", str(fresh)).split())
    assert (PACKAGE / "src" / "schema.ts").read_text() == fresh.read_text(), (
        "clients/typescript/src/schema.ts is stale; run `npm run generate` in clients/typescript"
    )
    npm("exec", "--", "tsc", "--noEmit", "-p", "tsconfig.json")


@needs_npm
def test_a_frontend_installs_the_client_and_publishes_to_both_platforms(
    installed_package, tmp_path, live_api, pipeline, sessions, settings, emulators
):
    tenant = create_tenant(sessions, settings, emulators, platforms=(), scope=KeyScope.RECRUITER)
    credentials = {}
    for platform in ("linkedin", "naukri"):
        client_id, secret = f"{tenant.name}-{platform}", f"secret-{tenant.name}-{platform}"
        getattr(emulators, platform).register_client(client_id, secret)
        urn = f"urn:li:organization:{tenant.id}" if platform == "linkedin" else None
        credentials[platform] = [client_id, secret, urn]

    # As the README says: pack the package (its `prepare` compiles it) and install the tarball.
    npm("pack", "--pack-destination", str(tmp_path))
    (tarball,) = tmp_path.glob("jobpub-client-*.tgz")
    with tarfile.open(tarball) as packed:
        assert "package/dist/index.js" in packed.getnames()
    frontend = tmp_path / "frontend"
    frontend.mkdir()
    (frontend / "package.json").write_text(json.dumps({"name": "frontend", "private": True, "type": "module"}))
    npm("install", str(tarball), cwd=frontend)
    shutil.copy(PACKAGE / "test" / "publish.test.mjs", frontend / "publish.test.mjs")
    _readme_example_type_checks(frontend)

    env = {
        **os.environ,
        "JOBPUB_API_URL": f"http://127.0.0.1:{LIVE_API_PORT}",
        "JOBPUB_API_KEY": tenant.api_key,
        "JOBPUB_TEST_JOB": json.dumps(job_body()),
        "JOBPUB_TEST_CLIENTS": json.dumps(credentials),
    }
    done = subprocess.run(
        ["node", "--test", "publish.test.mjs"], cwd=frontend, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, f"the node test failed:\n{done.stdout}\n{done.stderr}"
    assert "# pass 2" in done.stdout, done.stdout


def _readme_example_type_checks(frontend: Path) -> None:
    """The README's example compiles against the installed package, so it shows calls that exist."""
    readme = (PACKAGE / "README.md").read_text()
    example = readme.split("```ts\n", 1)[1].split("```", 1)[0]
    # The example leaves where the key and the secret come from to the reader's code.
    (frontend / "example.ts").write_text(
        "declare const apiKey: string;\ndeclare const linkedinSecret: string;\n" + example
    )
    tsc = PACKAGE / "node_modules" / "typescript" / "bin" / "tsc"
    options = ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--lib", "es2022,dom"]
    done = subprocess.run(["node", str(tsc), *options, "example.ts"], cwd=frontend, capture_output=True, text=True)
    assert done.returncode == 0, f"the README's example does not compile:\n{done.stdout}\n{done.stderr}"
