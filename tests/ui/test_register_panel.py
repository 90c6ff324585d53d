"""The receipt register driven as a clerk would: typing into the real dialog, reading the
table. Modal dialogs are driven inside their ``exec`` (patched), never left open."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from khit_desktop.domain.lateness import LatenessStatus
from khit_desktop.services import receipts
from khit_desktop.store.models import AuditEvent, ReceiptRow
from khit_desktop.ui import reason_dialog
from khit_desktop.ui.receipts.receipt_dialog import ReceiptDialog
from khit_desktop.ui.receipts.register_model import COL_AGENCY, COL_STATUS
from khit_desktop.ui.receipts.register_panel import RegisterPanel
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, workspace) -> RegisterPanel:
    widget = RegisterPanel(workspace)
    qtbot.addWidget(widget)
    widget.resize(1250, 700)
    widget.show()
    return widget


def row_of(panel: RegisterPanel, name: str) -> int:
    for row in range(panel.proxy.rowCount()):
        if panel.proxy.index(row, COL_AGENCY).data() == name:
            return row
    raise AssertionError(f"{name} not in the table")


def status_of(panel: RegisterPanel, name: str) -> str:
    return panel.proxy.index(row_of(panel, name), COL_STATUS).data()


def drive(monkeypatch: pytest.MonkeyPatch, steps) -> list[ReceiptDialog]:  # type: ignore[no-untyped-def]
    """Replace the dialog's modal loop by ``steps(dialog)``; returns the dialogs seen."""
    seen: list[ReceiptDialog] = []

    def fake_exec(dialog: ReceiptDialog) -> int:
        seen.append(dialog)
        dialog.show()  # shown as exec() would, without a nested event loop
        dialog.activateWindow()
        steps(dialog)
        dialog.hide()
        return int(dialog.result())

    monkeypatch.setattr(ReceiptDialog, "exec", fake_exec)
    return seen


def test_register_lists_every_agency_with_counts(panel: RegisterPanel, workspace) -> None:
    lines = receipts.register(workspace.db, 2020, as_of=workspace.today())
    assert panel.proxy.rowCount() == len(lines) == 37
    summary = panel.summary.text()
    for status in LatenessStatus:
        count = sum(1 for line in lines if line.decision.status is status)
        assert f"{status.label}: {count}" in summary
    assert status_of(panel, "Sở Tư pháp") == "Trễ ≤ 5 ngày (−100 điểm)"
    assert status_of(panel, "UBND huyện Khánh Sơn") == "Chưa nhận"


def test_search_box_ignores_diacritics(qtbot, panel: RegisterPanel) -> None:
    qtbot.keyClicks(panel.search, "so tai chinh")
    assert panel.proxy.rowCount() == 1
    assert panel.proxy.index(0, COL_AGENCY).data() == "Sở Tài chính"
    assert "đang hiện 1/37" in panel.summary.text()
    panel.search.clear()
    type_text(panel.search, "Khánh")  # typed with diacritics, as an input method sends it
    assert {panel.proxy.index(r, COL_AGENCY).data() for r in range(panel.proxy.rowCount())} >= {
        "UBND huyện Khánh Sơn",
        "UBND huyện Khánh Vĩnh",
    }


def test_group_and_status_filters(panel: RegisterPanel) -> None:
    panel.group_filter.setCurrentIndex(panel.group_filter.findData(2))
    assert panel.proxy.rowCount() == 8
    panel.status_filter.setCurrentIndex(panel.status_filter.findData(LatenessStatus.MISSING))
    assert [panel.proxy.index(r, COL_AGENCY).data() for r in range(panel.proxy.rowCount())] == [
        "UBND huyện Khánh Sơn"
    ]


