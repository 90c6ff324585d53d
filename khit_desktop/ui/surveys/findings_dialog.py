"""Ghi kết quả khảo sát: the visit date, what the team saw on each criterion, the figure and
the points it proposes, the remarks and the files (biên bản, photos)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QWidget,
)

from ...domain.dates import format_date
from ...domain.numbers import format_points
from ...services.surveys import SurveyView
from .form_checks import Checked
from .form_dialog import (
    ERROR_CSS,
    FormDialog,
    date_edit,
    error_label,
    line_edit,
    points_edit,
    stacked,
    text_box,
)
from .survey_forms import (
    FIELD_ATTACHMENTS,
    FIELD_FINDINGS,
    FIELD_VISIT,
    FindingLine,
    FindingsData,
    FindingsForm,
    line_key,
)
from .survey_model import member_name

NOTE_CSS = "color:#9C5700;"
Leaves = dict[str, tuple[str, Decimal]]  # code -> (title, maximum) of directly scored criteria


@dataclass
class LineEditors:
    """The editors of one criterion's line."""

    code: str
    seen: QPlainTextEdit
    figure: QLineEdit
    points: QLineEdit
    error: QLabel


class FindingsDialog(FormDialog):
    def __init__(
        self,
        form: FindingsForm,
        survey: SurveyView,
        leaves: Leaves,
        current: dict[str, Decimal | None],
        save: Callable[[FindingsData], object],
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Ghi kết quả khảo sát — {survey.agency_name}", "Ghi kết quả khảo sát", save, parent
        )
        self.form, self.survey, self.leaves = form, survey, leaves
        self._current, self._today = current, today
        self.setMinimumSize(980, 600)
        team = ", ".join(member_name(m) for m in survey.members) or "—"
        intro = QLabel(
            f"Kế hoạch ngày {format_date(survey.planned_date)} · Đoàn khảo sát: {team}.\n"
            "Mỗi tiêu chí: ghi điều đoàn khảo sát ghi nhận, số liệu và điểm đề xuất. Kết quả "
            "chỉ vào điểm thẩm định khi cán bộ xác nhận “Áp dụng kết quả…” trên màn hình Khảo sát.",
            self,
        )
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        top = QFormLayout()
        self.visit = date_edit(self, "visitDate", form.visit_text)
        top.addRow(
            "Ngày khảo sát:",
            stacked(self, self.visit, self.field(FIELD_VISIT, self.visit, "visitError")),
        )
        self.body.addLayout(top)

        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setColumnStretch(1, 3)
        self.grid.setColumnStretch(2, 1)
        for column, text in enumerate(
            ("Tiêu chí", "Đoàn khảo sát ghi nhận", "Số liệu ghi nhận", "Điểm đề xuất")
        ):
            header = QLabel(f"<b>{text}</b>", self.grid_host)
            self.grid.addWidget(header, 0, column)
        self.lines_area = QScrollArea(self)
        self.lines_area.setObjectName("findingLines")
        self.lines_area.setWidgetResizable(True)
        self.lines_area.setWidget(self.grid_host)
        self.body.addWidget(self.lines_area, 1)
        self.editors: list[LineEditors] = []
        for line in form.lines:
            self._add_line_widgets(line)
        self.findings_error = self.field(FIELD_FINDINGS, self.lines_area, "findingsError")
        self.body.addWidget(self.findings_error)

        more = QHBoxLayout()
        self.other = QComboBox(self)
        self.other.setObjectName("otherCriterion")
        self.add_button = QPushButton("Thêm tiêu chí", self)
        self.add_button.setObjectName("addCriterion")
        more.addWidget(QLabel("Thêm tiêu chí ngoài kế hoạch:", self))
        more.addWidget(self.other, 1)
        more.addWidget(self.add_button)
        self.body.addLayout(more)
        self._fill_other()

        bottom = QFormLayout()
        self.remarks = text_box(self, "remarks", "Nhận xét chung của đoàn khảo sát", lines=2)
        self.remarks.setPlainText(form.remarks)
        bottom.addRow("Nhận xét chung:", self.remarks)
        files_row = QWidget(self)
        files = QHBoxLayout(files_row)
        files.setContentsMargins(0, 0, 0, 0)
        self.files = QListWidget(self)
        self.files.setObjectName("attachments")
        self.files.setMaximumHeight(52)
        self.attach_button = QPushButton("Thêm tệp…", self)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setToolTip(
            "Biên bản, ảnh chụp: tệp được sao chép vào thư mục dữ liệu, tệp gốc giữ nguyên."
        )
        self.unattach_button = QPushButton("Bỏ tệp", self)
        self.unattach_button.setObjectName("unattachButton")
        files.addWidget(self.files, 1)
        files.addWidget(self.attach_button)
        files.addWidget(self.unattach_button)
        error = self.field(FIELD_ATTACHMENTS, self.attach_button, "attachmentsError")
        bottom.addRow("Tệp đính kèm:", stacked(self, files_row, error))
        self.body.addLayout(bottom)
        self.finish_layout()
        self._fill_files()

        self.visit.textChanged.connect(self.touched(FIELD_VISIT))
        self.add_button.clicked.connect(self._add_other)
        self.attach_button.clicked.connect(self._attach)
        self.unattach_button.clicked.connect(self._unattach)
        self._chain()
        self.refresh()
        self.visit.setFocus()

    # -- lines ---------------------------------------------------------------------------

    def line(self, code: str) -> LineEditors:
        return next(e for e in self.editors if e.code == code)

    def _add_line_widgets(self, line: FindingLine) -> None:
        row = 1 + 2 * len(self.editors)
        host = self.grid_host
        now = self._current.get(line.code)
        label = QLabel(
            f"<b>{line.code}</b> {line.title}<br><span style='color:#555'>tối đa "
            f"{format_points(line.max_points)}"
            + (f" · thẩm định hiện tại {format_points(now)}" if now is not None else "")
            + "</span>",
            host,
        )
        label.setWordWrap(True)
        label.setMinimumWidth(260)
        label.setMaximumWidth(330)
        seen = text_box(host, f"seen_{line.code}", "Điều đoàn khảo sát ghi nhận", lines=2)
        seen.setPlainText(line.seen)
        figure = line_edit(host, f"figure_{line.code}", "ví dụ 2 tiêu chuẩn", line.figure)
        points = points_edit(host, f"points_{line.code}", line.points_text)
        error = error_label(host, f"error_{line.code}")
        if line.locked:
            for widget in (seen, figure, points):
                widget.setEnabled(False)
            error.setText(f"Kết quả tiêu chí {line.code} {line.locked}: không sửa được.")
            error.setStyleSheet("color:#006100;")
            error.show()
        else:
            self._fields[line_key(line.code)] = (error, seen)
            key = line_key(line.code)
            seen.textChanged.connect(self.touched(key))
            figure.textChanged.connect(self.touched(key))
            points.textChanged.connect(self.touched(key))
        self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(seen, row, 1)
        self.grid.addWidget(figure, row, 2, Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(points, row, 3, Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(error, row + 1, 1, 1, 3)
        for part in (label, seen, figure, points):
            part.show()  # at once, not on the layout's next pass: it may get the focus now
        self.editors.append(LineEditors(line.code, seen, figure, points, error))

    def _fill_other(self) -> None:
        listed = {line.code for line in self.form.lines}
        self.other.clear()
        for code, (title, maximum) in self.leaves.items():
            if code not in listed:
                self.other.addItem(f"{code}  {title} (tối đa {format_points(maximum)})", code)
        self.add_button.setEnabled(self.other.count() > 0)

    def _add_other(self) -> None:
        code = self.other.currentData()
        if not code:
            return
        title, maximum = self.leaves[code]
        line = FindingLine(code, title, maximum)
        self.form.lines.append(line)
        self._add_line_widgets(line)
        self._fill_other()
        self._chain()
        editors = self.line(code)
        self.lines_area.ensureWidgetVisible(editors.seen)
        editors.seen.setFocus()

    def _chain(self) -> None:
        chain: list[QWidget] = [self.visit]
        for e in self.editors:
            if e.seen.isEnabled():
                chain += [e.seen, e.figure, e.points]
        chain += [self.other, self.add_button, self.remarks, self.attach_button]
        chain += [self.unattach_button, self.save_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- attachments ---------------------------------------------------------------------

    def _fill_files(self) -> None:
        self.files.clear()
        for _id, name in self.survey.attachments:
            self.files.addItem(f"{name} (đã lưu)")
        for path in self.form.attachments:
            self.files.addItem(f"{path.name} (sẽ thêm)")
        self.unattach_button.setEnabled(bool(self.form.attachments))

    def _attach(self) -> None:
        paths = self.pick_files(self)
        known = set(self.form.attachments)
        self.form.attachments.extend(p for p in paths if p not in known)
        self._fill_files()
        if paths:
            self.touched(FIELD_ATTACHMENTS)()

    def _unattach(self) -> None:
        row = self.files.currentRow() - len(self.survey.attachments)
        if 0 <= row < len(self.form.attachments):
            del self.form.attachments[row]
        elif self.form.attachments:
            self.form.attachments.pop()
        self._fill_files()
        self.refresh()

    @staticmethod
    def pick_files(parent: QWidget) -> list[Path]:
        """The system's file chooser (tests patch this)."""
        names, _ = QFileDialog.getOpenFileNames(
            parent,
            "Chọn biên bản, ảnh chụp khảo sát",
            "",
            "Biên bản, ảnh (*.pdf *.jpg *.jpeg *.png *.doc *.docx);;Mọi tệp (*)",
        )
        return [Path(n) for n in names]

    # -- checking ------------------------------------------------------------------------

    def refresh(self) -> Checked[FindingsData]:
        """Errors in red; otherwise what saving will do to the line, in amber."""
        state = super().refresh()
        for editors in self.editors:
            line = self.form.line(editors.code)
            if line.locked:
                continue
            label = editors.error
            if label.isVisible():
                label.setStyleSheet(ERROR_CSS)
                continue
            note = state.notes.get(line_key(line.code), "")
            if not note and line.dismissed:
                note = f"Đã ghi không áp dụng: {line.dismissed.rstrip('.')}."
            label.setStyleSheet(NOTE_CSS)
            label.setText(note)
            label.setVisible(bool(note))
        return state

    def check(self) -> Checked[FindingsData]:
        form = self.form
        form.visit_text = self.visit.text()
        form.remarks = self.remarks.toPlainText()
        for editors in self.editors:
            line = form.line(editors.code)
            if line.locked:
                continue
            line.seen = editors.seen.toPlainText()
            line.figure = editors.figure.text()
            line.points_text = editors.points.text()
        return form.check(self._today())
