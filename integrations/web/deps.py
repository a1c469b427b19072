"""Request dependencies: who is calling (API token or session cookie) and what they may do.

Credentials, in order: ``Authorization: Bearer wsp_…`` (API tokens), then the ``whispr_session``
cookie set by ``POST /api/login``. Cookie-authenticated requests that change state must carry
``X-Whispr-CSRF: 1``: a cross-site form cannot set that header, and the cookie is
``SameSite=Strict`` as well.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from integrations.chat.accounts import AuthError, Forbidden, User, check_permission
from integrations.chat.service import ChatService
from integrations.chat.settings import ChannelSettings

COOKIE = "whispr_session"
CSRF_HEADER = "x-whispr-csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def get_service(request: Request) -> ChatService:
    """Return the app's chat service."""
    return request.app.state.service


def get_settings(request: Request) -> ChannelSettings:
    """Return the app's settings."""
    return request.app.state.settings


def current_user(request: Request) -> User:
    """Return the authenticated user; raise 401 with the reason when there is none."""
    accounts = get_service(request).accounts
    header = request.headers.get("authorization", "")
    try:
        if header:
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise AuthError("use 'Authorization: Bearer <API token>'")
            return accounts.token_user(secret.strip())
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            raise AuthError("log in (POST /api/login) or send an API token")
        user = accounts.session_user(cookie)
    except AuthError as exc:
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
    if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != "1":
        raise HTTPException(403, "missing X-Whispr-CSRF: 1 header on a cookie-authenticated call")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
Service = Annotated[ChatService, Depends(get_service)]
Settings = Annotated[ChannelSettings, Depends(get_settings)]


def require(permission: str) -> Callable[[User], User]:
    """Return a dependency giving the current user when their role holds ``permission``
    (403 naming the role otherwise). Use it on every route that reads or writes user data:

        @router.post("/api/strategies")
        def create(user: Annotated[User, Depends(require("strategies:write"))]): ...
    """

    def dependency(user: CurrentUser) -> User:
        try:
            check_permission(user, permission)
        except Forbidden as exc:
            raise HTTPException(403, str(exc)) from None
        return user

    dependency.__name__ = f"require_{permission.replace(':', '_')}"
    return dependency
