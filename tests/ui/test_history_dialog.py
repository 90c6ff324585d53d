"""Importing published results in the window: the review step's logic, then the real dialog
driven with the keyboard and the mouse on a copy of the demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog
from sqlalchemy import func, select

from khit_desktop.domain.name_match import MatchKind
from khit_desktop.services import history, rounds
from khit_desktop.services.history import CREATE_NEW, SKIP, AgencyOption
from khit_desktop.services.rounds import RoundSummary
from khit_desktop.store.database import Database
from khit_desktop.store.models import Agency, AuditEvent, PublishedResult, Round, RoundAgency
from khit_desktop.ui.history import import_dialog
from khit_desktop.ui.history.import_dialog import HistoryImportDialog
from khit_desktop.ui.history.problems import ProblemList, RefusedFileDialog, headline
from khit_desktop.ui.history.report_panel import (
    D_CLASS,
    D_RANK,
    D_RANK_AGAIN,
    DIFFERS,
    differences_text,
    report_lines,
)
from khit_desktop.ui.history.review import (
    NEW_KEY,
    SKIP_KEY,
    Review,
    RowState,
    guess_year,
    new_label,
    year_note,
)
from khit_desktop.ui.history.review_model import COL_AGENCY, COL_STATE, PICK_LABEL
from khit_desktop.ui.workspace import Workspace
from tests.history_book import ROWS_2019, write_book
from tests.ui.conftest import TODAY

LEFT = Qt.MouseButton.LeftButton
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "ket-qua-2019-mau.xlsx"
GONE = [7, "Sở Văn hóa, Thể thao và Du lịch", 1, "870", 1000, 3, "Tốt"]
STRANGER = [8, "Phòng Họp Ảo", 3, 500, 1000, 2, "Trung bình"]
ROWS_2018 = [*ROWS_2019, GONE, STRANGER]  # sheet rows 5-10 known, 11 gone, 12 unknown
gui = pytest.mark.gui


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Agency, Round, RoundAgency, PublishedResult, AuditEvent)
        }


def book(tmp_path: Path, rows: list[list[object]], name: str = "ket-qua-2018.xlsx") -> Path:
    return write_book(tmp_path / name, rows)


def open_dialog(qtbot, ws: Workspace, path: Path) -> HistoryImportDialog:
    dialog = HistoryImportDialog(ws, history.read_history(path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def source_row(dialog: HistoryImportDialog, sheet_row: int) -> int:
    return next(i for i, r in enumerate(dialog.review.rows) if r.row == sheet_row)


def pick(qtbot, dialog: HistoryImportDialog, sheet_row: int, label: str) -> None:
    """Select the row, Enter opens its combo, choose ``label``, Enter writes it."""
    proxy_row = dialog.proxy.mapFromSource(
        dialog.model.index(source_row(dialog, sheet_row), 0)
    ).row()
    table = dialog.table
    table.setFocus()
    table.setCurrentIndex(dialog.proxy.index(proxy_row, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    combo = table.indexWidget(dialog.proxy.index(proxy_row, COL_AGENCY))
    assert isinstance(combo, QComboBox)
    found = combo.findText(label)
    assert found >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(found)
    qtbot.keyClick(combo, Qt.Key.Key_Return)  # the view closes the editor a moment later
    qtbot.waitUntil(lambda: table.indexWidget(dialog.proxy.index(proxy_row, COL_AGENCY)) is None)


def cell(dialog: HistoryImportDialog, sheet_row: int, column: int, role=None) -> object:
    index = dialog.model.index(source_row(dialog, sheet_row), column)
    return index.data(role if role is not None else Qt.ItemDataRole.DisplayRole)


# -- plain logic -----------------------------------------------------------------------------
def test_guess_year_from_the_file_then_the_sheet() -> None:
    assert guess_year(("ket-qua-2019-mau.xlsx", "Ket qua"), 2019) == 2019
    assert guess_year(("ket qua.xlsx", "Năm 2017"), 2019) == 2017
    assert guess_year(("bang-12345.xlsx", "Trang 1"), 2019) == 2019  # no plausible year


def test_year_note_says_what_importing_does() -> None:
    summaries = [
        RoundSummary(2019, 38, "finalized", True, "published"),
        RoundSummary(2020, 37, "x", True),
    ]
    assert year_note(2018, summaries) == (
        "Năm 2018 chưa có trong chương trình: sẽ tạo kỳ đánh giá năm 2018 (kết quả đã công "
        "bố, đã chốt).",
        False,
    )
    assert year_note(2019, summaries)[1] and "38 cơ quan" in year_note(2019, summaries)[0]
    assert "kỳ thẩm định" in year_note(2020, summaries)[0]


def test_review_choices_pending_and_duplicates(workspace: Workspace, tmp_path: Path) -> None:
    file = history.read_history(book(tmp_path, ROWS_2018))
    review = Review(file, history.match_history(workspace.db, 2018, file), [])
    assert review.summary() == "8 dòng: 5 trùng tên, 1 gần đúng, 2 không nhận ra"
    assert review.pending() == 2 and review.choices() == {}
    gone, stranger = source_row_of(review, 11), source_row_of(review, 12)
    assert review.options(gone, 2018)[:4] == [
        ("Sở Văn hóa và Thể thao (SVHTT, Nhóm 1)", "SVHTT"),
        ("Sở Du lịch (SDL, Nhóm 1)", "SDL"),
        (new_label(2018), NEW_KEY),
        ("Bỏ qua dòng này", SKIP_KEY),
    ]
    assert review.choose(gone, NEW_KEY) and review.choose(stranger, SKIP_KEY)
    assert not review.choose(stranger, "NO-SUCH-CODE")
    assert review.pending() == 0 and review.choices() == {11: CREATE_NEW, 12: SKIP}
    # the same agency twice blocks both rows until one changes
    assert review.choose(stranger, "STP")
    assert review.duplicates() == {12: 5, 5: 12}
    assert review.state(stranger) is RowState.DUPLICATE and review.pending() == 2
    # choosing the matcher's own agency is no choice at all
    assert review.choose(stranger, SKIP_KEY) and review.choose(source_row_of(review, 7), "SNV")
    assert review.choices() == {11: CREATE_NEW, 12: SKIP}


def source_row_of(review: Review, sheet_row: int) -> int:
    return next(i for i, r in enumerate(review.rows) if r.row == sheet_row)


def test_headline_drops_the_bullets_the_list_shows() -> None:
    message = "Tệp 'x.xlsx' có 2 ô không dùng được; chưa nhập gì. Hãy sửa:\n- A5: x\n- B5: y"
    assert headline(message, ("A5: x", "B5: y")) == (
        "Tệp 'x.xlsx' có 2 ô không dùng được; chưa nhập gì. Hãy sửa:"
    )
    assert headline("Một câu.", ()) == "Một câu."


# -- the dialog ------------------------------------------------------------------------------
@gui
def test_review_shows_matches_and_blocks_until_every_row_is_chosen(
    qtbot, qtmodeltester, workspace: Workspace, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, workspace, book(tmp_path, ROWS_2018))
    qtmodeltester.check(dialog.model)
    qtmodeltester.check(dialog.proxy)
    assert dialog.year.value() == 2018 and not dialog.replace.isVisible()
    assert "chưa có trong chương trình" in dialog.year_note.text()
    assert cell(dialog, 5, COL_STATE) == "Trùng tên"
    assert cell(dialog, 5, COL_AGENCY) == "Sở Tư pháp (STP)"
    assert cell(dialog, 7, COL_STATE) == "Gần đúng"
    assert cell(dialog, 7, COL_AGENCY) == "Sở Nội vụ (SNV)"
    assert "khớp gần đúng với “Sở Nội vụ” (mã SNV" in str(
        cell(dialog, 7, COL_AGENCY, Qt.ItemDataRole.ToolTipRole)
    )
    amber = cell(dialog, 7, COL_AGENCY, Qt.ItemDataRole.BackgroundRole)
    assert amber.name().upper() == "#FFEB9C"  # type: ignore[attr-defined]
    for row in (11, 12):
        assert cell(dialog, row, COL_STATE) == "Cần chọn"
    assert dialog.pending.text() == "Còn 2 dòng cần chọn"
    assert not dialog.import_button.isEnabled()

    qtbot.mouseClick(dialog.only_attention, LEFT)
    assert [dialog.proxy.index(i, 0).data() for i in range(dialog.proxy.rowCount())] == [
        "7",
        "11",
        "12",
    ]
    qtmodeltester.check(dialog.proxy)
    qtbot.mouseClick(dialog.only_attention, LEFT)
    assert dialog.proxy.rowCount() == 8

    pick(qtbot, dialog, 11, "Tạo cơ quan mới (chỉ năm 2018)")
    assert dialog.pending.text() == "Còn 1 dòng cần chọn"
    assert not dialog.import_button.isEnabled()
    # the picture: one row still to choose, its combo open (Enter on the row)
    dialog.table.setFocus()
    dialog.table.selectRow(7)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    combo = dialog.table.indexWidget(dialog.proxy.index(7, COL_AGENCY))
    assert isinstance(combo, QComboBox) and combo.currentText() == PICK_LABEL
    dialog.grab().save(str(SCREENSHOTS / "history-import-review.png"))
    qtbot.keyClick(combo, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.table.indexWidget(dialog.proxy.index(7, COL_AGENCY)) is None)

    pick(qtbot, dialog, 12, "Bỏ qua dòng này")
    assert (cell(dialog, 11, COL_STATE), cell(dialog, 12, COL_STATE)) == ("Tạo mới", "Bỏ qua")
    assert dialog.pending.text() == "Mọi dòng đã có cơ quan: sẵn sàng nhập."
    assert dialog.import_button.isEnabled()


@gui
def test_enter_never_imports_and_escape_cancels(
    qtbot, workspace: Workspace, tmp_path: Path
) -> None:
    before = counts(workspace.db)
    dialog = open_dialog(qtbot, workspace, book(tmp_path, ROWS_2019))
    assert dialog.import_button.isEnabled()
    for widget in (dialog.year, dialog.replace, dialog.only_attention):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    # Enter in the table opens the combo of the row (Escape closes only the combo)
    dialog.table.setFocus()
    dialog.table.selectRow(0)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    combo = dialog.table.indexWidget(dialog.proxy.index(0, COL_AGENCY))
    assert isinstance(combo, QComboBox) and combo.currentText() == "Sở Tư pháp (STP, Nhóm 1)"
    qtbot.keyClick(combo, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.table.indexWidget(dialog.proxy.index(0, COL_AGENCY)) is None)
    assert dialog.isVisible() and dialog.pages.currentIndex() == 0
    assert counts(workspace.db) == before
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.imported_year is None
    assert counts(workspace.db) == before


@gui
def test_import_creates_skips_and_lists_the_differences(
    qtbot, qtmodeltester, workspace: Workspace, tmp_path: Path, monkeypatch
) -> None:
    db = workspace.db
    dialog = open_dialog(qtbot, workspace, book(tmp_path, ROWS_2018))
    pick(qtbot, dialog, 11, "Tạo cơ quan mới (chỉ năm 2018)")
    pick(qtbot, dialog, 12, "Bỏ qua dòng này")
    qtbot.mouseClick(dialog.import_button, LEFT)
    assert dialog.pages.currentIndex() == 1 and dialog.imported_year == 2018
    report = dialog.report
    assert report is not None and report.round_created
    assert (report.imported, report.exact, report.tolerant, report.chosen) == (7, 5, 1, 0)
    assert [a.name for a in report.created] == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert report.skipped == (12,)
    with db.session() as s:
        made = s.scalars(select(Agency).where(Agency.name == GONE[1])).one()
        assert made.active is False and "năm 2018" in made.note
        names = set(s.scalars(select(PublishedResult.published_name)))
        assert STRANGER[1] not in names and GONE[1] in names
    text = dialog.report_panel.summary.text()
    assert "Đã nhập 7 dòng từ tệp “ket-qua-2018.xlsx”" in text
    assert "bỏ qua: 1 (dòng 12)" in text and "Sở Văn hóa, Thể thao và Du lịch (mã" in text

    model = dialog.report_panel.model
    qtmodeltester.check(model)
    expected = history.differences(db, 2018)
    assert expected and model.rows() == expected
    first = expected[0]
    column = D_RANK if first.rank_differs else D_CLASS
    assert model.index(0, column).data(Qt.ItemDataRole.BackgroundRole).name().upper() == DIFFERS[0]
    assert model.index(0, D_RANK_AGAIN).data() == str(first.recomputed_rank)

    saved = tmp_path / "chenh-lech.txt"
    monkeypatch.setattr(import_dialog, "ask_save_path", lambda parent, suggested: saved)
    qtbot.mouseClick(dialog.save_button, LEFT)
    content = saved.read_text(encoding="utf-8")
    assert "lưu ngày 01/12/2020" in content
    assert [line for line in content.splitlines() if line.startswith("Dòng ")] == [
        d.describe() for d in expected
    ]
    dialog.grab().save(str(SCREENSHOTS / "history-import-report.png"))
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted


@gui
def test_create_all_unknown_and_an_ambiguous_choice(
    qtbot, workspace: Workspace, tmp_path: Path
) -> None:
    db = workspace.db
    with db.session() as s:
        s.add(Agency(code="STP-CU", name="Sở Tư Pháp", default_group=1, active=False, note=""))
    rows = [[1, "SO TU PHAP", 1, 800, 1000, 1, "Khá"], STRANGER]
    dialog = open_dialog(qtbot, workspace, book(tmp_path, rows, "ket-qua-2017.xlsx"))
    ambiguous = dialog.review.rows[0]
    assert ambiguous.match.kind is MatchKind.AMBIGUOUS
    assert cell(dialog, 5, COL_AGENCY) == "Chọn 1 trong 2 cơ quan…"
    qtbot.mouseClick(dialog.create_all, LEFT)  # only the unknown row; ambiguity needs a person
    assert cell(dialog, 6, COL_STATE) == "Tạo mới" and cell(dialog, 5, COL_STATE) == "Cần chọn"
    assert not dialog.create_all.isEnabled() and not dialog.import_button.isEnabled()
    # Enter alone on an unresolved row picks nothing (suggestions are never taken by themselves)
    dialog.table.setFocus()
    dialog.table.selectRow(0)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    combo = dialog.table.indexWidget(dialog.proxy.index(0, COL_AGENCY))
    assert isinstance(combo, QComboBox) and combo.currentText() == PICK_LABEL
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.table.indexWidget(dialog.proxy.index(0, COL_AGENCY)) is None)
    assert cell(dialog, 5, COL_STATE) == "Cần chọn"
    pick(qtbot, dialog, 5, "Sở Tư Pháp (STP-CU, Nhóm 1, ngưng hoạt động)")
    assert cell(dialog, 5, COL_STATE) == "Đã chọn"
    qtbot.mouseClick(dialog.import_button, LEFT)
    report = dialog.report
    assert report is not None and (report.chosen, len(report.created)) == (1, 1)
    with db.session() as s:
        member = s.scalars(
            select(Agency.code)
            .join(RoundAgency, RoundAgency.agency_id == Agency.id)
            .join(Round, Round.id == RoundAgency.round_id)
            .where(Round.year == 2017)
        ).all()
    assert "STP-CU" in member and len(member) == 2


@gui
def test_one_agency_twice_blocks_the_import(qtbot, workspace: Workspace, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, workspace, book(tmp_path, [*ROWS_2019, STRANGER]))
    pick(qtbot, dialog, 11, "Sở Tư pháp (STP, Nhóm 1)")
    assert cell(dialog, 5, COL_STATE) == "Trùng cơ quan" == cell(dialog, 11, COL_STATE)
    assert dialog.pending.text() == "Còn 2 dòng cần chọn" and not dialog.import_button.isEnabled()
    assert "Dòng 5 cũng là cơ quan này" in str(
        cell(dialog, 11, COL_AGENCY, Qt.ItemDataRole.ToolTipRole)
    )
    pick(qtbot, dialog, 11, "Bỏ qua dòng này")
    assert dialog.import_button.isEnabled()


@gui
def test_replacing_a_published_year(qtbot, workspace: Workspace) -> None:
    db = workspace.db
    dialog = open_dialog(qtbot, workspace, SAMPLE)
    assert dialog.year.value() == 2019 and dialog.replace.isVisible()
    assert not dialog.replace.isChecked() and dialog.import_button.isEnabled()
    before = counts(db)
    qtbot.mouseClick(dialog.import_button, LEFT)
    assert dialog.pages.currentIndex() == 0
    assert "Năm 2019 đã có kết quả đã công bố" in dialog.errors.message.text()
    assert dialog.errors.isVisible() and dialog.focusWidget() is dialog.replace
    assert counts(db) == before
    qtbot.keyClick(dialog.replace, Qt.Key.Key_Space)
    assert dialog.replace.isChecked()
    qtbot.mouseClick(dialog.import_button, LEFT)
    report = dialog.report
    assert report is not None and report.replaced and not report.round_created
    assert report.imported == 6
    summary = {s.year: s for s in rounds.list_rounds(db)}[2019]
    assert (summary.kind, summary.agencies) == ("published", 6)
    assert dialog.report_panel.model.rows() == history.differences(db, 2019)
    assert "Đã thay toàn bộ kết quả trước đó của năm 2019." in report_lines(report)[0]


@gui
def test_an_appraised_year_with_data_is_refused_in_the_dialog(
    qtbot, workspace: Workspace, tmp_path: Path
) -> None:
    db = workspace.db
    before = counts(db)
    dialog = open_dialog(qtbot, workspace, book(tmp_path, ROWS_2019))
    dialog.year.setFocus()
    dialog.year.selectAll()
    qtbot.keyClicks(dialog.year, "2020")
    assert dialog.year.value() == 2020 and "kỳ thẩm định" in dialog.year_note.text()
    qtbot.mouseClick(dialog.replace, LEFT)
    qtbot.mouseClick(dialog.import_button, LEFT)
    assert "đã có dữ liệu thẩm định" in dialog.errors.message.text()
    assert dialog.pages.currentIndex() == 0 and counts(db) == before


@gui
def test_changing_the_year_renames_the_create_choice(
    qtbot, workspace: Workspace, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, workspace, book(tmp_path, ROWS_2018))
    pick(qtbot, dialog, 11, "Tạo cơ quan mới (chỉ năm 2018)")
    dialog.year.setValue(2016)
    assert cell(dialog, 11, COL_AGENCY) == "Tạo cơ quan mới (chỉ năm 2016)"


@gui
def test_a_broken_file_lists_its_problems_and_writes_nothing(
    qtbot, workspace: Workspace, tmp_path: Path, monkeypatch
) -> None:
    bad = write_book(
        tmp_path / "ket-qua-hong.xlsx",
        [[1, "Sở Tư pháp", 9, "x", 1000, None, None], [2, "Sở Tài chính", 1, 900, 800, 1, None]],
    )
    shown: list[tuple[str, tuple[str, ...]]] = []
    monkeypatch.setattr(import_dialog, "ask_open_path", lambda parent: bad)
    monkeypatch.setattr(
        RefusedFileDialog,
        "explain",
        classmethod(lambda cls, m, p, parent=None: shown.append((m, p))),
    )
    ran: list[object] = []
    monkeypatch.setattr(HistoryImportDialog, "exec", lambda self: ran.append(self))
    before = counts(workspace.db)
    assert import_dialog.import_history(workspace, None) is None
    assert ran == [] and counts(workspace.db) == before
    [(message, problems)] = shown
    assert message.startswith("Tệp 'ket-qua-hong.xlsx' có ") and len(problems) >= 3
    assert [p.split(":")[0] for p in problems][:2] == ["Kết quả!C5", "Kết quả!D5"]

    refused = RefusedFileDialog(message, problems)
    qtbot.addWidget(refused)
    box = refused.findChild(ProblemList)
    assert box is not None and box.problems() == list(problems)
    assert "\n- " not in box.message.text() and "chưa nhập gì" in box.message.text()


@gui
def test_import_history_asks_for_the_file_and_returns_the_year(
    qtbot, workspace: Workspace, tmp_path: Path, monkeypatch
) -> None:
    path = book(tmp_path, ROWS_2019)
    monkeypatch.setattr(import_dialog, "ask_open_path", lambda parent: path)

    def review_and_import(self: HistoryImportDialog) -> int:
        qtbot.addWidget(self)
        assert self.do_import() is not None
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(HistoryImportDialog, "exec", review_and_import)
    assert import_dialog.import_history(workspace, None) == 2018
    assert 2018 in {s.year for s in rounds.list_rounds(workspace.db)}
    monkeypatch.setattr(import_dialog, "ask_open_path", lambda parent: None)
    assert import_dialog.import_history(workspace, None) is None


def test_differences_text_without_differences(workspace: Workspace, tmp_path: Path) -> None:
    file = history.read_history(book(tmp_path, ROWS_2019[:1]))
    report = history.import_history(workspace.db, 2018, file, actor=workspace.actor)
    assert differences_text(report, TODAY).splitlines()[-1] == "Không có chênh lệch."
    assert report_lines(report)[-1] == "Hạng và xếp loại tính lại đều khớp kết quả đã công bố."
    assert isinstance(report.created, tuple) and all(
        isinstance(a, AgencyOption) for a in report.created
    )


@gui
def test_tab_goes_from_the_year_to_the_buttons(qtbot, workspace: Workspace, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, workspace, book(tmp_path, ROWS_2018))
    dialog.activateWindow()
    dialog.year.setFocus()
    seen = []
    for _ in range(4):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        seen.append(dialog.focusWidget())
    # the hidden "Thay thế" and the disabled "Nhập kết quả" are skipped
    assert seen == [dialog.only_attention, dialog.create_all, dialog.table, dialog.cancel]
