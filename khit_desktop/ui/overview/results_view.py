"""The results so far: for each group, its classes this year with last year's beside them, the
movements in rank, and the top and bottom agencies of its ranking; marked provisional until
the round is finalised."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...domain.classification import Classification
from ...domain.numbers import format_percent, format_points
from ...services.overview_model import CLASSES, AgencyResult, GroupResults, Results
from ..ranking.ranking_model import CLASS_COLOURS
from .widgets import CardFrame

PROVISIONAL_CSS = "background:#FFEB9C; color:#9C5700; border-radius:3px; padding:2px 6px;"
FINAL_CSS = "background:#C6EFCE; color:#006100; border-radius:3px; padding:2px 6px;"
SHORT = {Classification.AVERAGE: "T.bình", Classification.NOT_RANKED: "Không XH"}


def shown_classes(results: Results) -> tuple[Classification, ...]:
    """Tốt … Yếu, and Không xếp hạng only when some group has one (this year or last)."""
    extra = any(
        g.counts[Classification.NOT_RANKED]
        or (g.last_year_counts or {}).get(Classification.NOT_RANKED, 0)
        for g in results.groups
    )
    return CLASSES if extra else CLASSES[:4]


def counts_html(
    group: GroupResults, classes: tuple[Classification, ...], year: int, last: int | None
) -> str:
    """A small table: the classes, this year's counts, last year's counts."""
    head = "".join(
        f"<td align='center' style='background:{CLASS_COLOURS[c][0]}; color:{CLASS_COLOURS[c][1]}'>"
        f"&nbsp;{escape(SHORT.get(c, c.value))}&nbsp;</td>"
        for c in classes
    )
    now = "".join(f"<td align='center'><b>{group.counts[c]}</b></td>" for c in classes)
    rows = f"<tr><td></td>{head}</tr><tr><td><b>{year}</b>&nbsp;</td>{now}</tr>"
    if group.last_year_counts is not None and last is not None:
        before = "".join(
            f"<td align='center' style='color:#595959'>{group.last_year_counts.get(c, 0)}</td>"
            for c in classes
        )
        rows += f"<tr><td style='color:#595959'>{last}&nbsp;</td>{before}</tr>"
    return f"<table cellspacing='0' cellpadding='1'>{rows}</table>"


def counts_tip(group: GroupResults, last: int | None) -> str:
    lines = [f"Nhóm {group.group} — {group.group_name}: {group.ranked} cơ quan được xếp hạng."]
    for c in CLASSES:
        line = f"{c.value}: {group.counts[c]}"
        if group.last_year_counts is not None:
            line += f" (năm {last}: {group.last_year_counts.get(c, 0)})"
        lines.append(line)
    if group.movement is not None:
        m = group.movement
        lines.append(
            f"So với năm {last}: {m.up} tăng hạng, {m.down} giảm hạng, {m.same} giữ hạng, "
            f"{m.new} mới, {m.group_changed} đổi nhóm."
        )
    elif last is None:
        lines.append("Chưa có kết quả năm trước để so sánh.")
    lines.append("Xếp loại theo tỷ lệ điểm trên điểm tối đa (Điều 8.1); trễ hạn: Điều 8.3, 8.4.")
    return "\n".join(lines)


def heading_html(group: GroupResults) -> str:
    return (
        f"<b>Nhóm {group.group}</b> <span style='color:#595959'>{escape(group.group_name)}</span>"
    )


def movement_html(group: GroupResults, last: int | None) -> str:
    """Three short lines beside the counts: ranks gained, lost, kept since last year."""
    if group.movement is None or last is None:
        return "<span style='color:#595959'>Chưa có kết quả<br>năm trước để so sánh.</span>"
    m = group.movement
    kept = f"= {m.same} giữ hạng" + (f", {m.new} mới" if m.new else "")
    return (
        f"<span style='color:#006100'>▲ {m.up} lên hạng</span><br>"
        f"<span style='color:#9C0006'>▼ {m.down} xuống hạng</span><br>{kept}"
    )


@dataclass(frozen=True)
class EdgeRow:
    """One agency of the top or the bottom of a ranking, as the results card shows it."""

    title: str  # "Cao nhất" / "Thấp nhất" on the first row of each, else ""
    rank: str
    name: str
    points: str
    label: str  # the class, short
    colour: str  # the class's colour


def edge_rows(group: GroupResults) -> tuple[tuple[EdgeRow, ...], tuple[EdgeRow, ...]]:
    def row(title: str, r: AgencyResult) -> EdgeRow:
        return EdgeRow(
            title,
            f"{r.rank}." if r.rank is not None else "–",
            r.agency_name,
            format_points(r.final_score),
            SHORT.get(r.classification, r.classification.value),
            CLASS_COLOURS[r.classification][1],
        )

    top = tuple(row("Cao nhất" if i == 0 else "", r) for i, r in enumerate(group.top))
    bottom = tuple(row("Thấp nhất" if i == 0 else "", r) for i, r in enumerate(group.bottom))
    return top, bottom


class EdgesView(QWidget):
    """The top and the bottom of a group's ranking, painted: one agency a line in five
    columns (which end, rank, name wrapped to the room left, points, class), as
    a table of rich text did. The same rows as a rich-text table in a label cost about a
    third of the screen's opening: Qt lays such a table out again for every size asked."""

    NOTE = "Chưa có cơ quan được xếp hạng."
    GREY = QColor("#595959")
    NBSP = "\u00a0"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._top: tuple[EdgeRow, ...] = ()
        self._bottom: tuple[EdgeRow, ...] = ()
        self._columns: tuple[int, int, int, int] | None = None  # which end, rank, points, class
        self._heights: dict[int, list[int]] = {}  # width → each row's height

    def set_group(self, group: GroupResults) -> None:
        top, bottom = edge_rows(group)
        if (top, bottom) == (self._top, self._bottom) and self._top:
            return
        self._top, self._bottom = top, bottom
        self._forget()

    def text(self) -> str:
        """What is shown, as plain text: one agency a line, tab between the columns."""
        if not self._top:
            return self.NOTE
        return "\n".join(
            "\t".join((r.title, r.rank, r.name, r.points, r.label))
            for r in (*self._top, *self._bottom)
        )

    def _forget(self) -> None:
        self._columns = None
        self._heights = {}
        self.updateGeometry()
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._forget()
        super().changeEvent(event)

    # -- layout ----------------------------------------------------------------------------

    def _fixed(self) -> tuple[int, int, int, int]:
        if self._columns is None:
            fm = self.fontMetrics()
            rows = (*self._top, *self._bottom)
            nb = self.NBSP

            def widest(texts: list[str]) -> int:
                return max((fm.horizontalAdvance(t) for t in texts), default=0)

            self._columns = (
                widest([r.title + nb for r in rows if r.title]),
                widest([r.rank + nb for r in rows]),
                widest([nb + r.points for r in rows]),
                widest([nb + r.label for r in rows]),
            )
        return self._columns

    def _gap(self) -> int:
        """The blank line between the top and the bottom (a line of 3 pt)."""
        small = QFont(self.font())
        small.setPointSizeF(3)
        return QFontMetrics(small).height() if self._bottom else 0

    def _name_width(self, width: int) -> int:
        return max(width - sum(self._fixed()), 40)

    def _row_heights(self, width: int) -> list[int]:
        heights = self._heights.get(width)
        if heights is None:
            fm = self.fontMetrics()
            room = QRect(0, 0, self._name_width(width), 100_000)
            flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
            heights = [
                max(fm.height(), fm.boundingRect(room, flags, r.name).height())
                for r in (*self._top, *self._bottom)
            ]
            if len(self._heights) > 8:
                self._heights.clear()
            self._heights[width] = heights
        return heights

    def _note_height(self, width: int) -> int:
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        room = QRect(0, 0, width, 10_000)
        return self.fontMetrics().boundingRect(room, flags, self.NOTE).height()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if not self._top:
            return self._note_height(width)
        return sum(self._row_heights(width)) + self._gap()

    def sizeHint(self) -> QSize:
        if not self._top:
            width = self.fontMetrics().horizontalAdvance(self.NOTE)
        else:
            fm = self.fontMetrics()
            names = max(fm.horizontalAdvance(r.name) for r in (*self._top, *self._bottom))
            width = sum(self._fixed()) + min(names, 40 * fm.averageCharWidth())
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        """As a word-wrapped label's: narrow, and as tall as the rows unwrapped (the layout
        asks ``heightForWidth`` for the width it gives)."""
        if not self._top:
            return QSize(80, self.fontMetrics().height())
        rows = len(self._top) + len(self._bottom)
        return QSize(sum(self._fixed()) + 40, rows * self.fontMetrics().height() + self._gap())

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        text_colour = self.palette().color(self.foregroundRole())
        width = self.width()
        if not self._top:
            painter.setPen(self.GREY)
            flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
            painter.drawText(QRect(0, 0, width, self.height()), flags, self.NOTE)
            return
        first, rank_w, points_w, class_w = self._fixed()
        name_w = self._name_width(width)
        name_x = first + rank_w
        points_x = name_x + name_w
        class_x = points_x + points_w
        top_left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        top_right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        wrap = top_left | int(Qt.TextFlag.TextWordWrap)
        y = 0
        heights = self._row_heights(width)
        rows = (*self._top, *self._bottom)
        for index, (row, height) in enumerate(zip(rows, heights, strict=True)):
            if index == len(self._top):
                y += self._gap()
            if row.title:
                painter.setPen(self.GREY)
                painter.drawText(QRect(0, y, first, height), top_left, row.title)
            painter.setPen(text_colour)
            painter.drawText(QRect(first, y, rank_w, height), top_right, row.rank + self.NBSP)
            painter.drawText(QRect(name_x, y, name_w, height), wrap, row.name)
            painter.drawText(QRect(points_x, y, points_w, height), top_right, row.points)
            painter.setPen(QColor(row.colour))
            painter.drawText(QRect(class_x, y, class_w, height), top_left, self.NBSP + row.label)
            y += height


