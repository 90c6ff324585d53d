"""Two clerks, one row, in the window (issue 9): the scoring grid and the register pass the
version they showed; another clerk's change in between opens the conflict dialog ("Tải lại"
or "Ghi đè…" with a reason); a busy database keeps what was typed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit
from sqlalchemy import select

from khit_desktop.domain.lateness import Channel
from khit_desktop.services import appraisal, receipt_edits, receipts
from khit_desktop.services.audit import Actor
from khit_desktop.services.concurrency import EditConflict
from khit_desktop.services.permissions import Role
from khit_desktop.services.receipts import ReceiptInput
from khit_desktop.store.errors import ConcurrentEditError
from khit_desktop.store.models import AuditEvent, GeneralValue, ReceiptRow
from khit_desktop.ui import conflict_dialog, reason_dialog
from khit_desktop.ui.conflict_dialog import BUSY_MESSAGE, ConflictDialog
from khit_desktop.ui.receipts.receipt_dialog import ReceiptDialog
from khit_desktop.ui.receipts.register_panel import RegisterPanel
from khit_desktop.ui.scoring import edits
from khit_desktop.ui.scoring.grid_model import COL_APPRAISED
from khit_desktop.ui.scoring.scoring_panel import ScoringPanel
from khit_desktop.ui.workspace import Workspace
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui

YEAR = 2020
OTHER = Actor(user="can-bo-b", machine="may-2", role=Role.CLERK)
OUR_REASON = "Biên bản kiểm tra: chưa kết nối mạng WAN"


@dataclass
class Resolver:
    """Stands in for the conflict dialog's modal loop: records what it was shown."""

    answer: str | None = None  # None: "Tải lại"; text: "Ghi đè…" with this reason
    seen: list[tuple[EditConflict, str, str]] = field(default_factory=list)

    def __call__(self, parent: Any, conflict: EditConflict, what: str, attempted: str) -> Any:
        self.seen.append((conflict, what, attempted))
        return self.answer


def resolve_with(monkeypatch: pytest.MonkeyPatch, answer: str | None) -> Resolver:
    resolver = Resolver(answer)
    monkeypatch.setattr(ConflictDialog, "resolve", classmethod(lambda cls, *args: resolver(*args)))
    return resolver


def no_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        ConflictDialog,
        "resolve",
        classmethod(lambda cls, *args: pytest.fail("no conflict expected")),
    )


def give_reason(monkeypatch: pytest.MonkeyPatch, reason: str = OUR_REASON) -> list[str]:
    initials: list[str] = []

    def ask(cls, parent, title, message, confirm, initial=""):  # type: ignore[no-untyped-def]
        initials.append(initial)
        return reason

    monkeypatch.setattr(reason_dialog.ReasonDialog, "ask", classmethod(ask))
    return initials


@pytest.fixture
def panel(qtbot, workspace: Workspace) -> ScoringPanel:
    widget = ScoringPanel(workspace)
    qtbot.addWidget(widget)
    widget.resize(1250, 700)
    widget.show()
    widget.show_agency("SNV")
    return widget


def cell(panel: ScoringPanel, code: str, column: int = COL_APPRAISED):  # type: ignore[no-untyped-def]
    row = panel.model.row_of(code)
    assert row is not None
    return panel.model.index(row, column)


def type_into(qtbot, panel: ScoringPanel, code: str, text: str) -> None:  # type: ignore[no-untyped-def]
    panel.grid.setFocus()
    panel.grid.setCurrentIndex(cell(panel, code))
    qtbot.keyClicks(panel.grid, text[0])  # typing opens the editor, replacing the value
    editor = QApplication.focusWidget()
    assert editor is not panel.grid, "typing did not open an editor"
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def stored(workspace: Workspace, code: str = "1.3", agency: str = "SNV") -> Decimal | None:
    return appraisal.appraisal_state(workspace.db, YEAR, agency, code).points


def other_clerk_scores(workspace: Workspace, points: str, agency: str = "SNV") -> None:
    appraisal.set_appraised_points(
        workspace.db, YEAR, agency, "1.3", Decimal(points),
        reason="Theo biên bản khảo sát của tổ 2", actor=OTHER,
    )  # fmt: skip


def last_event(workspace: Workspace) -> AuditEvent:
    with workspace.db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.sequence.desc())).first()
        assert event is not None
        return event


