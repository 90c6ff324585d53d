"""Tài khoản: local accounts, logging in, the lockout, administrators' changes.

Logging in fails the same way for an unknown name and a wrong password. After
``LOCK_AFTER`` failures in a row an account is locked for ``FIRST_LOCK``, doubling with each
further failure up to ``MAX_LOCK``; while locked no password is checked at all. A login with
a hash of older parameters stores a new one (``credentials``).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.collation import nfc
from ..store.database import Database
from ..store.models_accounts import AppUser
from . import credentials
from .audit import Actor, now_utc, record
from .credentials import (
    DEMO_USERNAME,
    check_password,
    dummy_hash,
    hash_password,
    needs_rehash,
    normalise_username,
    username_problem,
    verify_password,
)
from .errors import InputRefused, NotFound
from .permissions import ACCOUNT_ROLES, Permission, Role

# the name and password checks, so that the login and users dialogs import one module
MIN_PASSWORD = credentials.MIN_PASSWORD
password_problem = credentials.password_problem

LOCK_AFTER = 5
FIRST_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)
_WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


class AuthFailed(InputRefused):
    """Logging in (or proving the current password) failed; nothing but the counter and the
    audit trail changed."""


class AccountLocked(AuthFailed):
    """Too many failures in a row: no password is checked until ``until`` (UTC)."""

    def __init__(self, message: str, until: datetime, seconds_left: int) -> None:
        super().__init__(message)
        self.until = until
        self.seconds_left = seconds_left


@dataclass(frozen=True)
class UserSummary:
    """One account as the users list shows it (never the hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    password_changed_at: datetime

    @property
    def role_label(self) -> str:
        return self.role.label


# ---- lockout ---------------------------------------------------------------------------------


def lock_delay(failures: int) -> timedelta | None:
    """How long the account is locked after ``failures`` failures in a row (None: not at all):
    30 s at the 5th, doubling with each further one, at most 15 minutes."""
    if failures < LOCK_AFTER:
        return None
    steps = min(failures - LOCK_AFTER, 10)  # 30 s × 2¹⁰ is far beyond the cap already
    return min(FIRST_LOCK * 2**steps, MAX_LOCK)


def is_locked(user: AppUser, now: datetime) -> bool:
    return (
        user.failed_attempts >= LOCK_AFTER
        and user.locked_until is not None
        and now < user.locked_until
    )


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} giây"
    return f"{minutes} phút" + (f" {rest} giây" if rest else "")


