"""Small pieces the overview's parts share to open quickly: no per-widget style sheet (each
one makes Qt polish and paint its widget through the style-sheet style), and no widget
shown again when it already is."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QLabel, QWidget

RADIUS = 4.0
CARD = ("#FFFFFF", "#D0D7E1")  # (background, border) of the calendar's and the results' cards


def set_shown(widget: QWidget, shown: bool) -> None:
    """Show or hide ``widget`` only when that changes: ``setVisible(True)`` on a widget, even
    one already shown or never hidden, activates its layout at once (every size hint
    computed), which is most of the cost of a panel filled before it is on screen."""
    if widget.isHidden() == shown:
        widget.setVisible(shown)


def tint(widget: QWidget, colour: str) -> None:
    """The widget's text colour (what ``color:`` of a style sheet did)."""
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    widget.setPalette(palette)


def styled_font(*, point_size: float | None = None, bold: bool = False) -> QFont:
    """A font that changes only the size or the weight: the family stays the parent's."""
    font = QFont()
    if point_size is not None:
        font.setPointSizeF(point_size)
    if bold:
        font.setBold(True)
    return font


def paint_card(widget: QWidget, background: str, border: str, width: int = 1) -> None:
    """A rounded box with a border, as ``background; border; border-radius:4px`` did."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(border))
    pen.setWidth(width)
    painter.setPen(pen)
    painter.setBrush(QColor(background))
    inset = width / 2
    box = QRectF(widget.rect()).adjusted(inset, inset, -inset, -inset)
    painter.drawRoundedRect(box, RADIUS, RADIUS)
    painter.end()


class CardLabel(QLabel):
    """A rich-text label in a rounded box: (background, border) and the border's width;
    the text keeps 3 px above and below and 8 px either side inside the border."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self._card: tuple[str, str, int] | None = None

    def set_card(self, background: str, border: str, width: int = 1) -> None:
        card = (background, border, width)
        if card == self._card:
            return
        self._card = card
        self.setContentsMargins(8 + width, 3 + width, 8 + width, 3 + width)
        # a framed label's text is indented by half an "x" (Qt's rule for a style sheet's
        # border too): the same here, so the text stays where it was
        self.setIndent(self.fontMetrics().horizontalAdvance("x") // 2)
        self.update()

    def clear_card(self) -> None:
        if self._card is not None:
            self._card = None
            self.setContentsMargins(0, 0, 0, 0)
            self.setIndent(-1)
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._card is not None:
            paint_card(self, *self._card)
        super().paintEvent(event)


class CardFrame(QFrame):
    """A plain white card with a thin border (the results of one group)."""

    def paintEvent(self, event: QPaintEvent) -> None:
        paint_card(self, *CARD)
