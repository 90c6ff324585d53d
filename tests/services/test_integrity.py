"""``integrity.verify``: the intact demo and a database changed only through the services
verify clean (and fast); each kind of damage is reported by the check that owns it."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from khit_desktop.domain.audit_chain import GENESIS
from khit_desktop.domain.lateness import Channel
from khit_desktop.services import appraisal, form_exchange, receipt_edits, receipts
from khit_desktop.services.audit import Actor
from khit_desktop.services.integrity import (
    CODE_DIGITS,
    chain_head,
    find_code,
    report_lines,
    verify,
)
from khit_desktop.store.database import Database
from tests.services.test_form_exchange import blank_for, fill

YEAR = 2020
CLERK = Actor(user="can-bo-a", machine="may-1")


def sql(db: Database, *statements: str) -> None:
    """Write with plain sqlite3, as someone holding the file would (no program involved);
    on PostgreSQL with plain SQL over a connection of its own, as someone with the
    database's password would."""
    if db.path is None:
        with db.engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
            conn.commit()
        return
    db.dispose()
    conn = sqlite3.connect(db.path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def failed(db: Database) -> dict[str, list[str]]:
    report = verify(db)
    return {c.key: [f.message for f in c.findings] for c in report.checks if not c.ok}


def test_the_intact_demo_verifies_fast_and_names_its_head(demo_db: Database) -> None:
    report = verify(demo_db)
    assert report.ok, report_lines(report)
    assert report.broken is None and report.first_problem() is None
    assert [c.key for c in report.checks] == [
        "chain",
        "sqlite",
        "foreign_keys",
        "triggers",
        "scores",
        "receipts",
        "general",
        "rounds",
    ]
    assert report.seconds < 1.0
    head = chain_head(demo_db)
    assert head.hash == report.head and head.events == report.events > 1500
    assert report.code == head.code and len(report.code) == CODE_DIGITS
    summaries = {c.key: c.summary for c in report.checks}
    assert summaries["scores"].startswith("1.505 dòng khớp")
    assert report_lines(report)[-1].startswith("Kết luận: DỮ LIỆU TOÀN VẸN")


def test_an_empty_database_verifies(fresh_db: Database) -> None:
    report = verify(fresh_db)
    assert report.ok and report.events == 0 and report.head == GENESIS
    assert chain_head(fresh_db).events == 0


def test_changes_through_the_services_keep_it_intact(demo_db: Database, tmp_path: Path) -> None:
    rid = receipts.add_receipt(
        demo_db, YEAR, "KS", Channel.POST, date(2020, 11, 30), actor=CLERK, today=date(2020, 12, 2)
    )
    receipt_edits.update_receipt(
        demo_db,
        rid,
        receipts.ReceiptInput(Channel.POST, date(2020, 11, 30), None, "12/KS"),
        reason="Bổ sung số văn bản",
        actor=CLERK,
        today=date(2020, 12, 2),
    )
    receipt_edits.invalidate_receipt(demo_db, rid, "Thiếu chữ ký", actor=CLERK)
    appraisal.set_appraised_points(
        demo_db, YEAR, "SNV", "1.8", Decimal(5), reason="Kiểm tra IPv6", actor=CLERK
    )
    appraisal.restore_appraisal(
        demo_db,
        YEAR,
        "SNV",
        "1.8",
        appraisal.AppraisalState(None, None, "", "form"),
        reason="Hoàn tác",
        actor=CLERK,
    )
    appraisal.set_general_value(
        demo_db, YEAR, "SNV", "CB", Decimal(300), appraised=True, reason="Sở Nội vụ", actor=CLERK
    )
    # an import that resets the appraisal clears appraised points without an event per score
    appraisal.set_appraised_points(
        demo_db, YEAR, "SNV", "1.8", Decimal(4), reason="Kiểm tra lại", actor=CLERK
    )
    path = blank_for(demo_db, tmp_path, "SNV")
    fill(path, figures={}, points={"1.8": 10}, general={"CB": 50, "MT": 45})
    form_exchange.import_filled_form(demo_db, YEAR, path, replace=True, reset_appraisal=True)
    report = verify(demo_db)
    assert report.ok, report_lines(report)


def test_an_event_written_with_plain_sql_is_a_break(demo_db: Database) -> None:
    sql(
        demo_db,
        'INSERT INTO audit_event (at_utc, "user", machine, action, entity, entity_id, '
        "round_year, reason) VALUES ('2020-12-01 10:00:00.000000', 'x', 'y', 'score.appraise', "
        "'score', 1, 2020, 'sửa tay')",
    )
    report = verify(demo_db)
    assert not report.ok and report.broken is not None
    assert report.broken.sequence is None and report.broken.event is not None
    assert report.broken.event.user == "x"
    assert "không có số thứ tự hoặc mã băm" in (report.first_problem() or "")


def test_missing_triggers_are_reported(demo_db: Database) -> None:
    on = " ON audit_event" if demo_db.is_postgres else ""
    sql(demo_db, f"DROP TRIGGER audit_event_no_update{on}")
    problems = failed(demo_db)
    assert list(problems) == ["triggers"]
    assert "audit_event_no_update" in problems["triggers"][0]


@pytest.mark.sqlite_only  # PostgreSQL enforces foreign keys on every write
def test_a_dangling_reference_fails_the_foreign_key_check(demo_db: Database) -> None:
    sql(
        demo_db,
        "PRAGMA foreign_keys = OFF",
        "UPDATE receipt SET agency_id = 9999 WHERE id = 1",
    )
    problems = failed(demo_db)
    assert "foreign_keys" in problems and "Bảng receipt, dòng 1" in problems["foreign_keys"][0]


def test_receipt_general_and_round_tampering_each_found(demo_db: Database) -> None:
    sql(
        demo_db,
        "UPDATE receipt SET sent_date = '2020-11-10' WHERE id = 3",
        "UPDATE general_value SET appraised_value = '999' WHERE id = 2",
        "UPDATE round SET state = 'finalized' WHERE year = 2020",
        "UPDATE round SET decision_number = '99' WHERE year = 2020",
    )
    problems = failed(demo_db)
    assert set(problems) == {"receipts", "general", "rounds"}
    assert problems["receipts"][0].startswith("Lần tiếp nhận #3 ")
    assert "ngày gửi: nhật ký ghi" in problems["receipts"][0]
    assert problems["general"][0].startswith("Số liệu chung #2 ")
    assert "999" in problems["general"][0]
    assert "không ghi việc chốt" in problems["rounds"][0]
    assert "số quyết định" in problems["rounds"][0]


def test_a_stage_changed_outside_the_program_is_found(demo_db: Database) -> None:
    from khit_desktop.services import round_stage

    assert "rounds" not in failed(demo_db)
    round_stage.move_to(demo_db, YEAR, round_stage.APPRAISING, actor=CLERK)
    assert "rounds" not in failed(demo_db)  # moved through the program: recorded
    sql(demo_db, "UPDATE round SET state = 'submitted' WHERE year = 2020")
    problems = failed(demo_db)
    assert (
        "nhật ký ghi kỳ ở bước 'appraising', trong dữ liệu là 'submitted'"
        in (problems["rounds"][0])
    )


def test_the_annex_code_is_found_in_the_trail(demo_db: Database) -> None:
    code = chain_head(demo_db).code
    found = find_code(demo_db, code)
    assert found is not None and found.later_events == 0
    appraisal.set_appraised_points(
        demo_db, YEAR, "SNV", "1.8", Decimal(5), reason="Kiểm tra IPv6", actor=CLERK
    )
    later = find_code(demo_db, code.upper())
    assert later is not None and later.event.sequence == found.event.sequence
    assert later.later_events == 1
    assert find_code(demo_db, "0123456789abcdef") is None
    assert find_code(demo_db, "xyz") is None
