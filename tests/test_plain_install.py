"""The README's first command installs jobpub without extras (`pip install -e .`): everything it runs
must import with the runtime dependencies alone. The test suite's own venv has more (playwright brings
greenlet, schemathesis brings jsonschema …), which once hid a missing one: `jobpub dev` failed on a
new machine while every test passed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Every module of the services and the common code (but the `python -m` entry points), imported in the plain venv.
IMPORT_EVERYTHING = """
import importlib, pkgutil, services, shared
# Run, not imported: the dramatiq worker module (it configures its process) and alembic's scripts;
# `python -m` entry points (…__main__) run a command.
SCRIPTS = ("services.workers", "shared.migrations.")
for package in (services, shared):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.endswith(".__main__") and not module.name.startswith(SCRIPTS):
            importlib.import_module(module.name)
print("imported")
"""


def test_a_plain_install_imports_every_module_and_answers_jobpub_help(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-e", str(ROOT)], capture_output=True, text=True, timeout=600
    )
    assert installed.returncode == 0, installed.stderr[-3000:]

    imported = subprocess.run([str(python), "-c", IMPORT_EVERYTHING], capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0 and "imported" in imported.stdout, imported.stdout[-2000:] + imported.stderr[-3000:]
    helped = subprocess.run([str(venv / "bin" / "jobpub"), "--help"], capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and "dev" in helped.stdout, helped.stdout[-3000:] + helped.stderr[-3000:]
