"""The reference pages stay true: every route of the OpenAPI document, every setting, every
command and every metric is described in `docs/`, and every page the README links exists."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from prometheus_client import REGISTRY

from services.api.app import create_app
from services.cli.main import app as jobpub_app
from shared import metrics  # noqa: F401  (registers jobpub's metrics)
from shared.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def page(name: str) -> str:
    return (DOCS / name).read_text()


def test_every_route_of_the_openapi_document_is_in_the_api_reference(settings):
    reference = page("api.md")
    spec = create_app(settings).openapi()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method in operations
        if f"`{method.upper()} {path}`" not in reference
    ]
    assert missing == [], f"docs/api.md lacks {missing}"


def test_every_setting_is_in_the_settings_reference():
    reference = page("settings.md")
    names = re.findall(r"`([A-Z0-9_]+)`", reference)
    missing = [name.upper() for name in Settings.model_fields if name.upper() not in names]
    assert missing == [], f"docs/settings.md lacks {missing}"


def _commands(group, prefix: str = "jobpub") -> list[str]:
    found = []
    for name, command in group.commands.items():
        found += _commands(command, f"{prefix} {name}") if hasattr(command, "commands") else [f"{prefix} {name}"]
    return found


def _documented_commands(reference: str) -> set[str]:
    """Each table row's command; `jobpub apikey create|list|revoke` names three."""
    documented = set()
    for row in reference.splitlines():
        if row.startswith("| `jobpub "):
            words = row.split("`")[1].replace("\\|", "|").split()
            documented.add(f"jobpub {words[1]}")
            if len(words) > 2 and re.fullmatch(r"[a-z-]+(\|[a-z-]+)*", words[2]):
                documented |= {f"jobpub {words[1]} {sub}" for sub in words[2].split("|")}
    return documented


def test_every_command_is_in_the_commands_reference():
    documented = _documented_commands(page("commands.md"))
    missing = [line for line in _commands(typer.main.get_command(jobpub_app)) if line not in documented]
    assert missing == [], f"docs/commands.md lacks {missing}"


def test_every_jobpub_metric_is_in_the_metrics_reference():
    reference = page("metrics.md")
    names = {metric.name for metric in REGISTRY.collect() if metric.name.startswith("jobpub_")}
    missing = sorted(name for name in names if name not in reference)
    assert names and missing == [], f"docs/metrics.md lacks {missing}"


def test_every_page_the_readme_links_exists_and_every_docs_page_is_linked():
    readme = (ROOT / "README.md").read_text()
    linked = set(re.findall(r"\]\(([^)#]+)\)", readme))
    assert [link for link in linked if not (ROOT / link).exists()] == []
    assert {f"docs/{path.name}" for path in DOCS.glob("*.md")} <= linked
