"""The ranking screen's charts (QtCharts): classes per group, self-assessed vs appraised,
area averages per group, and each agency's rank over the years.

Scores stay Decimal everywhere else; they become floats only here, at the drawing boundary,
and every number a user reads (labels, tooltips) is formatted from the Decimal."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QLocale, QMargins, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...domain.classification import Classification
from ...domain.numbers import format_percent, format_points
from ...services.chart_data import AreaAverage, class_counts, self_vs_appraised
from ...services.results import ResultRow
from .ranking_model import CLASS_ORDER

CHART_CLASSES = "classes"
CHART_SELF = "self"
CHART_AREAS = "areas"
CHART_YEARS = "years"
CHART_TITLES = {
    CHART_CLASSES: "Số cơ quan theo xếp loại, từng nhóm",
    CHART_SELF: "Điểm tự đánh giá và điểm thẩm định, từng cơ quan",
    CHART_AREAS: "Điểm bình quân từng lĩnh vực, từng nhóm (tỷ lệ trên điểm tối đa)",
    CHART_YEARS: "Thứ hạng qua các năm, từng cơ quan",
}
# strong versions of the table's class colours (bars need more ink than cell backgrounds)
CLASS_BAR_COLOURS = {
    Classification.GOOD: "#2E7D32",
    Classification.FAIR: "#1F6FB2",
    Classification.AVERAGE: "#D39E00",
    Classification.WEAK: "#C62828",
    Classification.NOT_RANKED: "#8C8C8C",
}
GROUP_COLOURS = ("#1F6FB2", "#D9822B", "#2E7D32", "#7B3F9E")
SELF_COLOUR, APPRAISED_COLOUR = "#9DB9D9", "#1F4E79"
LABEL_COLOUR = "#202020"
ROW_HEIGHT = 30  # pixels per agency in the self-assessed vs appraised chart
VIETNAMESE = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)

RankHistory = dict[str, list[tuple[int, int]]]  # agency name -> [(year, rank)]


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setPointSizeF(font.pointSizeF() + 1.5)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setLocale(VIETNAMESE)  # decimal comma in every number the chart itself prints
    chart.setLocalizeNumbers(True)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(6, 6, 6, 6))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _value_axis(maximum: float, title: str, fmt: str = "%.0f") -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, maximum)
    axis.setLabelFormat(fmt)
    axis.setTitleText(title)
    return axis


def _nice_ceiling(value: float) -> float:
    """An axis end a little above ``value``: 5, 10, 50, 100, 200 … steps."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if value <= step * 10:
            return float(max(step, (int(value // step) + 1) * step))
    return value * 1.1


def classes_chart(rows: Sequence[ResultRow], group_names: dict[int, str]) -> QChart:
    counts = class_counts(rows)
    groups = sorted(counts)
    chart = _chart(CHART_TITLES[CHART_CLASSES])
    series = QBarSeries()
    highest = 0
    for cls in CLASS_ORDER:
        values = [counts[g].get(cls, 0) for g in groups]
        if cls is Classification.NOT_RANKED and not any(values):
            continue
        bar = QBarSet(cls.value)
        bar.setColor(QColor(CLASS_BAR_COLOURS[cls]))
        bar.setLabelColor(QColor(LABEL_COLOUR))
        bar.append([float(v) for v in values])
        series.append(bar)
        highest = max(highest, *values) if values else highest
    series.setLabelsVisible(True)
    series.setLabelsFormat("@value")
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    axis_x = QBarCategoryAxis()
    axis_x.append([f"Nhóm {g}<br>{group_names.get(g, '')}" for g in groups])
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_x)
    axis_y = _value_axis(float(highest + 2), "Số cơ quan")
    axis_y.setTickType(QValueAxis.TickType.TicksDynamic)
    axis_y.setTickInterval(5 if highest > 15 else 1 if highest < 8 else 2)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_y)
    return chart


def self_chart(rows: Sequence[ResultRow], group: int, group_name: str) -> QChart:
    data = self_vs_appraised(rows, group)
    chart = _chart(f"{CHART_TITLES[CHART_SELF]} — Nhóm {group}: {group_name}")
    series = QHorizontalBarSeries()
    own = QBarSet("Tự đánh giá")
    own.setColor(QColor(SELF_COLOUR))
    appraised = QBarSet("Thẩm định")
    appraised.setColor(QColor(APPRAISED_COLOUR))
    # a horizontal chart draws its first category at the bottom: reverse to read top-down
    ordered = list(reversed(data))
    own.append([float(s) for _, s, _ in ordered])
    appraised.append([float(a) for _, _, a in ordered])
    series.append(own)
    series.append(appraised)
    series.setBarWidth(0.8)
    chart.addSeries(series)
    names = QBarCategoryAxis()
    names.append([_short(n, 34) for n, _, _ in ordered] or [""])
    small = QFont(names.labelsFont())
    small.setPointSizeF(7.5 if len(ordered) > 14 else small.pointSizeF())
    names.setLabelsFont(small)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
    chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(names)
    top = max([float(max(s, a)) for _, s, a in data] or [1.0])
    axis = _value_axis(_nice_ceiling(top), "Điểm")
    chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis)

    def tip(status: bool, index: int, bar: QBarSet) -> None:
        if not status or index >= len(ordered):
            QToolTip.hideText()
            return
        name, own_total, appraised_total = ordered[index]
        QToolTip.showText(
            _cursor_pos(),
            f"{name}\nTự đánh giá: {format_points(own_total)}\n"
            f"Thẩm định: {format_points(appraised_total)}\n"
            f"Chênh lệch: {format_points(appraised_total - own_total)}",
        )

    series.hovered.connect(tip)
    return chart


def areas_chart(averages: Sequence[AreaAverage], group_names: dict[int, str]) -> QChart:
    chart = _chart(CHART_TITLES[CHART_AREAS])
    groups = sorted({a.group for a in averages})
    areas = sorted({(a.area, a.title) for a in averages})
    index = {(a.group, a.area): a for a in averages}
    series = QBarSeries()
    for n, group in enumerate(groups):
        bar = QBarSet(f"Nhóm {group}")
        bar.setColor(QColor(GROUP_COLOURS[n % len(GROUP_COLOURS)]))
        bar.setLabelColor(QColor(LABEL_COLOUR))
        bar.append(
            [
                float(index[(group, area)].percent) if (group, area) in index else 0.0
                for area, _ in areas
            ]
        )
        series.append(bar)
    series.setLabelsVisible(True)
    series.setLabelsFormat("@value")
    series.setLabelsPrecision(3)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    axis_x = QBarCategoryAxis()
    axis_x.append([f"LV{area}" for area, _ in areas] or [""])
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_x)
    axis_y = _value_axis(110.0, "% điểm tối đa")
    axis_y.setTickCount(12)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_y)
    titles = {area: title for area, title in areas}

    def tip(status: bool, position: int, bar: QBarSet) -> None:
        if not status or position >= len(areas):
            QToolTip.hideText()
            return
        area = areas[position][0]
        group = int(bar.label().split()[-1])
        found = index.get((group, area))
        if found is None:
            return
        QToolTip.showText(
            _cursor_pos(),
            f"Nhóm {group}: {group_names.get(group, '')}\nLĩnh vực {area}: {titles[area]}\n"
            f"Bình quân {format_points(found.average)} / {format_points(found.max_points)} "
            f"điểm ({format_percent(found.percent)}), {found.agencies} cơ quan",
        )

    series.hovered.connect(tip)
    return chart


