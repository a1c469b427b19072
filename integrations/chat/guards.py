"""Role checks inside tools: a store wrapper that refuses writes the user's role lacks.

The assistant's tools write strategies and alerts through the stores in ``ToolContext.services``.
A viewer gets the same stores wrapped in ``RoleGuard``: reads pass through, writes raise
``Forbidden`` (a ``WhisprError``), which the tool layer turns into a polite reply. Services not
listed in ``WRITES`` pass through unchanged.
"""

from __future__ import annotations

from typing import Any

from integrations.chat.accounts import User, check_permission

WRITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "strategies": ("strategies:write", ("save", "delete", "share")),
    "alerts": ("alerts:write", ("add", "set_paused", "delete")),
    "watches": ("alerts:write", ("add", "set_paused", "delete")),
    "briefings": ("alerts:write", ("add", "set_paused", "delete")),
}
"""Service name → (permission, methods that write)."""


class RoleGuard:
    """A store whose write methods first check the user's permission."""

    def __init__(self, store: Any, user: User, permission: str, writes: tuple[str, ...]) -> None:
        self._store = store
        self._user = user
        self._permission = permission
        self._writes = writes

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if name not in self._writes:
            return attr

        def guarded(*args: Any, **kwargs: Any) -> Any:
            check_permission(self._user, self._permission)
            return attr(*args, **kwargs)

        return guarded


def guard_services(services: dict[str, Any], user: User) -> dict[str, Any]:
    """Return a copy of ``services`` with write-guarded stores for a user lacking a write right."""
    out = dict(services)
    for name, (permission, writes) in WRITES.items():
        if name in out and not user.can(permission):
            out[name] = RoleGuard(out[name], user, permission, writes)
    return out
