"""The admin site's users: made by `jobpub admin create-user`, checked at its sign-in.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults, which follow RFC 9106's
recommendation); a hash made with weaker parameters is upgraded at the next good sign-in.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from shared.models import AdminUser, utcnow

MIN_PASSWORD_LENGTH = 12  # an operator's password opens every organization's records
MAX_NAME_LENGTH = 100  # the column's width

_hasher = PasswordHasher()


@cache
def _decoy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong password
    and the answer's timing does not tell which names exist. Made on first use: a hash costs
    tens of milliseconds and 64 MiB, which no process that never signs anyone in should pay."""
    return _hasher.hash("not a password of anyone's")


class AdminUserProblem(ValueError):
    """A name or password that cannot be used; the message says why."""


def create_admin_user(session: Session, name: str, password: str) -> AdminUser:
    """Add an admin user; raises AdminUserProblem for a bad or taken name, or a short password."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise AdminUserProblem(f"the name must be 1 to {MAX_NAME_LENGTH} characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminUserProblem(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if find_admin_user(session, name) is not None:
        raise AdminUserProblem(f"an admin user named {name!r} exists already")
    user = AdminUser(name=name, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def find_admin_user(session: Session, name: str) -> AdminUser | None:
    return session.scalar(select(AdminUser).where(AdminUser.name == name))


def any_admin_user(session: Session) -> bool:
    """Whether the admin site is on: it is off until its first user exists."""
    return bool(session.scalar(select(exists().where(AdminUser.id.is_not(None)))))


def signed_in_user(session: Session, name: str, password: str) -> AdminUser | None:
    """The user if `password` is theirs, else None; records the sign-in and upgrades an old hash."""
    user = find_admin_user(session, name)
    try:
        _hasher.verify(user.password_hash if user else _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_signed_in_at = utcnow()
    return user