def agency_tip(r: AgencyResult) -> str:
    rank = f"hạng {r.rank}" if r.rank is not None else "không xếp hạng"
    return (
        f"{r.agency_name} ({r.agency_code}), Nhóm {r.group}: {rank}, "
        f"{format_points(r.final_score)} điểm ({format_percent(r.percent)}), "
        f"xếp loại {r.classification.value}."
    )


class ResultsView(QWidget):
    """The results: a banner (provisional or final), then one card per group, side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("results")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.banner = QLabel(self)
        self.banner.setObjectName("resultsBanner")
        self.banner.setWordWrap(True)
        outer.addWidget(self.banner)
        self.row = QHBoxLayout()
        self.row.setSpacing(8)
        outer.addLayout(self.row, 1)
        self.cards: list[CardFrame] = []
        self._groups: list[int] = []
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(self._small.pointSizeF() - 1, 8))
        # (group, part) → its label (the edges: a painted view with text() and a tooltip too)
        self.labels: dict[tuple[int, str], QLabel | EdgesView] = {}

    def set_results(self, results: Results, year: int) -> None:
        heading = "Kết quả tạm tính" if results.provisional else "Kết quả xếp loại"
        title = f"<span style='font-weight:bold; color:#1F3864'>{heading}</span>"
        if results.last_year is not None:
            title += f" <span style='color:#595959'>(so với năm {results.last_year})</span>"
        if results.provisional:
            self.banner.setText(
                f"{title} &nbsp; <span style='{PROVISIONAL_CSS}'><b>CHƯA CHỐT</b></span> "
                "Điểm, xếp loại và thứ hạng còn có thể thay đổi cho đến khi Chủ tịch Hội đồng "
                "chốt kỳ đánh giá."
            )
            self.banner.setToolTip(
                f"{results.note}\nKết quả tính từ số liệu hiện có; là kết quả chính thức khi "
                "Chủ tịch Hội đồng chốt kỳ đánh giá (Kỳ đánh giá → Chốt kỳ đánh giá…)."
            )
        else:
            self.banner.setText(
                f"{title} &nbsp; <span style='{FINAL_CSS}'><b>ĐÃ CHỐT</b></span> "
                f"{escape(results.note)}"
            )
            self.banner.setToolTip("")
        groups = [g.group for g in results.groups]
        if groups != self._groups or not groups:
            self._make_cards(groups)  # a reload of the same round only changes the texts
        if not results.groups:
            self.labels[(0, "empty")].setText("Chưa có cơ quan nào trong kỳ đánh giá này.")
            return
        classes = shown_classes(results)
        last = results.last_year
        for g in results.groups:
            tip = counts_tip(g, last)
            texts = {
                "heading": heading_html(g),
                "counts": counts_html(g, classes, year, last),
                "movement": movement_html(g, last),
            }
            for part, text in texts.items():
                label = self.labels[(g.group, part)]
                assert isinstance(label, QLabel)
                label.setText(text)
                label.setToolTip(tip)
            edges = self.labels[(g.group, "edges")]
            assert isinstance(edges, EdgesView)
            edges.set_group(g)
            edges.setToolTip("\n".join(agency_tip(r) for r in (*g.top, *g.bottom)))

    def _make_cards(self, groups: list[int]) -> None:
        for card in self.cards:
            self.row.removeWidget(card)
            card.deleteLater()
        self.cards, self.labels, self._groups = [], {}, groups
        if not groups:
            self._label(self._card(), 0, "empty", "", "", wrap=True)
            return
        for group in groups:
            card = self._card()
            self._label(card, group, "heading", "", "", wrap=True)
            beside = QHBoxLayout()
            beside.setSpacing(12)
            card.layout().addLayout(beside)  # type: ignore[union-attr]
            beside.addWidget(self._label(card, group, "counts", "", ""))
            beside.addWidget(self._label(card, group, "movement", "", "", wrap=True), 1)
            edges = EdgesView(card)
            edges.setObjectName(f"result-{group}-edges")
            edges.setFont(self._small)
            card.layout().addWidget(edges)  # type: ignore[union-attr]
            self.labels[(group, "edges")] = edges
            card.layout().addStretch(1)  # type: ignore[union-attr]

    def _card(self) -> CardFrame:
        card = CardFrame(self)
        card.setObjectName("resultCard")
        column = QVBoxLayout(card)
        column.setContentsMargins(9, 5, 9, 5)  # 8, 4 inside the 1 px border
        column.setSpacing(2)
        self.row.addWidget(card, 1)
        self.cards.append(card)
        return card

    def _label(
        self, card: CardFrame, group: int, part: str, text: str, tip: str, wrap: bool = False
    ) -> QLabel:
        label = QLabel(text, card)
        label.setObjectName(f"result-{group}-{part}")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(wrap)
        label.setToolTip(tip)
        if part != "heading":
            label.setFont(self._small)
        if part not in ("counts", "movement"):
            card.layout().addWidget(label)  # type: ignore[union-attr]
        self.labels[(group, part)] = label
        return label
