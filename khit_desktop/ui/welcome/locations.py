"""Where a new database may be made, or an existing one opened, at the first run: plain
checks, tested without widgets. Each answer is one Vietnamese sentence of what is wrong and
what to do, or None."""

from __future__ import annotations

import sys
from pathlib import Path

from ...store.location import network_share_reason

DB_SUFFIX = ".db"


def with_db_suffix(path: Path) -> Path:
    """``khit`` → ``khit.db``; a name already ending in .db (any case) is kept."""
    return path if path.suffix.lower() == DB_SUFFIX else path.with_name(path.name + DB_SUFFIX)


def install_folder() -> Path | None:
    """The folder the program is installed in (a frozen build), None when run from source."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(sys.executable).resolve().parent


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _common_problem(path: Path) -> str | None:
    reason = network_share_reason(path)
    if reason is not None:
        return (
            f"Không đặt cơ sở dữ liệu trên {reason}: SQLite qua mạng có thể làm hỏng dữ liệu. "
            "Hãy chọn một thư mục trên ổ đĩa của máy này."
        )
    installed = install_folder()
    if installed is not None and _inside(path, installed):
        return (
            "Không lưu dữ liệu trong thư mục cài đặt chương trình (sẽ mất khi cập nhật hoặc gỡ "
            "chương trình). Hãy chọn thư mục khác, ví dụ thư mục dữ liệu mặc định."
        )
    return None


def new_location_problem(path: Path) -> str | None:
    """Why a new database cannot be made at ``path``."""
    problem = _common_problem(path)
    if problem is not None:
        return problem
    if path.exists():
        return (
            f"Đã có tệp {path.name} ở đó. Để dùng tệp này, chọn “Mở cơ sở dữ liệu đã có…”; "
            "để tạo mới, chọn tên hoặc thư mục khác."
        )
    if path.parent.exists() and not path.parent.is_dir():
        return f"{path.parent} không phải là thư mục; hãy chọn nơi khác."
    return None


def existing_location_problem(path: Path) -> str | None:
    """Why the file at ``path`` cannot be opened as a KHIT database (nothing is written)."""
    problem = _common_problem(path)
    if problem is not None:
        return problem
    if not path.is_file():
        return f"Không tìm thấy tệp {path}."
    from ...store.database import inspect_sqlite_file
    from ...store.errors import DatabaseError

    try:
        inspect_sqlite_file(path)
    except DatabaseError as exc:
        return str(exc)
    return None
