"""Moving data between databases, row for row (issue 9).

``migrate_to``: a whole SQLite database into an empty PostgreSQL one (``khit migrate-to``):
every table in foreign-key order, ids kept, the audit trail copied byte for byte (so its
hash chain and the annexes' "Mã đối chiếu nhật ký" still hold), the attachments folder
copied beside; then the row counts of every table are compared and ``verify`` is run on both
sides. The source must verify first (a move must not carry damage into the server) and the
target must be empty.

``copy_rows`` is shared with the export of one round (``services.archive``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ..store.database import Database, open_database
from ..store.models import Base
from .attachments import attachments_dir
from .audit import Actor
from .errors import InputRefused
from .integrity import VerifyReport, verify
from .permissions import Permission

CHUNK = 1000


class TransferRefused(InputRefused):
    """The move or export cannot start (nothing was written to the target)."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True)
class TransferReport:
    source: str
    target: str
    counts: tuple[TableCount, ...]
    source_check: VerifyReport
    target_check: VerifyReport
    attachments: int  # files copied

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.counts) and self.source_check.ok and self.target_check.ok


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(Base.metadata.sorted_tables)


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def copy_rows(
    source: Connection,
    target: Connection,
    table: Table,
    where: ColumnElement[bool] | None = None,
    change: Mapping[str, Any] | None = None,
) -> int:
    """Copy the rows of ``table`` (those matching ``where``) with their ids; columns that
    refer to the same table are filled in a second pass, so their order does not matter.
    ``change`` sets columns to fixed values (the archive blanks password hashes)."""
    later = _self_references(table)
    query = select(table).order_by(*table.primary_key.columns)
    if where is not None:
        query = query.where(where)
    copied = 0
    links: list[dict[str, Any]] = []
    result = source.execute(query)
    while batch := result.mappings().fetchmany(CHUNK):
        rows = [{**row, **(change or {})} for row in batch]
        for row in rows:
            if later and any(row[c] is not None for c in later):
                links.append({"_id": row["id"], **{c: row[c] for c in later}})
                row.update({c: None for c in later})
        target.execute(table.insert(), rows)
        copied += len(rows)
    for link in links:
        values = {c: link[c] for c in later}
        target.execute(update(table).where(table.c.id == link["_id"]).values(**values))
    return copied


def reset_sequences(target: Connection) -> None:
    """PostgreSQL hands out ids from a sequence per table: start each after the copied ids."""
    if target.dialect.name != "postgresql":
        return
    for table in tables():
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        target.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table.name}"'
            )
        )


def row_counts(conn: Connection, only: Iterable[Table] | None = None) -> dict[str, int]:
    return {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
        for t in (only or tables())
    }


def refuse_non_empty(db: Database) -> None:
    with db.engine.connect() as conn:
        filled = {name: n for name, n in row_counts(conn).items() if n}
        conn.rollback()
    if filled:
        named = ", ".join(f"{name} ({n} dòng)" for name, n in sorted(filled.items())[:5])
        raise TransferRefused(
            f"Cơ sở dữ liệu đích {db.display_name} đã có dữ liệu ({named}). Chương trình chỉ "
            "chuyển vào một cơ sở dữ liệu trống, để không trộn hai bộ dữ liệu."
        )


def copy_attachments(source: Database, target: Database) -> int:
    """Attachment files of ``source`` into the attachments folder of ``target``."""
    origin, destination = attachments_dir(source), attachments_dir(target)
    if not origin.is_dir() or origin == destination:
        return 0
    copied = 0
    for path in origin.rglob("*"):
        if path.is_file():
            place = destination / path.relative_to(origin)
            if not place.exists():
                place.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, place)
                copied += 1
    return copied


def migrate_to(source: Database, target_url: str, *, actor: Actor) -> TransferReport:
    """Copy every row of ``source`` into the empty database at ``target_url``; the report
    has the counts per table and ``verify`` of both sides."""
    actor.require(Permission.RESTORE)
    before = verify(source)
    if not before.ok:
        raise TransferRefused(
            "Cơ sở dữ liệu nguồn không qua kiểm tra toàn vẹn, chưa chuyển gì: "
            f"{before.first_problem()} Hãy phục hồi bản sao lưu còn toàn vẹn rồi chuyển."
        )
    target = open_database(target_url)
    try:
        refuse_non_empty(target)
        with source.engine.connect() as src, target.engine.begin() as dst:
            for table in tables():
                copy_rows(src, dst, table)
            reset_sequences(dst)
            src.rollback()
        with source.engine.connect() as src, target.engine.connect() as dst:
            theirs, ours = row_counts(src), row_counts(dst)
            src.rollback()
            dst.rollback()
        counts = tuple(TableCount(t, theirs[t], ours[t]) for t in theirs)
        files = copy_attachments(source, target)
        return TransferReport(
            source.display_name,
            target.display_name,
            counts,
            verify(source),
            verify(target),
            files,
        )
    finally:
        target.dispose()


def report_lines(report: TransferReport) -> list[str]:
    lines = [f"Chuyển dữ liệu từ {report.source} sang {report.target}:"]
    for c in report.counts:
        mark = "khớp" if c.ok else "KHÔNG KHỚP"
        lines.append(f"  {c.table}: nguồn {c.source}, đích {c.target} — {mark}")
    lines.append(f"  Tệp đính kèm đã chép: {report.attachments}.")
    for side, check in (("nguồn", report.source_check), ("đích", report.target_check)):
        state = "toàn vẹn" if check.ok else "HỎNG: " + (check.first_problem() or "")
        lines.append(
            f"Kiểm tra toàn vẹn bên {side}: {state} ({check.events} sự kiện, mã {check.code})."
        )
    lines.append(
        "Kết luận: ĐÃ CHUYỂN ĐỦ, HAI BÊN KHỚP."
        if report.ok
        else "Kết luận: CÓ CHỖ KHÔNG KHỚP — đừng dùng cơ sở dữ liệu đích, hãy báo quản trị."
    )
    return lines


def source_path(text_value: str) -> Path:
    path = Path(text_value).expanduser()
    if "://" in text_value or not path.is_file():
        raise TransferRefused(f"Không tìm thấy tệp SQLite nguồn {text_value}.")
    return path
