"""Unexpected errors: logged with the traceback to the rotating log in the data folder and
told in Vietnamese — in the window (a message box, the program keeps running) and on the
command line (a short line on stderr, exit code 1)."""

from __future__ import annotations

import logging
import logging.handlers
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from khit_desktop import __version__, crash
from khit_desktop.crash import Crash
from khit_desktop.ui import crash_dialog
from khit_desktop.ui.crash_dialog import MAX_SHOWN_PER_ERROR, CrashBox, crash_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "Dữ liệu của Nguyễn Văn A" / "logs" / "khit.log"
    assert crash.start_logging("KHIT Desktop", path) == path
    yield path
    crash.uninstall()
    crash.stop_logging()


class Shown(list[Crash]):
    """The crash boxes shown (patched), and whether each was shown on the main thread."""

    def __init__(self) -> None:
        super().__init__()
        self.on_main_thread: list[bool] = []


@pytest.fixture
def boxes(monkeypatch) -> Shown:
    shown = Shown()

    def record(cls: type, item: Crash, parent: object) -> None:
        shown.on_main_thread.append(threading.current_thread() is threading.main_thread())
        shown.append(item)

    monkeypatch.setattr(CrashBox, "show_crash", classmethod(record))
    return shown


def test_the_log_starts_with_versions_and_rotates(log_file: Path) -> None:
    text = log_file.read_text(encoding="utf-8")
    assert f"KHIT Desktop {__version__} bắt đầu" in text
    assert "Python " in text and "hệ điều hành" in text
    assert "Qt 6." in text  # Qt is loaded in this test session
    handlers = [
        h
        for h in logging.getLogger(crash.LOGGER_NAME).handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert len(handlers) == 1
    assert (handlers[0].maxBytes, handlers[0].backupCount) == (1_000_000, 5)
    assert handlers[0].encoding == "utf-8"
    assert crash.start_logging("KHIT Desktop", log_file) == log_file  # once only
    assert len(logging.getLogger(crash.LOGGER_NAME).handlers) >= 1
    assert text.count("bắt đầu") == 1


def test_no_log_file_is_no_reason_not_to_start(tmp_path: Path) -> None:
    blocker = tmp_path / "tệp"
    blocker.write_text("", encoding="utf-8")
    assert crash.start_logging("KHIT Desktop", blocker / "logs" / "khit.log") is None


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_is_logged_and_shown_and_the_window_goes_on(
    qtbot, qapp, log_file, boxes
) -> None:
    crash_dialog.install_for_window(qapp)
    button = QPushButton("Xuất phụ lục")
    qtbot.addWidget(button)
    clicks: list[int] = []

    def broken_slot() -> None:
        clicks.append(1)
        raise RuntimeError("Không tìm thấy cơ quan 'Sở Tư pháp'")

    button.clicked.connect(broken_slot)
    qtbot.mouseClick(button, qtbot_left())
    assert len(boxes) == 1
    item = boxes[0]
    assert item.summary == "RuntimeError: Không tìm thấy cơ quan 'Sở Tư pháp'"
    assert item.log_path == log_file
    assert "broken_slot" in item.details
    text = log_file.read_text(encoding="utf-8")
    assert "Lỗi không mong đợi" in text and "Traceback (most recent call last)" in text
    assert "RuntimeError: Không tìm thấy cơ quan 'Sở Tư pháp'" in text
    qtbot.mouseClick(button, qtbot_left())  # the program is still there: it happens again
    assert len(clicks) == 2 and len(boxes) == 2


def qtbot_left() -> Qt.MouseButton:
    return Qt.MouseButton.LeftButton


@pytest.mark.qt_no_exception_capture
def test_an_error_in_another_thread_is_shown_on_the_main_thread(
    qtbot, qapp, log_file, boxes
) -> None:
    crash_dialog.install_for_window(qapp)

    def work() -> None:
        raise ValueError("số liệu hỏng")

    worker = threading.Thread(target=work, name="xuat-pdf")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(boxes) == 1)  # the queued signal reaches the main thread
    assert boxes.on_main_thread == [True]
    assert boxes[0].thread == "xuat-pdf"
    assert "luồng xuat-pdf" in log_file.read_text(encoding="utf-8")


def test_the_same_error_is_shown_a_few_times_only(qapp, log_file, boxes) -> None:
    notifier = crash_dialog.CrashNotifier()
    item = Crash("RuntimeError: x", "Traceback…", "RuntimeError@panel.py:12", log_file)
    for _ in range(MAX_SHOWN_PER_ERROR + 2):
        notifier.report(item)
    assert len(boxes) == MAX_SHOWN_PER_ERROR
    notifier.report(Crash("KeyError: 'a'", "…", "KeyError@model.py:3", log_file))
    assert len(boxes) == MAX_SHOWN_PER_ERROR + 1


