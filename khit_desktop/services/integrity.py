"""Kiểm tra toàn vẹn dữ liệu: ``verify(db)`` checks that nothing was changed behind the
program's back.

1. The audit trail's hash chain (``domain.audit_chain``): every event in sequence order, each
   hash over its fields and the previous hash; an event without sequence or hash (written
   with plain SQL) is a break, and so is a storage order (id) that disagrees with the sequence.
2. SQLite's own ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``, and the triggers
   that keep the audit table append-only.
3. The data against the trail (``integrity_state``): scores, receipts, general data, a round's
   finalisation and decision must equal what their latest event recorded; a row with no event
   was written outside the program, an event whose row is gone was deleted outside it.

The report names the first broken link with what it holds (sequence, time, user, action,
entity, reason), in Vietnamese. Nothing is written."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from ..domain.audit_chain import GENESIS, ChainEvent, verify_chain
from ..store.database import Database
from ..store.models import AuditEvent, Meta
from ..store.read_only import ARCHIVE_YEAR_KEY
from .audit_history import action_label, entity_label, format_moment, local_time

APPEND_ONLY_TRIGGERS = ("audit_event_no_update", "audit_event_no_delete")
CODE_DIGITS = 16  # hex digits of the head hash printed on the annex ("Mã đối chiếu nhật ký")


@dataclass(frozen=True)
class Finding:
    """One thing found wrong: a sentence, and the row and event it is about."""

    message: str
    entity: str = ""
    row_id: int | None = None
    sequence: int | None = None


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    ok: bool
    summary: str
    findings: tuple[Finding, ...] = ()
    skipped: bool = False


@dataclass(frozen=True)
class StoredEvent:
    """What one stored audit event holds (its raw columns)."""

    id: int
    sequence: int | None
    prev_hash: str | None
    hash: str | None
    at_utc: datetime
    user: str
    machine: str
    action: str
    entity: str
    entity_id: int | None
    round_year: int | None
    old_json: str | None
    new_json: str | None
    reason: str

    def describe(self) -> str:
        """'sự kiện số 51 (mã lưu 51), ghi lúc 26/11/2020 21:04 bởi demo trên máy demo:
        Thẩm định điểm — điểm #123, năm 2020; lý do: "…"'."""
        number = f"số {self.sequence}" if self.sequence is not None else "không có số thứ tự"
        target = entity_label(self.entity) + (
            f" #{self.entity_id}" if self.entity_id is not None else ""
        )
        year = f", năm {self.round_year}" if self.round_year is not None else ""
        reason = f'; lý do ghi: "{self.reason}"' if self.reason else "; không ghi lý do"
        return (
            f"sự kiện {number} (mã lưu {self.id}), ghi lúc {format_moment(local_time(self.at_utc))}"
            f" bởi {self.user} trên máy {self.machine}: {action_label(self.action)} "
            f"({self.action}) — {target}{year}{reason}"
        )


@dataclass(frozen=True)
class BrokenLink:
    """The first event where the chain does not hold: why, and what the event holds."""

    sequence: int | None
    problem: str
    event: StoredEvent | None

    def describe(self) -> str:
        held = f"\nSự kiện tại chỗ hỏng: {self.event.describe()}." if self.event else ""
        return f"{self.problem}{held}"


