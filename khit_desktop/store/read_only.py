"""An archive opens read-only: every change is refused in one place.

A database whose ``meta`` table holds ``read_only`` = '1' (a round exported by ``khit
export-round`` for the council's archive) gets a guard on its sessions: a flush with any new,
changed or deleted object, and any INSERT, UPDATE or DELETE run through a session, raise
``ReadOnlyDatabaseError`` before the database is touched. Services need no check of their
own, like the frozen-form guard (``store.frozen``). SQLite connections of such a file are
also opened with ``PRAGMA query_only`` as a second wall.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from .errors import ReadOnlyDatabaseError

READ_ONLY_KEY = "read_only"
ARCHIVE_YEAR_KEY = "archive_year"

MESSAGE = (
    "Đây là tệp lưu trữ chỉ đọc (xuất từ máy chủ để lưu hồ sơ một năm đã chốt): chỉ xem, in "
    "và xuất được, không sửa được. Muốn sửa, hãy làm trên cơ sở dữ liệu chính."
)


def is_read_only(engine: Engine) -> bool:
    """Whether the database is marked as a read-only archive."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("meta"):
            return False
        value = conn.execute(
            text("SELECT value FROM meta WHERE key = :k"), {"k": READ_ONLY_KEY}
        ).scalar()
        conn.rollback()
    return value == "1"


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
            raise ReadOnlyDatabaseError(MESSAGE)


def _refuse_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyDatabaseError(MESSAGE)


def install_read_only_guard(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _refuse_flush)
    event.listen(factory, "do_orm_execute", _refuse_statement)


def sqlite_query_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()
