"""``khit user …``: accounts (administrators) and one's own password."""

from __future__ import annotations

import json
import sys
from typing import Any

from .cli_auth import ENV_PASSWORD, read_new_password, read_password
from .cli_parser import EXIT_OK, Parser
from .domain.dates import format_date
from .services import accounts, credentials
from .services.audit import Actor
from .services.permissions import ACCOUNT_ROLES, Permission, Role
from .store.database import Database

COMMANDS = ("user",)
ROLE_HELP = "; ".join(f"{r.value} = {r.label}" for r in ACCOUNT_ROLES)


def add_commands(commands: Any, with_db: Any) -> None:
    user = commands.add_parser("user", help="tài khoản người dùng")
    sub = user.add_subparsers(dest="user_command", metavar="LỆNH", parser_class=Parser)
    sub.required = True
    listing = with_db(sub.add_parser("list", help="liệt kê các tài khoản"))
    listing.add_argument("--json", action="store_true", help="in dạng JSON")
    add = with_db(
        sub.add_parser(
            "add",
            help="tạo tài khoản (quản trị)",
            description="Mật khẩu của tài khoản mới lấy từ biến KHIT_NEW_PASSWORD hoặc được "
            "hỏi hai lần.",
        )
    )
    add.add_argument("name", metavar="TÊN", help="tên đăng nhập mới")
    add.add_argument("--role", required=True, choices=_roles(), help=ROLE_HELP)
    add.add_argument("--name", dest="display_name", metavar="HỌ_TÊN", help="họ và tên")
    reset = with_db(
        sub.add_parser(
            "reset-password",
            help="đặt lại mật khẩu và mở khóa (quản trị)",
            description="Mật khẩu mới lấy từ biến KHIT_NEW_PASSWORD hoặc được hỏi hai lần.",
        )
    )
    reset.add_argument("name", metavar="TÊN")
    for verb, text in (("disable", "ngừng"), ("enable", "cho hoạt động lại")):
        toggle = with_db(sub.add_parser(verb, help=f"{text} một tài khoản (quản trị)"))
        toggle.add_argument("name", metavar="TÊN")
    role = with_db(sub.add_parser("role", help="đổi vai trò của một tài khoản (quản trị)"))
    role.add_argument("name", metavar="TÊN")
    role.add_argument("role", metavar="VAI_TRÒ", choices=_roles(), help=ROLE_HELP)
    with_db(
        sub.add_parser(
            "password",
            help="đổi mật khẩu của chính mình",
            description="Mật khẩu hiện tại lấy từ biến KHIT_PASSWORD hoặc được hỏi; mật khẩu "
            "mới từ KHIT_NEW_PASSWORD hoặc được hỏi hai lần.",
        )
    )


def _roles() -> list[str]:
    return [r.value for r in ACCOUNT_ROLES]


def _user_json(u: accounts.UserSummary) -> dict[str, Any]:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role.value,
        "role_label": u.role_label,
        "active": u.active,
        "failed_attempts": u.failed_attempts,
        "locked_until": u.locked_until.isoformat() if u.locked_until else None,
        "created_at": u.created_at.isoformat(),
        "password_changed_at": u.password_changed_at.isoformat(),
    }


def _print_users(users: list[accounts.UserSummary]) -> None:
    for u in users:
        state = "" if u.active else " (đã ngừng)"
        print(
            f"{u.username}\t{u.display_name}\t{u.role_label}{state}"
            f"\tđổi mật khẩu {format_date(u.password_changed_at.date())}"
        )


def run(ns: Any, db: Database, actor: Actor) -> int:
    command = ns.user_command
    if command == "list":
        users = accounts.list_users(db)
        if ns.json:
            print(json.dumps([_user_json(u) for u in users], ensure_ascii=False, indent=2))
        else:
            _print_users(users)
        return EXIT_OK
    if command == "password":
        current = read_password(f"Mật khẩu hiện tại của '{actor.user}': ", ENV_PASSWORD)
        accounts.change_password(db, actor.user, current, read_new_password(actor.user))
        print(f"Đã đổi mật khẩu của '{actor.user}'.", file=sys.stderr)
        return EXIT_OK
    # the permission is checked before a new password is asked for
    actor.require(Permission.MANAGE_USERS)
    name = credentials.normalise_username(ns.name)
    if command == "add":
        password = read_new_password(name)
        made = accounts.create_user(
            db, name, ns.display_name or name, Role(ns.role), password, actor=actor
        )
        print(f"Đã tạo tài khoản '{made.username}' ({made.role_label}).", file=sys.stderr)
    elif command == "reset-password":
        accounts.reset_password(db, name, read_new_password(name), actor=actor)
        print(f"Đã đặt lại mật khẩu của '{name}'.", file=sys.stderr)
    elif command in ("disable", "enable"):
        changed = accounts.set_active(db, name, command == "enable", actor=actor)
        state = "hoạt động" if command == "enable" else "đã ngừng"
        print(f"Tài khoản '{name}': {state}{'' if changed else ' (không đổi)'}.", file=sys.stderr)
    else:
        changed = accounts.set_role(db, name, Role(ns.role), actor=actor)
        label = Role(ns.role).label
        print(f"Tài khoản '{name}': {label}{'' if changed else ' (không đổi)'}.", file=sys.stderr)
    return EXIT_OK
