"""The round-rules dialog: its logic without widgets, then the real dialog typed into."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from sqlalchemy import select

from khit_desktop.domain.dates import Holiday
from khit_desktop.domain.rules import RULE_SOURCES, RoundRules
from khit_desktop.services import catalog, rounds
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import AuditEvent, Round
from khit_desktop.ui.rounds.rules_dialog import RulesDialog
from khit_desktop.ui.rounds.rules_form import (
    FieldError,
    RulesInput,
    applied_deadline_text,
    check_rules,
    format_number,
    parse_amount,
    parse_deadline,
    parse_holiday,
    parse_thresholds,
    reason_error,
)
from tests.qt_typing import type_text

RULES_2020 = RoundRules.defaults(2020)
LEFT = Qt.MouseButton.LeftButton


# -- rules_form: plain logic -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [("85", "85"), ("85,5", "85.5"), (" 70,25 ", "70.25"), ("85 %", "85"), ("1.000", "1000")],
)
def test_parse_amount_reads_decimal_comma(text: str, value: str) -> None:
    assert parse_amount(text, "Ngưỡng Tốt") == Decimal(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "chưa nhập số"),
        ("abc", "không phải là số"),
        ("8,5,5", "không phải là số"),
        ("-5", "không được âm"),
        ("85,555", "tối đa 2 chữ số thập phân"),
    ],
)
def test_parse_amount_refuses_bad_values(text: str, message: str) -> None:
    with pytest.raises(FieldError, match=message) as caught:
        parse_amount(text, "Điểm trừ")
    assert str(caught.value).startswith("Điểm trừ")


def test_thresholds_must_rise_up_to_100() -> None:
    assert parse_thresholds("100", "70", "50").good == Decimal(100)
    assert parse_thresholds("85,5", "70", "50").good == Decimal("85.5")
    with pytest.raises(FieldError, match=r"tăng dần.*Trung bình 75, Khá 70, Tốt 85"):
        parse_thresholds("85", "70", "75")
    with pytest.raises(FieldError, match="tăng dần"):
        parse_thresholds("85", "85", "50")
    with pytest.raises(FieldError, match="tăng dần"):
        parse_thresholds("85", "70", "0")
    with pytest.raises(FieldError, match="quá 100"):
        parse_thresholds("100,5", "70", "50")
    with pytest.raises(FieldError, match="Ngưỡng Khá: 'x'"):
        parse_thresholds("85", "x", "50")


def test_deadline_is_a_real_date_of_the_year() -> None:
    assert parse_deadline("16/11/2020", 2020) == date(2020, 11, 16)
    assert parse_deadline("6.1.2020", 2020) == date(2020, 1, 6)
    with pytest.raises(FieldError, match="không có thật"):
        parse_deadline("31/02/2020", 2020)
    with pytest.raises(FieldError, match="dd/MM/yyyy"):
        parse_deadline("15-11", 2020)
    with pytest.raises(FieldError, match="trong năm 2020"):
        parse_deadline("15/11/2021", 2020)
    with pytest.raises(FieldError, match="Chưa nhập"):
        parse_deadline("  ", 2020)


def test_holiday_list_entries() -> None:
    listed = RULES_2020.holidays
    nfd = unicodedata.normalize("NFD", "Nghỉ  bù   Tết")
    added = parse_holiday("27/01/2020", nfd, listed, 2020)
    assert added == Holiday(date(2020, 1, 27), "Nghỉ bù Tết")
    assert unicodedata.is_normalized("NFC", added.name)
    assert parse_holiday("01/01/2021", "Tết Dương lịch", listed, 2020).day.year == 2021
    with pytest.raises(FieldError, match=r"02/09/2020 đã có trong danh sách \(Quốc khánh\)"):
        parse_holiday("2/9/2020", "Nghỉ lễ", listed, 2020)
    with pytest.raises(FieldError, match="tên ngày nghỉ"):
        parse_holiday("27/01/2020", "  ", listed, 2020)
    with pytest.raises(FieldError, match="năm 2020 hoặc năm 2021"):
        parse_holiday("27/01/2019", "Tết", listed, 2020)
    with pytest.raises(FieldError, match="dd/MM/yyyy"):
        parse_holiday("", "Tết", listed, 2020)


def test_stored_rules_read_back_unchanged() -> None:
    typed = RulesInput.from_rules(RULES_2020)
    assert (typed.deadline, typed.late_penalty, typed.good) == ("15/11/2020", "100", "85")
    check = check_rules(RULES_2020, typed)
    assert check.valid and not check.changed and check.errors == {}
    assert reason_error(check, "") is None
    # the same holidays in another order are no change
    shuffled = RulesInput(**{**typed.__dict__, "holidays": tuple(reversed(typed.holidays))})
    assert not check_rules(RULES_2020, shuffled).changed
    assert format_number(Decimal("85.50")) == "85,5"


def test_a_change_needs_a_reason_and_every_wrong_field_is_named() -> None:
    typed = RulesInput.from_rules(RULES_2020)
    check = check_rules(RULES_2020, RulesInput(**{**typed.__dict__, "grace_days": 7}))
    assert check.changed and check.rules is not None and check.rules.grace_days == 7
    assert check.rules.group_names == RULES_2020.group_names
    assert "lý do" in (reason_error(check, "  ") or "")
    assert reason_error(check, "Theo Quyết định mới") is None
    wrong = RulesInput(**{**typed.__dict__, "deadline": "31/02/2020", "average": "90"})
    check = check_rules(RULES_2020, wrong)
    assert check.rules is None and set(check.errors) == {"deadline", "thresholds"}
    assert check.preview == ""


def test_applied_deadline_line() -> None:
    assert applied_deadline_text(RULES_2020) == (
        "Hạn áp dụng: 16/11/2020 (15/11/2020 là Chủ nhật); "
        "gửi trễ đến hết 23/11/2020 (21/11/2020 là Thứ Bảy)"
    )
    unshifted = RoundRules(2020, date(2020, 11, 15), shift_to_working_day=False)
    assert applied_deadline_text(unshifted) == "Hạn áp dụng: 15/11/2020; gửi trễ đến hết 20/11/2020"
    no_grace = RoundRules(2020, date(2020, 11, 13), grace_days=0)
    assert applied_deadline_text(no_grace) == "Hạn áp dụng: 13/11/2020; không nhận phiếu gửi trễ"


# -- the dialog ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def round_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules-dialog") / "round-2020.db"
    db = open_database(path)
    try:
        catalog.initialise(db)
        rounds.create_round(db, 2020)
    finally:
        db.dispose()
    return path


@pytest.fixture
def db(round_template: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copy(round_template, tmp_path / "x.db")
    database = open_database(tmp_path / "x.db")
    yield database
    database.dispose()


@pytest.fixture
def dialog(qtbot, db: Database) -> RulesDialog:
    shown = RulesDialog(db, 2020)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def replace_text(qtbot, widget: QWidget, text: str) -> None:
    """Select all with the keyboard, then type ASCII ``text`` over it."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(widget, text)
    else:
        qtbot.keyClick(widget, Qt.Key.Key_Delete)