def years_chart(history: RankHistory, group: int, group_name: str) -> QChart:
    chart = _chart(f"{CHART_TITLES[CHART_YEARS]} — Nhóm {group}: {group_name}")
    chart.setLocalizeNumbers(False)  # years and ranks are whole numbers: "2020", not "2.020"
    years = sorted({y for points in history.values() for y, _ in points})
    worst = max([r for points in history.values() for _, r in points] or [1])
    for n, (name, points) in enumerate(history.items()):
        line = QLineSeries()
        line.setName(_short(name, 28))
        line.setPointsVisible(True)
        line.setPointLabelsVisible(False)
        pen = QPen(QColor.fromHsv((n * 47) % 360, 200, 170))
        pen.setWidthF(2.0)
        line.setPen(pen)
        for year, rank in sorted(points):
            line.append(QPointF(year, rank))
        chart.addSeries(line)
    axis_x = QValueAxis()
    if years:
        axis_x.setRange(years[0] - 0.3, years[-1] + 0.3)
        axis_x.setTickType(QValueAxis.TickType.TicksDynamic)
        axis_x.setTickAnchor(years[0])
        axis_x.setTickInterval(1)
    axis_x.setLabelFormat("%.0f")
    axis_x.setTitleText("Năm")
    axis_y = QValueAxis()
    axis_y.setRange(0.5, worst + 0.5)
    axis_y.setReverse(True)  # rank 1 at the top
    axis_y.setTickType(QValueAxis.TickType.TicksDynamic)
    axis_y.setTickAnchor(1)
    axis_y.setTickInterval(1 if worst <= 20 else 5)
    axis_y.setLabelFormat("%.0f")
    axis_y.setTitleText("Hạng")
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    for series in chart.series():
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    if len(history) > 12:
        small = QFont(chart.legend().font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1.5))
        chart.legend().setFont(small)
    return chart