@dataclass(frozen=True)
class VerifyReport:
    database: str
    checks: tuple[Check, ...]
    events: int
    head: str  # hash of the last event of an intact chain (GENESIS when empty)
    broken: BrokenLink | None
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def code(self) -> str:
        """The annex's "Mã đối chiếu nhật ký": the head hash's first 16 hex digits."""
        return self.head[:CODE_DIGITS]

    def first_problem(self) -> str | None:
        """The first broken link, else the first finding of the first failed check."""
        if self.broken is not None:
            return self.broken.describe()
        for check in self.failed:
            if check.findings:
                return check.findings[0].message
            return check.summary
        return None

    def to_json(self) -> dict[str, Any]:
        broken = None
        if self.broken is not None:
            event = self.broken.event
            broken = {
                "sequence": self.broken.sequence,
                "problem": self.broken.problem,
                "event": None
                if event is None
                else {
                    "id": event.id,
                    "sequence": event.sequence,
                    "at_utc": event.at_utc.isoformat(),
                    "user": event.user,
                    "machine": event.machine,
                    "action": event.action,
                    "entity": event.entity,
                    "entity_id": event.entity_id,
                    "round_year": event.round_year,
                    "reason": event.reason,
                },
            }
        return {
            "ok": self.ok,
            "database": self.database,
            "seconds": round(self.seconds, 3),
            "events": self.events,
            "head": self.head,
            "code": self.code,
            "first_break": broken,
            "checks": [
                {
                    "key": c.key,
                    "title": c.title,
                    "ok": c.ok,
                    "skipped": c.skipped,
                    "summary": c.summary,
                    "findings": [
                        {
                            "message": f.message,
                            "entity": f.entity,
                            "row_id": f.row_id,
                            "sequence": f.sequence,
                        }
                        for f in c.findings
                    ],
                }
                for c in self.checks
            ],
        }


