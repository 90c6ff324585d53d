"""The integrity check in the window (silent when intact, a loud warning when not) and the
history dialog of an agency (read-only, newest first, filtered by criterion)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractItemView, QDialog, QMessageBox

from khit_desktop.services import appraisal
from khit_desktop.services.audit import Actor
from khit_desktop.services.audit_history import agency_in_round, history_lines
from khit_desktop.store.database import Database
from khit_desktop.ui.integrity import history_dialog
from khit_desktop.ui.integrity.history_dialog import HistoryDialog, show_history
from khit_desktop.ui.integrity.history_model import COL_CRITERIA, COL_WHAT, COL_WHEN
from khit_desktop.ui.integrity.verify_on_open import check_on_open, show_integrity_check
from khit_desktop.ui.workspace import Workspace

pytestmark = pytest.mark.gui
YEAR = 2020


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[QMessageBox]:
    """Message boxes that would have been shown (never left modal)."""
    shown: list[QMessageBox] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box)
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return shown


def tamper(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE score SET appraised_points = '29.50' WHERE id = 100")


def test_nothing_shown_when_intact(qtbot: Any, demo_db: Database, boxes: list) -> None:
    report = check_on_open(demo_db, None)
    assert report.ok and boxes == []


def test_a_loud_warning_when_broken(qtbot: Any, demo_db: Database, boxes: list) -> None:
    tamper(demo_db)
    report = check_on_open(demo_db, None)
    assert not report.ok
    (box,) = boxes
    assert box.icon() == QMessageBox.Icon.Critical
    assert box.windowTitle().startswith("CẢNH BÁO")
    assert "Điểm khớp nhật ký" in box.text() and "Chỗ hỏng đầu tiên: Điểm #100 " in box.text()
    info = box.informativeText()
    assert "quản trị" in info and "Phục hồi từ bản sao lưu" in info
    assert "-sao-luu" in info and "khit verify --db" in info
    assert "[LỖI] Điểm khớp nhật ký" in box.detailedText()


def test_the_help_menu_check_reports_either_way(qtbot: Any, demo_db: Database, boxes: list) -> None:
    report = show_integrity_check(demo_db, None)
    (box,) = boxes
    assert box.icon() == QMessageBox.Icon.Information
    assert "Dữ liệu toàn vẹn" in box.text() and report.code in box.text()
    tamper(demo_db)
    show_integrity_check(demo_db, None)
    assert boxes[-1].icon() == QMessageBox.Icon.Critical


@pytest.fixture
def dialog(qtbot: Any, demo_db: Database) -> HistoryDialog:
    appraisal.set_appraised_points(
        demo_db,
        YEAR,
        "DHKH",
        "1.6.2",
        Decimal(3),
        reason="Hội đồng họp lại",
        actor=Actor("hd", "m"),
    )
    shown = HistoryDialog(
        agency_in_round(demo_db, YEAR, "DHKH"), history_lines(demo_db, YEAR, "DHKH")
    )
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def test_history_dialog_newest_first_read_only(
    qtbot: Any, qtmodeltester: Any, dialog: HistoryDialog, tmp_path: Path
) -> None:
    qtmodeltester.check(dialog.model)
    assert dialog.table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    lines = dialog.shown_lines()
    assert len(lines) == dialog.model.rowCount() > 40
    newest = lines[0]
    assert newest.user == "hd" and newest.reason == "Hội đồng họp lại"
    index = dialog.proxy.index(0, COL_WHAT)
    assert (
        index.data() == "Điểm thẩm định: 4,00 → 3,00; Nguồn: Khảo sát thực tế → Đối chiếu số liệu"
    )
    assert dialog.proxy.index(0, COL_WHEN).data() == newest.when
    assert "Hội đồng họp lại" in dialog.detail.toPlainText()
    assert dialog.count.text() == f"{len(lines)} thay đổi"
    dialog.grab().save(str(tmp_path / "history.png"))


def test_history_filtered_by_criterion(qtbot: Any, dialog: HistoryDialog) -> None:
    total = dialog.model.rowCount()
    dialog.criterion.setCurrentIndex(dialog.criterion.findData("1.6.2"))
    shown = dialog.shown_lines()
    assert len(shown) == 6 and all("1.6.2" in line.criteria for line in shown)
    assert dialog.count.text() == f"6 trong {total} thay đổi"
    assert "1.6.2" in dialog.proxy.index(0, COL_CRITERIA).data()
    assert dialog.criterion.currentText().startswith("1.6.2 — Phòng máy chủ")
    dialog.criterion.setCurrentIndex(0)
    assert dialog.proxy.rowCount() == total


def test_show_history_opens_on_a_criterion_or_refuses(
    qtbot: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[HistoryDialog] = []

    def exec_(dialog: HistoryDialog) -> int:
        opened.append(dialog)
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(HistoryDialog, "exec", exec_)
    show_history(workspace, None, "NH", "4.6")
    (dialog,) = opened
    assert dialog.criterion.currentData() == "4.6" and dialog.proxy.rowCount() == 3
    refusals: list[str] = []
    monkeypatch.setattr(history_dialog, "show_refusal", lambda _p, text: refusals.append(text))
    show_history(workspace, None, "KHONG-CO")
    assert len(opened) == 1 and "KHONG-CO" in refusals[0]
