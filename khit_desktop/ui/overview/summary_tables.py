"""The overview's two small tables, one row per group and the whole province last: the forms
(how they were received, how far their appraisal has come) and the appraisal (criteria moved,
points moved, explanations, council decisions). Read-only: the figures are the service's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableView, QWidget

from ...domain.lateness import LatenessStatus
from ...domain.numbers import format_points
from ...services.overview_model import GroupAppraisal, GroupForms
from ..status_style import STATUS_COLOURS

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the group's object (GroupForms / GroupAppraisal)
ROW_HEIGHT = 19
AMBER = ("#FFEB9C", "#9C5700")
RED = ("#FFC7CE", "#9C0006")
GREEN = ("#C6EFCE", "#006100")
_ModelIndex = QModelIndex | QPersistentModelIndex
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
FONT = int(Qt.ItemDataRole.FontRole)
SERVED = frozenset({DISPLAY, TOOLTIP, ALIGNMENT, BACKGROUND, FOREGROUND, FONT, int(ROW_ROLE)})
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class Column:
    """One column: its header (may hold a line break), what it means (the header's tooltip),
    the text of a cell, the cell's own explanation, and the colours (background, foreground)
    of a cell whose figure is not zero."""

    header: str
    meaning: str
    text: Callable[[Any], str]
    explain: Callable[[Any], str] | None = None
    colours: tuple[str, str] | None = None


def group_title(row: GroupForms | GroupAppraisal) -> str:
    return f"Nhóm {row.group}" if row.group else row.group_name


class SummaryModel(QAbstractTableModel):
    """The service's per-group tuple shown transposed: one row per ``Column`` (a measure,
    named in the vertical header), one column per group, the whole province last. Groups
    add columns, not rows: the table keeps its height whatever the round."""

    def __init__(self, measures: Sequence[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.measures = list(measures)
        self._groups: list[Any] = []
        self._cells: list[list[tuple[str, QColor | None, QColor | None]]] = []
        self._bold = QFont()
        self._bold.setBold(True)
        if parent is not None:
            self._bold = QFont(parent.font())
            self._bold.setPointSizeF(max(self._bold.pointSizeF() - 1, 8))
            self._bold.setBold(True)

    def set_groups(self, groups: Sequence[Any]) -> bool:
        """Show these groups; False (and nothing redone) when they are the ones shown."""
        groups = list(groups)
        if groups == self._groups:
            return False
        self.beginResetModel()
        self._groups = groups
        self._cells = [[self._cell(m, g) for g in groups] for m in self.measures]
        self.endResetModel()
        return True

    @staticmethod
    def _cell(measure: Column, group: Any) -> tuple[str, QColor | None, QColor | None]:
        """A cell's text and colours, worked out once: the view asks for them many times
        (every size hint, every paint)."""
        text = measure.text(group)
        if measure.colours is None or text in ("0", "0,00", ""):
            return text, None, None
        return text, QColor(measure.colours[0]), QColor(measure.colours[1])

    def group_at(self, column: int) -> Any:
        return self._groups[column]

    def column_of(self, group: int) -> int:
        """The column of group ``group`` (0: the whole province)."""
        return next(i for i, g in enumerate(self._groups) if g.group == group)

    def row_of(self, header: str) -> int:
        return next(i for i, m in enumerate(self.measures) if m.header == header)

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.measures)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._groups)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in (DISPLAY, TOOLTIP, FONT):
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self.measures):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return self.measures[section].header
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.measures[section].meaning
            return None
        if not 0 <= section < len(self._groups):
            return None
        group = self._groups[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return group_title(group)
        if role == Qt.ItemDataRole.ToolTipRole:
            return group.group_name if group.group else "Cả tỉnh: cộng các nhóm."
        if role == Qt.ItemDataRole.FontRole and group.group == 0:
            return self._bold
        return None

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in SERVED or not index.isValid():
            return None  # most of the view's questions (decoration, check state, size …)
        row, column = index.row(), index.column()
        if row >= len(self._cells) or column >= len(self._groups):
            return None
        if role == DISPLAY:
            return self._cells[row][column][0]
        if role == ALIGNMENT:
            return RIGHT
        if role == BACKGROUND:
            return self._cells[row][column][1]
        if role == FOREGROUND:
            return self._cells[row][column][2]
        group = self._groups[column]
        if role == FONT:
            return self._bold if group.group == 0 else None  # the whole province
        if role == TOOLTIP:
            measure = self.measures[row]
            own = measure.explain(group) if measure.explain else ""
            return f"{own}\n{measure.meaning}" if own else measure.meaning
        return group  # ROW_ROLE


def summary_view(model: SummaryModel, name: str, parent: QWidget) -> QTableView:
    """A compact read-only table sized to its contents (the screen never scrolls)."""
    view = QTableView(parent)
    view.setObjectName(name)
    font = QFont(view.font())
    font.setPointSizeF(max(font.pointSizeF() - 1, 8))  # compact: Windows' own 9 pt
    view.setFont(font)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.setWordWrap(False)
    view.setCornerButtonEnabled(False)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    vertical = view.verticalHeader()
    vertical.setDefaultSectionSize(ROW_HEIGHT)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    vertical.setHighlightSections(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(44)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
    header.setHighlightSections(False)
    view.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return view


def fit_size(view: QTableView) -> None:
    """Make the view exactly as large as its headers and cells: nothing cut, no scrolling
    (the other parts of the screen take the rest)."""
    model = view.model()
    rows = model.rowCount() if model is not None else 0
    header, vertical = view.horizontalHeader(), view.verticalHeader()
    columns = model.columnCount() if model is not None else 0
    # the header sizes its sections to their contents (ResizeToContents): asking for a
    # section's size lays them out once, cell and header text alike
    width = vertical.sizeHint().width() + sum(header.sectionSize(c) for c in range(columns))
    height = header.sizeHint().height() + rows * ROW_HEIGHT
    view.setFixedSize(width + 2 * view.frameWidth(), height + 2 * view.frameWidth())


def _count(attribute: str) -> Callable[[Any], str]:
    return lambda row: str(getattr(row, attribute))


def _of(row: GroupForms, n: int, what: str) -> str:
    return f"{group_title(row)}: {n}/{row.members} cơ quan {what}."


def _status(status: LatenessStatus) -> tuple[str, str]:
    return STATUS_COLOURS[status]


FORM_COLUMNS = (
    Column(
        "Số cơ quan",
        "Số cơ quan của nhóm trong kỳ đánh giá năm nay.",
        _count("members"),
        lambda r: f"{group_title(r)} ({r.group_name}): {r.members} cơ quan.",
    ),
    Column(
        "Đúng hạn",
        "Phiếu tự đánh giá gửi đến hết hạn gửi phiếu (Điều 6.1; ngày gửi theo dấu bưu điện, "
        "phần mềm QLVB&ĐH hoặc thư điện tử công vụ).",
        _count("on_time"),
        lambda r: _of(r, r.on_time, "gửi phiếu đúng hạn"),
        _status(LatenessStatus.ON_TIME),
    ),
    Column(
        "Trễ ≤ 5 ngày (−100)",
        f"{LatenessStatus.LATE.label}: gửi sau hạn nhưng đến hết hạn chót gửi phiếu trễ "
        "(5 ngày làm việc); bị trừ 100 điểm (Điều 8.3).",
        _count("late"),
        lambda r: _of(r, r.late, "gửi trễ trong thời hạn gia hạn"),
        _status(LatenessStatus.LATE),
    ),
    Column(
        "Trễ > 5 ngày (Yếu)",
        f"{LatenessStatus.VERY_LATE.label}: gửi sau hạn chót gửi phiếu trễ; xếp loại Yếu "
        "(Điều 8.4).",
        _count("very_late"),
        lambda r: _of(r, r.very_late, "gửi sau hạn chót"),
        _status(LatenessStatus.VERY_LATE),
    ),
    Column(
        "Chưa nhận phiếu",
        "Chưa nhận phiếu hợp lệ nào; không gửi phiếu thì xếp loại Yếu (Điều 8.4). Tên từng "
        "cơ quan có trong Việc cần làm.",
        _count("missing"),
        lambda r: _of(r, r.missing, "chưa gửi phiếu"),
        RED,
    ),
    Column(
        "Không xếp hạng",
        f"{LatenessStatus.NOT_RANKED.label}: cơ quan được miễn đánh giá năm nay (lý do ghi "
        "trong danh mục cơ quan).",
        _count("exempt"),
        lambda r: _of(r, r.exempt, "không xếp hạng năm nay"),
        _status(LatenessStatus.NOT_RANKED),
    ),
    Column(
        "Chưa nhập vào chương trình",
        "Chưa có phiếu trong chương trình (Chấm điểm: “Chưa có phiếu”).",
        _count("no_form"),
        lambda r: _of(r, r.no_form, "chưa có phiếu trong chương trình"),
    ),
    Column(
        "Đã nhập, chưa thẩm định",
        "Đã nhập phiếu vào chương trình, chưa thẩm định tiêu chí nào (Chấm điểm: “Đã nhập phiếu”).",
        _count("imported"),
        lambda r: _of(r, r.imported, "đã nhập phiếu, chưa thẩm định"),
    ),
    Column(
        "Đang thẩm định",
        "Đã thẩm định một số tiêu chí, chưa đánh dấu “Đã thẩm định xong”.",
        _count("appraising"),
        lambda r: _of(r, r.appraising, "đang thẩm định"),
        AMBER,
    ),
    Column(
        "Thẩm định xong",
        "Đã đánh dấu “Đã thẩm định xong” trong màn hình Chấm điểm.",
        _count("done"),
        lambda r: _of(r, r.done, "đã thẩm định xong"),
        GREEN,
    ),
)


def _points(sign: str, attribute: str) -> Callable[[Any], str]:
    def text(row: GroupAppraisal) -> str:
        value = getattr(row, attribute)
        return f"{sign}{format_points(value)}" if value else "0,00"

    return text


APPRAISAL_COLUMNS = (
    Column(
        "Tiêu chí điều chỉnh",
        "Số tiêu chí có điểm thẩm định khác điểm tự đánh giá (ô để trống tính 0 điểm), ở các "
        "cơ quan có phiếu được tính.",
        _count("changed"),
        lambda r: f"{group_title(r)}: {r.changed} tiêu chí ở {r.agencies_changed} cơ quan.",
    ),
    Column(
        "Cơ quan có điều chỉnh",
        "Số cơ quan có ít nhất một tiêu chí được điều chỉnh khi thẩm định.",
        _count("agencies_changed"),
    ),
    Column(
        "Điểm tăng",
        "Tổng số điểm thẩm định cao hơn điểm tự đánh giá.",
        _points("+", "raised"),
        lambda r: f"{group_title(r)}: chênh lệch ròng {format_points(r.net)} điểm.",
    ),
    Column(
        "Điểm giảm",
        "Tổng số điểm thẩm định thấp hơn điểm tự đánh giá.",
        _points("−", "lowered"),
        lambda r: f"{group_title(r)}: chênh lệch ròng {format_points(r.net)} điểm.",
    ),
    Column(
        "Chưa ghi lý do",
        "Tiêu chí được điều chỉnh nhưng chưa ghi lý do (từng tiêu chí có trong Việc cần làm).",
        _count("unexplained"),
        colours=AMBER,
    ),
    Column(
        "Chờ giải trình",
        "Công văn đề nghị giải trình đã gửi, cơ quan chưa trả lời.",
        _count("explanations_awaited"),
        lambda r: f"{group_title(r)}: {r.explanations_answered} công văn đã được trả lời.",
        AMBER,
    ),
    Column(
        "Chờ Hội đồng quyết định",
        "Tiêu chí đã giải trình, chờ Hội đồng thẩm định quyết định.",
        _count("decisions_pending"),
        lambda r: f"{group_title(r)}: Hội đồng đã quyết định {r.decisions_recorded} tiêu chí.",
        AMBER,
    ),
)