def _locked_error(user: AppUser, now: datetime) -> AccountLocked:
    assert user.locked_until is not None
    left = max(1, -(-(user.locked_until - now) // timedelta(seconds=1)))  # rounded up
    return AccountLocked(
        f"Tài khoản '{user.username}' đang tạm khóa vì đăng nhập sai nhiều lần; "
        f"hãy thử lại sau {_duration(left)}.",
        user.locked_until,
        left,
    )


# ---- reading ---------------------------------------------------------------------------------


def _summary(user: AppUser) -> UserSummary:
    return UserSummary(
        user.id,
        user.username,
        user.display_name,
        Role(user.role),
        user.active,
        user.failed_attempts,
        user.locked_until,
        user.created_at,
        user.password_changed_at,
    )


def has_users(db: Database) -> bool:
    """Whether any account exists (none: the first run creates the administrator)."""
    with db.session() as s:
        return bool(s.scalar(select(func.count()).select_from(AppUser)))


def list_users(db: Database) -> list[UserSummary]:
    with db.session() as s:
        return [_summary(u) for u in s.scalars(select(AppUser).order_by(AppUser.username))]


def _find(session: Session, username: str) -> AppUser | None:
    return session.scalar(select(AppUser).where(AppUser.username == normalise_username(username)))


def _get(session: Session, username: str) -> AppUser:
    user = _find(session, username)
    if user is None:
        raise NotFound(f"Không có tài khoản '{normalise_username(username)}'.")
    return user


def _snapshot(user: AppUser) -> dict[str, object]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
    }


def actor_of(user: AppUser | UserSummary, machine: str | None = None) -> Actor:
    return Actor(user=user.username, machine=machine or socket.gethostname(), role=Role(user.role))


def demo_actor(machine: str | None = None) -> Actor:
    """The demo database's own user (marked as such everywhere it is shown)."""
    return Actor(user=DEMO_USERNAME, machine=machine or socket.gethostname(), role=Role.DEMO)


# ---- creating accounts -----------------------------------------------------------------------


def _new_user(
    session: Session, username: str, display_name: str, role: Role, password: str
) -> AppUser:
    problem = username_problem(username)
    if problem:
        raise InputRefused(problem)
    name = normalise_username(username)
    shown = nfc(display_name).strip()
    if not shown:
        raise InputRefused("Cần nhập họ và tên của người dùng.")
    if len(shown) > 200:
        raise InputRefused("Họ và tên dài quá 200 ký tự.")
    if role not in ACCOUNT_ROLES:
        raise InputRefused(f"Vai trò '{role.label}' không dùng cho tài khoản.")
    check_password(name, password)
    if _find(session, name) is not None:
        raise InputRefused(f"Tài khoản '{name}' đã có.")
    now = now_utc()
    user = AppUser(
        username=name,
        display_name=shown,
        role=role.value,
        password_hash=hash_password(password),
        failed_attempts=0,
        locked_until=None,
        active=True,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    return user


def create_first_admin(
    db: Database, username: str, display_name: str, password: str, *, machine: str | None = None
) -> Actor:
    """The first run's administrator; refused once any account exists. Returns the new
    administrator, logged in."""
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(AppUser)):
            raise InputRefused(
                "Đã có tài khoản; tài khoản quản trị đầu tiên chỉ tạo được khi chưa có ai. "
                "Hãy nhờ quản trị tạo tài khoản cho bạn."
            )
        user = _new_user(s, username, display_name, Role.ADMIN, password)
        creator = Actor(machine=machine or socket.gethostname())
        record(s, creator, "user.create_first_admin", "app_user", user.id, new=_snapshot(user))
        return actor_of(user, machine)


def create_user(
    db: Database, username: str, display_name: str, role: Role, password: str, *, actor: Actor
) -> UserSummary:
    """A new account (administrators only)."""
    actor.require(Permission.MANAGE_USERS)
    with db.session() as s:
        user = _new_user(s, username, display_name, role, password)
        record(s, actor, "user.create", "app_user", user.id, new=_snapshot(user))
        return _summary(user)


# ---- logging in ------------------------------------------------------------------------------


def _failure(session: Session, user: AppUser, now: datetime, machine: str, why: str) -> AuthFailed:
    user.failed_attempts += 1
    delay = lock_delay(user.failed_attempts)
    user.locked_until = now + delay if delay else None
    record(
        session,
        actor_of(user, machine),
        "user.login_failed",
        "app_user",
        user.id,
        new={"failed_attempts": user.failed_attempts, "locked_until": user.locked_until},
        reason=why,
    )
    if delay:
        return AuthFailed(f"{_WRONG} Tài khoản tạm khóa {_duration(int(delay.total_seconds()))}.")
    return AuthFailed(_WRONG)


def _prove(
    session: Session, username: str, password: str, now: datetime, machine: str, why: str
) -> AppUser | AuthFailed:
    """The account when ``password`` is its password; otherwise the error to raise (after
    the session has committed the failure counter and the audit event)."""
    user = _find(session, username)
    if user is None:
        verify_password(password, dummy_hash())  # the same time as a real check
        record(
            session,
            Actor(user="không rõ", machine=machine),
            "user.login_failed",
            "app_user",
            None,
            reason="không có tài khoản với tên đã nhập",  # the name itself may be a password
        )
        return AuthFailed(_WRONG)
    if is_locked(user, now):
        record(
            session,
            actor_of(user, machine),
            "user.login_failed",
            "app_user",
            user.id,
            new={"locked_until": user.locked_until},
            reason="tài khoản đang tạm khóa",
        )
        return _locked_error(user, now)
    if not verify_password(password, user.password_hash):
        return _failure(session, user, now, machine, why)
    user.failed_attempts, user.locked_until = 0, None
    return user


def authenticate(
    db: Database,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    machine: str | None = None,
) -> Actor:
    """The logged-in actor; AuthFailed (AccountLocked while locked) otherwise."""
    now = now or now_utc()
    machine = machine or socket.gethostname()
    with db.session() as s:
        found = _prove(s, username, password, now, machine, "sai mật khẩu")
        if isinstance(found, AuthFailed):
            refusal = found
        elif not found.active:
            record(
                s,
                actor_of(found, machine),
                "user.login_failed",
                "app_user",
                found.id,
                reason="tài khoản đã ngừng hoạt động",
            )
            refusal = AuthFailed(
                f"Tài khoản '{found.username}' đã ngừng hoạt động; hãy liên hệ quản trị."
            )
        else:
            if needs_rehash(found.password_hash):
                found.password_hash = hash_password(password)
            record(s, actor_of(found, machine), "user.login", "app_user", found.id)
            return actor_of(found, machine)
    raise refusal  # after the commit: the counter and the audit event stay


# ---- changing accounts -----------------------------------------------------------------------


def change_password(
    db: Database,
    username: str,
    old: str,
    new: str,
    *,
    now: datetime | None = None,
    machine: str | None = None,
) -> None:
    """The user's own change: the current password is checked like a login (failures count
    towards the lock)."""
    now = now or now_utc()
    machine = machine or socket.gethostname()
    check_password(username, new)
    with db.session() as s:
        found = _prove(s, username, old, now, machine, "sai mật khẩu hiện tại khi đổi mật khẩu")
        if isinstance(found, AuthFailed):
            refusal = found
        else:
            found.password_hash = hash_password(new)
            found.password_changed_at = now
            record(s, actor_of(found, machine), "user.password_change", "app_user", found.id)
            return
    raise refusal


def reset_password(db: Database, username: str, new_password: str, *, actor: Actor) -> None:
    """An administrator sets a new password (and lifts a lock)."""
    actor.require(Permission.MANAGE_USERS)
    with db.session() as s:
        user = _get(s, username)
        check_password(user.username, new_password)
        user.password_hash = hash_password(new_password)
        user.password_changed_at = now_utc()
        user.failed_attempts, user.locked_until = 0, None
        record(s, actor, "user.password_reset", "app_user", user.id, new=_snapshot(user))


def _active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AppUser)
            .where(AppUser.role == Role.ADMIN.value, AppUser.active.is_(True))
        )
        or 0
    )


