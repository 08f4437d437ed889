"""The fault suite: every test in this folder is marked `faults` (select with `-m faults`,
skip with `-m "not faults"`); they run by default."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