# -- the scoring grid --------------------------------------------------------------------


def test_a_conflict_shows_the_other_change_and_reload_keeps_theirs(
    qtbot, panel: ScoringPanel, workspace: Workspace, monkeypatch
) -> None:
    initials = give_reason(monkeypatch)
    resolver = resolve_with(monkeypatch, None)
    messages: list[str] = []
    panel.message.connect(messages.append)
    other_clerk_scores(workspace, "20")
    type_into(qtbot, panel, "1.3", "12,5")

    assert len(resolver.seen) == 1
    conflict, what, attempted = resolver.seen[0]
    assert what == "Điểm thẩm định tiêu chí 1.3 của Sở Nội vụ"
    assert "12,50" in attempted and OUR_REASON in attempted
    change = conflict.latest
    assert change is not None and change.user == "can-bo-b" and change.machine == "may-2"
    assert "→ 20,00" in change.what and "tổ 2" in change.reason
    # reloaded: the database and the grid hold the other clerk's value
    assert stored(workspace) == Decimal("20.00")
    assert cell(panel, "1.3").data() == "20,00"
    assert "Chưa lưu" in messages[-1] and "12,50" in messages[-1]
    # typing again starts from the reloaded version, and the reason typed is offered again
    type_into(qtbot, panel, "1.3", "12,5")
    assert len(resolver.seen) == 1 and stored(workspace) == Decimal("12.50")
    assert initials[-1] == OUR_REASON


def test_overwrite_saves_ours_with_the_reason_in_the_audit(
    qtbot, panel: ScoringPanel, workspace: Workspace, monkeypatch
) -> None:
    give_reason(monkeypatch)
    resolver = resolve_with(monkeypatch, "Đã thống nhất với chị Lan")
    other_clerk_scores(workspace, "20")
    type_into(qtbot, panel, "1.3", "12,5")
    assert len(resolver.seen) == 1
    assert stored(workspace) == Decimal("12.50")
    assert cell(panel, "1.3").data() == "12,50"
    event = last_event(workspace)
    assert event.action == "score.appraise" and event.user == "can-bo-a"
    assert "Ghi đè" in event.reason and "Đã thống nhất với chị Lan" in event.reason
    assert json.loads(event.old_json)["appraised_points"] == "20.00"
    # undo goes back to what was overwritten, the other clerk's value
    no_conflict(monkeypatch)
    panel.action_undo.trigger()
    assert stored(workspace) == Decimal("20.00")


def test_two_edits_in_a_row_by_one_clerk_do_not_conflict(
    qtbot, panel: ScoringPanel, workspace: Workspace, monkeypatch
) -> None:
    give_reason(monkeypatch)
    no_conflict(monkeypatch)
    version = panel.version_of("1.3")
    type_into(qtbot, panel, "1.3", "12,5")
    assert panel.version_of("1.3") == version + 1  # the row carries its new version
    type_into(qtbot, panel, "1.3", "10")
    assert stored(workspace) == Decimal("10.00")
    panel.action_undo.trigger()
    assert stored(workspace) == Decimal("12.50")
    panel.action_redo.trigger()
    assert stored(workspace) == Decimal("10.00")


def test_undo_after_another_clerks_change_is_a_conflict(
    qtbot, panel: ScoringPanel, workspace: Workspace, monkeypatch
) -> None:
    give_reason(monkeypatch)
    resolver = resolve_with(monkeypatch, None)
    type_into(qtbot, panel, "1.3", "12,5")
    assert not resolver.seen and panel.undo_stack.count() == 1
    other_clerk_scores(workspace, "20")
    panel.action_undo.trigger()
    assert len(resolver.seen) == 1
    conflict, _what, attempted = resolver.seen[0]
    assert conflict.latest is not None and conflict.latest.user == "can-bo-b"
    assert "hoàn tác" in attempted and "điểm tự chấm" in attempted
    assert stored(workspace) == Decimal("20.00")  # the other clerk's value is not erased
    assert cell(panel, "1.3").data() == "20,00"
    assert panel.undo_stack.count() == 0  # the undone step no longer means anything


