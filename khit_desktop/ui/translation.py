"""Qt's own words (standard buttons "Có/Không/Hủy/Đóng", the print preview's toolbar, the
edit menu of text fields) in Vietnamese. Qt ships no Vietnamese translation, so the program
carries a small one: resources/i18n/qt_vi.ts, compiled to qt_vi.qm with pyside6-lrelease."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

from ..paths import resources_dir


def install_vietnamese(app: QCoreApplication) -> QTranslator | None:
    """Install the translator (kept alive as a child of ``app``); None if the file is missing."""
    translator = QTranslator(app)
    if not translator.load(str(resources_dir() / "i18n" / "qt_vi.qm")):
        return None
    app.installTranslator(translator)
    return translator
