"""Sao lưu và phục hồi in the window: "Sao lưu ngay…", the restore dialog and the restore
itself, the backup on open, the 30-minute timer."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from khit_desktop.services import backups, scores
from khit_desktop.services.audit import Actor
from khit_desktop.services.backups import automatic_backup, list_backups
from khit_desktop.services.permissions import Role
from khit_desktop.store.database import open_database
from khit_desktop.store.lock import DatabaseInUse
from khit_desktop.ui.backups import (
    BackupTimer,
    acquire_window_lock,
    actions,
    backup_now,
    backup_on_open,
    restore_dialog,
    restore_from_backup,
)
from khit_desktop.ui.backups.restore_dialog import COL_REASON, COL_TIME, RestoreDialog
from khit_desktop.ui.workspace import Workspace

pytestmark = pytest.mark.gui
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
NOW = datetime(2020, 11, 20, 9, 0, 0)
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def told(monkeypatch) -> dict[str, list[str]]:
    """What the user was told: information boxes and refusals."""
    seen: dict[str, list[str]] = {"info": [], "refused": [], "error": []}
    monkeypatch.setattr(actions, "tell", lambda _p, _t, text: seen["info"].append(text))
    monkeypatch.setattr(actions, "show_refusal", lambda _p, text, *_a: seen["refused"].append(text))
    monkeypatch.setattr(actions, "show_error", lambda _p, text, *_a: seen["error"].append(text))
    return seen


def as_role(ws: Workspace, role: Role) -> Workspace:
    return Workspace(ws.db, ws.year, ws.demo, Actor(user="nguoi-dung", role=role), ws.today)


def edit(ws: Workspace, yes: bool) -> None:
    scores.set_self_score(ws.db, 2020, "STP", "2.4", answer={"yes": yes})


def events(ws: Workspace) -> int:
    head = backups.chain_head(ws.db)
    return head[0] if head else 0


def test_backup_now_to_a_chosen_file(workspace: Workspace, told, monkeypatch, tmp_path) -> None:
    target = tmp_path / "USB của chị Lan" / "khit sao lưu"
    target.parent.mkdir()
    asked: list[Path] = []

    def ask(_parent, suggested: Path) -> Path:
        asked.append(suggested)
        return target.with_suffix(".db")

    monkeypatch.setattr(actions, "ask_backup_path", ask)
    written = backup_now(workspace, None)
    assert written == target.with_suffix(".db") and written.exists()
    assert asked[0].parent == workspace.db.path.parent  # type: ignore[union-attr]
    assert asked[0].name.startswith("khit minh họa-sao-luu-") and asked[0].suffix == ".db"
    assert "Đã sao lưu" in told["info"][-1] and str(written) in told["info"][-1]
    assert backups.file_chain_head(written) == backups.chain_head(workspace.db)

    monkeypatch.setattr(actions, "ask_backup_path", lambda _p, _s: None)  # cancelled
    assert backup_now(workspace, None) is None
    member = as_role(workspace, Role.MEMBER)
    assert backup_now(member, None) is None
    assert "sao lưu" in told["refused"][-1] and "Cán bộ Tổ giúp việc" in told["refused"][-1]


def make_backups(ws: Workspace) -> list[Path]:
    made = []
    for minutes, reason in ((0, "mo"), (40, "nhap-phieu"), (75, "dinh-ky"), (130, "chot-ky")):
        edit(ws, yes=minutes % 2 == 0)
        path = automatic_backup(ws.db, reason, now=NOW + timedelta(minutes=minutes))
        assert path is not None
        made.append(path)
    return made


def test_the_restore_dialog_lists_the_backups(qtbot, qtmodeltester, workspace: Workspace) -> None:
    made = make_backups(workspace)
    assert workspace.db.path is not None
    dialog = RestoreDialog(workspace.db.path)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    model = dialog.model
    assert model.rowCount() == 4 and not dialog.empty.isVisibleTo(dialog)
    texts = [(model.index(r, COL_TIME).data(), model.index(r, COL_REASON).data()) for r in range(4)]
    assert texts[0] == ("11:10:00 ngày 20/11/2020", "Trước khi chốt kỳ đánh giá")
    assert texts[-1] == ("09:00:00 ngày 20/11/2020", "Khi mở chương trình")
    assert [model.backup(r).path for r in range(4)] == made[::-1]
    assert dialog.restore_button.isEnabled()  # the newest is selected
    dialog.resize(900, 420)
    dialog.show()
    qtbot.waitExposed(dialog)
    SCREENSHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SCREENSHOTS / "restore-dialog.png"))
    dialog.select(2)
    qtbot.mouseClick(dialog.restore_button, LEFT)
    assert dialog.result() == RestoreDialog.DialogCode.Accepted
    assert dialog.chosen == made[1]


def test_the_restore_dialog_takes_another_file(
    qtbot, workspace: Workspace, monkeypatch, tmp_path: Path
) -> None:
    assert workspace.db.path is not None
    dialog = RestoreDialog(workspace.db.path)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0 and dialog.empty.isVisibleTo(dialog)
    assert not dialog.restore_button.isEnabled()
    elsewhere = tmp_path / "Bản sao lưu trên USB" / "khit.db"
    monkeypatch.setattr(restore_dialog, "choose_backup_file", lambda _parent: elsewhere)
    qtbot.mouseClick(dialog.other_button, LEFT)
    assert dialog.chosen == elsewhere


def test_restore_from_backup_replaces_the_data(
    workspace: Workspace, told, monkeypatch, tmp_path
) -> None:
    database = workspace.db.path
    assert database is not None
    edit(workspace, True)
    backup = automatic_backup(workspace.db, "mo", now=NOW)
    assert backup is not None
    in_backup = events(workspace)
    edit(workspace, False)
    edit(workspace, True)
    monkeypatch.setattr(RestoreDialog, "choose", classmethod(lambda cls, db, parent: backup))
    questions: list[tuple[Path, Path]] = []

    def confirm(_parent, db: Path, source: Path) -> bool:
        questions.append((db, source))
        return True

    monkeypatch.setattr(actions, "confirm_restore", confirm)
    lock = acquire_window_lock(database)
    try:
        with pytest.raises(DatabaseInUse):
            acquire_window_lock(database)  # a second window on the same file
        assert restore_from_backup(workspace, None, lock) == database
    finally:
        lock.release()
    assert questions == [(database, backup)]
    assert "Đã phục hồi" in told["info"][-1] and "truoc-phuc-hoi" in told["info"][-1]
    reopened = open_database(database)  # what the window does with the path returned
    try:
        assert backups.chain_head(reopened) is not None
        assert backups.chain_head(reopened)[0] == in_backup + 1  # type: ignore[index]
    finally:
        reopened.dispose()


def test_restore_is_for_admins_and_can_be_cancelled(
    workspace: Workspace, told, monkeypatch
) -> None:
    shown: list[Path] = []
    monkeypatch.setattr(
        RestoreDialog, "choose", classmethod(lambda cls, db, parent: shown.append(db))
    )
    clerk = as_role(workspace, Role.CLERK)
    assert restore_from_backup(clerk, None) is None
    assert "Quản trị" in told["refused"][-1] and shown == []
    before = events(workspace)
    assert restore_from_backup(workspace, None) is None  # the dialog was cancelled (None)
    assert shown and events(workspace) == before
    monkeypatch.setattr(RestoreDialog, "choose", classmethod(lambda cls, db, parent: db))
    monkeypatch.setattr(actions, "confirm_restore", lambda *_a: True)
    assert restore_from_backup(workspace, None) is None  # the open database itself
    assert "chính là cơ sở dữ liệu" in told["refused"][-1]


def test_backup_on_open(workspace: Workspace, told, monkeypatch) -> None:
    first = backup_on_open(workspace, None)
    assert first is not None and ".mo." in first.name
    assert backup_on_open(workspace, None) is None  # nothing changed since
    monkeypatch.setattr(
        backups, "backup_on_open", lambda _db: (_ for _ in ()).throw(OSError("ổ đĩa đầy"))
    )
    assert backup_on_open(workspace, None) is None
    assert "ổ đĩa đầy" in told["refused"][-1]


def test_the_timer_backs_up_every_30_minutes_while_data_changes(
    qtbot, workspace: Workspace
) -> None:
    clock = [NOW]
    timer = BackupTimer(workspace, None, clock=lambda: clock[0], tick_ms=5)
    made: list[Path] = []
    timer.backed_up.connect(made.append)
    assert timer.check() is None  # nothing changed
    edit(workspace, False)
    clock[0] = NOW + timedelta(minutes=29)
    assert timer.check() is None  # too soon
    clock[0] = NOW + timedelta(minutes=30)
    timer.start()
    qtbot.waitUntil(lambda: len(made) == 1, timeout=3000)
    qtbot.wait(30)  # more ticks: the data did not change again
    timer.stop()
    assert len(made) == 1 and ".dinh-ky." in made[0].name
    assert [b.path for b in list_backups(workspace.db.path)] == made  # type: ignore[arg-type]


def test_the_timer_reports_a_failure_once_per_interval(
    qtbot, workspace: Workspace, monkeypatch
) -> None:
    clock = [NOW]
    timer = BackupTimer(workspace, None, clock=lambda: clock[0])
    failures: list[str] = []
    timer.failed.connect(failures.append)

    def broken(*_a, **_k):
        raise backups.BackupFailed("Không sao lưu được vào thư mục: ổ đĩa đầy")

    monkeypatch.setattr(backups, "automatic_backup", broken)
    edit(workspace, False)
    for minute in (30, 31, 45, 59):
        clock[0] = NOW + timedelta(minutes=minute)
        timer.check()
    assert len(failures) == 1 and "ổ đĩa đầy" in failures[0]
    clock[0] = NOW + timedelta(minutes=60)
    timer.check()
    assert len(failures) == 2
