"""The whole window as a clerk uses it: Ctrl+N, typing like an input method, the register."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from khit_desktop import app as app_module
from khit_desktop.store.models import ReceiptRow
from khit_desktop.ui.main_window import MainWindow
from khit_desktop.ui.receipts.agency_picker import AgencyChoice, AgencyPicker
from khit_desktop.ui.receipts.receipt_dialog import ReceiptDialog
from khit_desktop.ui.receipts.register_model import COL_AGENCY, COL_STATUS
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui


def test_ctrl_n_in_the_window_records_a_receipt(qtbot, workspace, settings, monkeypatch) -> None:
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    QApplication.processEvents()
    assert window.isActiveWindow()
    assert window.stack.currentWidget() is window.overview  # the home screen
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # Tiếp nhận
    assert window.stack.currentWidget() is window.register
    window.register.table.setFocus()

    def fake_exec(dialog: ReceiptDialog) -> int:
        dialog.show()
        # Unikey/EVKey style: letters, a Backspace, the re-typed letter with its mark
        type_text(dialog.picker.search, "quy dau tu")
        assert dialog.picker.selected_code == "QDTPT"
        qtbot.keyClicks(dialog.sent, "13/11/2020")
        dialog.number.setFocus()
        type_text(dialog.number, "12/QĐT")
        qtbot.keyClick(dialog.number, Qt.Key.Key_Backspace)
        type_text(dialog.number, "T-VP")
        type_text(dialog.note, "Gửi kèm bản mềm", decomposed=True)
        assert dialog.status.text() == "Đúng hạn"
        dialog.save_button.click()
        dialog.hide()
        return int(dialog.result())

    monkeypatch.setattr(ReceiptDialog, "exec", fake_exec)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    proxy = window.register.proxy
    row = next(
        r
        for r in range(proxy.rowCount())
        if proxy.index(r, COL_AGENCY).data() == "Quỹ Đầu tư phát triển Khánh Hòa"
    )
    assert proxy.index(row, COL_STATUS).data() == "Đúng hạn"
    with workspace.db.session() as s:
        saved = s.query(ReceiptRow).order_by(ReceiptRow.id.desc()).first()
        assert saved.doc_number == "12/QĐT-VP"
        assert saved.note == "Gửi kèm bản mềm"
        assert unicodedata.is_normalized("NFC", saved.note)


def test_agency_picker_keyboard_and_model(qtbot, qtmodeltester) -> None:
    picker = AgencyPicker(
        [
            AgencyChoice("DH", "UBND huyện Đông Hòa", 2),
            AgencyChoice("DK", "UBND huyện Diên Khánh", 2),
            AgencyChoice("STC", "Sở Tài chính", 1),
        ]
    )
    qtbot.addWidget(picker)
    qtmodeltester.check(picker.proxy)
    qtbot.keyClicks(picker.search, "dong")
    assert picker.selected_code == "DH"
    picker.search.clear()
    qtbot.keyClicks(picker.search, "ubnd")
    assert picker.selected_code == "DH"
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.selected_code == "DK"
    qtbot.keyClick(picker.search, Qt.Key.Key_Up)
    assert picker.selected_code == "DH"
    picker.search.clear()
    qtbot.keyClicks(picker.search, "khong co")
    assert picker.selected_code is None


def test_khit_desktop_main_opens_the_database_given(
    qtbot, demo_template: Path, tmp_path: Path, monkeypatch
) -> None:
    import shutil

    from PySide6.QtWidgets import QApplication as QApp

    path = tmp_path / "Tài liệu" / "khit.db"
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    shown: list[MainWindow] = []
    monkeypatch.setattr(QApp, "exec", lambda self=None: 0)
    monkeypatch.setattr(MainWindow, "show", lambda self: shown.append(self))
    monkeypatch.setattr(MainWindow, "showMaximized", lambda self: shown.append(self))
    assert app_module.main(["--db", str(path)]) == 0
    assert shown and "Năm 2020" in shown[0].windowTitle()
    assert "DỮ LIỆU MINH HỌA" in shown[0].windowTitle()
    assert shown[0].register.model.rowCount() == 37


def test_khit_desktop_demo_flag(qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QApplication as QApp

    shown: list[MainWindow] = []
    monkeypatch.setattr(QApp, "exec", lambda self=None: 0)
    monkeypatch.setattr(MainWindow, "show", lambda self: shown.append(self))
    monkeypatch.setattr(MainWindow, "showMaximized", lambda self: shown.append(self))
    assert app_module.main(["--demo"]) == 0
    assert shown[0].demo_banner.isVisibleTo(shown[0])
    assert shown[0].register.model.rowCount() == 37


def test_a_database_that_cannot_be_opened_is_explained(qtbot, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    bad = tmp_path / "không phải.db"
    bad.write_text("hello", encoding="utf-8")
    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: messages.append(text))
    assert app_module.main(["--db", str(bad)]) == 4
    assert messages and "không phải cơ sở dữ liệu" in messages[0]
    assert bad.read_text(encoding="utf-8") == "hello"
