"""Users, roles and credentials: what a user may do, and how secrets are hashed.

Passwords are hashed with scrypt (``hashlib.scrypt``, N=2**14, r=8, p=1, 16-byte salt), stored
as ``scrypt$N$r$p$salt$hash`` so the cost can be raised later without breaking old hashes.
Session cookies and API tokens are random 256-bit strings; only their SHA-256 is stored, so a
leaked database does not leak a usable credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from core.errors import InvalidArgumentError, WhisprError


class Role(StrEnum):
    """What a user is trusted with. Each role includes the rights of the ones below it."""

    ADMIN = "admin"
    TRADER = "trader"
    VIEWER = "viewer"


PERMISSIONS: dict[str, frozenset[Role]] = {
    "ask": frozenset(Role),
    "levels:read": frozenset(Role),
    "stats:read": frozenset(Role),
    "threads:read": frozenset(Role),
    "tokens:own": frozenset(Role),
    "strategies:read": frozenset(Role),
    "strategies:write": frozenset({Role.ADMIN, Role.TRADER}),
    "alerts:read": frozenset(Role),
    "alerts:write": frozenset({Role.ADMIN, Role.TRADER}),
    "audit:all": frozenset({Role.ADMIN}),
    "users:manage": frozenset({Role.ADMIN}),
    "metrics:read": frozenset({Role.ADMIN}),
}
"""Permission name → roles holding it. Routes and tool guards check names, never roles."""

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256
_N, _R, _P = 2**14, 8, 1


class AuthError(WhisprError):
    """Credentials are missing, wrong, expired or revoked (HTTP 401)."""


class Forbidden(WhisprError):
    """The user is known but their role lacks the permission (HTTP 403)."""


@dataclass(frozen=True)
class User:
    """An account. ``username`` is the stable id every store is keyed by."""

    username: str
    role: Role
    disabled: bool = False

    def can(self, permission: str) -> bool:
        """Return whether this user's role holds ``permission`` (unknown names: no)."""
        return not self.disabled and self.role in PERMISSIONS.get(permission, frozenset())


def check_permission(user: User, permission: str) -> None:
    """Raise ``Forbidden`` naming the role and the permission when ``user`` lacks it."""
    if not user.can(permission):
        holders = sorted(r.value for r in PERMISSIONS.get(permission, frozenset()))
        raise Forbidden(
            f"your role ({user.role.value}) cannot do this ({permission}); "
            f"it needs one of: {', '.join(holders) or 'nobody'}"
        )


def parse_role(value: str) -> Role:
    """Return the role named ``value``; raise naming the accepted roles."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise InvalidArgumentError(
            f"unknown role {value!r}; accepted: {', '.join(r.value for r in Role)}"
        ) from None


def check_username(name: str) -> str:
    """Return ``name`` lower-cased when it is a valid username; raise saying what is accepted."""
    low = name.strip().lower()
    if not USERNAME.match(low):
        raise InvalidArgumentError(
            f"invalid username {name!r}: use 2-32 characters a-z, 0-9, '_', '.', '-', "
            "starting with a letter or digit"
        )
    return low


def check_password(password: str) -> str:
    """Return ``password`` when its length is acceptable; raise saying the bounds."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidArgumentError(
            f"passwords need {MIN_PASSWORD} to {MAX_PASSWORD} characters (got {len(password)})"
        )
    return password


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """Return the scrypt hash string of ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 2**20)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Return whether ``password`` matches the stored scrypt hash (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 2**20,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def new_secret(prefix: str = "") -> str:
    """Return a new random credential (256 bits, URL-safe), e.g. ``wsp_…`` for API tokens."""
    return prefix + secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    """Return the SHA-256 hex digest under which a session or token secret is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def random_password() -> str:
    """Return a random 20-character password for a bootstrap admin."""
    return secrets.token_urlsafe(15)