def _keep_an_admin(session: Session, user: AppUser) -> None:
    if user.role == Role.ADMIN.value and user.active and _active_admins(session) <= 1:
        raise InputRefused(
            f"'{user.username}' là quản trị cuối cùng còn hoạt động; hãy tạo hoặc kích hoạt "
            "một tài khoản quản trị khác trước."
        )


def set_role(db: Database, username: str, role: Role, *, actor: Actor) -> bool:
    """Give an account another role; False when it already has it."""
    actor.require(Permission.MANAGE_USERS)
    if role not in ACCOUNT_ROLES:
        raise InputRefused(f"Vai trò '{role.label}' không dùng cho tài khoản.")
    with db.session() as s:
        user = _get(s, username)
        if user.role == role.value:
            return False
        if role is not Role.ADMIN:
            _keep_an_admin(s, user)
        old = _snapshot(user)
        user.role = role.value
        record(s, actor, "user.role", "app_user", user.id, old=old, new=_snapshot(user))
        return True


def set_active(db: Database, username: str, active: bool, *, actor: Actor) -> bool:
    """Disable (or enable again) an account; False when nothing changed."""
    actor.require(Permission.MANAGE_USERS)
    with db.session() as s:
        user = _get(s, username)
        if user.active == active:
            return False
        if not active:
            _keep_an_admin(s, user)
        old = _snapshot(user)
        user.active = active
        if active:
            user.failed_attempts, user.locked_until = 0, None
        action = "user.enable" if active else "user.disable"
        record(s, actor, action, "app_user", user.id, old=old, new=_snapshot(user))
        return True


def set_display_name(db: Database, username: str, display_name: str, *, actor: Actor) -> bool:
    """Correct the name shown for an account; False when nothing changed."""
    actor.require(Permission.MANAGE_USERS)
    shown = nfc(display_name).strip()
    if not shown or len(shown) > 200:
        raise InputRefused("Họ và tên cần từ 1 đến 200 ký tự.")
    with db.session() as s:
        user = _get(s, username)
        if user.display_name == shown:
            return False
        old = _snapshot(user)
        user.display_name = shown
        record(s, actor, "user.rename", "app_user", user.id, old=old, new=_snapshot(user))
        return True
