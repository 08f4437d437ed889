"""Every setting jobpub reads, from environment variables prefixed `JOBPUB_`.

With none set, jobpub runs on the embedded default (`jobpub dev`): SQLite in the dev data
directory (shared/data_dir.py) and an in-process broker; every command then finds what `jobpub dev`
keeps there (`get_settings`). Production sets `JOBPUB_DATABASE_URL` (PostgreSQL) and
`JOBPUB_BROKER_URL` (Redis), and nothing is read from the data directory.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.data_dir import DataDir, default_data_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBPUB_", extra="ignore")

    database_url: str = Field(
        "", description="SQLAlchemy URL; postgresql+psycopg://… in production; unset: the SQLite database in data_dir."
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where `jobpub dev` keeps its database, keys and emulators' state; the other commands find"
        " them there while database_url is unset.",
    )
    broker_url: str | None = Field(
        None, description="redis://… for the dramatiq broker; unset means in-process (dev only)."
    )
    broker_namespace: str = Field("jobpub", description="Prefix of every Redis key the broker writes.")

    linkedin_api_url: str = "https://api.linkedin.com"
    linkedin_oauth_url: str = "https://www.linkedin.com"
    linkedin_job_view_url: str = Field(
        "https://www.linkedin.com/jobs/view/{id}", description="Public URL of a posting; {id} is LinkedIn's numeric id."
    )
    naukri_api_url: str = "https://api.naukri.com"
    indeed_api_url: str = Field("https://apis.indeed.com", description="Indeed's GraphQL API (Job Sync API) base URL.")
    indeed_oauth_url: str = Field("https://apis.indeed.com", description="Indeed's OAuth 2 token endpoint base URL.")
    public_base_url: str | None = Field(
        None,
        description=(
            "Where platforms and job seekers reach our API: LinkedIn's application webhook, the job feed and "
            "its job pages; unset: no webhook is sent and publishing to the feed fails."
        ),
    )

    encryption_keys: SecretStr | None = Field(
        None, description="Comma-separated base64 AES-256 keys, newest first; encrypts platform credentials."
    )

    http_timeout_seconds: float = 10.0
    linkedin_requests_per_second: float = Field(
        0.0,
        ge=0,
        description="Pace of requests per organization and LinkedIn app (client id), shared through Redis"
        " by every worker; 0: no pacing.",
    )
    naukri_requests_per_second: float = Field(
        0.0,
        ge=0,
        description="Pace of requests per organization and Naukri client id, shared through Redis by every worker;"
        " 0: no pacing.",
    )
    indeed_requests_per_second: float = Field(
        0.0,
        ge=0,
        description="Pace of requests per organization and Indeed client id, shared through Redis by every worker;"
        " 0: no pacing.",
    )
    publish_max_attempts: int = Field(5, ge=1, description="Attempts per publish request before it is failed.")
    retry_backoff_seconds: float = Field(2.0, gt=0, description="First retry delay; doubles per attempt.")
    retry_backoff_max_seconds: float = Field(300.0, gt=0)
    task_poll_interval_seconds: float = Field(0.5, gt=0, description="How often a LinkedIn task is polled.")
    task_poll_timeout_seconds: float = Field(
        20.0, gt=0, description="One attempt polls this long, then frees its worker thread; a later check resumes."
    )
    task_settle_timeout_seconds: float = Field(
        1800.0, gt=0, description="A task still in progress after this counts against the attempts (LinkedIn: minutes)."
    )
    lease_seconds: float = Field(
        30.0, gt=0, description="A publishing attempt's claim, renewed while it polls; after it a crash is assumed."
    )

    quarantine_after_deliveries: int = Field(
        3, ge=1, description="A publish whose worker died this many times in a row is failed as quarantined."
    )
    replay_per_second: float = Field(10.0, gt=0, description="Pace of `jobpub failures replay --all`.")

    relay_poll_interval_seconds: float = Field(0.2, gt=0)
    relay_batch_size: int = Field(200, ge=1, le=5000)
    recovery_stalled_after_seconds: float = Field(
        300.0, gt=0, description="A pending or abandoned posting quiet this long is requested again by the relay."
    )

    sync_interval_seconds: float = Field(
        300.0, ge=5, description="How often the scheduler asks for a pull of each organization's applications."
    )
    sync_page_size: int = Field(100, ge=1, le=100, description="Applications asked for per page of a pull.")
    retention_interval_seconds: float = Field(
        3600.0,
        ge=5,
        description="How often the scheduler erases the applications organizations' retention rules say are due.",
    )

    notify_max_attempts: int = Field(8, ge=1, description="Delivery attempts per notification before it is failed.")
    notify_backoff_seconds: float = Field(
        5.0, gt=0, description="First wait before a notification is retried; doubles."
    )
    notify_backoff_max_seconds: float = Field(3600.0, gt=0)
    webhook_allowed_networks: str = Field(
        "", description="CIDRs a tenant's webhook may reach although not public (a test receiver, an internal relay)."
    )
    # What one tenant's endpoints may cost the instance: a worker's time per attempt, and their number.
    notify_deadline_seconds: float = Field(
        10.0,
        gt=0,
        description="Longest one notification attempt may take, connecting to answer; then it counts as failed.",
    )
    notify_max_endpoints_per_organization: int = Field(
        10, ge=1, description="Notification endpoints one organization may register; one more answers 409."
    )

    worker_heartbeat_timeout_ms: int = Field(
        15_000, ge=0, description="A dead worker's messages are redelivered after this (dramatiq's default: 60 s)."
    )
    worker_maintenance_chance: int = Field(
        10_000, ge=0, le=1_000_000, description="Per million broker commands; dramatiq's 1,000 makes recovery slow."
    )
    worker_time_limit_ms: int = Field(600_000, ge=1000)
    worker_metrics_enabled: bool = Field(
        False,
        description="`jobpub worker` serves Prometheus metrics (dramatiq's and jobpub's) on the host and port below.",
    )
    worker_metrics_host: str = Field(
        "127.0.0.1", description="Address of a worker group's metrics server (dramatiq's own default is 0.0.0.0)."
    )
    worker_metrics_port: int = Field(
        9191, ge=1, le=65535, description="Port of a worker group's metrics server; one per group."
    )
    worker_metrics_dir: str | None = Field(
        None,
        description="Where worker processes keep their metric values for the group's server (one subfolder per group); "
        "unset: <temp dir>/jobpub-worker-metrics.",
    )

    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body the API accepts.")
    rate_limit: str = Field(
        "1200/minute",
        description="Requests per organization, e.g. '1200/minute' or '1200/minute;100/second'; empty: no limit.",
    )
    idempotency_in_flight_seconds: float = Field(60.0, gt=0, description="After this an unfinished key may be retried.")
    cors_origins: str = Field(
        "",
        description="Comma-separated origins (scheme://host[:port]) whose pages may call the API from a browser, "
        "e.g. a frontend on its own domain using <jobpub-publish-actions>; empty: only pages the API serves.",
    )

    admin_session_secret: SecretStr | None = Field(
        None,
        description="Signs the admin site's session cookies; unset: derived from the newest encryption key"
        " (with neither, the admin site is off).",
    )
    admin_session_seconds: int = Field(
        28_800,
        ge=1,
        description="An admin site sign-in lasts this long, however busy; then the operator signs in again.",
    )
    admin_sign_in_limit: str = Field(
        "10/15 minutes",
        description="Failed admin sign-ins allowed per user name and per client address in a moving window;"
        " past it the sign-in form answers 429 until the oldest failure leaves the window.",
    )

    log_level: str = "INFO"
    log_json: bool = Field(False, description="JSON log lines (production) instead of console lines.")

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, url: str) -> str:
        # A plain postgresql:// URL would make SQLAlchemy look for psycopg2, which we do not ship.
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, path: Path) -> Path:
        # The database URL is made from it, and a relative one would move with the working folder.
        return path.expanduser().absolute()

    @field_validator("admin_sign_in_limit")
    @classmethod
    def _valid_sign_in_limit(cls, value: str) -> str:
        from limits import parse

        parse(value)  # one limit, never none: raises ValueError naming what it could not read
        return value.strip()

    @field_validator("rate_limit")
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        if value.strip():
            parse_many(value)  # raises ValueError naming what it could not read
        return value.strip()

    @field_validator("cors_origins")
    @classmethod
    def _valid_cors_origins(cls, value: str) -> str:
        # A wildcard would let any site's page spend a key a user pasted into it; name the origins.
        for origin in (part.strip() for part in value.split(",") if part.strip()):
            if origin == "*" or not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"{origin!r} is not an origin: write scheme://host[:port], no path, no '*'")
        return value

    @property
    def cors_origin_list(self) -> list[str]:
        return [part.strip() for part in self.cors_origins.split(",") if part.strip()]

    @model_validator(mode="after")
    def _dev_database_by_default(self) -> Self:
        if not self.database_url:
            self.database_url = DataDir(self.data_dir).database_url
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_data_dir(self) -> bool:
        """On the dev data directory's database (JOBPUB_DATABASE_URL unset)."""
        return self.database_url == DataDir(self.data_dir).database_url


@lru_cache
def get_settings() -> Settings:
    return with_dev_setup(Settings())


def with_dev_setup(settings: Settings) -> Settings:
    """On the dev database, what `jobpub dev` recorded in its data directory fills the settings left
    unset: its encryption key, and its emulators' addresses in place of the real platforms'. So
    every command works against a dev setup with nothing configured; production is left alone."""
    if not settings.uses_data_dir:
        return settings
    home = DataDir(settings.data_dir)
    filled: dict[str, object] = {}
    key = home.read_encryption_key()
    if settings.encryption_keys is None and key:
        filled["encryption_keys"] = SecretStr(key)
    for name, url in home.read_emulator_settings().items():
        if _is_platform_address(name) and name not in settings.model_fields_set:
            filled[name] = url
    return settings.model_copy(update=filled)


def _is_platform_address(name: str) -> bool:
    """A platform's URL setting (`naukri_api_url`): the only kind the recorded file may fill, so a
    hand-edited one cannot move the database or the broker."""
    from shared.platforms import PLATFORM_NAMES  # the adapters import this module

    of_a_platform = any(name.startswith(f"{platform}_") for platform in PLATFORM_NAMES)
    return of_a_platform and name.endswith("_url") and name in Settings.model_fields
