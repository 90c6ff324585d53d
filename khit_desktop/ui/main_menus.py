"""The main window's menus, and which of their items (and of its buttons) the user sees: only
what the user may do (review mode, issue 10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton

from ..services.permissions import Permission
from .review import mark_edit
from .workspace import DATA_EDITS

if TYPE_CHECKING:
    from .main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    """The window's menus: each screen's actions and the window's own."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&Tệp")
    window.action_backup = file_menu.addAction("Sao lưu ngay…", window.backup_now)
    window.action_restore = file_menu.addAction("Phục hồi từ bản sao lưu…", window.restore_backup)
    if window.ws.db.path is None or window.ws.read_only:  # a server: pg_dump; an archive: a copy
        for action in (window.action_backup, window.action_restore):
            action.setEnabled(False)
            action.setToolTip(
                "Cơ sở dữ liệu trên máy chủ được sao lưu bằng pg_dump trên máy chủ."
                if window.ws.db.path is None
                else "Tệp lưu trữ chỉ đọc là một bản sao: không cần sao lưu, phục hồi."
            )
    window.action_server = file_menu.addAction(
        "Làm việc trên máy chủ cơ sở dữ liệu…", window.choose_server
    )
    window.action_data_folder = file_menu.addAction("Mở thư mục dữ liệu", window.open_data_folder)
    window.action_data_folder.setToolTip("Thư mục chứa tệp dữ liệu, bản sao lưu, tệp đính kèm")
    file_menu.addSeparator()
    file_menu.addAction("Đổi mật khẩu…", window.change_password)
    window.action_users = file_menu.addAction("Tài khoản người dùng…", window.manage_users)
    file_menu.addSeparator()
    quit_action = file_menu.addAction("Thoát")
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    quit_action.triggered.connect(window.close)
    round_menu = bar.addMenu("&Kỳ đánh giá")
    round_menu.addAction(window.overview.action_export_pdf)
    round_menu.addSeparator()
    window.action_new_round = round_menu.addAction("Tạo kỳ đánh giá mới…", window.create_round)
    window.action_rules = round_menu.addAction("Quy tắc của kỳ…", window.edit_rules)
    window.action_criteria = round_menu.addAction(
        "Bộ tiêu chí (phiếu đánh giá)…", window.manage_criteria
    )
    window.action_decision = round_menu.addAction(
        "Quyết định công bố kết quả…", window.edit_decision
    )
    round_menu.addSeparator()
    window.action_finalise = round_menu.addAction("Chốt kỳ đánh giá…", window.finalise_round)
    window.action_reopen = round_menu.addAction("Mở lại kỳ đã chốt…", window.reopen_round)
    receipt_menu = bar.addMenu("Tiếp &nhận")
    for action in (
        window.register.action_new,
        window.register.action_find,
        window.register.action_export,
    ):
        receipt_menu.addAction(action)
    scoring_menu = bar.addMenu("&Chấm điểm")
    for action in (
        window.scoring.action_import,
        window.scoring.action_blank,
        window.scoring.action_undo,
        window.scoring.action_redo,
        window.scoring.action_previous,
        window.scoring.action_next,
    ):
        scoring_menu.addAction(action)
    survey_menu = bar.addMenu("&Khảo sát")
    for name in (
        "action_plan",
        "action_record",
        "action_minutes",
        "action_roster",
        "action_request",
        "action_answer",
        "action_decide",
    ):
        survey_action = getattr(window.surveys, name, None)
        if survey_action is not None:
            survey_menu.addAction(survey_action)
    ranking_menu = bar.addMenu("&Xếp hạng")
    for action in (
        window.ranking.action_preview,
        window.ranking.action_save_pdf,
        window.ranking.action_export,
    ):
        ranking_menu.addAction(action)
    ranking_menu.addSeparator()
    window.action_import_history = ranking_menu.addAction(
        "Nhập kết quả đã công bố các năm trước…", window.import_history
    )
    history_action = QAction("Lịch sử thay đổi của cơ quan…", window)
    history_action.setShortcut(QKeySequence("Ctrl+H"))
    history_action.triggered.connect(window.show_history)
    window.addAction(history_action)
    for menu in (receipt_menu, scoring_menu):
        menu.addSeparator()
        menu.addAction(history_action)
    show_permitted(window)
    help_menu = bar.addMenu("T&rợ giúp")
    guide = help_menu.addAction("Hướng dẫn sử dụng", window.show_guide)
    guide.setShortcut(QKeySequence("F1"))
    help_menu.addAction("Kiểm tra toàn vẹn dữ liệu…", window.check_integrity)
    help_menu.addAction("Mở tệp nhật ký lỗi", window.open_log_file)
    help_menu.addSeparator()
    help_menu.addAction("Giới thiệu KHIT Desktop", window.show_about)


def show_permitted(window: MainWindow) -> None:
    """Only what the user may do is shown: council members and the chair see no edit
    control (review mode, issue 10); the services refuse anything else anyway."""
    permitted: list[tuple[QAction | QPushButton, Permission]] = [
        (window.new_round_button, Permission.CREATE_ROUND),
        (window.action_new_round, Permission.CREATE_ROUND),
        (window.rules_button, Permission.EDIT_RULES),
        (window.action_rules, Permission.EDIT_RULES),
        (window.action_criteria, Permission.MANAGE_CRITERIA),
        (window.action_decision, Permission.SET_DECISION),
        (window.action_finalise, Permission.FINALISE_ROUND),
        (window.action_reopen, Permission.REOPEN_ROUND),
        (window.action_import_history, Permission.IMPORT_HISTORY),
        (window.action_users, Permission.MANAGE_USERS),
        (window.action_backup, Permission.BACKUP),
        (window.action_restore, Permission.RESTORE),
    ]
    for control, permission in permitted:
        if permission in DATA_EDITS:  # finalising, accounts, backups change no round data
            mark_edit(control)
        control.setVisible(window.ws.can(permission))
