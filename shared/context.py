"""What a worker needs, opened once per process: database sessions, the credential cipher, the platform adapters.

The publisher and the syncer both run on it; neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.crypto import CredentialCipher, cipher_from_settings
from shared.platforms.base import Platform


@dataclass
class WorkerContext:
    settings: Settings
    sessions: sessionmaker[Session]
    cipher: CredentialCipher
    platforms: dict[str, Platform]


def build_worker_context(settings: Settings, sessions: sessionmaker[Session] | None = None) -> WorkerContext:
    """Open what the actors use; one per worker process."""
    from shared.db import build_engine, build_session_factory
    from shared.platforms import build_http_client, build_platforms

    return WorkerContext(
        settings=settings,
        sessions=sessions or build_session_factory(build_engine(settings)),
        cipher=cipher_from_settings(settings),
        platforms=build_platforms(settings, build_http_client(settings)),
    )
