"""Table model of one group's ranking (the annex's columns), and its sorting proxy."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from ...domain.classification import Classification
from ...domain.collation import vietnamese_key
from ...domain.movement import Movement, MovementKind
from ...domain.numbers import format_percent, format_points
from ...services.results import ResultRow
from ..status_style import STATUS_ORDER, background, foreground

Index = QModelIndex | QPersistentModelIndex

AREAS = 6
COL_RANK, COL_AGENCY = 0, 1
COL_AREA_FIRST = 2
COL_SELF = COL_AREA_FIRST + AREAS
COL_APPRAISED, COL_PENALTY, COL_FINAL, COL_PERCENT, COL_CLASS, COL_MOVE, COL_STATUS = range(
    COL_SELF + 1, COL_SELF + 8
)
HEADERS = (
    "Hạng",
    "Cơ quan, đơn vị",
    *(f"LV{n}" for n in range(1, AREAS + 1)),
    "Tự ĐG",
    "Thẩm định",
    "Điểm trừ",
    "Điểm cuối",
    "Tỷ lệ",
    "Xếp loại",
    "Năm trước",
    "Gửi phiếu",
)
HEADER_TIPS = (
    "Thứ hạng trong nhóm (để trống: không xếp hạng)",
    "Cơ quan, đơn vị",
    *(f"Lĩnh vực {n}: điểm thẩm định của lĩnh vực" for n in range(1, AREAS + 1)),
    "Tổng điểm tự đánh giá",
    "Tổng điểm thẩm định",
    "Điểm trừ do gửi phiếu trễ hạn",
    "Điểm cuối cùng = thẩm định − điểm trừ",
    "Tỷ lệ điểm cuối cùng trên điểm tối đa",
    "Xếp loại",
    "Thay đổi thứ hạng so với năm trước (cùng nhóm)",
    "Tình trạng gửi phiếu",
)
NUMERIC = frozenset(range(COL_AREA_FIRST, COL_PERCENT + 1))
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

CLASS_ORDER = (
    Classification.GOOD,
    Classification.FAIR,
    Classification.AVERAGE,
    Classification.WEAK,
    Classification.NOT_RANKED,
)
# (background, foreground): Tốt green, Khá blue, Trung bình amber, Yếu red, Không xếp hạng grey
CLASS_COLOURS: dict[Classification, tuple[str, str]] = {
    Classification.GOOD: ("#C6EFCE", "#006100"),
    Classification.FAIR: ("#DDEBF7", "#1F4E79"),
    Classification.AVERAGE: ("#FFEB9C", "#9C5700"),
    Classification.WEAK: ("#FFC7CE", "#9C0006"),
    Classification.NOT_RANKED: ("#EDEDED", "#404040"),
}


def class_css(classification: Classification) -> str:
    bg, fg = CLASS_COLOURS[classification]
    return f"background:{bg}; color:{fg}; border-radius:3px; padding:2px 6px;"


MOVE_COLOURS = {MovementKind.UP: "#006100", MovementKind.DOWN: "#9C0006"}


def move_tooltip(move: Movement | None, previous_year: int | None) -> str:
    if previous_year is None:
        return "Chưa có kết quả năm trước để so sánh."
    if move is None or move.kind is MovementKind.NONE:
        return "Năm nay không xếp hạng: không so sánh."
    before = move.previous
    if move.kind is MovementKind.NEW or before is None or before.rank is None:
        return f"Năm {previous_year} không xếp hạng (chưa là thành viên hoặc không gửi phiếu)."
    if move.kind is MovementKind.GROUP_CHANGED:
        return f"Năm {previous_year} ở Nhóm {before.group} (hạng {before.rank}): không so sánh."
    return f"Năm {previous_year}: hạng {before.rank} trong nhóm."


def move_sort_key(move: Movement | None) -> tuple[int, int]:
    """Biggest rise first, then the same, falls, and the rest."""
    if move is None:
        return (5, 0)
    order = {
        MovementKind.UP: (0, -move.steps),
        MovementKind.SAME: (1, 0),
        MovementKind.DOWN: (2, move.steps),
        MovementKind.NEW: (3, 0),
        MovementKind.GROUP_CHANGED: (4, 0),
    }
    return order.get(move.kind, (5, 0))


def _points(value: Decimal | None) -> str:
    return "—" if value is None else format_points(value)


class RankingTableModel(QAbstractTableModel):
    """The rows of one group, in the order ``results.ranking`` gives them."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ResultRow] = []
        self._moves: dict[str, Movement] = {}
        self._previous_year: int | None = None

    def set_rows(
        self,
        rows: list[ResultRow],
        moves: dict[str, Movement] | None = None,
        previous_year: int | None = None,
    ) -> None:
        """The group's rows; ``moves`` by agency code against ``previous_year``."""
        self.beginResetModel()
        self._rows = list(rows)
        self._moves = dict(moves or {})
        self._previous_year = previous_year
        self.endResetModel()

    def movement(self, row: int) -> Movement | None:
        return self._moves.get(self._rows[row].agency_code)

    def row(self, row: int) -> ResultRow:
        return self._rows[row]

    def rows(self) -> list[ResultRow]:
        return list(self._rows)

    def class_counts(self) -> Counter[Classification]:
        return Counter(r.classification for r in self._rows)

    # -- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS[section]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        column = index.column()
        if column == COL_MOVE:
            return self._move_data(self._moves.get(r.agency_code), role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column == COL_RANK:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == COL_CLASS:
                return QColor(CLASS_COLOURS[r.classification][0])
            if column == COL_STATUS:
                return background(r.status)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_CLASS:
                return QColor(CLASS_COLOURS[r.classification][1])
            if column == COL_STATUS:
                return foreground(r.status)
        if role == ROW_ROLE:
            return r
        return None

    def _move_data(self, move: Movement | None, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return move.text if move is not None else ""
        if role == Qt.ItemDataRole.ForegroundRole and move is not None:
            colour = MOVE_COLOURS.get(move.kind)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return move_tooltip(move, self._previous_year)
        if role == ROW_ROLE:
            return None
        return None

    @staticmethod
    def _display(r: ResultRow, column: int) -> str:
        no_form = r.appraised_total is None
        if column == COL_RANK:
            return "" if r.rank is None else str(r.rank)
        if column == COL_AGENCY:
            return r.agency_name
        if COL_AREA_FIRST <= column < COL_SELF:
            i = column - COL_AREA_FIRST
            if no_form or i >= len(r.area_totals):
                return "—"
            return format_points(r.area_totals[i])
        if column == COL_SELF:
            return _points(r.self_total)
        if column == COL_APPRAISED:
            return _points(r.appraised_total)
        if column == COL_PENALTY:
            return format_points(r.penalty)
        if column == COL_FINAL:
            return format_points(r.final_score)
        if column == COL_PERCENT:
            return format_percent(r.percent)
        if column == COL_CLASS:
            return r.classification.value
        if column == COL_STATUS:
            return r.status.label
        return ""

    @staticmethod
    def _tooltip(r: ResultRow, column: int) -> str | None:
        if column == COL_AGENCY:
            return f"{r.agency_name} ({r.agency_code}) — Nhóm {r.group}: {r.group_name}"
        if column in (COL_STATUS, COL_CLASS, COL_RANK):
            return r.explanation
        if COL_AREA_FIRST <= column < COL_SELF:
            return f"Lĩnh vực {column - COL_AREA_FIRST + 1}: điểm thẩm định"
        if column in (COL_FINAL, COL_PENALTY):
            appraised = _points(r.appraised_total)
            return (
                f"Thẩm định {appraised} − điểm trừ {format_points(r.penalty)} = "
                f"{format_points(r.final_score)} / {format_points(r.max_points)} điểm tối đa"
            )
        if column == COL_PERCENT:
            return (
                f"{format_points(r.final_score)} / {format_points(r.max_points)} = "
                f"{format_percent(r.percent)}"
            )
        return None

    def sort_key(self, row: int, column: int) -> tuple[Any, ...]:
        r = self._rows[row]
        tail = (row,)  # ties keep the annex's order
        if column == COL_RANK:
            return (r.rank is None, r.rank or 0, *tail)
        if column == COL_AGENCY:
            return (vietnamese_key(r.agency_name), *tail)
        if COL_AREA_FIRST <= column < COL_SELF:
            i = column - COL_AREA_FIRST
            return (r.area_totals[i] if i < len(r.area_totals) else Decimal(0), *tail)
        if column == COL_SELF:
            return (r.self_total if r.self_total is not None else Decimal(-1), *tail)
        if column == COL_APPRAISED:
            return (r.appraised_total if r.appraised_total is not None else Decimal(-1), *tail)
        if column == COL_PENALTY:
            return (r.penalty, *tail)
        if column == COL_FINAL:
            return (r.final_score, *tail)
        if column == COL_PERCENT:
            return (r.percent, *tail)
        if column == COL_CLASS:
            return (CLASS_ORDER.index(r.classification), *tail)
        if column == COL_STATUS:
            return (STATUS_ORDER.index(r.status), *tail)
        if column == COL_MOVE:
            move = self._moves.get(r.agency_code)
            return (move_sort_key(move), *tail)
        return tail


class RankingSortProxy(QSortFilterProxyModel):
    """Sorts by the column's value; unsorted (column −1) it keeps the annex's order."""

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, RankingTableModel):
            return super().lessThan(left, right)
        column = left.column()
        return model.sort_key(left.row(), column) < model.sort_key(right.row(), column)
