"""Unexpected errors and the program's log: never a silent exit.

Every exception nobody caught — on the main thread (``sys.excepthook``; PySide6 sends the
exceptions escaping Qt slots and event handlers there too) or on another thread
(``threading.excepthook``) — is written with its traceback to a rotating log file in the
data folder (``<data folder>/logs/khit.log``, 1 MB × 5, UTF-8) and then told to the user by
a *reporter*: the window installs one that shows a short Vietnamese message box
(``ui/crash_dialog.py``); without one (the command line) a short Vietnamese line on stderr
names the log file, and the interpreter exits with code 1.

Qt-free: the command line uses it without a QApplication.
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from . import __version__

LOGGER_NAME = "khit_desktop"  # the package: every module's logging.getLogger(__name__) joins in
LOG_FILE_NAME = "khit.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d %(threadName)s] %(name)s: %(message)s"

log = logging.getLogger(LOGGER_NAME)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


@dataclass(frozen=True)
class Crash:
    """One unexpected exception, ready to be told."""

    summary: str  # "RuntimeError: …": the exception's type and message
    details: str  # the formatted traceback
    key: str  # the exception's type and the line that raised it: the same error twice
    log_path: Path | None  # None when the log could not be written
    thread: str | None = None  # the thread's name when it is not the main thread

    def short_text(self) -> str:
        """One or two Vietnamese lines for a terminal."""
        where = (
            f"Chi tiết đã ghi vào {self.log_path}."
            if self.log_path
            else "Không ghi được tệp nhật ký; chi tiết ở dưới."
        )
        return f"Lỗi không mong đợi ({self.summary}). {where}"


Reporter = Callable[[Crash], None]


@dataclass
class _State:
    handler: logging.Handler | None = None
    path: Path | None = None
    program: str = "khit"
    reporter: Reporter | None = None
    previous_hook: Callable[..., Any] | None = None
    previous_thread_hook: Callable[..., Any] | None = None


_state = _State()


def default_log_path() -> Path:
    """``<data folder>/logs/khit.log`` (the data folder follows ``KHIT_DATA_DIR``)."""
    from .paths import data_dir

    return data_dir() / "logs" / LOG_FILE_NAME


def log_path() -> Path | None:
    """The log file being written, None before ``start_logging`` (or when it failed)."""
    return _state.path


def start_logging(program: str, path: Path | None = None) -> Path | None:
    """Log to a rotating file (INFO and above) and write the start line: program and
    version, operating system, Python and Qt versions. None when the file cannot be made
    (a read-only profile): the program then runs without a log rather than not at all."""
    _state.program = program
    try:
        target = path or default_log_path()
        if _state.handler is not None and _state.path == target:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    stop_logging()
    log.addHandler(handler)
    if log.level == logging.NOTSET or log.level > logging.INFO:
        log.setLevel(logging.INFO)
    _state.handler, _state.path = handler, target
    log.info("%s %s bắt đầu; %s", program, __version__, environment_line())
    return target


def stop_logging() -> None:
    """Close the log file (tests; a second ``start_logging`` with another path)."""
    handler, _state.handler, _state.path = _state.handler, None, None
    if handler is not None:
        log.removeHandler(handler)
        handler.close()


def environment_line() -> str:
    """Operating system, Python, Qt (when loaded), frozen or source: for the log and for
    "Sao chép thông tin"."""
    parts = [
        f"hệ điều hành {platform.platform()}",
        f"Python {platform.python_version()}",
    ]
    qt = qt_versions()
    if qt:
        parts.append(qt)
    parts.append("bản đóng gói" if getattr(sys, "frozen", False) else "chạy từ mã nguồn")
    return "; ".join(parts)


def qt_versions() -> str:
    """The versions of Qt and PySide6 when Qt is loaded (it is never imported here)."""
    if "PySide6.QtCore" not in sys.modules:
        return ""
    import PySide6
    from PySide6.QtCore import qVersion

    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}"


# -- the hooks ------------------------------------------------------------------------------


def install(reporter: Reporter | None = None) -> None:
    """Take over ``sys.excepthook`` and ``threading.excepthook``; ``reporter`` tells the user
    (None: a line on stderr). Calling again changes the reporter (and takes the hooks back
    if someone replaced them meanwhile)."""
    _state.reporter = reporter
    if sys.excepthook is not _excepthook:
        _state.previous_hook = sys.excepthook
        sys.excepthook = _excepthook
    if threading.excepthook is not _thread_excepthook:
        _state.previous_thread_hook = threading.excepthook
        threading.excepthook = _thread_excepthook


def uninstall() -> None:
    """Give the hooks back (the end of ``app.main``; tests)."""
    if sys.excepthook is _excepthook:
        sys.excepthook = _state.previous_hook or sys.__excepthook__
    if threading.excepthook is _thread_excepthook:
        threading.excepthook = _state.previous_thread_hook or threading.__excepthook__
    _state.previous_hook = _state.previous_thread_hook = None
    _state.reporter = None


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    handle(exc_type, exc, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:  # as the default hook: a thread may end that way
        return
    value = args.exc_value if args.exc_value is not None else args.exc_type()
    name = args.thread.name if args.thread is not None else "?"
    handle(args.exc_type, value, args.exc_traceback, thread=name)


def handle(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    thread: str | None = None,
    reporter: Reporter | None = None,
) -> Crash | None:
    """Log an unexpected exception with its traceback and tell the user (with ``reporter``,
    else the installed one, else a line on stderr). Ctrl+C keeps Python's own behaviour.
    Returns what was told."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return None
    if _state.handler is None:  # the command line logs only when something goes wrong
        start_logging(_state.program)
    where = f" (luồng {thread})" if thread else ""
    log.error("Lỗi không mong đợi%s", where, exc_info=(exc_type, exc, tb))
    crash = Crash(
        summary=_summary(exc_type, exc),
        details="".join(traceback.format_exception(exc_type, exc, tb)),
        key=_key(exc_type, tb),
        log_path=_state.path,
        thread=thread,
    )
    tell = reporter or _state.reporter or print_to_stderr
    try:
        tell(crash)
    except Exception:  # the reporter itself failed: still never silent
        log.exception("Không hiện được thông báo lỗi")
        print_to_stderr(crash)
    return crash


def report_current(reporter: Reporter | None = None) -> Crash | None:
    """``handle`` for the exception being handled (inside ``except``)."""
    exc_type, exc, tb = sys.exc_info()
    if exc_type is None or exc is None:
        return None
    return handle(exc_type, exc, tb, reporter=reporter)


def print_to_stderr(crash: Crash) -> None:
    """The command line's reporter (and the last resort): a short line, no traceback —
    unless the log could not be written, when the traceback is the only record."""
    stream = sys.stderr
    if stream is None:  # a windowed program on Windows has no stderr
        return
    try:
        print(crash.short_text(), file=stream)
        print("Dữ liệu đã lưu không bị mất.", file=stream)
        if crash.log_path is None:
            print(crash.details, file=stream, end="")
        stream.flush()
    except (OSError, ValueError):  # a closed or broken stream: nothing more to do
        pass


def _summary(exc_type: type[BaseException], exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 200:
        first = first[:197] + "…"
    return f"{exc_type.__name__}: {first}" if first else exc_type.__name__


def _key(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    frames = traceback.extract_tb(tb) if tb is not None else []
    last = frames[-1] if frames else None
    place = f"{Path(last.filename).name}:{last.lineno}" if last else "?"
    return f"{exc_type.__qualname__}@{place}"
