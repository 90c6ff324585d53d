"""Hội đồng thẩm định và Tổ giúp việc of the round: the list, add a person, remove one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...services import council, surveys
from ...services.council import ROLES, RosterMember
from ...services.errors import InputRefused
from ...services.permissions import Permission
from ..review import mark_edit
from ..workspace import Workspace
from .confirm_dialog import ConfirmDialog
from .council_forms import FIELD_NAME, FIELD_ROLE, MemberForm
from .council_models import R_AGENCY, R_NAME, R_POSITION, R_ROLE, RosterTableModel
from .form_dialog import error_label, line_edit, stacked


class RosterDialog(QDialog):
    """Changes are saved one by one (each is audited); ``changed`` tells the screen to reload.
    A user without the roster permission (council members, the chair: review mode) sees the
    list only, with no control that would change it."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert workspace.year is not None
        self.ws, self.year = workspace, workspace.year
        self.changed = False
        self.editable = workspace.can(Permission.ROSTER)
        self.setWindowTitle(f"Hội đồng thẩm định và Tổ giúp việc năm {self.year}")
        self.setMinimumSize(880, 600)
        self.model = RosterTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("roster")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for column, width in ((R_ROLE, 180), (R_NAME, 170), (R_POSITION, 250)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(R_AGENCY, QHeaderView.ResizeMode.Stretch)
        self.remove_button = QPushButton("Xóa khỏi danh sách…", self)
        self.remove_button.setObjectName("removeMember")
        mark_edit(self.remove_button)

        box = QGroupBox("Thêm thành viên", self)
        fields = QFormLayout(box)
        self.role = QComboBox(box)
        self.role.setObjectName("role")
        for key, label in ROLES.items():
            self.role.addItem(label, key)
        self.role.setCurrentIndex(self.role.findData("member"))
        self.role_error = error_label(box, "roleError")
        self.name = line_edit(box, "name", "ví dụ Nguyễn Văn A")
        self.name_error = error_label(box, "nameError")
        self.position = line_edit(box, "position", "ví dụ Phó Giám đốc")
        self.agency = line_edit(box, "agency", "ví dụ Sở Thông tin và Truyền thông")
        fields.addRow("Vai trò:", stacked(box, self.role, self.role_error))
        fields.addRow("Họ và tên:", stacked(box, self.name, self.name_error))
        fields.addRow("Chức vụ:", self.position)
        fields.addRow("Cơ quan công tác:", self.agency)
        self.add_button = QPushButton("Thêm vào danh sách", box)
        self.add_button.setObjectName("addMember")
        mark_edit(self.add_button)
        self.add_button.setDefault(True)
        fields.addRow("", self.add_button)
        self.refusal = error_label(self, "refusal")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Thành viên được chọn vào đoàn khảo sát lấy từ danh sách này.", self)
        )
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        layout.addWidget(box)
        layout.addWidget(self.refusal)
        layout.addWidget(self.buttons)

        self.add_button.clicked.connect(self.add_member)
        self.remove_button.clicked.connect(self.remove_member)
        self.role.currentIndexChanged.connect(lambda _i: self._show_errors(final=False))
        self.name.textChanged.connect(lambda _t: self._show_errors(final=False))
        self.remove_button.setVisible(self.editable)
        box.setVisible(self.editable)
        self.reload()
        (self.name if self.editable else self.table).setFocus()

    def reload(self) -> None:
        self.model.set_rows(council.roster(self.ws.db, self.year))
        self.remove_button.setEnabled(self.model.rowCount() > 0)

    def current(self) -> RosterMember | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def _form(self) -> MemberForm:
        return MemberForm(
            self.role.currentData(),
            self.name.text(),
            self.position.text(),
            self.agency.text(),
            has_chair=any(m.role == "chair" for m in self.model.rows()),
        )

    def _show_errors(self, *, final: bool) -> bool:
        state = self._form().check()
        self.role_error.setText(state.errors.get(FIELD_ROLE, ""))
        self.role_error.setVisible(FIELD_ROLE in state.errors)
        name = state.errors.get(FIELD_NAME, "") if final or self.name.text() else ""
        self.name_error.setText(name)
        self.name_error.setVisible(bool(name))
        self.refusal.hide()
        return state.valid

    def add_member(self) -> None:
        if not self._show_errors(final=True):
            (self.name if self.name_error.isVisible() else self.role).setFocus()
            return
        data = self._form().check().data
        assert data is not None
        try:
            council.add_member(
                self.ws.db,
                self.year,
                role=data.role,
                name=data.name,
                position=data.position,
                agency=data.agency,
                actor=self.ws.actor,
            )
        except InputRefused as refused:
            self.refusal.setText(str(refused))
            self.refusal.show()
            return
        self.changed = True
        self.reload()
        for edit in (self.name, self.position, self.agency):
            edit.clear()
        self.name_error.hide()
        self.name.setFocus()

    def remove_member(self) -> None:
        member = self.current()
        if member is None:
            self.refusal.setText("Chọn một người trong danh sách để xóa.")
            self.refusal.show()
            return
        teams = [
            s.agency_name
            for s in surveys.list_surveys(self.ws.db, self.year)
            if member.line in s.members
        ]
        also = (
            f"\n{member.name} đang có tên trong đoàn khảo sát tại: {', '.join(teams)}; "
            "sau khi xóa, tên sẽ không còn trong đoàn."
            if teams
            else ""
        )
        message = f"Xóa {member.name} ({member.role_label}) khỏi danh sách năm {self.year}?{also}"
        if not ConfirmDialog.ask(self, "Xóa thành viên", message, "Xóa khỏi danh sách"):
            return
        try:
            council.remove_member(self.ws.db, member.id, actor=self.ws.actor)
        except InputRefused as refused:
            self.refusal.setText(str(refused))
            self.refusal.show()
            return
        self.changed = True
        self.reload()

    @classmethod
    def manage(cls, workspace: Workspace, parent: QWidget | None = None) -> bool:
        """Show the roster modally; True when it was changed (tests patch ``exec``)."""
        dialog = cls(workspace, parent)
        dialog.exec()
        return dialog.changed
