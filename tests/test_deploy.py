"""What can be checked of the deployment without a container engine: docker-compose.yml runs real
`jobpub` commands, every queue has a worker group, and the example environment names every setting."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from services.cli.main import app as jobpub_app
from shared.config import Settings
from shared.connections import PLATFORMS
from shared.notifications import NOTIFY_QUEUE
from shared.outbox import SYNC_QUEUE, publish_dispatch

ROOT = Path(__file__).resolve().parent.parent
QUEUES = {publish_dispatch(platform).queue for platform in PLATFORMS} | {SYNC_QUEUE, NOTIFY_QUEUE}


def jobpub_services() -> dict[str, list[str]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return {
        name: service["command"]
        for name, service in compose["services"].items()
        if service.get("image") == "jobpub:local"
    }


def command_names() -> set[str]:
    click_group = typer.main.get_command(jobpub_app)
    return set(click_group.commands)


def test_every_compose_service_runs_a_real_jobpub_command_and_every_queue_has_workers():
    services = jobpub_services()
    assert {"migrate", "api", "relay", "scheduler"} <= set(services)
    assert {command[0] for command in services.values()} <= command_names()
    consumed = set()
    for command in services.values():
        if command[0] == "worker":
            queues = command[command.index("--queues") + 1 :]
            assert queues and set(queues) <= QUEUES, queues
            consumed |= set(queues)
    assert consumed == QUEUES  # no queue the code sends to is left without a worker group


def test_every_setting_is_in_the_example_environment():
    example = (ROOT / "deploy" / "jobpub.env.example").read_text()
    for name in Settings.model_fields:
        assert f"JOBPUB_{name.upper()}=" in example, f"JOBPUB_{name.upper()} is missing from deploy/jobpub.env.example"
