"""Opening a database: engine, SQLite pragmas, migrations (Alembic), safety backup.

``open_database(target)`` is the only way in: it returns a ``Database`` whose ``session()``
is one transaction. The engine is never global, so each test opens its own file.

A target is a SQLite file (path) or a PostgreSQL server (``postgresql://…``, issue 9). The
SQLite-only pieces — file checks, network-share refusal, pragmas, the copy before an upgrade
— are skipped for a server, which has its own (``pg_dump``, its own locking and durability).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, inspect, select, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..paths import migrations_dir
from .errors import (
    ConcurrentEditError,
    DatabaseError,
    DatabaseTooNewError,
    NotAKhitDatabaseError,
    StaleRowError,
)
from .frozen import install_frozen_form_guard
from .location import refuse_network_share
from .read_only import install_read_only_guard, is_read_only, sqlite_query_only
from .target import driver_missing_message, hide_password, is_url, normalise_url

BUSY_TIMEOUT_MS = 10_000

# The newest migration under database/migrations/versions (a test checks it is Alembic's head).
# Knowing it here lets an up-to-date database open without importing Alembic (~0.1–0.3 s).
SCHEMA_HEAD = "0009"

MIGRATION_LOCK_KEY = 0x4B4849544D494752  # "KHITMIGR": one schema upgrade at a time

# PostgreSQL error codes of two transactions that collided (nothing of either was lost: the
# one refused rolled back and can simply be done again)
_COLLISION_CODES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
CONFLICT_MESSAGE = (
    "Người khác vừa sửa cùng dữ liệu này trong lúc bạn lưu; chưa lưu gì. "
    "Hãy tải lại để xem dữ liệu mới rồi làm lại."
)


def _collided(exc: DBAPIError) -> bool:
    """Two writers collided: a PostgreSQL deadlock or serialisation failure; on SQLite a
    transaction that read before another one committed and then tried to write (WAL gives
    it "database is locked" at once), or a writer kept waiting past the busy timeout."""
    if getattr(exc.orig, "sqlstate", None) in _COLLISION_CODES:
        return True
    return isinstance(exc.orig, sqlite3.OperationalError) and "database is locked" in str(exc.orig)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 ignores journal_mode inside an open transaction: set pragmas here,
    # right after connecting, before anything else runs. The driver's own transaction
    # handling is switched off (it would not put DDL inside a transaction); SQLAlchemy's
    # "begin" event below emits BEGIN itself, so every transaction, DDL included, is atomic.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def database_url(target: str | Path) -> URL:
    """A SQLAlchemy URL from a file path or a URL string (``postgresql://`` is read as the
    psycopg 3 driver)."""
    text_target = str(target)
    if is_url(text_target):
        return normalise_url(text_target)
    path = Path(text_target).expanduser().resolve()
    return URL.create("sqlite+pysqlite", database=str(path))


@dataclass
class Database:
    """An open database: what the services need."""

    engine: Engine
    url: URL
    backup_path: Path | None = None  # the copy made before the last upgrade, if any
    read_only: bool = False  # an archive (meta.read_only): every change is refused

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @property
    def path(self) -> Path | None:
        if self.url.get_backend_name() == "sqlite" and self.url.database:
            return Path(self.url.database)
        return None

    @property
    def display_name(self) -> str:
        return str(self.path) if self.path else self.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception.

        Two users' transactions that collide on the same rows (a row version that no longer
        matches, a deadlock, a serialisation failure) end in ``ConcurrentEditError``."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except StaleDataError:
            raise StaleRowError(CONFLICT_MESSAGE) from None
        except DBAPIError as exc:
            if _collided(exc):
                raise ConcurrentEditError(CONFLICT_MESSAGE) from None
            raise

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(target: str | Path, *, upgrade: bool = True) -> Database:
    """Open (creating if needed) and upgrade the database at ``target``.

    An existing database older than the program is first copied with SQLite's backup API;
    one newer than the program is refused; a SQLite file on a network share is refused
    (``store.location``).
    """
    url = database_url(target)
    is_sqlite = url.get_backend_name() == "sqlite"
    if not is_sqlite:
        return _open_server(url, upgrade=upgrade)
    if url.database and url.database != ":memory:":
        if "://" not in str(target):
            refuse_network_share(str(target))  # as typed: a UNC path on Linux is no path
        refuse_network_share(url.database)
        path = Path(url.database)
        if path.exists() and path.stat().st_size > 0:
            inspect_sqlite_file(path)  # before any pragma writes to a file that is not ours
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    try:
        if is_sqlite:
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_begin)
            check_sqlite_pragmas(engine)
        db = Database(engine, url)
        install_frozen_form_guard(db._sessions)
        if upgrade:
            db.backup_path = migrate(db)
        if is_read_only(engine):
            event.listen(engine, "connect", sqlite_query_only)
            engine.dispose()  # pooled connections get the pragma when they reconnect
            _mark_read_only(db)
    except BaseException:
        engine.dispose()  # never keep a file locked after refusing it
        raise
    return db


def _mark_read_only(db: Database) -> None:
    db.read_only = True
    install_read_only_guard(db._sessions)


def _open_server(url: URL, *, upgrade: bool) -> Database:
    """A PostgreSQL database: the server keeps it safe; the schema is migrated as for a file."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise DatabaseError(driver_missing_message()) from None
    engine = create_engine(url, pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(
            f"Không kết nối được máy chủ cơ sở dữ liệu {hide_password(str(url))}: "
            f"{str(exc.orig).strip()}. Hãy kiểm tra địa chỉ, tên người dùng, mật khẩu và máy chủ.",
            detail=str(exc.orig).strip(),
        ) from None
    try:
        db = Database(engine, url)
        install_frozen_form_guard(db._sessions)
        if upgrade:
            migrate(db)
        if is_read_only(engine):
            _mark_read_only(db)
    except BaseException:
        engine.dispose()
        raise
    return db


SQLITE_HEADER = b"SQLite format 3\x00"


def inspect_sqlite_file(path: Path) -> None:
    """Refuse, without writing a byte, a file that is not SQLite or not a KHIT database."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotAKhitDatabaseError(
            f"Tệp {path} không phải cơ sở dữ liệu SQLite của KHIT Desktop. "
            "Hãy chọn đúng tệp .db của chương trình."
        )
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            tables = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotAKhitDatabaseError(
            f"Không đọc được tệp {path} ({exc}). Tệp có thể bị hỏng: hãy dùng bản sao lưu."
        ) from None
    if tables and "alembic_version" not in tables:
        raise NotAKhitDatabaseError(
            f"Tệp {path} không phải cơ sở dữ liệu của KHIT Desktop "
            "(có dữ liệu lạ, không có phiên bản lược đồ). Chương trình không ghi vào tệp này."
        )


def check_sqlite_pragmas(engine: Engine) -> None:
    """Assert the pragmas took effect (a silent failure would risk the data)."""
    with engine.connect() as conn:
        got = {
            "foreign_keys": conn.execute(text("PRAGMA foreign_keys")).scalar(),
            "journal_mode": str(conn.execute(text("PRAGMA journal_mode")).scalar()).lower(),
            "synchronous": conn.execute(text("PRAGMA synchronous")).scalar(),
            "busy_timeout": conn.execute(text("PRAGMA busy_timeout")).scalar(),
        }
    expected = {
        "foreign_keys": 1,
        "journal_mode": "wal",
        "synchronous": 2,
        "busy_timeout": BUSY_TIMEOUT_MS,
    }
    if got != expected:
        raise DatabaseError(
            "Không thiết lập được chế độ an toàn cho cơ sở dữ liệu SQLite "
            f"(cần {expected}, có {got}). Hãy đặt tệp dữ liệu trên ổ đĩa của máy này."
        )


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database, None for an empty one."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        rows: list[str] = list(
            conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
        )
    if len(rows) > 1:
        raise DatabaseError("Cơ sở dữ liệu có nhiều phiên bản lược đồ cùng lúc; không mở được.")
    return rows[0] if rows else None


def migrate(db: Database) -> Path | None:
    """Upgrade to the program's schema; return the backup made first, if any."""
    current = current_revision(db.engine)
    if current == SCHEMA_HEAD and migrations_dir() == _shipped_migrations():
        return None  # the usual case: no Alembic import at all
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))
    head = script.get_current_head()
    if current == head:
        return None
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise DatabaseTooNewError(
            f"Cơ sở dữ liệu {db.display_name} được tạo bởi phiên bản KHIT Desktop mới hơn "
            f"(lược đồ '{current}'). Hãy cài phiên bản mới nhất của chương trình để mở tệp này."
        )
    if current is None:
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        if tables:
            raise NotAKhitDatabaseError(
                f"Tệp {db.display_name} không phải cơ sở dữ liệu của KHIT Desktop "
                "(có dữ liệu lạ, không có phiên bản lược đồ). Chương trình không ghi vào tệp này."
            )
    backup = None
    if current is not None and db.path is not None:
        backup = backup_sqlite(db.path, f"truoc-nang-cap-{current}")
    _run_alembic(db, lambda cfg: command.upgrade(cfg, "head"))
    return backup