def seconds_text(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def report_lines(report: VerifyReport, shown: int = 20) -> list[str]:
    """The report as `khit verify` prints it: each check, its findings, the first broken
    link, the conclusion."""
    lines = [f"Kiểm tra toàn vẹn dữ liệu: {report.database}"]
    for check in report.checks:
        mark = "bỏ qua" if check.skipped else ("đạt" if check.ok else "LỖI")
        lines.append(f"[{mark}] {check.title}: {check.summary}")
        lines += [f"    - {finding.message}" for finding in check.findings[:shown]]
        if len(check.findings) > shown:
            lines.append(f"    … và {len(check.findings) - shown} vấn đề khác.")
    if report.broken is not None:
        lines.append(f"Mắt xích hỏng đầu tiên: {report.broken.describe()}")
    if report.ok:
        lines.append(
            f"Kết luận: DỮ LIỆU TOÀN VẸN ({thousands(report.events)} sự kiện, mã đối chiếu "
            f"{report.code}; kiểm tra trong {seconds_text(report.seconds)} giây)."
        )
    else:
        lines.append(
            "Kết luận: PHÁT HIỆN DỮ LIỆU HỎNG HOẶC BỊ SỬA NGOÀI CHƯƠNG TRÌNH. Đừng nhập thêm "
            "dữ liệu; báo quản trị, phục hồi từ bản sao lưu gần nhất còn toàn vẹn."
        )
    return lines


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def load_events(conn: Connection) -> list[StoredEvent]:
    """Every stored event, in storage (id) order."""
    table = AuditEvent.__table__
    rows: list[Row[Any]] = list(conn.execute(select(table).order_by(table.c.id)))
    return [
        StoredEvent(
            r.id,
            r.sequence,
            r.prev_hash,
            r.hash,
            r.at_utc,
            r.user,
            r.machine,
            r.action,
            r.entity,
            r.entity_id,
            r.round_year,
            r.old_json,
            r.new_json,
            r.reason or "",
        )
        for r in rows
    ]


def _chain(events: list[StoredEvent]) -> tuple[Check, BrokenLink | None, str]:
    title = "Chuỗi nhật ký thay đổi (mã băm nối tiếp)"
    unchained = [e for e in events if e.sequence is None or not e.hash or not e.prev_hash]
    if unchained:
        first = unchained[0]
        link = BrokenLink(
            None,
            f"Sự kiện mã lưu {first.id} không có số thứ tự hoặc mã băm: nó được ghi thẳng vào "
            "cơ sở dữ liệu, không qua chương trình"
            + (
                f" (cùng {len(unchained) - 1} sự kiện khác như vậy)." if len(unchained) > 1 else "."
            ),
            first,
        )
        finding = Finding(link.describe(), "audit_event", first.id, None)
        return Check("chain", title, False, link.problem, (finding,)), link, GENESIS
    ordered = sorted(events, key=lambda e: (e.sequence or 0, e.id))
    report = verify_chain(
        ChainEvent(
            e.sequence or 0,
            e.at_utc,
            e.user,
            e.machine,
            e.action,
            e.entity,
            e.entity_id,
            e.round_year,
            e.old_json,
            e.new_json,
            e.reason,
            e.prev_hash or "",
            e.hash or "",
        )
        for e in ordered
    )
    if report.broken is not None:
        at = next((e for e in ordered if e.sequence == report.broken.sequence), None)
        link = BrokenLink(report.broken.sequence, report.broken.reason, at)
        finding = Finding(link.describe(), "audit_event", at.id if at else None, link.sequence)
        summary = f"Hỏng tại sự kiện số {report.broken.sequence}: {report.broken.reason}"
        return Check("chain", title, False, summary, (finding,)), link, report.head
    previous = 0
    for event in ordered:  # the sequence must follow the order rows were stored in
        if event.id < previous:
            link = BrokenLink(
                event.sequence,
                f"Sự kiện số {event.sequence} được lưu ở vị trí khác thứ tự ghi (mã lưu "
                f"{event.id} nhỏ hơn mã lưu của sự kiện trước): các dòng nhật ký đã bị hoán đổi.",
                event,
            )
            finding = Finding(link.describe(), "audit_event", event.id, event.sequence)
            return Check("chain", title, False, link.problem, (finding,)), link, report.head
        previous = event.id
    summary = (
        f"{thousands(report.events)} sự kiện nối liền; mã đối chiếu {report.head[:CODE_DIGITS]}."
        if report.events
        else "Nhật ký chưa có sự kiện nào."
    )
    return Check("chain", title, True, summary), None, report.head


def _sqlite_checks(conn: Connection) -> list[Check]:
    titles = {
        "sqlite": "Kiểm tra toàn vẹn tệp SQLite (PRAGMA integrity_check)",
        "foreign_keys": "Khóa ngoại (PRAGMA foreign_key_check)",
        "triggers": "Bảo vệ chỉ ghi thêm của nhật ký (trigger)",
    }
    if conn.dialect.name == "postgresql":
        # the server checks its own pages and enforces foreign keys on every write
        return [
            Check(key, titles[key], True, "Máy chủ PostgreSQL tự bảo đảm.", skipped=True)
            for key in ("sqlite", "foreign_keys")
        ] + [_trigger_check(titles["triggers"], _postgres_triggers(conn))]
    if conn.dialect.name != "sqlite":
        return [
            Check(key, title, True, "Không áp dụng cho loại cơ sở dữ liệu này.", skipped=True)
            for key, title in titles.items()
        ]
    checks = []
    lines = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
    if lines == ["ok"]:
        checks.append(Check("sqlite", titles["sqlite"], True, "Tệp nguyên vẹn (ok)."))
    else:
        found = tuple(Finding(f"SQLite báo: {line}") for line in lines[:50])
        checks.append(Check("sqlite", titles["sqlite"], False, f"Tệp hỏng: {lines[0]}", found))
    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if not dangling:
        checks.append(
            Check("foreign_keys", titles["foreign_keys"], True, "Không có tham chiếu hỏng.")
        )
    else:
        found = tuple(
            Finding(
                f"Bảng {table}, dòng {rowid}: tham chiếu tới bảng {parent} một dòng không tồn tại.",
                str(table),
                int(str(rowid)) if rowid is not None else None,
            )
            for table, rowid, parent, _fk in dangling[:200]
        )
        checks.append(
            Check(
                "foreign_keys",
                titles["foreign_keys"],
                False,
                f"{thousands(len(dangling))} tham chiếu hỏng.",
                found,
            )
        )
    present = {
        str(r[0])
        for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
        )
    }
    checks.append(_trigger_check(titles["triggers"], present))
    return checks


