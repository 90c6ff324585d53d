"""The first run, before the window: welcome → (demo | new database → administrator → first
round | an existing database). ``app.main`` calls ``first_run`` when the database it would
open does not exist yet and no ``--db``/``--demo`` was given; then ``run_window`` as always.

Cancelling leaves nothing the next start would trip on:
- at the welcome: nothing was written; the program closes;
- at the administrator (its button is "Thoát"): the database made a moment ago is deleted
  with its lock file and the folders made for it, so the next start welcomes again. Should
  the program die between the two steps (power cut), the file stays without accounts and the
  next start asks for the administrator (``login_for_window`` does that for any database
  without accounts);
- at the first round ("Để sau"): the database and administrator are kept and the window opens
  without a round; "Tạo kỳ đánh giá mới…" makes it later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ...paths import default_database_path
from ...services.audit import Actor
from ..settings import AppSettings
from .welcome_dialog import StartKind, WelcomeDialog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartChoice:
    """What the window opens after the first run."""

    target: Path | str  # a SQLite file, or a PostgreSQL URL (``store.target``)
    demo: bool
    actor: Actor | None = None  # the administrator just created: no login right after


class CreationFailed(Exception):
    """The new database could not be made (told to the user; the welcome comes back)."""


def database_to_open(settings: AppSettings) -> tuple[Path, Path | None]:
    """The database the window opens without ``--db``: the one chosen at the first run, else
    the default. Also the remembered one when it has gone missing (a USB stick pulled out),
    so the welcome can say so instead of silently making a new empty database."""
    remembered = settings.database_path
    if remembered is None:
        return default_database_path(), None
    if remembered.exists():
        return remembered, None
    return default_database_path(), remembered


def first_run(
    settings: AppSettings,
    location: Path,
    demo_target: Path,
    *,
    missing: Path | None = None,
    parent: QWidget | None = None,
) -> StartChoice | None:
    """Ask how to start; what to open, or None when the user quits."""
    while True:
        choice = WelcomeDialog.ask(location, missing, parent)
        if choice is None:
            log.info("Lần chạy đầu: người dùng thoát ở màn hình chào mừng")
            return None
        if choice.kind is StartKind.DEMO:
            log.info("Lần chạy đầu: dùng thử dữ liệu minh họa")
            return StartChoice(demo_target, True)
        if choice.kind is StartKind.SERVER:
            assert choice.url is not None
            settings.database_url = choice.url  # without its password
            settings.sync()
            log.info("Lần chạy đầu: làm việc trên máy chủ")
            return StartChoice(choice.url, False)
        assert choice.location is not None
        if choice.kind is StartKind.OPEN:
            remember(settings, choice.location)
            log.info("Lần chạy đầu: mở cơ sở dữ liệu đã có %s", choice.location)
            return StartChoice(choice.location, False)
        try:
            actor = create_database(choice.location, settings, parent)
        except CreationFailed as exc:
            from ..messages import show_refusal

            show_refusal(parent, str(exc), "Chưa tạo được cơ sở dữ liệu")
            location = choice.location
            continue
        if actor is None:
            return None
        return StartChoice(choice.location, False, actor)


def remember(settings: AppSettings, path: Path) -> None:
    """The next start opens ``path`` (nothing is stored for the default place)."""
    settings.database_path = None if path == default_database_path() else path
    settings.sync()


def create_database(
    path: Path, settings: AppSettings, parent: QWidget | None = None
) -> Actor | None:
    """Make and fill a new database at ``path``, then its administrator and first round.
    The administrator, or None when the user cancelled (the new file is removed)."""
    from ...services import catalog
    from ...services.errors import ServiceError
    from ...store.database import open_database
    from ...store.errors import DatabaseError
    from ...store.lock import acquire
    from ..accounts.login_dialogs import FirstAdminDialog
    from .first_round_dialog import FirstRoundDialog

    made = _missing_folders(path.parent)
    try:
        lock = acquire(path)
    except (DatabaseError, OSError) as exc:
        _remove_folders(made)
        raise CreationFailed(f"Không tạo được cơ sở dữ liệu {path}: {exc}") from None
    keep = False
    try:
        try:
            db = open_database(path)
        except (DatabaseError, OSError) as exc:
            raise CreationFailed(f"Không tạo được cơ sở dữ liệu {path}: {exc}") from None
        try:
            catalog.initialise(db)
            log.info("Đã tạo cơ sở dữ liệu mới %s", path)
            actor = FirstAdminDialog.ask(db, parent)
            if actor is None:
                log.info("Hủy ở bước tạo tài khoản quản trị; xóa cơ sở dữ liệu vừa tạo %s", path)
                return None
            keep = True
            remember(settings, path)
            log.info("Đã tạo tài khoản quản trị '%s'", actor.user)
            year = FirstRoundDialog.ask(db, actor, parent)
            if year is None:
                log.info("Chưa tạo kỳ đánh giá đầu tiên (Để sau)")
            else:
                log.info("Đã tạo kỳ đánh giá năm %d", year)
            return actor
        except (DatabaseError, ServiceError, OSError) as exc:
            raise CreationFailed(f"Không khởi tạo được cơ sở dữ liệu {path}: {exc}") from None
        finally:
            db.dispose()
    finally:
        lock.release()
        if not keep:
            _remove_database(path)
            _remove_folders(made)


def _missing_folders(folder: Path) -> list[Path]:
    """The folders of ``folder``'s chain that do not exist yet, deepest first."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    return missing


def _remove_database(path: Path) -> None:
    from ...store.lock import lock_path

    for leftover in (
        path,
        Path(f"{path}-wal"),
        Path(f"{path}-shm"),
        Path(f"{path}-journal"),
        lock_path(path.resolve()),
    ):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:  # still open somewhere: the next start asks for the administrator
            log.warning("Không xóa được %s", leftover)


def _remove_folders(folders: list[Path]) -> None:
    for folder in folders:  # deepest first; only empty ones, only those made here
        try:
            folder.rmdir()
        except OSError:
            return
