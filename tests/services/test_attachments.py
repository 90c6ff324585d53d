"""Attachments (tệp đính kèm): copied, never moved, into ``<db stem>.tep-dinh-kem/`` beside
the database, named by their SHA-256 so the same content is stored once. Each test works on
its own copy of the demo."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from khit_desktop.domain.lateness import Channel, LatenessStatus
from khit_desktop.services import attachments, receipt_edits, receipts
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.receipt_edits import StatusChangeNeedsReason
from khit_desktop.services.receipts import ReceiptInput
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import (
    Attachment,
    AuditEvent,
    ReceiptRow,
)
from tests.db_state import db_state

YEAR = 2020
TODAY = date(2020, 12, 1)
ACTOR = Actor(user="tester", machine="test-machine")
STP_RECEIPT = 29  # the demo's only receipt of Sở Tư pháp: e-office, 20/11 (late)
SDL_RECEIPT = 18  # Sở Du lịch: e-office, 02/11 (on time)
SCAN = b"%PDF-1.4\n% phieu danh gia da ky so\n" + bytes(range(256)) * 8
PAST_MTIME_NS = 1_600_000_000_123_456_789  # September 2020


# ---- helpers -------------------------------------------------------------------------------


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def make_file(path: Path, content: bytes = SCAN) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, ns=(PAST_MTIME_NS, PAST_MTIME_NS))
    return path


def add(db: Database, code: str, sent: date, doc_number: str, attachment: Path | None) -> int:
    return receipts.add_receipt(
        db,
        YEAR,
        code,
        Channel.EOFFICE,
        sent,
        doc_number=doc_number,
        attachment=attachment,
        actor=ACTOR,
        today=TODAY,
    )


def attachment_of(db: Database, receipt_id: int) -> Attachment | None:
    with db.session() as s:
        row = s.get(ReceiptRow, receipt_id)
        assert row is not None
        return row.attachment


def edit_input(db: Database, receipt_id: int, **changes: Any) -> ReceiptInput:
    with db.session() as s:
        row = s.get(ReceiptRow, receipt_id)
        assert row is not None
        values: dict[str, Any] = {
            "channel": Channel(row.channel),
            "sent_date": row.sent_date,
            "received_date": row.received_date,
            "doc_number": row.doc_number,
            "note": row.note,
        }
    values.update(changes)
    return ReceiptInput(**values)


@pytest.fixture
def store(demo_db: Database) -> Path:
    """The attachments folder of the test's database (not created yet)."""
    folder = attachments.attachments_dir(demo_db)
    assert not folder.exists()
    return folder


# ---- copying in ----------------------------------------------------------------------------


def test_add_receipt_copies_the_file_beside_the_database(demo_db, store, tmp_path) -> None:
    source = make_file(tmp_path / "scans" / "Phieu-KS.PDF")
    sha = hashlib.sha256(SCAN).hexdigest()
    rid = add(demo_db, "KS", date(2020, 11, 10), "1/KS", source)

    if demo_db.path is not None:  # a server's attachments: tests/services/test_postgres_mode
        assert store == demo_db.path.with_name(f"{demo_db.path.stem}.tep-dinh-kem")
        assert store.parent == demo_db.path.parent
    target = store / sha[:2] / f"{sha}.pdf"
    assert files_under(store) == [target]
    assert target.read_bytes() == SCAN
    assert source.read_bytes() == SCAN  # copied, not moved
    assert source.stat().st_mtime_ns == PAST_MTIME_NS

    stored = attachment_of(demo_db, rid)
    assert stored is not None
    assert (stored.sha256, stored.original_name, stored.size) == (sha, "Phieu-KS.PDF", len(SCAN))
    assert stored.added_by == ACTOR.user
    assert attachments.stored_path(demo_db, stored) == target
    assert attachments.file_sha256(source) == sha

    line = next(r for r in receipts.register(demo_db, YEAR) if r.agency_code == "KS")
    [view] = line.receipts
    assert (view.attachment_name, view.attachment_id) == ("Phieu-KS.PDF", stored.id)
    with demo_db.session() as s:
        event = s.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "receipt.add")
            .where(AuditEvent.entity_id == rid)
        )
        assert event is not None
        assert json.loads(event.new_json)["attachment"] == sha


def test_the_same_content_is_stored_once(demo_db, store, tmp_path) -> None:
    first = make_file(tmp_path / "a" / "Phiếu KS.pdf")
    again = make_file(tmp_path / "b" / "scan (1).PDF")  # same bytes, another name
    r1 = add(demo_db, "KS", date(2020, 11, 10), "1/KS", first)
    r2 = add(demo_db, "QDTPT", date(2020, 11, 11), "2/QDTPT", again)
    a1, a2 = attachment_of(demo_db, r1), attachment_of(demo_db, r2)
    assert a1 is not None and a2 is not None
    assert a1.id == a2.id
    assert a2.original_name == "Phiếu KS.pdf"  # the name it was first stored under
    assert db_state(demo_db)["counts"]["attachment"] == 1
    assert len(files_under(store)) == 1
    assert again.stat().st_mtime_ns == PAST_MTIME_NS


