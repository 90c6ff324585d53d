"""The application font, chosen explicitly: a family that has every Vietnamese letter."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

# Vietnamese-complete families, most preferred first (Windows, then common Linux packages).
PREFERRED_FAMILIES = (
    "Segoe UI",
    "Arial",
    "Noto Sans",
    "DejaVu Sans",
    "Liberation Sans",
    "Arimo",
)
VIETNAMESE_SAMPLE = "ăâđêôơư ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"


def application_font(point_size: int = 10) -> QFont:
    """The first preferred family installed; Qt's default if none is."""
    installed = set(QFontDatabase.families())
    for family in PREFERRED_FAMILIES:
        if family in installed:
            font = QFont(family, point_size)
            font.setStyleHint(QFont.StyleHint.SansSerif)
            return font
    font = QFont()
    font.setPointSize(point_size)
    return font
