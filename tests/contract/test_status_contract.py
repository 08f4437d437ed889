"""The contract of `send_application_status`, once per platform in `CONTRACTS`, against its emulator:
a status of an application the platform delivered is received once; one of an application it
never delivered is refused for good; a 5xx is transient; a platform without statuses says so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.platforms.base import OperationNotSupported, PermanentPlatformError, TransientPlatformError
from tests.contract.platforms import posting_content
from tests.contract.test_platform_contract import settled

AT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def delivered_application(contract, platform, emulator, credentials) -> tuple[str, str]:
    """A live posting of this client's, and an application the emulator delivered to it: (its id, the posting's)."""
    content = posting_content()
    settled(platform, platform.create_posting(content, credentials), content, credentials)
    [application] = emulator.apply(content.external_id, client_id=credentials.client_id)
    return application[contract.status_id_field], content.external_id


def takes_statuses(contract) -> None:
    if contract.status_id_field is None:
        pytest.skip(f"{contract.name} takes no application status")


def test_a_status_of_a_delivered_application_is_received_once(contract, platform, emulator, credentials):
    takes_statuses(contract)
    application_id, job_id = delivered_application(contract, platform, emulator, credentials)
    platform.send_application_status(application_id, job_id, "rejected", AT, credentials)
    [received] = emulator.received_statuses(credentials.client_id)
    assert application_id in str(received["body"])


def test_a_status_of_an_application_the_platform_never_delivered_is_refused_for_good(
    contract, platform, emulator, credentials
):
    takes_statuses(contract)
    with pytest.raises(PermanentPlatformError) as refused:
        platform.send_application_status("urn:li:jobApplication:999999999", "jobpub-none", "viewed", AT, credentials)
    assert not isinstance(refused.value, OperationNotSupported)
    assert emulator.received_statuses(credentials.client_id) == []


def test_a_5xx_on_a_status_is_transient(contract, platform, emulator, credentials):
    takes_statuses(contract)
    application_id, job_id = delivered_application(contract, platform, emulator, credentials)
    emulator.set_faults({"server_error": {"times": 1, "on": "status", "status": 502}})
    with pytest.raises(TransientPlatformError):
        platform.send_application_status(application_id, job_id, "hired", AT, credentials)
    assert emulator.received_statuses(credentials.client_id) == []


def test_a_platform_without_statuses_says_so(contract, platform, credentials):
    if contract.status_id_field is not None:
        pytest.skip(f"{contract.name} takes application statuses")
    with pytest.raises(OperationNotSupported):
        platform.send_application_status("any", "jobpub-any", "hired", AT, credentials)
