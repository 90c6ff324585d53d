"""Logging in on the command line, so that ``khit`` obeys the same rules as the window.

The user name comes from ``--user`` or ``KHIT_USER``; the password from ``KHIT_PASSWORD`` or
a prompt that does not echo. A new password (``khit init``, ``khit user add``, ``khit user
reset-password``, ``khit user password``) comes from ``KHIT_NEW_PASSWORD`` (``KHIT_PASSWORD``
for ``init``, where nobody is logged in yet) or is asked twice. Without a terminal and
without the variable, the command is refused rather than left waiting for input.
A demo database logs in by itself as the demo user.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from .services import accounts, credentials
from .services.audit import Actor
from .services.errors import InputRefused
from .store.database import Database
from .store.errors import DatabaseError

ENV_USER, ENV_PASSWORD, ENV_NEW_PASSWORD = "KHIT_USER", "KHIT_PASSWORD", "KHIT_NEW_PASSWORD"
DEFAULT_ADMIN = "admin"
DEFAULT_ADMIN_NAME = "Quản trị"
DEMO_LOGIN = (
    f"Cơ sở dữ liệu minh họa: tự đăng nhập là người dùng minh họa '{credentials.DEMO_USERNAME}'."
)


READ_ONLY_NOTE = "Tệp lưu trữ chỉ đọc: không cần đăng nhập, chỉ xem và xuất được."


def add_login_option(parser: Any) -> None:
    parser.add_argument(
        "--user",
        metavar="TÊN",
        help=f"tên đăng nhập (hoặc biến môi trường {ENV_USER}); mật khẩu lấy từ biến "
        f"{ENV_PASSWORD} hoặc được hỏi",
    )


def interactive() -> bool:
    """Whether a person can answer a prompt (stdin is a terminal)."""
    stream = sys.stdin
    return stream is not None and stream.isatty()


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def read_password(prompt: str, env: str = ENV_PASSWORD) -> str:
    """The password from ``env`` or, in a terminal, typed without echo."""
    value = _env(env)
    if value is not None:
        return value
    if not interactive():
        raise InputRefused(
            f"Cần mật khẩu: đặt biến môi trường {env} hoặc chạy lệnh trong cửa sổ dòng lệnh "
            "để nhập mật khẩu."
        )
    return getpass.getpass(prompt)


def read_new_password(username: str, env: str = ENV_NEW_PASSWORD) -> str:
    """A new password for ``username``: from ``env`` or typed twice; checked against the
    policy before anything is written."""
    value = _env(env)
    if value is None:
        if not interactive():
            raise InputRefused(
                f"Cần mật khẩu mới cho '{username}': đặt biến môi trường {env} hoặc chạy lệnh "
                "trong cửa sổ dòng lệnh để nhập mật khẩu."
            )
        value = getpass.getpass(f"Mật khẩu mới cho '{username}': ")
        if getpass.getpass("Nhập lại mật khẩu mới: ") != value:
            raise InputRefused("Hai lần nhập mật khẩu không giống nhau; chưa lưu gì.")
    problem = credentials.username_problem(username) or credentials.password_problem(
        username, value
    )
    if problem:
        raise InputRefused(problem)
    return value


def _username(ns: Any) -> str:
    name = getattr(ns, "user", None) or _env(ENV_USER)
    if name:
        return str(name)
    if not interactive():
        raise InputRefused(
            f"Cần đăng nhập: ghi --user TÊN (hoặc đặt biến môi trường {ENV_USER}) và mật khẩu "
            f"trong biến {ENV_PASSWORD}."
        )
    return input("Tên đăng nhập: ")


def login(ns: Any, db: Database, *, demo: bool) -> Actor:
    """The actor every service call of this command runs as."""
    if demo:
        return accounts.demo_actor()
    if db.read_only:  # an archive: nobody logs in (no password left the server); read only
        from .services.archive import reader_actor

        print(READ_ONLY_NOTE, file=sys.stderr)
        return reader_actor()
    if not accounts.has_users(db):
        raise InputRefused(
            f"Cơ sở dữ liệu {db.display_name} chưa có tài khoản nào. Hãy tạo tài khoản quản "
            f'trị bằng lệnh: khit init --db "{db.display_name}" --admin TÊN'
        )
    name = _username(ns)
    return accounts.authenticate(db, name, read_password(f"Mật khẩu của '{name}': "))


def login_for_restore(ns: Any, open_target: Callable[[], Database]) -> Actor:
    """Restoring replaces the database, so the login is checked against it while it can be
    opened and has accounts (only an administrator may restore). A database that is missing,
    damaged or from before accounts cannot check anyone: then the restore runs as the
    program, under the computer's user name (whoever may write the file may already copy
    over it); the restored trail records it."""
    from .services import catalog

    try:
        db = open_target()
    except (DatabaseError, SQLAlchemyError) as cannot:
        print(f"Không mở được cơ sở dữ liệu hiện tại ({cannot}).", file=sys.stderr)
        return _unchecked()
    try:
        demo = catalog.is_demo(db)
        if not demo and not accounts.has_users(db):
            return _unchecked()
        return login(ns, db, demo=demo)
    finally:
        db.dispose()


def _unchecked() -> Actor:
    actor = Actor()
    print(
        f"Phục hồi không qua đăng nhập (cơ sở dữ liệu hiện tại không kiểm tra được tài khoản); "
        f"nhật ký ghi người dùng máy tính '{actor.user}'.",
        file=sys.stderr,
    )
    return actor