def test_undo_can_overwrite_with_a_reason(
    qtbot, panel: ScoringPanel, workspace: Workspace, monkeypatch
) -> None:
    give_reason(monkeypatch)
    type_into(qtbot, panel, "1.3", "12,5")
    other_clerk_scores(workspace, "20")
    resolver = resolve_with(monkeypatch, "Tổ trưởng yêu cầu giữ điểm cũ")
    panel.action_undo.trigger()
    assert len(resolver.seen) == 1
    assert stored(workspace) is None  # back to no appraisal of its own, as before
    assert cell(panel, "1.3").data() == "30,00"
    assert "Tổ trưởng yêu cầu giữ điểm cũ" in last_event(workspace).reason


def test_edits_of_different_agencies_never_conflict(
    qtbot, panel: ScoringPanel, workspace: Workspace, monkeypatch
) -> None:
    give_reason(monkeypatch)
    no_conflict(monkeypatch)
    other_clerk_scores(workspace, "20", agency="STP")
    type_into(qtbot, panel, "1.3", "12,5")
    assert stored(workspace) == Decimal("12.50")
    assert stored(workspace, agency="STP") == Decimal("20.00")


def test_a_busy_database_keeps_what_was_typed(
    qtbot, panel: ScoringPanel, workspace: Workspace, monkeypatch
) -> None:
    initials = give_reason(monkeypatch)
    no_conflict(monkeypatch)
    messages: list[str] = []
    panel.message.connect(messages.append)
    real = appraisal.set_appraised_points

    def busy(*args: Any, **kwargs: Any) -> None:
        raise ConcurrentEditError("database is locked")

    monkeypatch.setattr(appraisal, "set_appraised_points", busy)
    before = stored(workspace)
    type_into(qtbot, panel, "1.3", "12,5")
    assert messages[-1] == BUSY_MESSAGE and "thử lại" in BUSY_MESSAGE
    assert stored(workspace) == before
    # the cell's editor is open again, holding what was typed
    qtbot.waitUntil(lambda: panel.grid.state() == QAbstractItemView.State.EditingState)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "12,5"
    assert panel.grid.currentIndex() == cell(panel, "1.3")
    # once the database is free, Enter saves it; the reason typed before is offered again
    monkeypatch.setattr(appraisal, "set_appraised_points", real)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert stored(workspace) == Decimal("12.50")
    assert initials[-1] == OUR_REASON


def test_general_data_pass_their_version(
    qtbot, panel: ScoringPanel, workspace: Workspace, monkeypatch
) -> None:
    give_reason(monkeypatch, "Theo danh sách biên chế")
    resolver = resolve_with(monkeypatch, None)
    appraisal.set_general_value(
        workspace.db, YEAR, "SNV", "CB", Decimal(170), appraised=True,
        reason="Theo báo cáo của Sở", actor=OTHER,
    )  # fmt: skip
    item = next(
        panel.general.item(r, 2)
        for r in range(panel.general.rowCount())
        if panel.general.item(r, 2).data(Qt.ItemDataRole.UserRole) == "CB"
    )
    item.setText("160")  # as the delegate commits a typed value
    assert len(resolver.seen) == 1
    conflict, what, _attempted = resolver.seen[0]
    assert "CB" in what and conflict.latest is not None
    assert conflict.latest.user == "can-bo-b"
    with workspace.db.session() as s:
        value = s.scalars(select(GeneralValue.appraised_value).where(GeneralValue.code == "CB"))
        assert Decimal(170) in list(value)
    # after the reload, the same clerk's save goes through
    no_conflict(monkeypatch)
    item = next(
        panel.general.item(r, 2)
        for r in range(panel.general.rowCount())
        if panel.general.item(r, 2).data(Qt.ItemDataRole.UserRole) == "CB"
    )
    assert item.text() == "170"
    item.setText("160")
    assert any(g.appraised_value == Decimal(160) for g in panel.sheet.general)  # type: ignore[union-attr]


def test_the_undo_step_stays_when_the_database_is_busy(
    qtbot, panel: ScoringPanel, workspace: Workspace, monkeypatch
) -> None:
    give_reason(monkeypatch)
    no_conflict(monkeypatch)
    monkeypatch.setattr(edits, "show_refusal", lambda parent, message: None)
    type_into(qtbot, panel, "1.3", "12,5")
    real = appraisal.restore_appraisal

    def busy(*args: Any, **kwargs: Any) -> None:
        raise ConcurrentEditError("database is locked")

    monkeypatch.setattr(appraisal, "restore_appraisal", busy)
    panel.action_undo.trigger()
    qtbot.waitUntil(lambda: panel.undo_stack.canUndo())  # moved back, nothing written
    assert stored(workspace) == Decimal("12.50")
    monkeypatch.setattr(appraisal, "restore_appraisal", real)
    panel.action_undo.trigger()  # the same Ctrl+Z again undoes the same step
    assert stored(workspace) is None


