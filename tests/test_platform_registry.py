"""The two registries a new platform is added to (its adapter in shared/platforms/__init__.py,
its emulator in services/emulators/registry.py) agree with each other and with the settings, so
an entry with a typo fails here rather than in `jobpub dev`."""

from __future__ import annotations

from services.emulators.registry import EMULATORS
from shared.config import Settings
from shared.platforms import ADAPTERS, PLATFORM_NAMES, build_http_client, build_platforms


def test_every_emulator_is_of_a_known_platform_and_fills_only_settings_jobpub_has():
    for name, entry in EMULATORS.items():
        assert entry.name == name and name in PLATFORM_NAMES
        unknown = set(entry.settings) - set(Settings.model_fields)
        assert not unknown, f"the {name} emulator points settings jobpub does not have: {unknown}"
        assert f"{name}_api_url" in entry.settings, f"the {name} emulator leaves its adapter on the real platform"


def test_the_registry_builds_one_adapter_per_platform_name_in_its_order():
    settings = Settings(database_url="sqlite://", broker_url=None)
    with build_http_client(settings) as http:
        platforms = build_platforms(settings, http)
    assert tuple(platforms) == PLATFORM_NAMES == tuple(adapter.name for adapter in ADAPTERS)
    assert all(platform.name == name for name, platform in platforms.items())
