"""The integrity check in the window: on open (silent when intact, a loud warning when not)
and on demand (Trợ giúp → Kiểm tra toàn vẹn dữ liệu…), the same check as ``khit verify``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from ...services.backups import backups_dir
from ...services.integrity import VerifyReport, report_lines, seconds_text, thousands, verify
from ...store.database import Database

WARNING_TITLE = "CẢNH BÁO: dữ liệu có thể đã bị sửa ngoài chương trình"


def run_verify(db: Database) -> VerifyReport:
    """``verify`` with a busy cursor (well under a second on a year's data)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return verify(db)
    finally:
        QGuiApplication.restoreOverrideCursor()


def what_to_do(db: Database) -> str:
    where = f" (thư mục {backups_dir(db.path)})" if db.path is not None else ""
    command = f'khit verify --db "{db.path}"' if db.path is not None else "khit verify"
    return (
        "Việc cần làm:\n"
        "1. Không nhập, không sửa thêm dữ liệu và không in phụ lục từ cơ sở dữ liệu này.\n"
        "2. Báo ngay cho quản trị hệ thống (gửi kèm phần Chi tiết bên dưới).\n"
        f"3. Phục hồi từ bản sao lưu gần nhất còn toàn vẹn{where}, rồi kiểm tra lại bằng "
        f"Trợ giúp → Kiểm tra toàn vẹn dữ liệu… hoặc lệnh: {command}"
    )


def broken_text(report: VerifyReport) -> str:
    """The warning's main text: what failed, and the first broken link with what it holds."""
    failed = "\n".join(f"• {c.title}: {c.summary}" for c in report.failed)
    first = report.first_problem() or ""
    return (
        "Kiểm tra toàn vẹn phát hiện cơ sở dữ liệu bị hỏng hoặc bị sửa ngoài chương trình:\n"
        f"{failed}\n\nChỗ hỏng đầu tiên: {first}"
    )


def warn_broken(parent: QWidget | None, report: VerifyReport, db: Database) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        WARNING_TITLE,
        broken_text(report),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("integrityWarning")
    box.setInformativeText(what_to_do(db))
    box.setDetailedText("\n".join(report_lines(report, shown=100)))
    for button in box.buttons():
        if box.buttonRole(button) == QMessageBox.ButtonRole.ActionRole:
            button.setText("Chi tiết…")
    box.button(QMessageBox.StandardButton.Ok).setText("Đã hiểu")
    box.exec()


def check_on_open(db: Database, parent: QWidget | None) -> VerifyReport:
    """Run the check when a database is opened: nothing shown when intact; a loud warning
    (what is broken, the first broken link, what to do) when not."""
    report = run_verify(db)
    if not report.ok:
        warn_broken(parent, report, db)
    return report


def intact_text(report: VerifyReport) -> str:
    checks = "\n".join(f"• {c.title}: {c.summary}" for c in report.checks if not c.skipped)
    return (
        f"Dữ liệu toàn vẹn: không có dấu hiệu bị sửa ngoài chương trình.\n\n{checks}\n\n"
        f"Mã đối chiếu nhật ký hiện tại: {report.code} ({thousands(report.events)} sự kiện). "
        f"Kiểm tra trong {seconds_text(report.seconds)} giây."
    )


def show_integrity_check(db: Database, parent: QWidget | None) -> VerifyReport:
    """Trợ giúp → Kiểm tra toàn vẹn dữ liệu…: the result either way."""
    report = run_verify(db)
    if report.ok:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Kiểm tra toàn vẹn dữ liệu",
            intact_text(report),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setObjectName("integrityResult")
        box.exec()
    else:
        warn_broken(parent, report, db)
    return report
