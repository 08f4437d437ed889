"""Encryption of platform credentials at rest.

AES-256-GCM with a key ring: the newest key encrypts, every key decrypts. Each ciphertext is
bound to the row it belongs to (organization and platform, as associated data), so a
ciphertext copied into another organization's row fails to decrypt there instead of leaking.

Stored form: `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`; the key id is the first
8 hex digits of the key's SHA-256, so rotation knows which key made a row.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.config import Settings

NONCE_BYTES = 12  # GCM's standard nonce size; random per encryption.
KEY_BYTES = 32


class CredentialDecryptError(Exception):
    """A stored secret cannot be decrypted: an unknown key, or a ciphertext from another row."""


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


class CredentialCipher:
    def __init__(self, encoded_keys: list[str]):
        if not encoded_keys:
            raise ValueError("no encryption key configured (JOBPUB_ENCRYPTION_KEYS)")
        self._keys: dict[str, AESGCM] = {}
        for encoded in encoded_keys:
            key = base64.urlsafe_b64decode(encoded.strip().encode())
            if len(key) != KEY_BYTES:
                raise ValueError("each encryption key must be 32 bytes, base64-encoded (jobpub keygen makes one)")
            self._keys[_key_id(key)] = AESGCM(key)
        self._newest = next(iter(self._keys))  # the first key listed (a dict keeps the order keys came in)

    @classmethod
    def from_setting(cls, value: str) -> CredentialCipher:
        return cls([part for part in value.split(",") if part.strip()])

    def encrypt(self, plaintext: str, *, bound_to: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self._newest].encrypt(nonce, plaintext.encode(), bound_to.encode())
        return f"v1.{self._newest}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, *, bound_to: str) -> str:
        try:
            version, key_id, body = stored.split(".", 2)
            raw = base64.urlsafe_b64decode(body.encode())
        except ValueError as error:
            raise CredentialDecryptError("stored secret is malformed") from error
        if version != "v1" or key_id not in self._keys:
            raise CredentialDecryptError(f"stored secret was made with key {key_id}, which is not configured")
        try:
            return self._keys[key_id].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], bound_to.encode()).decode()
        except InvalidTag as error:
            raise CredentialDecryptError("stored secret does not belong to this organization and platform") from error

    def needs_rotation(self, stored: str) -> bool:
        return not stored.startswith(f"v1.{self._newest}.")


def cipher_from_settings(settings: Settings) -> CredentialCipher:
    """The cipher for `JOBPUB_ENCRYPTION_KEYS`; a clear error when none is configured."""
    if settings.encryption_keys is None:
        raise ValueError("JOBPUB_ENCRYPTION_KEYS is not set; make a key with `jobpub keygen`")
    return CredentialCipher.from_setting(settings.encryption_keys.get_secret_value())