def downgrade(db: Database, revision: str) -> None:
    """Take the schema back to ``revision`` (support and tests only; the program never does)."""
    from alembic import command

    _run_alembic(db, lambda cfg: command.downgrade(cfg, revision))


def known_revisions() -> set[str]:
    """Every schema revision this program knows (older ones can be upgraded)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))
    return {rev.revision for rev in script.walk_revisions()}


def _run_alembic(db: Database, step: Any) -> None:
    """Run a migration step in one transaction; on SQLite with foreign keys off during the
    step (SQLite rebuilds a table to alter it, and referencing tables must not block that)
    and checked afterwards."""
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection  # no transaction yet: the pragma takes effect
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    # two clerks starting a new version at once: the second waits, then
                    # finds the schema already upgraded (Alembic reads it after the lock)
                    conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
                step(_alembic_config(conn))
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise DatabaseError(
                            "Nâng cấp cơ sở dữ liệu làm hỏng liên kết dữ liệu "
                            f"({len(broken)} dòng); đã hủy nâng cấp, dữ liệu giữ nguyên."
                        )
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def _shipped_migrations() -> Path:
    from ..paths import install_root

    return install_root() / "database" / "migrations"


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file with the backup API (never a raw file copy),
    made one self-contained file (rollback journal, no -wal beside it)."""
    src = sqlite3.connect(str(source))
    dest = sqlite3.connect(str(target))
    try:
        with dest:
            src.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()
        src.close()


def sqlite_integrity_ok(path: Path) -> bool:
    """``PRAGMA integrity_check`` on a file opened read-only."""
    check = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        check.close()


def backup_sqlite(path: Path, label: str) -> Path:
    """A consistent copy of a live SQLite file beside it (``copy_sqlite``), checked with
    ``PRAGMA integrity_check``; a copy that fails is removed and the step refused."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.{label}.{stamp}{path.suffix or '.db'}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.{label}.{stamp}-{counter}{path.suffix or '.db'}")
        counter += 1
    copy_sqlite(path, target)
    if not sqlite_integrity_ok(target):
        target.unlink(missing_ok=True)
        raise DatabaseError(
            f"Bản sao lưu {target.name} không qua được kiểm tra toàn vẹn; đã xóa bản hỏng và "
            "không thay đổi gì. Hãy chạy 'khit verify' trên cơ sở dữ liệu."
        )
    return target
