"""The ranking screen's documents: print preview and printing of the annex, the annex as PDF,
the results in Excel, and the decision the annex is attached to."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QPageLayout
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget

from khit_desktop.services import round_decision
from khit_desktop.services.annex import write_annex
from khit_desktop.services.round_decision import DecisionInfo
from khit_desktop.ui.ranking import annex_actions
from khit_desktop.ui.ranking.annex_print import AnnexDocument, AnnexPreviewDialog
from khit_desktop.ui.ranking.ranking_panel import RankingPanel
from khit_desktop.ui.rounds.decision_dialog import DecisionDialog
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def panel(qtbot, workspace) -> RankingPanel:
    widget = RankingPanel(workspace)
    qtbot.addWidget(widget)
    widget.resize(1230, 640)
    widget.show()
    return widget


def test_save_pdf_writes_the_same_bytes_as_khit_annex(panel, workspace, monkeypatch, tmp_path):
    target = tmp_path / "Phụ lục năm 2020.pdf"
    monkeypatch.setattr(annex_actions, "ask_save_path", lambda *a: target)
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.action_save_pdf.trigger()
    assert target.exists()
    reference = write_annex(workspace.db, 2020, tmp_path / "cli.pdf")
    assert target.read_bytes() == reference.read_bytes()
    assert messages and str(target) in messages[-1]


def test_cancelled_save_writes_nothing(panel, monkeypatch, tmp_path):
    monkeypatch.setattr(annex_actions, "ask_save_path", lambda *a: None)
    panel.action_save_pdf.trigger()
    panel.action_export.trigger()
    assert not list(tmp_path.rglob("*.pdf")) and not list(tmp_path.rglob("*.xlsx"))


def test_export_excel_from_the_window(panel, workspace, monkeypatch, tmp_path):
    target = tmp_path / "kết quả.xlsx"
    monkeypatch.setattr(annex_actions, "ask_save_path", lambda *a: target)
    panel.action_export.trigger()
    book = load_workbook(target, read_only=True)
    first = book.worksheets[0]
    names = {c for row in first.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert "Sở Nội vụ" in names
    book.close()


def test_unwritable_target_is_refused_with_a_message(panel, monkeypatch, tmp_path):
    target = tmp_path / "không có thư mục" / "phu-luc.pdf"
    monkeypatch.setattr(annex_actions, "ask_save_path", lambda *a: target)
    refused: list[str] = []
    monkeypatch.setattr(annex_actions, "show_refusal", lambda parent, text: refused.append(text))
    panel.action_save_pdf.trigger()
    assert refused and "Không ghi được phụ lục" in refused[0]


def test_preview_shows_every_page_and_prints_them(panel, workspace, monkeypatch, tmp_path):
    seen: dict[str, object] = {}

    def fake_show(annex: AnnexDocument, parent) -> int:
        seen["path"] = annex.path
        seen["pages"] = annex.page_count
        assert annex.path.exists()
        # the preview widget Qt's dialog shows, driven by the same paint callback
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        annex.prepare(printer)
        preview = QPrintPreviewWidget(printer)
        preview.paintRequested.connect(annex.paint)
        preview.updatePreview()
        seen["preview_pages"] = preview.pageCount()
        # printing: to a PDF printer, which a test can read back
        printed = tmp_path / "in ra.pdf"
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        annex.paint(printer)
        seen["printed"] = printed
        return 1

    monkeypatch.setattr(AnnexPreviewDialog, "show_for", staticmethod(fake_show))
    panel.action_preview.trigger()
    written = write_annex(workspace.db, 2020, tmp_path / "cli.pdf")
    pages = len(PdfReader(written).pages)
    assert seen["pages"] == pages == seen["preview_pages"]
    printed = PdfReader(seen["printed"])
    assert len(printed.pages) == pages
    for page in printed.pages:  # A4 landscape, as the annex
        assert round(float(page.mediabox.width)) == 842
        assert round(float(page.mediabox.height)) == 595
    assert not Path(str(seen["path"])).parent.exists()  # the temporary copy is removed


def test_preview_dialog_is_set_up_for_a4_landscape(qtbot, workspace, tmp_path):
    annex = AnnexDocument(write_annex(workspace.db, 2020, tmp_path / "phu-luc.pdf"))
    dialog = AnnexPreviewDialog(annex)
    qtbot.addWidget(dialog)
    layout = dialog.annex_printer.pageLayout()
    assert layout.orientation() == QPageLayout.Orientation.Landscape
    assert dialog.annex_printer.fullPage()
    assert "phu-luc.pdf" in dialog.windowTitle()
    annex.close()


def test_ctrl_p_opens_the_preview(panel, qtbot, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(
        AnnexPreviewDialog, "show_for", staticmethod(lambda annex, parent: calls.append(1) or 0)
    )
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert calls == [1]


def test_decision_dialog_previews_and_saves(qtbot, workspace):
    dialog = DecisionDialog(workspace.db, 2020, actor=workspace.actor)
    qtbot.addWidget(dialog)
    assert "……" in dialog.preview.text()
    type_text(dialog.number, "3456")
    type_text(dialog.day, "30/12/2020")
    assert dialog.preview.text().startswith(
        "(Kèm theo Quyết định số 3456/QĐ-UBND ngày 30 tháng 12 năm 2020"
    )
    assert dialog.save_button.isEnabled()
    dialog.grab().save(str(SCREENSHOTS / "decision-dialog.png"))
    dialog.save_button.click()
    assert dialog.saved
    assert round_decision.decision_info(workspace.db, 2020).number == "3456"


def test_decision_dialog_shows_errors_and_keeps_the_round(qtbot, workspace):
    dialog = DecisionDialog(workspace.db, 2020, actor=workspace.actor)
    qtbot.addWidget(dialog)
    type_text(dialog.day, "31/02/2020")
    assert "không có thật" in dialog.error.text()
    assert not dialog.save_button.isEnabled()
    dialog.day.clear()
    type_text(dialog.day, "01/01/2030")
    assert "không hợp lý" in dialog.error.text()
    assert round_decision.decision_info(workspace.db, 2020).day is None


def test_a_correction_without_reason_is_refused_in_the_dialog(qtbot, workspace):
    round_decision.set_decision(
        workspace.db, 2020, DecisionInfo("3456", date(2020, 12, 30)), actor=workspace.actor
    )
    dialog = DecisionDialog(workspace.db, 2020, actor=workspace.actor)
    qtbot.addWidget(dialog)
    dialog.number.clear()
    type_text(dialog.number, "3465")
    dialog.save_button.click()
    assert "lý do" in dialog.error.text()
    assert not dialog.saved
    type_text(dialog.reason, "gõ nhầm số")
    dialog.save_button.click()
    assert dialog.saved
    assert round_decision.decision_info(workspace.db, 2020).number == "3465"


def test_the_missing_decision_is_listed_until_it_is_set(panel, workspace):
    texts = [panel.warnings.item(i).text() for i in range(panel.warnings.count())]
    assert any("quyết định công bố" in t for t in texts)
    round_decision.set_decision(
        workspace.db, 2020, DecisionInfo("3456", date(2020, 12, 30)), actor=workspace.actor
    )
    panel.reload()
    texts = [panel.warnings.item(i).text() for i in range(panel.warnings.count())]
    assert not any("quyết định công bố" in t for t in texts)


def test_history_import_is_in_the_ranking_menu(qtbot, workspace, settings, monkeypatch):
    from khit_desktop.ui import history
    from khit_desktop.ui.main_window import MainWindow

    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    menus = [a for a in window.menuBar().actions() if a.text().replace("&", "") == "Xếp hạng"]
    items = menus[0].menu().actions()
    action = next(a for a in items if a.text().startswith("Nhập kết quả đã công bố"))
    calls: list[int] = []
    monkeypatch.setattr(history, "import_history", lambda ws, parent: calls.append(1) or None)
    action.trigger()
    assert calls == [1]
