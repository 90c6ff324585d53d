"""How a lateness status looks: always its text, plus a colour (never colour alone)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from ..domain.lateness import LatenessStatus

# (background, foreground), the same pairs as the Excel export
STATUS_COLOURS: dict[LatenessStatus, tuple[str, str]] = {
    LatenessStatus.ON_TIME: ("#C6EFCE", "#006100"),
    LatenessStatus.LATE: ("#FFEB9C", "#9C5700"),
    LatenessStatus.VERY_LATE: ("#FFC7CE", "#9C0006"),
    LatenessStatus.MISSING: ("#EDEDED", "#404040"),
    LatenessStatus.NOT_RANKED: ("#DDEBF7", "#1F3864"),
}

STATUS_ORDER = (
    LatenessStatus.ON_TIME,
    LatenessStatus.LATE,
    LatenessStatus.VERY_LATE,
    LatenessStatus.MISSING,
    LatenessStatus.NOT_RANKED,
)


def background(status: LatenessStatus) -> QColor:
    return QColor(STATUS_COLOURS[status][0])


def foreground(status: LatenessStatus) -> QColor:
    return QColor(STATUS_COLOURS[status][1])


def chip_css(status: LatenessStatus) -> str:
    bg, fg = STATUS_COLOURS[status]
    return f"background:{bg}; color:{fg}; border-radius:3px; padding:2px 6px;"