def rules_events(db: Database) -> list[AuditEvent]:
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "round.rules")).all()
        s.expunge_all()
        return list(events)


gui = pytest.mark.gui


@gui
def test_dialog_shows_rules_with_their_articles(dialog: RulesDialog) -> None:
    assert dialog.windowTitle() == "Quy tắc của kỳ đánh giá năm 2020"
    assert dialog.deadline_edit.text() == "15/11/2020"
    assert dialog.grace_spin.value() == 5
    assert [e.text() for e in dialog.threshold_edits] == ["85", "70", "50"]
    source = dialog.findChild(QWidget, "deadlineSource")
    assert source.text() == RULE_SOURCES["deadline"]
    assert dialog.findChild(QWidget, "holidaysSource").isVisible()
    assert dialog.preview.text().startswith("Hạn áp dụng: 16/11/2020 (15/11/2020 là Chủ nhật)")
    assert not dialog.save_button.isEnabled()  # nothing changed yet
    assert QApplication.focusWidget() in (dialog.deadline_edit, None)


@gui
def test_holiday_model(qtmodeltester, dialog: RulesDialog) -> None:
    qtmodeltester.check(dialog.holiday_model)
    dialog.holiday_model.add(Holiday(date(2020, 1, 27), "Tết Nguyên đán"))
    dialog.holiday_model.remove(0)
    qtmodeltester.check(dialog.holiday_model)
    assert dialog.holiday_model.rowCount() == 4
    assert dialog.holiday_model.rows()[0].day == date(2020, 1, 27)


