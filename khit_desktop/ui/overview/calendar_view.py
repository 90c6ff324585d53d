"""The round's calendar from the regulation as a row of cards: the date, what is due, the
article, the days left, and the status in words and colour."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtWidgets import QHBoxLayout, QWidget

from ...domain.dates import format_date
from ...services.overview_model import CalendarDate, DateStatus
from .widgets import CARD, CardLabel, set_shown

# (background, foreground) of the status chip
DATE_COLOURS = {
    DateStatus.DONE: ("#C6EFCE", "#006100"),
    DateStatus.UPCOMING: ("#DDEBF7", "#1F4E79"),
    DateStatus.OVERDUE: ("#FFC7CE", "#9C0006"),
    DateStatus.PASSED: ("#EDEDED", "#404040"),
}
SOON = 7  # days: an upcoming date this close is shown amber
AMBER = ("#FFEB9C", "#9C5700")
# the cards are narrow: the regulation's long wording stays in the tooltip
SHORT_LABELS = {"districts": "Cấp huyện đánh giá cấp xã"}
EXPLAIN_STATUS = {
    DateStatus.DONE: "Đã xong: việc của mốc này đã làm xong.",
    DateStatus.UPCOMING: "Sắp đến hạn: việc chưa xong, chưa đến ngày.",
    DateStatus.OVERDUE: "Quá hạn: đã qua ngày mà việc chưa xong.",
    DateStatus.PASSED: "Đã qua: chương trình không theo dõi việc của mốc này.",
}


def chip_colours(d: CalendarDate) -> tuple[str, str]:
    if d.status is DateStatus.UPCOMING and d.days_left <= SOON:
        return AMBER
    return DATE_COLOURS[d.status]


def card_text(d: CalendarDate) -> str:
    bg, fg = chip_colours(d)
    label = SHORT_LABELS.get(d.key, d.label)
    return (
        f"<b>{d.day_text}</b>&nbsp; {escape(label)}<br>"
        f"<span style='background:{bg}; color:{fg}'>&nbsp;{escape(d.status.label)}&nbsp;</span>"
        f" {escape(d.days_text)} <span style='color:#595959'>· {escape(d.article)}</span>"
    )


def card_tip(d: CalendarDate) -> str:
    lines = [f"{d.label} ({d.article}): ngày {d.day_text}, {d.days_text}."]
    if d.nominal is not None:
        lines.append(f"Ngày theo quy định: {format_date(d.nominal)}.")
    if d.note:
        lines.append(d.note)
    lines.append(EXPLAIN_STATUS[d.status])
    return "\n".join(lines)


class CalendarStrip(QWidget):
    """One card per date of ``overview_calendar``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendar")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.cards: list[CardLabel] = []

    def set_dates(self, dates: Sequence[CalendarDate]) -> None:
        while len(self.cards) < len(dates):
            card = CardLabel(self)
            card.setObjectName(f"date{len(self.cards)}")
            card.setWordWrap(True)
            card.set_card(*CARD)
            self._layout.addWidget(card, 1)
            self.cards.append(card)
        for index, card in enumerate(self.cards):
            shown = index < len(dates)
            set_shown(card, shown)
            if shown:
                card.setText(card_text(dates[index]))
                card.setToolTip(card_tip(dates[index]))
                card.setProperty("dateKey", dates[index].key)
