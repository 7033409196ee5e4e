"""Passwords: argon2id (memory-hard) through argon2-cffi; never stored or logged in clear.
Sign-in attempts are limited per account name and per address (back-off by lock-out windows)."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..i18n import N_
from .models import LoginAttempt, now

# argon2-cffi's RFC 9106 "low memory" profile: 64 MiB, 3 passes (about 50 ms here)
HASHER = PasswordHasher()
MIN_LENGTH = 10
FAILURES_ALLOWED = 5  # within the window, per account name and per address
WINDOW = timedelta(minutes=15)
# a hash to verify against when the account does not exist, so that the answer takes as long
_DUMMY = HASHER.hash("no such account: the time of a real verification")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is refused (a message id of the catalogue), or None."""
    if len(password) < MIN_LENGTH:
        return N_("The password needs at least 10 characters.")
    if len(set(password)) < 4:
        return N_("The password repeats too few characters.")
    return None


def throttled(db: Session, username: str, address: str) -> bool:
    """Too many failed sign-ins lately for this name or from this address."""
    since = now() - WINDOW
    for column, value in ((LoginAttempt.username, username), (LoginAttempt.address, address)):
        failures = db.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(column == value, LoginAttempt.at >= since, LoginAttempt.success.is_(False))
        )
        if failures >= FAILURES_ALLOWED * (1 if column is LoginAttempt.username else 4):
            return True
    return False


def record_attempt(db: Session, username: str, address: str, success: bool) -> None:
    db.add(LoginAttempt(username=username[:64], address=address[:64], success=success))
