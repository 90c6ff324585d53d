"""Excel from the window: blank forms out, filled forms in with a summary, criteria sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QDialog

from khit_desktop.services import form_exchange, form_versions, rounds, score_grid
from khit_desktop.ui.forms import criteria_dialog, criteria_preview, import_dialog
from khit_desktop.ui.scoring.scoring_panel import ScoringPanel
from tests.services.test_form_exchange import fill

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, workspace) -> ScoringPanel:
    widget = ScoringPanel(workspace)
    qtbot.addWidget(widget)
    return widget


def test_blank_forms_from_the_window(panel: ScoringPanel, monkeypatch, tmp_path: Path) -> None:
    folder = tmp_path / "Phiếu trắng 2020"
    monkeypatch.setattr(import_dialog, "blank_forms_folder", lambda parent: folder)
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.blank_button.click()
    assert len(list(folder.glob("*.xlsx"))) == 37
    assert "37 phiếu trắng" in messages[-1]


def test_import_with_summary_and_replace_question(
    panel: ScoringPanel, workspace, monkeypatch, tmp_path: Path
) -> None:
    out = tmp_path / "phieu"
    good, bad = (
        form_exchange.write_blank_forms(workspace.db, 2020, out, agency=code)[0]
        for code in ("KS", "QDTPT")
    )
    fill(good, figures={}, points={"1.8": 10}, general={"CB": 50, "MT": 45})
    fill(bad, figures={}, points={"1.3": 99}, general={"CB": 50, "MT": 45})
    monkeypatch.setattr(import_dialog, "choose_paths", lambda parent: [out])
    shown: list[import_dialog.ImportSummaryDialog] = []

    def keep(cls, results, year, today, parent=None):
        shown.append(cls(results, year, today, parent))

    monkeypatch.setattr(import_dialog.ImportSummaryDialog, "show_results", classmethod(keep))
    panel.import_button.click()
    summary = shown[-1]
    assert "Đã nhập 1 · bỏ qua 0 · từ chối 1" in summary.headline.text()
    states = {
        summary.table.item(r, 0).text(): summary.table.item(r, 1).text()
        for r in range(summary.table.rowCount())
    }
    assert states == {"Phieu-2020-KS.xlsx": "Đã nhập", "Phieu-2020-QDTPT.xlsx": "Từ chối"}
    assert panel.agency_code == "KS"
    progress = {p.agency_code: p.state for p in score_grid.progress(workspace.db, 2020)}
    assert progress["KS"] == "imported"
    saved = tmp_path / "ket qua.txt"
    monkeypatch.setattr(
        import_dialog.ImportSummaryDialog, "ask_save_path", staticmethod(lambda parent, name: saved)
    )
    summary.save_button.click()
    assert "Từ chối" in saved.read_text(encoding="utf-8")

    # the same file again: the clerk is asked, says no, the file is skipped
    asked: list[str] = []
    monkeypatch.setattr(
        import_dialog,
        "ask_replace",
        lambda parent, question, file: asked.append(str(question)) or False,
    )
    monkeypatch.setattr(import_dialog, "choose_paths", lambda parent: [good])
    panel.import_button.click()
    assert asked and "đã được nhập" in asked[0]
    assert shown[-1].table.item(0, 1).text() == "Bỏ qua"


def test_criteria_preview_blocks_a_set_with_errors(qtbot, workspace, tmp_path: Path) -> None:
    path = tmp_path / "bo-tieu-chi.xlsx"
    form_versions.export_criteria_file(workspace.db, 1, path)
    preview = form_versions.preview_criteria_file(path)
    dialog = criteria_preview.CriteriaPreviewDialog(workspace, path, preview)
    qtbot.addWidget(dialog)
    assert dialog.save_button.isEnabled()
    assert dialog.table.rowCount() == len(preview.rows)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "có/không":
                cell.value = "có hoặc không có"  # not a rule phrase
    workbook.save(path)
    broken = form_versions.preview_criteria_file(path)
    dialog = criteria_preview.CriteriaPreviewDialog(workspace, path, broken)
    qtbot.addWidget(dialog)
    assert broken.errors and not dialog.save_button.isEnabled()
    assert "lỗi" in dialog.findChild(type(dialog.refusal), "previewHeadline").text()


def test_criteria_dialog_saves_a_new_version_and_assigns_it(
    qtbot, workspace, monkeypatch, tmp_path: Path
) -> None:
    path = tmp_path / "phieu-2021.xlsx"
    form_versions.export_criteria_file(workspace.db, 1, path)
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows():
        if row[0].value == "1.8":
            row[2].value = 25  # a changed maximum: a new version
        if row[0].value == "1":
            row[2].value = 205
    workbook.save(path)
    rounds.create_round(workspace.db, 2021, copy_from=2020)
    workspace.year = 2021
    dialog = criteria_dialog.CriteriaDialog(workspace)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(
        criteria_dialog.CriteriaDialog, "ask_open_path", staticmethod(lambda parent: path)
    )

    def accept(self: QDialog) -> int:
        self.name.setText("Phiếu đánh giá năm 2021")
        self.save_button.click()
        return int(self.result())

    monkeypatch.setattr(criteria_preview.CriteriaPreviewDialog, "exec", accept)
    dialog.import_button.click()
    forms = form_versions.list_forms(workspace.db)
    new = next(f for f in forms if f.name == "Phiếu đánh giá năm 2021")
    assert new.max_points.startswith("1005")
    combo = dialog.group_choices[1]
    combo.setCurrentIndex(combo.findData(new.id))
    combo.activated.emit(combo.currentIndex())
    used = {f.id: f.used_by for f in form_versions.list_forms(workspace.db)}
    assert "2021 · Nhóm 1" in used[new.id]


def test_result_notice_from_the_grid(panel: ScoringPanel, monkeypatch, tmp_path: Path) -> None:
    from pypdf import PdfReader

    panel.show_agency("CR")
    target = tmp_path / "Thông báo" / "CR.pdf"
    target.parent.mkdir()
    monkeypatch.setattr(import_dialog, "notice_path", lambda parent, name: target)
    panel.notice_button.click()
    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    assert "KẾT QUẢ THẨM ĐỊNH" in text and "Cam Ranh" in text
    excel = tmp_path / "CR.xlsx"
    monkeypatch.setattr(import_dialog, "notice_path", lambda parent, name: excel)
    panel.notice_button.click()
    assert excel.exists()
