"""The contract suite's fixtures (the platform under test, its adapter, emulator and a client of the
test's own), defined in test_platform_contract.py, shared here with the suite's other modules."""

from tests.contract.test_platform_contract import (  # noqa: F401 (fixtures, found by name)
    contract,
    credentials,
    emulator,
    feed_board,
    platform,
    registry,
)