def _short(name: str, limit: int = 42) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _cursor_pos() -> QPoint:
    from PySide6.QtGui import QCursor

    return QCursor.pos()


class ChartsPanel(QWidget):
    """One chart at a time, chosen from a list, with 'save as image'."""

    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = QComboBox(self)
        self.choice.setObjectName("chartChoice")
        for key, title in CHART_TITLES.items():
            self.choice.addItem(title, key)
        self.note = QLabel(self)
        self.note.setObjectName("chartNote")
        self.note.setWordWrap(True)
        self.save_button = QPushButton("Lưu biểu đồ thành ảnh…", self)
        self.save_button.setObjectName("chartSave")
        self.view = QChartView(self)
        self.view.setObjectName("chartView")
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        # QtCharts hides a category's label when its row is too low: a long list of agencies
        # gets the height it needs, and the chart scrolls
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(self.view)
        top = QHBoxLayout()
        top.addWidget(QLabel("Biểu đồ:", self))
        top.addWidget(self.choice, 1)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.scroller, 1)
        self._rows: list[ResultRow] = []
        self._group = 1
        self._group_names: dict[int, str] = {}
        self._averages: list[AreaAverage] = []
        self._history: RankHistory = {}
        self._year = 0
        self.choice.currentIndexChanged.connect(self.redraw)
        self.save_button.clicked.connect(self.save_image)

    def set_data(
        self,
        rows: Sequence[ResultRow],
        group: int,
        averages: Sequence[AreaAverage],
        history: RankHistory,
        year: int,
    ) -> None:
        self._rows = list(rows)
        self._group = group
        self._group_names = {r.group: r.group_name for r in rows}
        self._averages = list(averages)
        self._history = history
        self._year = year
        self.redraw()

    def current_key(self) -> str:
        return str(self.choice.currentData())

    def redraw(self) -> None:
        key = self.current_key()
        name = self._group_names.get(self._group, "")
        note = ""
        if key == CHART_CLASSES:
            chart = classes_chart(self._rows, self._group_names)
        elif key == CHART_SELF:
            chart = self_chart(self._rows, self._group, name)
            if not self_vs_appraised(self._rows, self._group):
                note = "Nhóm này chưa có cơ quan nào có điểm tự đánh giá và điểm thẩm định."
            else:
                note = "Di chuột lên thanh để xem điểm và chênh lệch."
        elif key == CHART_AREAS:
            chart = areas_chart(self._averages, self._group_names)
            note = (
                "Chưa có điểm theo lĩnh vực (năm nhập từ kết quả đã công bố chỉ có tổng điểm)."
                if not self._averages
                else "Bình quân trên các cơ quan đã gửi phiếu; di chuột lên thanh để xem số điểm."
            )
        else:
            chart = years_chart(self._history, self._group, name)
            years = {y for points in self._history.values() for y, _ in points}
            if len(years) < 2:
                note = (
                    "Cần kết quả của ít nhất hai năm. Nhập kết quả các năm trước trong menu "
                    "Xếp hạng → Nhập kết quả đã công bố các năm trước…"
                )
        rows = len(self_vs_appraised(self._rows, self._group)) if key == CHART_SELF else 0
        self.view.setMinimumHeight(ROW_HEIGHT * rows + 170 if rows else 0)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        old = self.view.chart()
        self.view.setChart(chart)
        if old is not None:
            old.deleteLater()

    def chart_numbers(self) -> list[tuple[str, list[Decimal]]]:
        """(bar set or line name, values) of the chart on screen — what tests compare."""
        out: list[tuple[str, list[Decimal]]] = []
        for series in self.view.chart().series():
            if isinstance(series, QAbstractBarSeries):
                for bar in series.barSets():
                    values = [Decimal(str(bar.at(i))) for i in range(bar.count())]
                    out.append((bar.label(), values))
            elif isinstance(series, QLineSeries):
                out.append((series.name(), [Decimal(str(p.y())) for p in series.points()]))
        return out

    def save_image(self) -> Path | None:
        key = self.current_key()
        suggested = f"bieu-do-{key}-{self._year}.png"
        path, _ = QFileDialog.getSaveFileName(
            self, "Lưu biểu đồ thành ảnh", suggested, "Ảnh PNG (*.png)"
        )
        if not path:
            return None
        target = Path(path).with_suffix(".png")
        if not self.view.grab().save(str(target), "PNG"):
            self.message.emit(f"Không lưu được ảnh vào {target}.")
            return None
        self.message.emit(f"Đã lưu biểu đồ vào {target}.")
        return target