def test_different_content_is_stored_apart(demo_db, store, tmp_path) -> None:
    r1 = add(demo_db, "KS", date(2020, 11, 10), "1/KS", make_file(tmp_path / "a.pdf"))
    r2 = add(demo_db, "QDTPT", date(2020, 11, 11), "2/Q", make_file(tmp_path / "b.pdf", b"x"))
    a1, a2 = attachment_of(demo_db, r1), attachment_of(demo_db, r2)
    assert a1 is not None and a2 is not None and a1.id != a2.id
    assert len(files_under(store)) == 2


def test_file_sha256_reads_large_files_in_blocks(tmp_path) -> None:
    content = os.urandom(1024) * 3 * 1024 + b"tail!"  # a little over 3 MiB
    source = tmp_path / "big.bin"
    source.write_bytes(content)
    assert attachments.file_sha256(source) == hashlib.sha256(content).hexdigest()


# ---- refusals ------------------------------------------------------------------------------


def test_a_missing_file_is_refused_and_nothing_changes(demo_db, store, tmp_path) -> None:
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="Không tìm thấy tệp đính kèm"):
        add(demo_db, "KS", date(2020, 11, 10), "1/KS", tmp_path / "không có.pdf")
    with pytest.raises(InputRefused, match="Không tìm thấy tệp đính kèm"):
        receipt_edits.update_receipt(
            demo_db,
            STP_RECEIPT,
            edit_input(demo_db, STP_RECEIPT, attachment=tmp_path / "không có.pdf"),
            actor=ACTOR,
            today=TODAY,
        )
    folder = tmp_path / "một thư mục"
    folder.mkdir()
    with pytest.raises(InputRefused, match="Không tìm thấy tệp đính kèm"):
        add(demo_db, "KS", date(2020, 11, 10), "1/KS", folder)
    assert db_state(demo_db) == before
    assert files_under(store) == []


def test_a_file_over_the_limit_is_refused(demo_db, store, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 16)
    too_big = make_file(tmp_path / "quá lớn.pdf", b"x" * 17)
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="quá lớn"):
        add(demo_db, "KS", date(2020, 11, 10), "1/KS", too_big)
    with pytest.raises(InputRefused, match="quá lớn"):
        receipt_edits.update_receipt(
            demo_db,
            STP_RECEIPT,
            edit_input(demo_db, STP_RECEIPT, attachment=too_big),
            actor=ACTOR,
            today=TODAY,
        )
    assert db_state(demo_db) == before
    assert files_under(store) == []
    assert too_big.read_bytes() == b"x" * 17

    just_fits = make_file(tmp_path / "vừa đủ.pdf", b"y" * 16)
    rid = add(demo_db, "KS", date(2020, 11, 10), "1/KS", just_fits)
    stored = attachment_of(demo_db, rid)
    assert stored is not None and stored.size == 16
    assert len(files_under(store)) == 1


def test_the_size_refusal_does_not_contradict_itself(demo_db, tmp_path) -> None:
    source = tmp_path / "ban-quet.pdf"
    with source.open("wb") as handle:  # sparse: no 100 MB written to disk
        handle.truncate(attachments.MAX_ATTACHMENT_BYTES + 1)
    with pytest.raises(InputRefused, match="quá lớn") as caught:
        add(demo_db, "KS", date(2020, 11, 10), "1/KS", source)
    message = str(caught.value)
    assert "quá lớn (100 MB); giới hạn 100 MB" not in message, message


def test_a_duplicate_receipt_with_an_attachment_copies_nothing(demo_db, store, tmp_path) -> None:
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match=f"lần tiếp nhận số {STP_RECEIPT}:"):
        add(demo_db, "STP", date(2020, 11, 20), "560/STP-VP", make_file(tmp_path / "p.pdf"))
    assert db_state(demo_db) == before
    assert files_under(store) == []


def test_a_status_change_refused_for_want_of_a_reason_copies_nothing(
    demo_db, store, tmp_path
) -> None:
    source = make_file(tmp_path / "phiếu SDL.pdf")
    late = edit_input(
        demo_db,
        SDL_RECEIPT,
        sent_date=date(2020, 11, 20),
        received_date=date(2020, 11, 20),
        attachment=source,
    )
    before = db_state(demo_db)
    with pytest.raises(StatusChangeNeedsReason):
        receipt_edits.update_receipt(demo_db, SDL_RECEIPT, late, actor=ACTOR, today=TODAY)
    assert db_state(demo_db) == before  # holds
    assert files_under(store) == []  # fails: the copy stays behind