# -- the receipt register ------------------------------------------------------------------


@pytest.fixture
def register(qtbot, workspace: Workspace) -> RegisterPanel:
    widget = RegisterPanel(workspace)
    qtbot.addWidget(widget)
    widget.resize(1250, 700)
    widget.show()
    return widget


def other_clerk_corrects(workspace: Workspace, receipt_id: int, number: str) -> None:
    line = next(x for x in receipts.register(workspace.db, YEAR) if x.agency_code == "STC")
    view = next(v for v in line.receipts if v.id == receipt_id)
    data = ReceiptInput(view.channel, view.sent_date, view.received_date, number, view.note)
    receipt_edits.update_receipt(
        workspace.db, receipt_id, data, actor=OTHER, today=workspace.today()
    )


def doc_number(workspace: Workspace, receipt_id: int) -> str:
    with workspace.db.session() as s:
        row = s.get(ReceiptRow, receipt_id)
        assert row is not None
        return row.doc_number


def edit_number(qtbot, register: RegisterPanel, monkeypatch, number: str) -> list[ReceiptDialog]:  # type: ignore[no-untyped-def]
    seen: list[ReceiptDialog] = []

    def fake_exec(dialog: ReceiptDialog) -> int:
        seen.append(dialog)
        dialog.show()
        dialog.number.clear()
        qtbot.keyClicks(dialog.number, number)
        type_text(dialog.note, "Sửa theo công văn")
        dialog.save_button.click()
        dialog.hide()
        return int(dialog.result())

    monkeypatch.setattr(ReceiptDialog, "exec", fake_exec)
    register.history.edit_button.click()
    return seen


def test_a_receipt_correction_meets_the_other_clerks_change(
    qtbot, register: RegisterPanel, workspace: Workspace, monkeypatch
) -> None:
    assert register.select_agency("STC")
    view = register.history.current_receipt()
    assert view is not None
    other_clerk_corrects(workspace, view.id, "842/STC-B")
    resolver = resolve_with(monkeypatch, None)
    seen = edit_number(qtbot, register, monkeypatch, "842/STC-A")
    assert len(resolver.seen) == 1 and seen and seen[0].reloaded
    conflict, what, attempted = resolver.seen[0]
    assert what == f"Lần tiếp nhận #{view.id} của Sở Tài chính"
    assert "842/STC-A" in attempted
    assert conflict.latest is not None and conflict.latest.user == "can-bo-b"
    assert doc_number(workspace, view.id) == "842/STC-B"
    reloaded = register.history.current_receipt()
    assert reloaded is not None and reloaded.version == view.version + 1
    assert "842/STC-B" in register.history.receipts.currentItem().text()
    # from the reloaded version the next correction goes through without a dialog
    no_conflict(monkeypatch)
    edit_number(qtbot, register, monkeypatch, "842/STC-A")
    assert doc_number(workspace, view.id) == "842/STC-A"


def test_a_receipt_correction_can_overwrite_with_a_reason(
    qtbot, register: RegisterPanel, workspace: Workspace, monkeypatch
) -> None:
    assert register.select_agency("STC")
    view = register.history.current_receipt()
    assert view is not None
    other_clerk_corrects(workspace, view.id, "842/STC-B")
    resolve_with(monkeypatch, "Số của chị B gõ nhầm")
    seen = edit_number(qtbot, register, monkeypatch, "842/STC-A")
    assert seen[0].saved
    assert doc_number(workspace, view.id) == "842/STC-A"
    event = last_event(workspace)
    assert event.action == "receipt.update" and "Số của chị B gõ nhầm" in event.reason