@gui
def test_grace_days_and_a_holiday_saved_with_reason(qtbot, dialog: RulesDialog, db) -> None:
    replace_text(qtbot, dialog.grace_spin, "7")
    qtbot.keyClicks(dialog.holiday_date_edit, "27/01/2020")
    type_text(dialog.holiday_name_edit, "Tết Nguyên đán")
    qtbot.mouseClick(dialog.add_holiday_button, LEFT)
    assert dialog.holiday_model.rowCount() == 5
    assert dialog.holiday_date_edit.text() == ""
    type_text(dialog.reason_edit, "Theo thông báo nghỉ Tết năm 2020")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, LEFT)

    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.saved
    stored = rounds.round_rules(db, 2020)
    assert stored.grace_days == 7
    assert Holiday(date(2020, 1, 27), "Tết Nguyên đán") in stored.holidays
    assert [e.reason for e in rules_events(db)] == ["Theo thông báo nghỉ Tết năm 2020"]


@gui
def test_no_reason_is_refused_then_enter_saves(qtbot, dialog: RulesDialog, db) -> None:
    replace_text(qtbot, dialog.penalty_edit, "50")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible() and not dialog.saved
    assert dialog.reason_error.isVisible()
    assert "Cần ghi lý do" in dialog.reason_error.text()
    assert QApplication.focusWidget() is dialog.reason_edit
    assert rounds.round_rules(db, 2020) == RoundRules.defaults(2020)
    assert rules_events(db) == []

    type_text(dialog.reason_edit, "Hội đồng giảm điểm trừ")
    assert not dialog.reason_error.isVisible()
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert dialog.saved and not dialog.isVisible()
    assert rounds.round_rules(db, 2020).late_penalty == Decimal(50)


@gui
def test_service_refusal_shown_and_nothing_lost(qtbot, dialog: RulesDialog, db) -> None:
    with db.session() as s:
        s.scalar(select(Round).where(Round.year == 2020)).state = "finalized"
    replace_text(qtbot, dialog.grace_spin, "7")
    type_text(dialog.reason_edit, "Sửa sau khi chốt")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible() and not dialog.saved
    assert dialog.refusal.isVisible()
    assert "đã chốt" in dialog.refusal.text()
    assert dialog.grace_spin.value() == 7 and dialog.reason_edit.text() == "Sửa sau khi chốt"
    assert rounds.round_rules(db, 2020).grace_days == 5


@gui
def test_invalid_date_shown_beside_the_field(qtbot, dialog: RulesDialog, db) -> None:
    type_text(dialog.reason_edit, "Thử")
    replace_text(qtbot, dialog.deadline_edit, "31/02/2020")
    assert dialog.deadline_error.isVisible()
    assert "không có thật" in dialog.deadline_error.text()
    assert not dialog.save_button.isEnabled()
    assert not dialog.preview.isVisible()
    qtbot.keyClick(dialog.deadline_edit, Qt.Key.Key_Return)  # Enter does not close it
    assert dialog.isVisible() and not dialog.saved
    replace_text(qtbot, dialog.deadline_edit, "15/11/2021")
    assert "trong năm 2020" in dialog.deadline_error.text()
    replace_text(qtbot, dialog.deadline_edit, "16/11/2020")
    assert not dialog.deadline_error.isVisible() and dialog.save_button.isEnabled()
    assert rounds.round_rules(db, 2020).deadline == date(2020, 11, 15)


@gui
def test_threshold_errors(qtbot, dialog: RulesDialog) -> None:
    good, _fair, average = dialog.threshold_edits
    replace_text(qtbot, average, "75")
    assert dialog.thresholds_error.isVisible()
    assert "tăng dần" in dialog.thresholds_error.text()
    assert not dialog.save_button.isEnabled()
    replace_text(qtbot, average, "50,5")
    assert not dialog.thresholds_error.isVisible() and dialog.save_button.isEnabled()
    replace_text(qtbot, good, "abc")
    assert "Ngưỡng Tốt: 'abc' không phải là số" in dialog.thresholds_error.text()
    replace_text(qtbot, dialog.penalty_edit, "")
    assert "chưa nhập số" in dialog.penalty_error.text()


