"""Password hashing with argon2id (argon2-cffi's ``PasswordHasher``)."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from workflow.core.errors import InvalidInput
from workflow.core.i18n import _

#: Bounds of a password (argon2 takes any length; a bound keeps requests small).
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

HASHER = PasswordHasher()  # argon2id with argon2-cffi's recommended parameters


def hash_password(password: str) -> str:
    """The argon2id hash of a password of acceptable length.

    :raises InvalidInput: shorter than ``MIN_PASSWORD_LENGTH`` or longer than the maximum.
    """
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            _("a password must have from {min} to {max} characters, this one has {n}").format(
                min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH, n=len(password)
            )
        )
    return HASHER.hash(password)


@functools.cache
def dummy_hash() -> str:
    """A hash no password matches: unknown users are verified against it, so that a login
    takes as long for them as for a known user with a wrong password."""
    return HASHER.hash(secrets.token_urlsafe(32))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (None: no password set; checked against a
    dummy hash all the same)."""
    try:
        HASHER.verify(stored or dummy_hash(), password[:MAX_PASSWORD_LENGTH])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return stored is not None
