"""Failed admin sign-ins are limited per user name and per client address: past the limit the form
answers 429 with Retry-After even to the right password, every API process sharing the count
through Redis; with Redis unreachable each process still counts; the window passes and the
operator signs in."""

from __future__ import annotations

import secrets
import time

from fastapi.testclient import TestClient

from services.api.app import create_app
from tests.admin_browser import BASE_URL, new_admin_user, sign_in

WRONG = "not the password at all"
CLOSED_REDIS = "redis://127.0.0.1:1/0"  # loopback, nothing listens: every call is refused at once


def throttled_settings(settings, limit: str, **changes):
    """Settings whose sign-in limit is `limit`, counted in a Redis namespace of their own."""
    own = {"admin_sign_in_limit": limit, "broker_namespace": f"{settings.broker_namespace}-{secrets.token_hex(3)}"}
    return settings.model_copy(update={**own, **changes})


def browser_at(app, address: str) -> TestClient:
    """A fresh browser on the app, its requests seen as coming from `address`."""
    return TestClient(app, base_url=BASE_URL, client=(address, 50_000))


def assert_throttled(answer) -> None:
    assert answer.status_code == 429, answer.status_code
    assert "Too many failed sign-ins" in answer.text
    assert 0 < int(answer.headers["Retry-After"]) <= 15 * 60


def test_after_the_limit_of_failures_even_the_right_password_waits_and_so_does_every_api_process(
    settings, engine, sessions
):
    throttled = throttled_settings(settings, "3/15 minutes")
    app, other_process = create_app(throttled, engine), create_app(throttled, engine)
    name, guesser = new_admin_user(sessions), browser_at(app, "127.0.0.21")
    for _ in range(3):
        assert sign_in(guesser, name, WRONG).status_code == 400

    # The name is held: the right password from anywhere, through any API process, is not checked
    assert_throttled(sign_in(guesser, name))
    assert_throttled(sign_in(browser_at(other_process, "127.0.0.22"), name))
    assert guesser.get("/admin/posting/list", follow_redirects=False).status_code == 302  # nobody signed in

    # And the address is held too, for any name
    someone_else = new_admin_user(sessions)
    assert_throttled(sign_in(guesser, someone_else))
    # While that name signs in from elsewhere as usual
    assert sign_in(browser_at(app, "127.0.0.23"), someone_else).status_code == 302


def test_one_guesser_trying_many_names_is_held_by_its_address(settings, engine, sessions):
    app = create_app(throttled_settings(settings, "3/15 minutes"), engine)
    guesser = browser_at(app, "127.0.0.31")
    for attempt in range(3):
        assert sign_in(guesser, f"guessed-name-{attempt}", WRONG).status_code == 400
    assert_throttled(sign_in(guesser, "guessed-name-3", WRONG))


def test_with_redis_unreachable_each_process_still_counts_failures(settings, engine, sessions):
    app = create_app(throttled_settings(settings, "3/15 minutes", broker_url=CLOSED_REDIS), engine)
    name, guesser = new_admin_user(sessions), browser_at(app, "127.0.0.41")
    for _ in range(3):
        assert sign_in(guesser, name, WRONG).status_code == 400
    assert_throttled(sign_in(guesser, name))


def test_once_the_window_has_passed_the_operator_signs_in(settings, engine, sessions):
    app = create_app(throttled_settings(settings, "2/6 seconds"), engine)
    name, operator = new_admin_user(sessions), browser_at(app, "127.0.0.51")
    for _ in range(2):
        assert sign_in(operator, name, WRONG).status_code == 400
    held = sign_in(operator, name)
    assert held.status_code == 429
    time.sleep(int(held.headers["Retry-After"]) + 0.5)
    assert sign_in(operator, name).status_code == 302