def _postgres_triggers(conn: Connection) -> set[str]:
    """The enabled triggers on the audit table (a disabled one protects nothing)."""
    return {
        str(r[0])
        for r in conn.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass "
            "AND NOT tgisinternal AND tgenabled <> 'D'"
        )
    }


def _trigger_check(title: str, present: set[str]) -> Check:
    missing = [t for t in APPEND_ONLY_TRIGGERS if t not in present]
    if missing:
        found = tuple(
            Finding(
                f"Thiếu trigger {name}: có người đã gỡ lớp bảo vệ, nhật ký có thể đã bị "
                "sửa hoặc xóa trực tiếp.",
                "audit_event",
            )
            for name in missing
        )
        return Check("triggers", title, False, "Lớp bảo vệ đã bị gỡ.", found)
    return Check("triggers", title, True, "Có đủ (cấm sửa, cấm xóa nhật ký).")


def archived(conn: Connection, events: list[StoredEvent]) -> list[StoredEvent]:
    """The events the data is checked against: all of them, but in a one-round archive
    (``meta.archive_year``, ``khit export-round``) those of its year only — the archive
    keeps the whole chain (so the annex's code can be found) but one year's rows."""
    year = conn.execute(select(Meta.value).where(Meta.key == ARCHIVE_YEAR_KEY)).scalar()
    if year is None:
        return events
    return [e for e in events if e.round_year == int(year)]


def verify(db: Database) -> VerifyReport:
    """Check the database (read only) and report each check and the first broken link."""
    from .integrity_state import state_checks

    started = time.perf_counter()
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # one snapshot: others may write meanwhile
            conn.execution_options(isolation_level="REPEATABLE READ")
        events = load_events(conn)
        chain, broken, head = _chain(events)
        checks = [chain, *_sqlite_checks(conn), *state_checks(conn, archived(conn, events))]
        conn.rollback()
    return VerifyReport(
        db.display_name,
        tuple(checks),
        len(events),
        head,
        broken,
        time.perf_counter() - started,
    )


@dataclass(frozen=True)
class ChainHead:
    """The last event of the trail: what the annex prints to match paper to database."""

    events: int  # the last event's sequence (the number of events of an intact chain)
    hash: str

    @property
    def code(self) -> str:
        return self.hash[:CODE_DIGITS]


def chain_head(db: Database) -> ChainHead:
    """The trail's head as stored (read fast, without re-hashing the chain)."""
    with db.engine.connect() as conn:
        last = conn.execute(
            select(AuditEvent.sequence, AuditEvent.hash)
            .where(AuditEvent.sequence.is_not(None))
            .order_by(AuditEvent.sequence.desc())
            .limit(1)
        ).first()
        conn.rollback()
    if last is None or not last.hash:
        return ChainHead(0, GENESIS)
    return ChainHead(int(last.sequence), str(last.hash))


@dataclass(frozen=True)
class CodeMatch:
    """Where a printed "Mã đối chiếu nhật ký" sits in the trail."""

    event: StoredEvent
    later_events: int  # events appended since the annex was printed


def find_code(db: Database, code: str) -> CodeMatch | None:
    """The event whose hash starts with ``code`` (an annex's reference), or None."""
    prefix = code.strip().lower()
    if len(prefix) < 8 or any(c not in "0123456789abcdef" for c in prefix):
        return None
    with db.engine.connect() as conn:
        events = load_events(conn)
        conn.rollback()
    chained = [e for e in events if e.sequence is not None and e.hash]
    last = max((e.sequence or 0 for e in chained), default=0)
    for event in chained:
        if event.hash and event.hash.startswith(prefix):
            return CodeMatch(event, last - (event.sequence or 0))
    return None
