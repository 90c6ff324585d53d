"""The results so far: for each group, its classes this year with last year's beside them, the
movements in rank, and the top and bottom agencies of its ranking; marked provisional until
the round is finalised."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...domain.classification import Classification
from ...domain.numbers import format_percent, format_points
from ...services.overview_model import CLASSES, AgencyResult, GroupResults, Results
from ..ranking.ranking_model import CLASS_COLOURS

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


def _agency_row(title: str, r: AgencyResult) -> str:
    rank = f"{r.rank}." if r.rank is not None else "–"
    fg = CLASS_COLOURS[r.classification][1]
    label = SHORT.get(r.classification, r.classification.value)
    return (
        f"<tr><td style='color:#595959'>{title}&nbsp;</td>"
        f"<td align='right'>{rank}&nbsp;</td><td>{escape(r.agency_name)}</td>"
        f"<td align='right'>&nbsp;{format_points(r.final_score)}</td>"
        f"<td style='color:{fg}'>&nbsp;{escape(label)}</td></tr>"
    )


def edges_html(group: GroupResults) -> str:
    """The top and the bottom of the group's ranking, one agency a line."""
    if not group.top:
        return "<span style='color:#595959'>Chưa có cơ quan được xếp hạng.</span>"
    rows = [_agency_row("Cao nhất" if i == 0 else "", r) for i, r in enumerate(group.top)]
    bottom = [_agency_row("Thấp nhất" if i == 0 else "", r) for i, r in enumerate(group.bottom)]
    if bottom:
        rows.append("<tr><td colspan='5' style='font-size:3pt'>&nbsp;</td></tr>")
    return f"<table cellspacing='0' cellpadding='0' width='100%'>{''.join(rows + bottom)}</table>"


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
        self.cards: list[QFrame] = []
        self._groups: list[int] = []
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(self._small.pointSizeF() - 1, 8))
        self.labels: dict[tuple[int, str], QLabel] = {}  # (group, part) → label

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
                "edges": edges_html(g),
            }
            for part, text in texts.items():
                label = self.labels[(g.group, part)]
                label.setText(text)
                label.setToolTip(tip)
            edges = "\n".join(agency_tip(r) for r in (*g.top, *g.bottom))
            self.labels[(g.group, "edges")].setToolTip(edges)

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
            self._label(card, group, "edges", "", "", wrap=True)
            card.layout().addStretch(1)  # type: ignore[union-attr]

    def _card(self) -> QFrame:
        card = QFrame(self)
        card.setObjectName("resultCard")
        card.setStyleSheet(
            "QFrame#resultCard { background:#FFFFFF; border:1px solid #D0D7E1; border-radius:4px; }"
        )
        column = QVBoxLayout(card)
        column.setContentsMargins(8, 4, 8, 4)
        column.setSpacing(2)
        self.row.addWidget(card, 1)
        self.cards.append(card)
        return card

    def _label(
        self, card: QFrame, group: int, part: str, text: str, tip: str, wrap: bool = False
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