def test_register_a_receipt_with_the_keyboard(
    qtbot, panel: RegisterPanel, workspace, monkeypatch
) -> None:
    def steps(dialog: ReceiptDialog) -> None:
        assert dialog.picker is not None
        assert dialog.picker.search.hasFocus() or dialog.focusWidget() is dialog.picker.search
        qtbot.keyClicks(dialog.picker.search, "khanh son")
        assert dialog.picker.selected_code == "KS"
        qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.channel
        dialog.channel.setCurrentIndex(0)  # Bưu điện
        assert dialog.sent_label.text() == "Ngày theo dấu bưu điện:"
        qtbot.keyClick(dialog.channel, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.sent
        qtbot.keyClicks(dialog.sent, "20/11/2020")
        assert dialog.status.text() == "Trễ ≤ 5 ngày (−100 điểm)"  # live, before saving
        qtbot.keyClicks(dialog.sent, "\b\b\b\b\b\b\b\b\b\b")
        qtbot.keyClicks(dialog.sent, "25/11/2020")
        assert dialog.status.text() == "Trễ > 5 ngày (xếp loại Yếu)"
        assert "Điều 8.4" in dialog.explanation.text()
        qtbot.keyClick(dialog.sent, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.received, "27/11/2020")
        qtbot.keyClick(dialog.received, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.number, "45/UBND-VP")
        qtbot.keyClick(dialog.number, Qt.Key.Key_Tab)
        type_text(dialog.note, "Bản chính gửi kèm công văn", decomposed=True)
        qtbot.keyClick(dialog.number, Qt.Key.Key_Return)  # Enter saves when valid

    seen = drive(monkeypatch, steps)
    qtbot.keyClick(panel.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    if not seen:  # the shortcut needs a window with focus; the button does the same
        panel.new_button.click()
    assert seen and seen[0].saved
    assert status_of(panel, "UBND huyện Khánh Sơn") == "Trễ > 5 ngày (xếp loại Yếu)"
    assert panel.current_line().agency_code == "KS"
    with workspace.db.session() as s:
        row = s.query(ReceiptRow).order_by(ReceiptRow.id.desc()).first()
        assert row.doc_number == "45/UBND-VP"
        assert row.note == "Bản chính gửi kèm công văn"
        assert unicodedata.is_normalized("NFC", row.note)
        event = s.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
        assert event.action == "receipt.add" and event.user == "can-bo-a"


def test_bad_input_is_shown_next_to_the_field_and_nothing_saved(
    qtbot, panel: RegisterPanel, workspace, monkeypatch
) -> None:
    with workspace.db.session() as s:
        before = s.query(ReceiptRow).count()

    def steps(dialog: ReceiptDialog) -> None:
        qtbot.keyClicks(dialog.picker.search, "tai chinh")
        qtbot.keyClicks(dialog.sent, "31/02/2020")
        assert dialog.sent_error.isVisible()
        assert "không có thật" in dialog.sent_error.text()
        assert not dialog.save_button.isEnabled()
        dialog.sent.clear()
        qtbot.keyClicks(dialog.sent, "02/12/2020")  # after "today" (01/12/2020)
        assert "sau ngày hôm nay" in dialog.sent_error.text()
        dialog.sent.clear()
        qtbot.keyClicks(dialog.sent, "10/11/2020")
        qtbot.keyClicks(dialog.received, "09/11/2020")
        assert "trước ngày gửi" in dialog.received_error.text()
        assert not dialog.save_button.isEnabled()
        qtbot.keyClick(dialog.received, Qt.Key.Key_Return)  # Enter does not save invalid input
        assert dialog.result() == QDialog.DialogCode.Rejected
        dialog.reject()

    seen = drive(monkeypatch, steps)
    panel.new_button.click()
    assert seen and not seen[0].saved
    with workspace.db.session() as s:
        assert s.query(ReceiptRow).count() == before


def test_duplicate_receipt_is_refused_in_the_dialog(
    qtbot, panel: RegisterPanel, workspace, monkeypatch
) -> None:
    line = next(x for x in receipts.register(workspace.db, 2020) if x.agency_code == "STC")
    counted = line.counted
    assert counted is not None

    def steps(dialog: ReceiptDialog) -> None:
        qtbot.keyClicks(dialog.picker.search, "STC")
        dialog.channel.setCurrentIndex(dialog.channel.findData(counted.channel))
        qtbot.keyClicks(dialog.sent, counted.sent_date.strftime("%d/%m/%Y"))
        qtbot.keyClicks(dialog.number, counted.doc_number)
        assert dialog.number_error.isVisible()
        assert f"số {counted.id}" in dialog.number_error.text()
        assert not dialog.save_button.isEnabled()
        dialog.reject()

    seen = drive(monkeypatch, steps)
    panel.new_button.click()
    assert seen and not seen[0].saved


def test_attachment_is_copied_by_content_hash(
    qtbot, panel: RegisterPanel, workspace, monkeypatch, tmp_path: Path
) -> None:
    scan = tmp_path / "Bản quét phiếu.pdf"
    scan.write_bytes(b"%PDF-1.4 minh hoa")
    monkeypatch.setattr(ReceiptDialog, "pick_file", staticmethod(lambda parent: scan))

    def steps(dialog: ReceiptDialog) -> None:
        qtbot.keyClicks(dialog.picker.search, "khanh son")
        qtbot.keyClicks(dialog.sent, "16/11/2020")
        dialog.attach_button.click()
        assert dialog.attachment_label.text() == "Bản quét phiếu.pdf"
        dialog.save_button.click()

    drive(monkeypatch, steps)
    panel.new_button.click()
    assert scan.exists()  # never moved from the user's folder
    stored = list((workspace.db.path.parent).glob("*.tep-dinh-kem/*/*.pdf"))
    assert len(stored) == 1 and stored[0].read_bytes() == scan.read_bytes()
    panel.select_agency("KS")
    assert panel.history.open_button.isEnabled()
    assert "📎 Bản quét phiếu.pdf" in panel.history.receipts.item(0).text()


def test_edit_that_changes_the_status_asks_for_a_reason(
    qtbot, panel: RegisterPanel, workspace, monkeypatch
) -> None:
    asked: list[str] = []

    def fake_ask(cls, parent, title, message, confirm, initial=""):
        asked.append(message)
        return "Nhập sai ngày dấu bưu điện"

    monkeypatch.setattr(reason_dialog.ReasonDialog, "ask", classmethod(fake_ask))
    assert panel.select_agency("STC")
    assert panel.history.edit_button.isEnabled()

    def steps(dialog: ReceiptDialog) -> None:
        assert dialog.picker is None  # the agency of an existing receipt is fixed
        dialog.sent.clear()
        qtbot.keyClicks(dialog.sent, "19/11/2020")
        assert dialog.status.text() == "Trễ ≤ 5 ngày (−100 điểm)"
        dialog.received.clear()
        qtbot.keyClicks(dialog.received, "20/11/2020")
        dialog.save_button.click()

    drive(monkeypatch, steps)
    panel.history.edit_button.click()
    assert asked and "Đúng hạn" in asked[0] and "Trễ ≤ 5 ngày" in asked[0]
    assert status_of(panel, "Sở Tài chính") == "Trễ ≤ 5 ngày (−100 điểm)"
    with workspace.db.session() as s:
        event = s.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
        assert event.action == "receipt.update"
        assert event.reason == "Nhập sai ngày dấu bưu điện"
        assert json.loads(event.new_json)["sent_date"] == "2020-11-19"
    assert "Nhập sai ngày dấu bưu điện" in panel.history.events.toPlainText()


def test_invalidate_a_receipt_and_exempt_an_agency(
    panel: RegisterPanel, workspace, monkeypatch
) -> None:
    monkeypatch.setattr(
        reason_dialog.ReasonDialog,
        "ask",
        classmethod(lambda cls, parent, title, message, confirm, initial="": "Thiếu chữ ký số"),
    )
    assert panel.select_agency("SDL")
    panel.history.invalid_button.click()
    assert status_of(panel, "Sở Du lịch") == "Chưa nhận"
    assert "KHÔNG HỢP LỆ: Thiếu chữ ký số" in panel.history.receipts.item(0).text()
    panel.history.exempt_button.click()
    assert status_of(panel, "Sở Du lịch") == "Không xếp hạng"
    assert panel.history.exempt_button.text() == "Bỏ không xếp hạng…"
    panel.history.exempt_button.click()
    assert status_of(panel, "Sở Du lịch") == "Chưa nhận"


def test_cancelled_reason_changes_nothing(panel: RegisterPanel, workspace, monkeypatch) -> None:
    monkeypatch.setattr(
        reason_dialog.ReasonDialog,
        "ask",
        classmethod(lambda cls, parent, title, message, confirm, initial="": None),
    )
    panel.select_agency("SDL")
    panel.history.invalid_button.click()
    assert status_of(panel, "Sở Du lịch") == "Đúng hạn"


def test_export_register_to_excel(panel: RegisterPanel, monkeypatch, tmp_path: Path) -> None:
    target = tmp_path / "Hồ sơ Hội đồng" / "sổ tiếp nhận.xlsx"
    target.parent.mkdir()
    monkeypatch.setattr(RegisterPanel, "ask_export_path", staticmethod(lambda p, s: target))
    panel.export_button.click()
    from openpyxl import load_workbook

    workbook = load_workbook(target)
    text = " ".join(
        str(c.value)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    )
    assert "Sở Tư pháp" in text and "Trễ ≤ 5 ngày (−100 điểm)" in text
    assert "DỮ LIỆU MINH HỌA" in text


def test_reason_dialog_needs_text(qtbot) -> None:
    dialog = reason_dialog.ReasonDialog("Tiêu đề", "Thông báo", "Đồng ý")
    qtbot.addWidget(dialog)
    assert not dialog.confirm.isEnabled()
    type_text(dialog.reason, "  Lý do có dấu  ")
    assert dialog.confirm.isEnabled()
    assert dialog.text == "Lý do có dấu"
