"""Routes: login and logout, the current user, API tokens, and user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from core.errors import InvalidArgumentError
from integrations.chat.accounts import PERMISSIONS, AuthError, Role, User
from integrations.chat.store import TokenInfo
from integrations.web.deps import COOKIE, CurrentUser, Service, Settings, require
from integrations.web.schemas import (
    IdentityBody,
    LoginBody,
    Me,
    NewUser,
    TokenBody,
    TokenOut,
    UserChange,
    UserOut,
)

router = APIRouter(tags=["auth"])
Admin = Annotated[User, Depends(require("users:manage"))]
TokenOwner = Annotated[User, Depends(require("tokens:own"))]


def _me(user: User) -> Me:
    perms = sorted(p for p, roles in PERMISSIONS.items() if user.role in roles)
    return Me(username=user.username, role=user.role.value, permissions=perms)


@router.post("/api/login", response_model=Me)
def login(
    body: LoginBody, request: Request, response: Response, service: Service, settings: Settings
) -> Me:
    """Check a username and password; set the ``whispr_session`` cookie (HttpOnly, SameSite).
    Failed logins are limited per username and per client address."""
    client = request.client.host if request.client else ""
    try:
        user = service.accounts.authenticate(body.username, body.password, client)
    except AuthError as exc:
        service.activity.audit(body.username.lower()[:64], "web", "login", "refused")
        raise HTTPException(401, str(exc)) from None
    ttl = settings.session_hours * 3600
    secret = service.accounts.new_session(user.username, ttl)
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(ttl),
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )
    service.activity.audit(user.username, "web", "login", "success")
    return _me(user)


@router.post("/api/logout", status_code=204)
def logout(request: Request, user: CurrentUser, service: Service) -> Response:
    """End the current session and clear the cookie."""
    cookie = request.cookies.get(COOKIE)
    if cookie:
        service.accounts.end_session(cookie)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/api/me", response_model=Me)
def me(user: CurrentUser) -> Me:
    """Return who is logged in, with their role and permissions."""
    return _me(user)


def _token_out(info: TokenInfo, secret: str | None = None) -> TokenOut:
    return TokenOut(**info.__dict__, token=secret)


@router.get("/api/tokens", response_model=list[TokenOut])
def list_tokens(user: TokenOwner, service: Service) -> list[TokenOut]:
    """List your API tokens (admins: everyone's), without secrets."""
    owner = None if user.can("users:manage") else user.username
    return [_token_out(t) for t in service.accounts.tokens(owner)]


@router.post("/api/tokens", response_model=TokenOut, status_code=201)
def create_token(body: TokenBody, user: TokenOwner, service: Service) -> TokenOut:
    """Create an API token for yourself; the secret is in this response only."""
    info, secret = service.accounts.new_token(user.username, body.name)
    service.activity.audit(user.username, "api", "token_created", "success", args={"id": info.id})
    return _token_out(info, secret)


@router.delete("/api/tokens/{token_id}", status_code=204)
def revoke_token(token_id: str, user: TokenOwner, service: Service) -> None:
    """Revoke one of your API tokens (admins: anyone's); it stops working at once."""
    owner = None if user.can("users:manage") else user.username
    if not service.accounts.revoke_token(token_id[:64], owner):
        raise HTTPException(404, f"no active token {token_id[:64]!r} of yours")
    service.activity.audit(user.username, "api", "token_revoked", "success", args={"id": token_id})


def _user_out(service: Service, user: User) -> UserOut:
    ids = [{"channel": c, "external_id": e} for c, e in service.accounts.identities(user.username)]
    return UserOut(
        username=user.username, role=user.role.value, disabled=user.disabled, identities=ids
    )


@router.get("/api/users", response_model=list[UserOut])
def list_users(admin: Admin, service: Service) -> list[UserOut]:
    """List every account (admins only)."""
    return [_user_out(service, u) for u in service.accounts.users()]


@router.post("/api/users", response_model=UserOut, status_code=201)
def create_user(body: NewUser, admin: Admin, service: Service) -> UserOut:
    """Create an account with a role (admins only)."""
    try:
        user = service.accounts.add_user(body.username, body.password, Role(body.role))
    except InvalidArgumentError as exc:
        raise HTTPException(409 if "exists" in str(exc) else 422, str(exc)) from None
    service.activity.audit(
        admin.username, "api", "user_created", "success", args={"user": user.username}
    )
    return _user_out(service, user)


@router.patch("/api/users/{username}", response_model=UserOut)
def change_user(username: str, body: UserChange, admin: Admin, service: Service) -> UserOut:
    """Change an account's role, disabled flag or password (admins only)."""
    user = service.accounts.get(username[:64])
    if user is None:
        raise HTTPException(404, f"no user {username[:64]!r}")
    if body.role is not None:
        service.accounts.set_role(user.username, Role(body.role))
    if body.disabled is not None:
        service.accounts.set_disabled(user.username, body.disabled)
    if body.password is not None:
        service.accounts.set_password(user.username, body.password)
    changes = body.model_dump(exclude_none=True, exclude={"password"})
    service.activity.audit(
        admin.username, "api", "user_changed", "success", args={"user": user.username, **changes}
    )
    return _user_out(service, service.accounts.get(user.username) or user)


@router.post("/api/users/{username}/identities", response_model=UserOut, status_code=201)
def link_identity(username: str, body: IdentityBody, admin: Admin, service: Service) -> UserOut:
    """Map a Slack or Discord user id to an account (admins only)."""
    try:
        service.accounts.link(username[:64], body.channel, body.external_id)
    except InvalidArgumentError as exc:
        raise HTTPException(404 if "no user" in str(exc) else 422, str(exc)) from None
    service.activity.audit(
        admin.username, "api", "identity_linked", "success",
        args={"user": username, "channel": body.channel, "external_id": body.external_id},
    )  # fmt: skip
    user = service.accounts.get(username)
    assert user is not None
    return _user_out(service, user)
