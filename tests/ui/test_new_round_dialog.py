"""The new-round dialog: its plain logic, then the real dialog driven from the keyboard."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from khit_desktop.domain.rules import RoundRules
from khit_desktop.services import catalog, rounds
from khit_desktop.services.rounds import RoundSummary
from khit_desktop.store.database import Database, open_database
from khit_desktop.ui.rounds.new_round_dialog import (
    NO_COPY_LABEL,
    NewRoundDialog,
    copy_choices,
    copy_sentence,
    default_year,
    year_error,
)

LEFT = Qt.MouseButton.LeftButton
gui = pytest.mark.gui


# -- plain logic -----------------------------------------------------------------------------
def test_default_year() -> None:
    assert default_year([], date(2024, 3, 1)) == 2024
    assert default_year([2019, 2020], date(2024, 3, 1)) == 2021


def test_copy_choices_latest_first_then_defaults() -> None:
    summaries = [RoundSummary(2019, 36, "receiving", False), RoundSummary(2020, 37, "x", True)]
    assert copy_choices(summaries) == [
        ("2020 (37 cơ quan, dữ liệu minh họa)", 2020),
        ("2019 (36 cơ quan)", 2019),
        (NO_COPY_LABEL, None),
    ]
    assert copy_choices([]) == [(NO_COPY_LABEL, None)]


def test_year_error() -> None:
    assert year_error(2021, [2020]) is None
    assert year_error(2020, [2020]) == "Năm 2020 đã có kỳ đánh giá; chọn năm khác."
    assert "từ 2000 đến 2100" in (year_error(1999, []) or "")


def test_copy_sentence_names_the_new_deadline() -> None:
    source = RoundRules(2020, date(2020, 11, 20))
    assert copy_sentence(2021, 2020, source) == (
        "Chép danh sách cơ quan, nhóm, quy tắc và phiếu đánh giá của năm 2020; "
        "hạn gửi phiếu chuyển sang 20/11/2021."
    )
    fresh = copy_sentence(2021, None, None)
    assert fresh.startswith("Dùng danh sách cơ quan đang hoạt động trong danh mục")
    assert fresh.endswith("hạn gửi phiếu 15/11/2021.")


# -- the dialog ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("new-round-dialog")
    built: dict[str, Path] = {}
    for name, with_round in (("catalog", False), ("round-2020", True)):
        path = built[name] = folder / f"{name}.db"
        db = open_database(path)
        try:
            catalog.initialise(db)
            if with_round:
                rounds.create_round(db, 2020)
        finally:
            db.dispose()
    return built


def _copy(template: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copy(template, tmp_path / "x.db")
    db = open_database(tmp_path / "x.db")
    yield db
    db.dispose()


@pytest.fixture
def db(templates: dict[str, Path], tmp_path: Path) -> Iterator[Database]:
    """The catalogue and round 2020."""
    yield from _copy(templates["round-2020"], tmp_path)


@pytest.fixture
def catalog_db(templates: dict[str, Path], tmp_path: Path) -> Iterator[Database]:
    """The catalogue, no round."""
    yield from _copy(templates["catalog"], tmp_path)


def show(qtbot, db: Database, **kwargs: object) -> NewRoundDialog:
    dialog = NewRoundDialog(db, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_year(qtbot, dialog: NewRoundDialog, year: str) -> None:
    dialog.year_spin.setFocus()
    qtbot.keyClick(dialog.year_spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.year_spin, year)


@gui
def test_new_round_copying_2020(qtbot, db: Database) -> None:
    dialog = show(qtbot, db)
    assert dialog.windowTitle() == "Tạo kỳ đánh giá mới"
    assert dialog.year_spin.value() == 2021
    assert dialog.copy_combo.currentData() == 2020
    assert dialog.explanation.text() == (
        "Chép danh sách cơ quan, nhóm, quy tắc và phiếu đánh giá của năm 2020; "
        "hạn gửi phiếu chuyển sang 15/11/2021."
    )
    assert "ngày lễ cố định của năm 2021" in dialog.holiday_note.text()
    assert not dialog.year_error.isVisible()
    qtbot.keyClick(dialog.year_spin, Qt.Key.Key_Return)  # Enter creates

    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.created == 2021
    summaries = {s.year: s for s in rounds.list_rounds(db)}
    assert sorted(summaries) == [2020, 2021]
    assert summaries[2021].agencies == summaries[2020].agencies
    assert rounds.round_rules(db, 2021).deadline == date(2021, 11, 15)


@gui
def test_duplicate_year_shows_inline_error(qtbot, db: Database) -> None:
    dialog = show(qtbot, db)
    type_year(qtbot, dialog, "2020")
    assert dialog.year_error.isVisible()
    assert dialog.year_error.text() == "Năm 2020 đã có kỳ đánh giá; chọn năm khác."
    assert not dialog.create_button.isEnabled()
    qtbot.keyClick(dialog.year_spin, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.created is None
    assert [s.year for s in rounds.list_rounds(db)] == [2020]
    type_year(qtbot, dialog, "2019")
    assert not dialog.year_error.isVisible() and dialog.create_button.isEnabled()
    assert "hạn gửi phiếu chuyển sang 15/11/2019" in dialog.explanation.text()


@gui
def test_no_copy_uses_the_catalogue(qtbot, db: Database) -> None:
    dialog = show(qtbot, db)
    dialog.copy_combo.setFocus()
    qtbot.keyClick(dialog.copy_combo, Qt.Key.Key_End)
    assert dialog.copy_combo.currentText() == NO_COPY_LABEL
    assert dialog.source_year() is None
    assert dialog.explanation.text().startswith("Dùng danh sách cơ quan đang hoạt động")
    qtbot.mouseClick(dialog.create_button, LEFT)
    assert dialog.created == 2021
    assert rounds.round_rules(db, 2021) == RoundRules.defaults(2021)


@gui
def test_first_round_defaults_to_this_year(qtbot, catalog_db: Database) -> None:
    dialog = show(qtbot, catalog_db, today=date(2024, 5, 2))
    assert dialog.year_spin.value() == 2024
    assert dialog.copy_combo.count() == 1 and dialog.source_year() is None
    qtbot.mouseClick(dialog.create_button, LEFT)
    assert [s.year for s in rounds.list_rounds(catalog_db)] == [2024]


@gui
def test_service_refusal_keeps_the_dialog_open(qtbot, tmp_path: Path) -> None:
    empty = open_database(tmp_path / "empty.db")  # never initialised: the service refuses
    try:
        dialog = show(qtbot, empty, today=date(2021, 1, 4))
        qtbot.mouseClick(dialog.create_button, LEFT)
        assert dialog.isVisible() and dialog.created is None
        assert dialog.refusal.isVisible()
        assert "chưa được khởi tạo" in dialog.refusal.text()
        assert rounds.list_rounds(empty) == []
    finally:
        empty.dispose()


@gui
def test_escape_creates_nothing(qtbot, db: Database) -> None:
    dialog = show(qtbot, db)
    qtbot.keyClick(dialog.year_spin, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert [s.year for s in rounds.list_rounds(db)] == [2020]


@gui
def test_ask_returns_the_year(qtbot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def click_create(self: NewRoundDialog) -> int:
        qtbot.addWidget(self)
        self.create_button.click()
        return self.result()

    monkeypatch.setattr(NewRoundDialog, "exec", click_create)
    assert NewRoundDialog.ask(db) == 2021
    monkeypatch.setattr(NewRoundDialog, "exec", lambda self: qtbot.addWidget(self) or 0)
    assert NewRoundDialog.ask(db) is None


@gui
def test_fits_a_laptop_screen(qtbot, db: Database, tmp_path: Path) -> None:
    dialog = show(qtbot, db)
    hint = dialog.sizeHint()
    assert hint.width() <= 1366 and hint.height() <= 700
    assert dialog.grab().save(str(tmp_path / "new-round-dialog.png"))
