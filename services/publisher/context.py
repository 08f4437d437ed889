"""What a publisher needs, opened once per worker process: database, cipher, platform adapters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.crypto import CredentialCipher
from shared.platforms.base import Platform


@dataclass
class PublisherContext:
    settings: Settings
    sessions: sessionmaker[Session]
    cipher: CredentialCipher
    platforms: dict[str, Platform]
