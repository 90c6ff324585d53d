"""Xếp hạng: one group's ranking in the annex's order, its counts, and what is not final.

Nothing here changes data: the screen is the same in review mode (issue 10); its documents
(preview and print, PDF, Excel) need only the export permission, which every role has."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.classification import Classification
from ...domain.dates import format_date
from ...domain.lateness import LatenessStatus
from ...domain.movement import Movement
from ...services import (
    chart_data,
    explanations,
    history,
    movement,
    results,
    round_decision,
    rounds,
    score_grid,
)
from ...services.errors import ServiceError
from ...services.permissions import Permission
from ...services.results import ResultRow
from ..workspace import Workspace
from . import annex_actions
from .charts import ChartsPanel, RankHistory
from .ranking_model import (
    AREAS,
    CLASS_ORDER,
    COL_AGENCY,
    COL_APPRAISED,
    COL_AREA_FIRST,
    COL_CLASS,
    COL_FINAL,
    COL_MOVE,
    COL_PENALTY,
    COL_PERCENT,
    COL_RANK,
    COL_SELF,
    COL_STATUS,
    RankingSortProxy,
    RankingTableModel,
    class_css,
)

COLUMN_WIDTHS = {
    COL_RANK: 40,
    COL_AGENCY: 160,
    **{COL_AREA_FIRST + i: 53 for i in range(AREAS)},
    COL_SELF: 62,
    COL_APPRAISED: 68,
    COL_PENALTY: 56,
    COL_FINAL: 64,
    COL_PERCENT: 60,
    COL_CLASS: 106,
    COL_MOVE: 82,
}  # the status column takes the rest (about 150 px at 1230 px: "Trễ ≤ 5 ngày (−100)" fits)
PROVISIONAL = "tạm tính"


class RankingPanel(QWidget):
    """The ranking of the workspace's round, one group at a time."""

    message = Signal(str)  # a short note for the status bar

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self._all: list[ResultRow] = []
        self._final = False
        self._moves: dict[str, Movement] = {}
        self._previous_year: int | None = None
        self._published = False  # a past year imported from the published results
        self.model = RankingTableModel(self)
        self.proxy = RankingSortProxy(self)
        self.proxy.setSourceModel(self.model)

        self.group_choice = QComboBox(self)
        self.group_choice.setObjectName("rankingGroup")
        self.group_name = QLabel(self)
        self.group_name.setObjectName("rankingGroupName")
        self._build_actions()
        top = QHBoxLayout()
        top.addWidget(QLabel("Nhóm:", self))
        top.addWidget(self.group_choice)
        top.addWidget(self.group_name, 1)
        exporting = self.ws.can(Permission.EXPORT)
        self.document_buttons: list[QToolButton] = []
        for action in (self.action_preview, self.action_save_pdf, self.action_export):
            action.setVisible(exporting)
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setVisible(exporting)
            top.addWidget(button)
            self.document_buttons.append(button)

        self.summary = QLabel(self)
        self.summary.setObjectName("rankingSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.table = QTableView(self)
        self.table.setObjectName("rankingTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().hide()
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(36)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # column −1: the annex's order until a click

        self.warnings_title = QLabel(self)
        self.warnings_title.setObjectName("rankingWarningsTitle")
        self.warnings = QListWidget(self)
        self.warnings.setObjectName("rankingWarnings")
        self.warnings.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.warnings.setWordWrap(True)  # long lists of names wrap rather than scroll sideways
        self.warnings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.warnings.setResizeMode(QListWidget.ResizeMode.Adjust)
        warnings_box = QWidget(self)
        box = QVBoxLayout(warnings_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.warnings_title)
        box.addWidget(self.warnings, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(warnings_box)
        splitter.setStretchFactor(0, 1)
        splitter.setCollapsible(0, False)
        splitter.setSizes([440, 130])

        self.charts = ChartsPanel(self)
        self.charts.message.connect(self.message)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("rankingTabs")
        self.tabs.addTab(splitter, "Bảng xếp hạng")
        self.tabs.addTab(self.charts, "Biểu đồ")
        self._charts_stale = True

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

        self.group_choice.currentIndexChanged.connect(self._show_group)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.reload()

    def _build_actions(self) -> None:
        def action(text: str, tip: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
            made = QAction(text, self)
            made.setToolTip(tip)
            if shortcut:
                made.setShortcut(QKeySequence(shortcut))
                made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            made.triggered.connect(slot)
            self.addAction(made)
            return made

        self.action_preview = action(
            "Xem trước và in phụ lục…",
            "Xem trước bản in phụ lục kết quả xếp hạng rồi in (Ctrl+P)",
            lambda: annex_actions.preview_annex(self.ws, self),
            "Ctrl+P",
        )
        self.action_save_pdf = action(
            "Lưu phụ lục PDF…",
            "Lưu phụ lục kết quả xếp hạng thành tệp PDF (giống lệnh khit annex)",
            lambda: self._saved(annex_actions.save_annex(self.ws, self)),
        )
        self.action_export = action(
            "Xuất Excel…",
            "Xuất bảng xếp hạng và điểm từng tiêu chí ra tệp Excel (giống lệnh khit export)",
            lambda: self._saved(annex_actions.export_excel(self.ws, self)),
        )

    def _saved(self, path: object) -> None:
        if path is not None:
            self.message.emit(f"Đã lưu {path}")

    # -- data ------------------------------------------------------------------------------

    def reload(self) -> None:
        self._all, self._final = [], False
        self._moves, self._previous_year = {}, None
        self._published = False
        error = ""
        if self.ws.year:
            try:
                self._all = results.ranking(self.ws.db, self.ws.year, as_of=self.ws.today())
                previous = movement.previous_ranking(self.ws.db, self.ws.year)
                if previous is not None:
                    self._previous_year = self.ws.year - 1
                    self._moves = movement.movements_between(previous, self._all)
            except ServiceError as exc:
                error = str(exc)
            summaries = {r.year: r for r in rounds.list_rounds(self.ws.db)}
            summary = summaries.get(self.ws.year)
            self._final = summary is not None and summary.state == "finalized"
            self._published = summary is not None and summary.kind == "published"
        self._fill_groups()
        self._charts_stale = True
        self._show_group()
        for action in (self.action_preview, self.action_save_pdf, self.action_export):
            action.setEnabled(bool(self._all))
        if error:
            self.summary.setText(f"Chưa xếp hạng được: {error}")
            self.message.emit(error)
        self._fill_warnings()

    def _fill_groups(self) -> None:
        chosen = self.group_choice.currentData()
        names = {r.group: r.group_name for r in self._all}
        self.group_choice.blockSignals(True)
        self.group_choice.clear()
        for number in sorted(names):
            self.group_choice.addItem(f"Nhóm {number}", number)
            self.group_choice.setItemData(
                self.group_choice.count() - 1, names[number], Qt.ItemDataRole.ToolTipRole
            )
        index = self.group_choice.findData(chosen if chosen is not None else 1)
        self.group_choice.setCurrentIndex(max(index, 0))
        self.group_choice.blockSignals(False)

    def current_group(self) -> int | None:
        data = self.group_choice.currentData()
        return data if isinstance(data, int) else None

    def set_group(self, number: int) -> None:
        index = self.group_choice.findData(number)
        if index >= 0:
            self.group_choice.setCurrentIndex(index)

    def select_agency(self, agency_code: str, group: int | None = None) -> bool:
        """Open the ranking table of the agency's group (``group`` when given) on the agency,
        selected, scrolled to and focused; False when it is not ranked there."""
        found = [r for r in self._all if r.agency_code == agency_code]
        if not found:
            self.reload()  # the round may have gained the agency since this screen read it
            found = [r for r in self._all if r.agency_code == agency_code]
        found = [r for r in found if group is None or r.group == group]
        if not found:
            return False
        self.tabs.setCurrentIndex(0)
        self.set_group(found[0].group)
        codes = [r.agency_code for r in self.model.rows()]
        if agency_code not in codes:
            return False
        index = self.proxy.mapFromSource(self.model.index(codes.index(agency_code), COL_AGENCY))
        if not index.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.table.setFocus()
        return True

    def _show_group(self) -> None:
        group = self.current_group()
        rows = [r for r in self._all if r.group == group]
        self.model.set_rows(rows, self._moves, self._previous_year)
        self.group_name.setText(rows[0].group_name if rows else "")
        self._update_summary()
        if self.tabs.currentWidget() is self.charts:
            self._refresh_charts()

    # -- charts (computed only when their tab is shown) -------------------------------------

    def _tab_changed(self) -> None:
        if self.tabs.currentWidget() is self.charts:
            self._refresh_charts()

    def _refresh_charts(self) -> None:
        year = self.ws.year
        if year is None:
            self.charts.set_data([], 1, [], {}, 0)
            return
        if self._charts_stale:
            self._averages = (
                chart_data.area_averages(self.ws.db, year, self._all) if self._all else []
            )
            self._history = self.rank_history()
            self._charts_stale = False
        group = self.current_group() or 1
        history = self._history.get(group, {})
        self.charts.set_data(self._all, group, self._averages, history, year)

    def rank_history(self) -> dict[int, RankHistory]:
        """Per group of this year, each agency's rank in every year with results."""
        return chart_data.rank_history(self.ws.db, self._all, self.ws.year)

    def _update_summary(self) -> None:
        self.summary.setToolTip("")
        if not self.ws.year:
            self.summary.setText("Chưa có kỳ đánh giá. Tạo kỳ đánh giá mới trong menu Kỳ đánh giá.")
            return
        if not self.model.rowCount():
            self.summary.setText("Chưa có cơ quan nào trong kỳ đánh giá này.")
            return
        self.summary.setText(" &nbsp; ".join(self.summary_parts()))
        if not self._final:
            self.summary.setToolTip(
                "Kết quả tạm tính: kỳ đánh giá chưa chốt, điểm và thứ hạng còn có thể thay đổi."
            )

    def summary_parts(self) -> list[str]:
        counts = self.model.class_counts()
        parts = [f"<b>{self.model.rowCount()} cơ quan</b>"]
        for cls in CLASS_ORDER:
            if cls is Classification.NOT_RANKED and not counts.get(cls):
                continue
            parts.append(f"<span style='{class_css(cls)}'>{cls.value}: {counts.get(cls, 0)}</span>")
        if not self._final:
            parts.append(f"<i style='color:#9C5700'>({PROVISIONAL})</i>")
        else:
            parts.append("<i>(đã chốt)</i>")
        return parts

    def counts_text(self) -> str:
        """'Tốt: 11 · Khá: 6 · …' for the current group (plain text)."""
        counts = self.model.class_counts()
        return " · ".join(
            f"{cls.value}: {counts.get(cls, 0)}"
            for cls in CLASS_ORDER
            if cls is not Classification.NOT_RANKED or counts.get(cls)
        )

    # -- what is not final -----------------------------------------------------------------

    def _fill_warnings(self) -> None:
        self.warnings.clear()
        if not self.ws.year or not self._all:
            self.warnings_title.setText("")
            return
        if self._published:
            self._fill_differences()
            return
        lines = self.warning_lines()
        for text, tip in lines:
            item = QListWidgetItem(text)
            item.setToolTip(tip)
            self.warnings.addItem(item)
        if lines:
            self.warnings_title.setText(
                f"<b>Chưa chốt được ({len(lines)} mục, cả kỳ {self.ws.year}):</b>"
            )
        else:
            self.warnings_title.setText(f"<b>Không còn việc dở dang trong kỳ {self.ws.year}.</b>")

    def _fill_differences(self) -> None:
        """A published year: what the recomputation says differently from the published
        sheet, instead of a to-do list (the year is closed)."""
        year = self.ws.year
        assert year is not None
        found = history.differences(self.ws.db, year)
        for d in found:
            item = QListWidgetItem(d.describe())
            item.setToolTip(f"Dòng {d.row} của tệp đã công bố")
            self.warnings.addItem(item)
        if found:
            self.warnings_title.setText(
                f"<b>Kết quả năm {year} nhập từ bản đã công bố; {len(found)} dòng khác khi tính "
                "lại theo quy tắc:</b>"
            )
        else:
            self.warnings_title.setText(
                f"<b>Kết quả năm {year} nhập từ bản đã công bố; tính lại khớp hoàn toàn.</b>"
            )

    def warning_lines(self) -> list[tuple[str, str]]:
        """(text, tooltip) of each thing that keeps the round's results provisional."""
        year = self.ws.year
        assert year is not None
        names = {r.agency_code: r for r in self._all}
        lines: list[tuple[str, str]] = []
        for r in self._all:
            if r.status is LatenessStatus.MISSING:
                lines.append((f"Chưa gửi phiếu: {r.agency_name} (Nhóm {r.group})", r.explanation))
        for e in explanations.explanations(self.ws.db, year):
            if not e.pending:
                continue
            who = names.get(e.agency_code)
            name = who.agency_name if who else e.agency_code
            codes = ", ".join(e.criteria)
            lines.append(
                (
                    f"{name}: tiêu chí {codes} {e.state_label} "
                    f"(công văn {e.letter_number} ngày {format_date(e.letter_date)})",
                    e.question,
                )
            )
        decision = round_decision.decision_info(self.ws.db, year)
        if not decision.is_set and not self._published:
            text = "Chưa ghi số và ngày ký của quyết định công bố: phụ lục in dòng chấm chấm"
            if self.ws.can(Permission.SET_DECISION):  # where to write it, for who may
                text += " (Kỳ đánh giá → Quyết định công bố kết quả…)"
            lines.append((text, "Quyết định được đánh số khi ký; ghi vào khi đã có."))
        waiting: dict[int, list[str]] = {}
        for p in score_grid.progress(self.ws.db, year):
            if p.state == "imported":
                waiting.setdefault(p.group, []).append(p.agency_name)
        for group in sorted(waiting):
            agencies = waiting[group]
            lines.append(
                (
                    f"Nhóm {group}: {len(agencies)} phiếu đã nhập, chưa thẩm định — "
                    + ", ".join(agencies),
                    "\n".join(agencies),
                )
            )
        return lines