# ---- names, restoring, editing -------------------------------------------------------------


@pytest.fixture
def vietnamese_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "Sổ tiếp nhận năm 2020" / "dữ liệu khit.db"
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    db = open_database(path)
    yield db
    db.dispose()


def test_vietnamese_folder_and_file_names_with_spaces(vietnamese_db, tmp_path) -> None:
    source = make_file(tmp_path / "Phiếu đã quét" / "Phiếu tự đánh giá Sở Tư pháp.PDF")
    sha = hashlib.sha256(SCAN).hexdigest()
    rid = add(vietnamese_db, "KS", date(2020, 11, 10), "1/KS", source)
    folder = tmp_path / "Sổ tiếp nhận năm 2020" / "dữ liệu khit.tep-dinh-kem"
    assert attachments.attachments_dir(vietnamese_db) == folder
    assert files_under(folder) == [folder / sha[:2] / f"{sha}.pdf"]
    stored = attachment_of(vietnamese_db, rid)
    assert stored is not None
    assert stored.original_name == "Phiếu tự đánh giá Sở Tư pháp.PDF"
    assert attachments.stored_path(vietnamese_db, stored).read_bytes() == SCAN
    assert source.stat().st_mtime_ns == PAST_MTIME_NS


def test_the_original_name_is_kept_in_nfc(demo_db, tmp_path) -> None:
    import unicodedata

    name = unicodedata.normalize("NFD", "Phiếu Sở Y tế.pdf")
    rid = add(demo_db, "KS", date(2020, 11, 10), "1/KS", make_file(tmp_path / name))
    stored = attachment_of(demo_db, rid)
    assert stored is not None
    assert stored.original_name == unicodedata.normalize("NFC", "Phiếu Sở Y tế.pdf")


def test_a_stored_copy_deleted_by_hand_is_restored(demo_db, store, tmp_path) -> None:
    source = make_file(tmp_path / "p.pdf")
    r1 = add(demo_db, "KS", date(2020, 11, 10), "1/KS", source)
    stored = attachment_of(demo_db, r1)
    assert stored is not None
    target = attachments.stored_path(demo_db, stored)
    target.unlink()
    shutil.rmtree(store)

    r2 = add(demo_db, "QDTPT", date(2020, 11, 10), "1/Q", make_file(tmp_path / "khác.pdf"))
    again = attachment_of(demo_db, r2)
    assert again is not None and again.id == stored.id
    assert target.read_bytes() == SCAN
    assert files_under(store) == [target]  # no .part left behind
    assert db_state(demo_db)["counts"]["attachment"] == 1


def test_update_receipt_attaches_a_file_and_none_keeps_it(demo_db, store, tmp_path) -> None:
    source = make_file(tmp_path / "bản ký số.pdf")
    sha = hashlib.sha256(SCAN).hexdigest()
    receipt_edits.update_receipt(
        demo_db,
        STP_RECEIPT,
        edit_input(demo_db, STP_RECEIPT, attachment=source),
        actor=ACTOR,
        today=TODAY,
    )
    stored = attachment_of(demo_db, STP_RECEIPT)
    assert stored is not None and stored.sha256 == sha
    assert files_under(store) == [attachments.stored_path(demo_db, stored)]

    receipt_edits.update_receipt(
        demo_db,
        STP_RECEIPT,
        edit_input(demo_db, STP_RECEIPT, note="Đã có bản ký số"),
        actor=ACTOR,
        today=TODAY,
    )
    kept = attachment_of(demo_db, STP_RECEIPT)
    assert kept is not None and kept.id == stored.id
    with demo_db.session() as s:
        updates = list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "receipt.update")
                .order_by(AuditEvent.id)
            )
        )
    assert [json.loads(e.old_json)["attachment"] for e in updates] == [None, sha]
    assert [json.loads(e.new_json)["attachment"] for e in updates] == [sha, sha]
    status = next(r for r in receipts.register(demo_db, YEAR) if r.agency_code == "STP")
    assert status.decision.status is LatenessStatus.LATE


def test_attachments_dir_without_a_file_is_in_the_data_folder(tmp_path, monkeypatch) -> None:
    from sqlalchemy import create_engine

    monkeypatch.setenv("KHIT_DATA_DIR", str(tmp_path / "dữ liệu"))
    engine = create_engine("sqlite://")
    try:
        db = Database(engine, make_url("sqlite://"))
        assert db.path is None
        assert attachments.attachments_dir(db) == tmp_path / "dữ liệu" / "tep-dinh-kem"
    finally:
        engine.dispose()