def test_the_message_says_where_the_log_is_and_that_data_is_safe(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "khit.log"
    text = crash_text(Crash("RuntimeError: x", "tb", "k", path))
    assert f"Chi tiết đã ghi vào {path}." in text
    assert "Dữ liệu đã lưu không bị mất" in text
    assert "Không ghi được tệp nhật ký" in crash_text(Crash("RuntimeError: x", "tb", "k", None))


def test_the_real_message_box(qtbot, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    seen: list[QMessageBox] = []

    def fake_exec(box: QMessageBox) -> int:
        seen.append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    path = tmp_path / "logs" / "khit.log"
    CrashBox.show_crash(Crash("RuntimeError: x", "Traceback: dòng 1", "k", path), None)
    box = seen[0]
    assert box.text() == crash_dialog.HEADLINE
    assert str(path) in box.informativeText()
    assert box.detailedText() == "Traceback: dòng 1"
    labels = {b.text() for b in box.buttons()}
    assert {"Chi tiết…", "Mở thư mục nhật ký", "Đóng"} <= labels


def test_keyboard_interrupt_keeps_pythons_behaviour(log_file, monkeypatch) -> None:
    seen: list[type] = []
    monkeypatch.setattr(sys, "__excepthook__", lambda t, v, tb: seen.append(t))
    assert crash.handle(KeyboardInterrupt, KeyboardInterrupt(), None) is None
    assert seen == [KeyboardInterrupt]
    assert "Traceback" not in log_file.read_text(encoding="utf-8")


def test_the_window_start_that_fails_is_reported(qapp, boxes, monkeypatch) -> None:
    from khit_desktop import app as app_module

    def broken_start(app: object, args: object) -> int:
        raise OSError("ổ đĩa đầy")

    def bare_application() -> object:  # not main's font: later tests measure text widths
        crash_dialog.install_for_window(qapp)
        return qapp

    monkeypatch.setattr(app_module, "_application", bare_application)
    monkeypatch.setattr(app_module, "_start", broken_start)
    try:
        assert app_module.main(["--demo"]) == 1
    finally:
        crash.stop_logging()
    assert boxes and boxes[0].summary == "OSError: ổ đĩa đầy"
    assert sys.excepthook is not crash._excepthook  # given back when main returns


# -- the command line: no QApplication ------------------------------------------------------
def test_the_command_line_reports_in_process(tmp_path, monkeypatch, capsys) -> None:
    from khit_desktop import cli

    def broken_run(args: object) -> int:
        raise ZeroDivisionError("chia cho 0")

    monkeypatch.setattr(cli, "run", broken_run)
    log = tmp_path / "logs" / "khit.log"
    assert crash.start_logging("khit", log) == log
    try:
        assert cli.main(["rank", "--year", "2020"]) == 1
    finally:
        crash.stop_logging()
    err = capsys.readouterr().err
    assert "Lỗi không mong đợi (ZeroDivisionError: chia cho 0)" in err
    assert str(log) in err and "Dữ liệu đã lưu không bị mất" in err
    assert "Traceback" not in err
    assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")


def _python(code: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHIT_")}
    env["KHIT_DATA_DIR"] = str(data)
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=data.parent,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.mark.parametrize(
    "code",
    [
        # the khit command: cli.main catches it
        "import sys\nfrom khit_desktop import cli\n"
        "def broken(args): raise RuntimeError('hỏng giữa chừng')\n"
        "cli.run = broken\nsys.exit(cli.main(['rank', '--year', '2020']))",
        # anything else with the hook installed: the interpreter's own exit code 1
        "from khit_desktop import crash\ncrash.install()\nraise RuntimeError('hỏng giữa chừng')",
    ],
    ids=["khit", "excepthook"],
)
def test_the_command_line_without_qt_exits_1(tmp_path: Path, code: str) -> None:
    data = tmp_path / "Dữ liệu của Nguyễn Văn A"
    done = _python(code, data)
    assert done.returncode == 1, done.stderr
    log = data / "logs" / "khit.log"
    assert "Lỗi không mong đợi (RuntimeError: hỏng giữa chừng)" in done.stderr
    assert f"Chi tiết đã ghi vào {log}." in done.stderr
    assert "Traceback" not in done.stderr
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "hỏng giữa chừng" in text
    assert "PySide6" not in done.stderr
