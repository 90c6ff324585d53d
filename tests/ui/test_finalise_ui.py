"""Kỳ đánh giá → Chốt kỳ đánh giá… and → Mở lại kỳ đã chốt…: who may, what the dialog shows,
the service's refusals shown, the reason typed (Vietnamese, through an input method)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

from khit_desktop.services import round_decision
from khit_desktop.services.audit import Actor
from khit_desktop.services.finalise import blockers, finalisation, finalise
from khit_desktop.services.permissions import Role
from khit_desktop.ui.reason_dialog import ReasonDialog
from khit_desktop.ui.rounds import finalise_dialog
from khit_desktop.ui.rounds.finalise_dialog import FinaliseDialog, finalise_round, reopen_round
from khit_desktop.ui.workspace import Workspace
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui
YEAR = 2020
LEFT = Qt.MouseButton.LeftButton
CHAIR = Actor("chu-tich", "may-hd", Role.CHAIR)
ADMIN = Actor("quan-tri", "may-qt", Role.ADMIN)
REASON = "Sửa sai điểm tiêu chí 1.8 của Sở Nội vụ"


def sign(ws: Workspace) -> None:
    round_decision.set_decision(
        ws.db, YEAR, round_decision.DecisionInfo("3456", date(2020, 12, 30))
    )


@pytest.fixture
def refusals(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(finalise_dialog, "show_refusal", lambda _p, text: said.append(text))
    return said


@pytest.fixture
def informed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []

    def information(_parent: Any, _title: str, text: str) -> int:
        said.append(text)
        return int(QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(QMessageBox, "information", information)
    return said


def test_a_clerk_is_told_who_may(
    qtbot: Any, workspace: Workspace, refusals: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FinaliseDialog, "exec", lambda _d: pytest.fail("no dialog"))
    workspace.actor = Actor("can-bo", "may-1", Role.CLERK)
    assert finalise_round(workspace, None) is False
    assert "Chủ tịch Hội đồng" in refusals[0]
    assert reopen_round(workspace, None) is False
    assert "Quản trị" in refusals[1]


def test_blocked_without_the_decision(qtbot: Any, workspace: Workspace, tmp_path: Path) -> None:
    ws = replace(workspace, actor=CHAIR)
    dialog = FinaliseDialog(ws, blockers(ws.db, YEAR))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.blocking.isVisible() and "quyết định công bố" in dialog.blocking.text()
    assert not dialog.confirm.isEnabled()
    assert dialog.warnings.count() >= 3
    dialog.grab().save(str(tmp_path / "finalise-blocked.png"))


def test_chair_finalises_through_the_dialog(
    qtbot: Any, workspace: Workspace, informed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = replace(workspace, actor=CHAIR)
    sign(ws)
    seen: list[FinaliseDialog] = []

    def exec_(dialog: FinaliseDialog) -> int:
        seen.append(dialog)
        assert not dialog.blocking.isVisibleTo(dialog) and dialog.confirm.isEnabled()
        consequences = dialog.findChild(QLabel, "finaliseConsequences")
        assert consequences is not None and "kể cả quản trị" in consequences.text()
        qtbot.mouseClick(dialog.confirm, LEFT)
        return dialog.result()

    monkeypatch.setattr(FinaliseDialog, "exec", exec_)
    assert finalise_round(ws, None) is True
    assert seen and seen[0].finalised
    info = finalisation(ws.db, YEAR)
    assert info.is_final and info.finalized_by == "chu-tich"
    assert "đã chốt lúc" in informed[0] and "Bản sao lưu ngay trước khi chốt" in informed[0]
    assert ".chot-ky." in informed[0]


def test_the_service_refusal_is_shown_in_the_dialog(qtbot: Any, workspace: Workspace) -> None:
    ws = replace(workspace, actor=CHAIR)
    sign(ws)
    dialog = FinaliseDialog(ws, blockers(ws.db, YEAR))
    qtbot.addWidget(dialog)
    dialog.show()
    finalise(ws.db, YEAR, actor=CHAIR)  # finalised meanwhile, elsewhere
    qtbot.mouseClick(dialog.confirm, LEFT)
    assert "đã chốt" in dialog.error.text() and not dialog.finalised
    assert dialog.isVisible()


def test_already_final_or_published_is_refused_without_a_dialog(
    qtbot: Any, workspace: Workspace, refusals: list[str]
) -> None:
    ws = replace(workspace, actor=CHAIR)
    assert finalise_round(replace(ws, year=2019), None) is False
    assert "đã công bố" in refusals[-1]
    sign(ws)
    finalise(ws.db, YEAR, actor=CHAIR)
    assert finalise_round(ws, None) is False and "đã chốt lúc" in refusals[-1]
    assert reopen_round(replace(ws, actor=ADMIN, year=2019), None) is False


def test_admin_reopens_with_a_typed_reason(
    qtbot: Any, workspace: Workspace, refusals: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = replace(workspace, actor=ADMIN)
    assert reopen_round(ws, None) is False and "chưa chốt" in refusals[-1]
    sign(ws)
    finalise(ws.db, YEAR, actor=CHAIR)
    asked: list[ReasonDialog] = []

    def cancel(dialog: ReasonDialog) -> int:
        asked.append(dialog)
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(ReasonDialog, "exec", cancel)
    assert reopen_round(ws, None) is False and finalisation(ws.db, YEAR).is_final
    assert "in trên mọi phụ lục" in asked[0].message.text()
    assert not asked[0].confirm.isEnabled()  # no reason, no reopening

    def type_and_confirm(dialog: ReasonDialog) -> int:
        qtbot.addWidget(dialog)
        dialog.show()
        type_text(dialog.reason, REASON, decomposed=True)
        assert dialog.confirm.isEnabled()
        qtbot.mouseClick(dialog.confirm, LEFT)
        return dialog.result()

    monkeypatch.setattr(ReasonDialog, "exec", type_and_confirm)
    assert reopen_round(ws, None) is True
    info = finalisation(ws.db, YEAR)
    assert not info.is_final and info.reopenings[0].reason == REASON  # stored NFC
    assert info.reopenings[0].user == "quan-tri"