def test_invalidate_and_exempt_pass_their_versions(
    register: RegisterPanel, workspace: Workspace, monkeypatch
) -> None:
    give_reason(monkeypatch, "Thiếu chữ ký số")
    assert register.select_agency("SDL")
    view = register.history.current_receipt()
    assert view is not None
    data = ReceiptInput(Channel(view.channel), view.sent_date, view.received_date, "1/SDL")
    receipt_edits.update_receipt(workspace.db, view.id, data, actor=OTHER, today=workspace.today())
    resolver = resolve_with(monkeypatch, None)
    register.history.invalid_button.click()
    receipt_edits.set_exempt(workspace.db, YEAR, "SDL", "Sáp nhập", actor=OTHER)
    register.history.exempt_button.click()
    assert [what for _c, what, _a in resolver.seen] == [
        f"Lần tiếp nhận #{view.id} của Sở Du lịch",
        "Việc không xếp hạng Sở Du lịch",
    ]
    line = next(x for x in receipts.register(workspace.db, YEAR) if x.agency_code == "SDL")
    assert line.receipts[0].valid and line.exempt_reason == "Sáp nhập"
    # reloaded: now both go through (the exemption is lifted, as the screen now shows it)
    no_conflict(monkeypatch)
    register.history.invalid_button.click()
    register.history.exempt_button.click()
    line = next(x for x in receipts.register(workspace.db, YEAR) if x.agency_code == "SDL")
    assert not line.receipts[0].valid and line.exempt_reason is None


def test_a_busy_database_keeps_the_receipt_dialog_open(
    qtbot, register: RegisterPanel, workspace: Workspace, monkeypatch
) -> None:
    def busy(*args: Any, **kwargs: Any) -> None:
        raise ConcurrentEditError("database is locked")

    monkeypatch.setattr(receipt_edits, "update_receipt", busy)
    assert register.select_agency("STC")
    seen = edit_number(qtbot, register, monkeypatch, "842/STC-A")
    dialog = seen[0]
    assert not dialog.saved and not dialog.reloaded
    assert dialog.refusal.text() == BUSY_MESSAGE and not dialog.refusal.isHidden()
    assert dialog.number.text() == "842/STC-A"  # what was typed is still there


# -- the dialog itself ---------------------------------------------------------------------


@pytest.fixture
def real_conflict(workspace: Workspace) -> EditConflict:
    other_clerk_scores(workspace, "20")
    with pytest.raises(EditConflict) as caught:
        appraisal.set_appraised_points(
            workspace.db, YEAR, "SNV", "1.3", Decimal("12.5"), reason=OUR_REASON,
            actor=workspace.actor, expected_version=1,
        )  # fmt: skip
    return caught.value


def test_the_dialog_says_who_what_and_offers_reload_or_overwrite(
    qtbot, real_conflict: EditConflict, monkeypatch
) -> None:
    dialog = ConflictDialog(
        real_conflict,
        "Điểm thẩm định tiêu chí 1.3 của Sở Nội vụ",
        f"điểm thẩm định 12,50, lý do «{OUR_REASON}»",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    text = " ".join(label.text() for label in (dialog.heading, dialog.changes, dialog.attempted))
    assert "Điểm thẩm định tiêu chí 1.3 của Sở Nội vụ" in text
    assert "can-bo-b" in text and "may-2" in text and "→ 20,00" in text
    assert "tổ 2" in text and "12,50" in text
    assert real_conflict.latest is not None
    assert real_conflict.latest.at.strftime("%d/%m/%Y %H:%M") in text
    assert dialog.reload_button.text() == "Tải lại"
    assert dialog.overwrite_button.text() == "Ghi đè…"
    dialog.grab().save("/tmp/conflict.png")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc = reload, nothing written
    assert dialog.result() == 0 and dialog.overwrite_reason is None

    asked: list[str] = []

    def ask(cls, parent, title, message, confirm, initial=""):  # type: ignore[no-untyped-def]
        asked.append(title)
        return None if len(asked) == 1 else "Đã thống nhất"

    monkeypatch.setattr(reason_dialog.ReasonDialog, "ask", classmethod(ask))
    dialog.show()
    dialog.overwrite_button.click()  # the reason is cancelled: the dialog stays
    assert dialog.isVisible() and dialog.overwrite_reason is None
    dialog.overwrite_button.click()
    assert dialog.overwrite_reason == "Đã thống nhất" and dialog.result() == 1


def test_resolve_runs_the_dialog_modally(qtbot, real_conflict: EditConflict, monkeypatch) -> None:
    monkeypatch.setattr(ConflictDialog, "exec", lambda self: 0)
    assert ConflictDialog.resolve(None, real_conflict, "x", "y") is None
    assert conflict_dialog.Saved.RELOAD.value == "reload"
