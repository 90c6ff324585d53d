"""The scoring grid's table model: one row per criterion of one agency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from ...domain.numbers import format_points
from ...services.score_grid import GridRow

Index = QModelIndex | QPersistentModelIndex
(
    COL_CODE,
    COL_TITLE,
    COL_MAX,
    COL_RULE,
    COL_FIGURE,
    COL_SELF,
    COL_COMPUTED,
    COL_APPRAISED,
    COL_DIFF,
    COL_REASON,
    COL_SOURCE,
    COL_EVIDENCE,
) = range(12)
HEADERS = (
    "Mã",
    "Tiêu chí",
    "Tối đa",
    "Cách tính điểm",
    "Số liệu",
    "Tự chấm",
    "Theo số liệu",
    "Thẩm định",
    "Chênh lệch",
    "Lý do",
    "Nguồn",
    "Tài liệu kiểm chứng",
)
EDITABLE = (COL_APPRAISED, COL_REASON)
NUMERIC = (COL_MAX, COL_SELF, COL_COMPUTED, COL_APPRAISED, COL_DIFF)
FLAG_COLOUR = QColor("#FFEB9C")
DOWN_COLOUR, UP_COLOUR = QColor("#9C0006"), QColor("#006100")

# (row, column, typed text) -> None when accepted, else the reason it is refused
EditHandler = Callable[[GridRow, int, str], str | None]


def _points(value: Any) -> str:
    return "" if value is None else format_points(value)


class ScoreGridModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[GridRow] = []
        self.on_edit: EditHandler | None = None
        self.last_refusal = ""
        self.editable = True  # False in review mode (issue 10): no cell can be edited
        # text typed but not saved (the database was busy), offered again in the editor
        self._kept: dict[tuple[str, int], str] = {}

    def set_rows(self, rows: list[GridRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> GridRow:
        return self._rows[index]

    def keep_input(self, code: str, column: int, text: str) -> None:
        """The editor of this cell starts with ``text`` until it is submitted again."""
        self._kept[(code, column)] = text

    def kept_input(self, code: str, column: int) -> str | None:
        return self._kept.get((code, column))

    def clear_kept(self) -> None:
        self._kept.clear()

    def row_of(self, code: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.code == code), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return {
                COL_COMPUTED: "Điểm tính theo số liệu đơn vị nhập, theo cách tính của phiếu",
                COL_APPRAISED: "Điểm thẩm định; gõ số để sửa (dấu phẩy hoặc dấu chấm đều được)",
                COL_DIFF: "Thẩm định trừ tự chấm",
            }.get(section)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_editable(index.row(), index.column()):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def is_editable(self, row: int, column: int) -> bool:
        return self.editable and column in EDITABLE and self._rows[row].is_leaf

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.EditRole:
            kept = self._kept.get((r.code, column))
            return kept if kept is not None else self._text(r, column, True)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, column, False)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and not r.is_leaf:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == COL_COMPUTED and r.flagged:
                return FLAG_COLOUR
            if column == COL_SOURCE and r.waiting:
                return QColor("#DDEBF7")
            if self.is_editable(index.row(), column):
                return QColor("#FFFBEA")
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_DIFF and r.difference:
            return DOWN_COLOUR if r.difference < 0 else UP_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, column)
        return None

    @staticmethod
    def _text(r: GridRow, column: int, editing: bool) -> str:
        if column == COL_CODE:
            return r.code
        if column == COL_TITLE:
            return ("    " * r.depth) + r.title if not editing else r.title
        if column == COL_MAX:
            return _points(r.max_points)
        if column == COL_RULE:
            return r.rule_text
        if column == COL_FIGURE:
            if r.appraised_figure and r.appraised_figure != r.self_figure:
                return f"{r.self_figure} → {r.appraised_figure}"
            return r.self_figure
        if column == COL_SELF:
            return _points(r.self_points)
        if column == COL_COMPUTED:
            return _points(r.computed)
        if column == COL_APPRAISED:
            return _points(r.appraised)
        if column == COL_DIFF:
            diff = r.difference
            return "" if not diff else ("+" if diff > 0 else "") + format_points(diff)
        if column == COL_REASON:
            return r.reason if r.adjusted else ""
        if column == COL_SOURCE:
            if r.waiting:
                return r.waiting
            return r.source if r.adjusted else ""
        if column == COL_EVIDENCE:
            return r.evidence
        return ""

    @staticmethod
    def _tooltip(r: GridRow, column: int) -> str | None:
        if column in (COL_APPRAISED, COL_REASON, COL_DIFF) and r.adjusted and r.reason:
            return f"Lý do ({r.source}): {r.reason}"
        if column == COL_COMPUTED and r.flagged:
            return (
                f"Điểm tự chấm ({_points(r.self_points)}) khác điểm tính theo số liệu "
                f"({_points(r.computed)})."
            )
        if column == COL_TITLE:
            return (
                f"{r.code} {r.title}\nCách tính điểm: {r.rule_text}\n"
                f"Tài liệu kiểm chứng: {r.evidence or '—'}"
            )
        if column == COL_RULE:
            return r.rule_text
        if column == COL_EVIDENCE and r.evidence:  # elided in the column; whole here
            return f"Tài liệu kiểm chứng: {r.evidence}"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.on_edit is None:
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        self._kept.pop((self._rows[index.row()].code, index.column()), None)
        refusal = self.on_edit(self._rows[index.row()], index.column(), str(value))
        self.last_refusal = refusal or ""
        return refusal is None