@gui
def test_live_deadline_line_follows_the_fields(qtbot, dialog: RulesDialog) -> None:
    replace_text(qtbot, dialog.deadline_edit, "13/11/2020")
    assert dialog.preview.text() == "Hạn áp dụng: 13/11/2020; gửi trễ đến hết 18/11/2020"
    replace_text(qtbot, dialog.deadline_edit, "15/11/2020")
    dialog.shift_check.setFocus()
    qtbot.keyClick(dialog.shift_check, Qt.Key.Key_Space)
    assert not dialog.shift_check.isChecked()
    assert dialog.preview.text() == "Hạn áp dụng: 15/11/2020; gửi trễ đến hết 20/11/2020"
    qtbot.keyClick(dialog.shift_check, Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.holiday_date_edit, "16/11/2020")
    type_text(dialog.holiday_name_edit, "Nghỉ bù")
    qtbot.keyClick(dialog.holiday_name_edit, Qt.Key.Key_Return)  # Enter adds, not saves
    assert dialog.isVisible()
    assert dialog.preview.text().startswith(
        "Hạn áp dụng: 17/11/2020 (15/11/2020 là Chủ nhật); gửi trễ đến hết 23/11/2020"
    )


@gui
def test_holiday_errors_and_delete_key(qtbot, dialog: RulesDialog) -> None:
    qtbot.keyClicks(dialog.holiday_date_edit, "2/9/2020")
    type_text(dialog.holiday_name_edit, "Quốc khánh")
    qtbot.mouseClick(dialog.add_holiday_button, LEFT)
    assert "đã có trong danh sách" in dialog.holiday_error.text()
    assert dialog.holiday_model.rowCount() == 4
    dialog.holiday_table.setFocus()
    dialog.holiday_table.selectRow(3)
    qtbot.keyClick(dialog.holiday_table, Qt.Key.Key_Delete)
    assert [h.name for h in dialog.holiday_model.rows()][-1] == "Ngày Quốc tế lao động"
    assert not dialog.holiday_error.isVisible()
    assert dialog.save_button.isEnabled()


@gui
def test_escape_closes_without_saving(qtbot, dialog: RulesDialog, db) -> None:
    replace_text(qtbot, dialog.grace_spin, "9")
    type_text(dialog.reason_edit, "Không lưu")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert rounds.round_rules(db, 2020).grace_days == 5


@gui
def test_tab_order_top_to_bottom(qtbot, dialog: RulesDialog) -> None:
    replace_text(qtbot, dialog.grace_spin, "6")  # so that Save takes focus too
    dialog.activateWindow()
    dialog.deadline_edit.setFocus()
    expected = [
        dialog.deadline_edit, dialog.grace_spin, dialog.penalty_edit, *dialog.threshold_edits,
        dialog.shift_check, dialog.holiday_table, dialog.remove_holiday_button,
        dialog.holiday_date_edit, dialog.holiday_name_edit, dialog.add_holiday_button,
        dialog.reason_edit, dialog.save_button,
    ]  # fmt: skip
    seen = []
    for _ in expected:
        focused = QApplication.focusWidget()
        seen.append(dialog.grace_spin if focused is dialog.grace_spin.lineEdit() else focused)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert [w.objectName() for w in seen] == [w.objectName() for w in expected]


@gui
def test_edit_runs_the_dialog(qtbot, db, monkeypatch: pytest.MonkeyPatch) -> None:
    def fill_and_save(self: RulesDialog) -> int:
        qtbot.addWidget(self)
        self.grace_spin.setValue(3)
        type_text(self.reason_edit, "Rút ngắn thời gian gửi trễ")
        self.save_button.click()
        return self.result()

    monkeypatch.setattr(RulesDialog, "exec", fill_and_save)
    assert RulesDialog.edit(db, 2020) is True
    assert rounds.round_rules(db, 2020).grace_days == 3
    monkeypatch.setattr(RulesDialog, "exec", lambda self: qtbot.addWidget(self) or 0)
    assert RulesDialog.edit(db, 2020) is False


@gui
def test_fits_a_laptop_screen(dialog: RulesDialog, tmp_path: Path) -> None:
    hint = dialog.sizeHint()
    assert hint.width() <= 1366 and hint.height() <= 700
    image = dialog.grab()
    assert image.save(str(tmp_path / "rules-dialog.png"))
    assert image.height() <= 700
