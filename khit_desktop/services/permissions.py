"""Roles and what each may do. Checked in the services, so the window and `khit` obey the
same rules; a refusal names the roles that may do it.

- Quản trị (admin): accounts, round rules and criteria sets, new rounds, reopening a
  finalised round, backups and restores.
- Cán bộ Tổ giúp việc (clerk): receipts, imports, scores, surveys, explanations, the
  council roster, the decision's number, past years' results.
- Thành viên Hội đồng (member): reads everything, comments, records council decisions.
- Chủ tịch Hội đồng (chair): what a member does, and finalises a round.
- Minh họa (demo): the demo database's own user, everything, marked as such.
- Người xem tệp lưu trữ (reader): whoever opens a read-only archive of one round (issue 9):
  reads and exports, nothing else; never an account's role.
- Hệ thống (system): the program itself (building the demo, first initialisation); never an
  account's role.
"""

from __future__ import annotations

from enum import Enum

from .errors import InputRefused


class Role(Enum):
    ADMIN = "admin"
    CLERK = "clerk"
    MEMBER = "member"
    CHAIR = "chair"
    DEMO = "demo"
    READER = "reader"
    SYSTEM = "system"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Quản trị",
    Role.CLERK: "Cán bộ Tổ giúp việc",
    Role.MEMBER: "Thành viên Hội đồng",
    Role.CHAIR: "Chủ tịch Hội đồng",
    Role.DEMO: "Người dùng minh họa",
    Role.READER: "Người xem tệp lưu trữ",
    Role.SYSTEM: "Hệ thống",
}
ACCOUNT_ROLES = (Role.ADMIN, Role.CLERK, Role.MEMBER, Role.CHAIR)  # roles an account may have


class Permission(Enum):
    """Each names, in Vietnamese, the action it allows (used in refusals)."""

    READ = "xem kết quả và hồ sơ"
    MANAGE_USERS = "quản lý tài khoản"
    EDIT_RULES = "sửa quy tắc của kỳ đánh giá"
    CREATE_ROUND = "tạo kỳ đánh giá"
    MANAGE_CRITERIA = "nhập, chọn bộ tiêu chí"
    REOPEN_ROUND = "mở lại kỳ đánh giá đã chốt"
    FINALISE_ROUND = "chốt kỳ đánh giá"
    RECEIPTS = "tiếp nhận phiếu"
    IMPORT_FORMS = "nhập phiếu tự đánh giá"
    EDIT_SCORES = "chấm điểm, thẩm định"
    SURVEYS = "khảo sát thực tế"
    EXPLANATIONS = "đề nghị và ghi nhận giải trình"
    ROSTER = "sửa danh sách Hội đồng, Tổ giúp việc"
    COUNCIL_DECISIONS = "ghi quyết định của Hội đồng"
    COMMENT = "ghi ý kiến"
    SET_DECISION = "ghi số, ngày quyết định công bố"
    IMPORT_HISTORY = "nhập kết quả đã công bố các năm trước"
    EXPORT = "xuất báo cáo, phụ lục"
    BACKUP = "sao lưu"
    RESTORE = "phục hồi từ bản sao lưu"


# council members and the chair review and comment; the council's decisions are written into
# the program by its secretariat, the working team (Tổ giúp việc), after the meeting
_MEMBER = {Permission.READ, Permission.EXPORT, Permission.COMMENT}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            Permission.READ,
            Permission.EXPORT,
            Permission.MANAGE_USERS,
            Permission.EDIT_RULES,
            Permission.CREATE_ROUND,
            Permission.MANAGE_CRITERIA,
            Permission.REOPEN_ROUND,
            Permission.BACKUP,
            Permission.RESTORE,
        }
    ),
    Role.CLERK: frozenset(
        {
            Permission.READ,
            Permission.EXPORT,
            Permission.RECEIPTS,
            Permission.IMPORT_FORMS,
            Permission.EDIT_SCORES,
            Permission.SURVEYS,
            Permission.EXPLANATIONS,
            Permission.ROSTER,
            Permission.COUNCIL_DECISIONS,
            Permission.SET_DECISION,
            Permission.IMPORT_HISTORY,
            Permission.BACKUP,
        }
    ),
    Role.MEMBER: frozenset(_MEMBER),
    Role.CHAIR: frozenset(_MEMBER | {Permission.FINALISE_ROUND}),
    Role.DEMO: frozenset(Permission),
    Role.READER: frozenset({Permission.READ, Permission.EXPORT}),
    Role.SYSTEM: frozenset(Permission),
}


class PermissionDenied(InputRefused):
    """The actor's role does not allow the action (exit code 3 in `khit`, like any refusal)."""


def roles_allowed(permission: Permission) -> list[Role]:
    return [r for r in ACCOUNT_ROLES if permission in GRANTS[r]]


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]


def require(role: Role, permission: Permission, who: str = "") -> None:
    """Raise PermissionDenied naming the roles that may do ``permission``."""
    if allows(role, permission):
        return
    needed = " hoặc ".join(r.label for r in roles_allowed(permission))
    person = f"{who} ({role.label})" if who else role.label
    raise PermissionDenied(
        f"Tài khoản {person} không được {permission.value}. Việc này cần vai trò {needed}."
    )
