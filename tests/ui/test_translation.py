"""Qt's standard buttons and the print preview speak Vietnamese (Qt ships no translation)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from khit_desktop.paths import resources_dir

pytestmark = pytest.mark.gui


def test_standard_buttons_are_vietnamese(qtbot, vietnamese_qt) -> None:
    assert vietnamese_qt is not None
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Close
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Ok
    )
    qtbot.addWidget(box)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"Đóng", "Hủy", "Đồng ý"}
    message = QMessageBox(
        QMessageBox.Icon.Question,
        "Hỏi",
        "Tiếp tục?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    qtbot.addWidget(message)
    assert {b.text().replace("&", "") for b in message.buttons()} == {"Có", "Không"}
    assert QCoreApplication.translate("QPrintPreviewDialog", "Next page") == "Trang sau"


def test_the_compiled_file_matches_its_source(tmp_path: Path) -> None:
    """resources/i18n/qt_vi.qm is pyside6-lrelease's output for qt_vi.ts (rebuild after an
    edit: pyside6-lrelease resources/i18n/qt_vi.ts -qm resources/i18n/qt_vi.qm)."""
    import PySide6

    package = Path(PySide6.__file__).parent
    lrelease = next(p for p in (package / "lrelease", package / "lrelease.exe") if p.exists())
    folder = resources_dir() / "i18n"
    target = tmp_path / "qt_vi.qm"
    subprocess.run(
        [lrelease, str(folder / "qt_vi.ts"), "-qm", str(target)], check=True, capture_output=True
    )
    assert target.read_bytes() == (folder / "qt_vi.qm").read_bytes()
