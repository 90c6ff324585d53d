"""Chào mừng đến với KHIT Desktop: the first start's choice — try the demo, make a new
database (at the default place or another), or open one that already exists."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .locations import existing_location_problem, new_location_problem, with_db_suffix

PROVINCE_NOTE = (
    "Chương trình dành cho tỉnh Khánh Hòa: danh sách cơ quan, nhóm, phiếu đánh giá và quy tắc "
    "mặc định theo Quy định kèm Quyết định 1278/QĐ-CTUBND ngày 04/6/2020 của Chủ tịch UBND tỉnh."
)
NETWORK_NOTE = (
    "Không đặt cơ sở dữ liệu trên ổ đĩa mạng (ổ mạng như Z:, \\\\máy-chủ\\thư-mục): chương "
    "trình sẽ từ chối vì dữ liệu có thể hỏng."
)
ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: #555;"
MISSING_STYLE = (
    "background:#fff3cd; color:#664d03; border:1px solid #e0b100; padding:6px; border-radius:3px;"
)


class StartKind(enum.Enum):
    DEMO = "demo"  # a temporary demo database, as --demo
    NEW = "new"  # a new empty database at ``location``
    OPEN = "open"  # an existing database at ``location``
    SERVER = "server"  # a PostgreSQL server at ``url`` (several clerks at once)


@dataclass(frozen=True)
class WelcomeChoice:
    kind: StartKind
    location: Path | None = None
    url: str | None = None  # SERVER: the server's URL (its password in memory only)


class WelcomeDialog(QDialog):
    """The four ways to start; the new database's place is shown and can be changed."""

    def __init__(
        self, location: Path, missing: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.location = location
        self.choice: WelcomeChoice | None = None
        self.setWindowTitle("Chào mừng — KHIT Desktop")
        self.setMinimumWidth(640)

        title = QLabel("Chào mừng đến với KHIT Desktop", self)
        title.setObjectName("welcomeTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Chương trình giúp Tổ giúp việc và Hội đồng thẩm định tiếp nhận phiếu, chấm điểm, "
            "xếp loại và xếp hạng mức độ ứng dụng công nghệ thông tin của các cơ quan, đơn vị, "
            "địa phương. Chọn cách bắt đầu:",
            self,
        )
        intro.setWordWrap(True)
        province = QLabel(PROVINCE_NOTE, self)
        province.setObjectName("provinceNote")
        province.setWordWrap(True)
        province.setStyleSheet(NOTE_STYLE)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(province)
        layout.addWidget(intro)
        if missing is not None:
            note = QLabel(
                f"Không tìm thấy cơ sở dữ liệu đã dùng lần trước: {missing}. Nếu tệp nằm trên "
                "ổ USB hoặc ổ đĩa đã rút ra, hãy cắm lại rồi mở lại chương trình; hoặc chọn một "
                "cách dưới đây.",
                self,
            )
            note.setObjectName("missingNote")
            note.setWordWrap(True)
            note.setStyleSheet(MISSING_STYLE)
            layout.addWidget(note)
        layout.addSpacing(4)

        self.demo_button = QCommandLinkButton(
            "Dùng thử với dữ liệu minh họa",
            "Mở một cơ sở dữ liệu tạm có kỳ đánh giá năm 2020 bịa sẵn, đánh dấu DỮ LIỆU MINH "
            "HỌA. Dữ liệu này bị xóa khi đóng chương trình; lần mở sau chương trình lại hỏi.",
            self,
        )
        self.demo_button.setObjectName("welcomeDemo")
        self.new_button = QCommandLinkButton(
            "Tạo cơ sở dữ liệu mới",
            "Tạo cơ sở dữ liệu tại nơi lưu dưới đây, rồi tạo tài khoản quản trị và chọn năm "
            "của kỳ đánh giá đầu tiên.",
            self,
        )
        self.new_button.setObjectName("welcomeNew")
        self.new_button.setDefault(True)
        self.location_field = QLineEdit(str(location), self)
        self.location_field.setObjectName("welcomeLocation")
        self.location_field.setReadOnly(True)
        self.location_field.setToolTip(str(location))
        self.location_field.setCursorPosition(0)
        self.change_button = QPushButton("Chọn nơi khác…", self)
        self.change_button.setObjectName("welcomeChange")
        place = QHBoxLayout()
        place.setContentsMargins(38, 0, 0, 0)  # under the command link's text, past its arrow
        place_label = QLabel("Nơi lưu:", self)
        place_label.setBuddy(self.location_field)
        place.addWidget(place_label)
        place.addWidget(self.location_field, 1)
        place.addWidget(self.change_button)
        network = QLabel(NETWORK_NOTE, self)
        network.setWordWrap(True)
        network.setStyleSheet(NOTE_STYLE)
        network.setContentsMargins(38, 0, 0, 0)
        self.open_button = QCommandLinkButton(
            "Mở cơ sở dữ liệu đã có…",
            "Một tệp .db của KHIT Desktop đã tạo trước đây hoặc chép từ máy khác.",
            self,
        )
        self.open_button.setObjectName("welcomeOpen")
        self.server_button = QCommandLinkButton(
            "Làm việc trên máy chủ cơ sở dữ liệu…",
            "Khi nhiều cán bộ cùng làm trên nhiều máy: kết nối máy chủ PostgreSQL của cơ quan.",
            self,
        )
        self.server_button.setObjectName("welcomeServer")
        self.error = QLabel(self)
        self.error.setObjectName("welcomeError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        buttons = QDialogButtonBox(self)
        quit_button = buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setObjectName("welcomeQuit")
        buttons.rejected.connect(self.reject)

        layout.addWidget(self.demo_button)
        layout.addWidget(self.new_button)
        layout.addLayout(place)
        layout.addWidget(network)
        layout.addWidget(self.open_button)
        layout.addWidget(self.server_button)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)

        self.demo_button.clicked.connect(self.choose_demo)
        self.new_button.clicked.connect(self.choose_new)
        self.change_button.clicked.connect(self.change_location)
        self.open_button.clicked.connect(self.choose_open)
        self.server_button.clicked.connect(self.choose_server)
        for link in (self.demo_button, self.new_button, self.open_button, self.server_button):
            # the dialog's size hint ignores a command link's wrapped description: room for it
            link.setMinimumHeight(link.heightForWidth(self.minimumWidth() - 24))
        self.new_button.setFocus()

    @classmethod
    def ask(
        cls, location: Path, missing: Path | None = None, parent: QWidget | None = None
    ) -> WelcomeChoice | None:
        """Show the dialog; the choice, or None when the user quits."""
        dialog = cls(location, missing, parent)
        return dialog.choice if dialog.exec() else None

    # -- the system's file dialogs (tests patch these) ---------------------------------
    @staticmethod
    def ask_new_location(parent: QWidget, current: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent,
            "Chọn nơi lưu cơ sở dữ liệu mới",
            str(current),
            "Cơ sở dữ liệu KHIT (*.db)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return Path(name) if name else None

    @staticmethod
    def ask_existing_file(parent: QWidget, start: Path) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent,
            "Mở cơ sở dữ liệu đã có",
            str(start),
            "Cơ sở dữ liệu KHIT (*.db);;Mọi tệp (*)",
        )
        return Path(name) if name else None

    # -- the choices --------------------------------------------------------------------
    def _refuse(self, problem: str) -> None:
        self.error.setText(problem)
        self.error.show()

    def choose_demo(self) -> None:
        self.choice = WelcomeChoice(StartKind.DEMO)
        self.accept()

    def choose_new(self) -> None:
        problem = new_location_problem(self.location)
        if problem is not None:
            self._refuse(problem)
            return
        self.choice = WelcomeChoice(StartKind.NEW, self.location)
        self.accept()

    def change_location(self) -> None:
        chosen = self.ask_new_location(self, self.location)
        if chosen is None:
            return
        chosen = with_db_suffix(chosen)
        problem = new_location_problem(chosen)
        if problem is not None:
            self._refuse(problem)
            return
        self.error.hide()
        self.location = chosen
        self.location_field.setText(str(chosen))
        self.location_field.setToolTip(str(chosen))
        self.location_field.setCursorPosition(0)

    def choose_server(self) -> None:
        from ..server_dialog import ServerDialog

        answer = ServerDialog.ask(None, self)
        if answer is None or answer[0] is None:
            return
        self.choice = WelcomeChoice(StartKind.SERVER, url=answer[0])
        self.accept()

    def choose_open(self) -> None:
        chosen = self.ask_existing_file(self, self.location.parent)
        if chosen is None:
            return
        problem = existing_location_problem(chosen)
        if problem is not None:
            self._refuse(problem)
            return
        self.choice = WelcomeChoice(StartKind.OPEN, chosen)
        self.accept()
