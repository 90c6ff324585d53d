"""The main window (this issue: the frame, the database and round it shows, the demo mark)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

APP_TITLE = "KHIT — Thẩm định mức độ ứng dụng CNTT"
DEMO_MARK = "DỮ LIỆU MINH HỌA"


@dataclass(frozen=True)
class WindowState:
    """What the window shows; built by the app from the services."""

    database: str
    year: int | None
    agencies: int
    demo: bool


def window_title(state: WindowState) -> str:
    parts = [APP_TITLE]
    parts.append(f"Năm {state.year}" if state.year else "Chưa có kỳ đánh giá")
    parts.append(state.database)
    title = " — ".join(parts)
    return f"{title} [{DEMO_MARK}]" if state.demo else title


class MainWindow(QMainWindow):
    def __init__(self, state: WindowState) -> None:
        super().__init__()
        self.state = state
        self.setWindowTitle(window_title(state))
        self.resize(1100, 700)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        if state.demo:
            self.demo_banner = QLabel(f"{DEMO_MARK} — không phải kết quả chính thức", central)
            self.demo_banner.setObjectName("demoBanner")
            self.demo_banner.setStyleSheet(
                "background:#fff3cd; color:#664d03; border:1px solid #ffe69c;"
                "padding:6px; font-weight:bold;"
            )
            self.demo_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(self.demo_banner)
        if state.year:
            text = (
                f"Kỳ đánh giá năm {state.year}: {state.agencies} cơ quan, đơn vị, địa phương.\n"
                "Sổ tiếp nhận phiếu, chấm điểm và xếp hạng có trên dòng lệnh 'khit'; "
                "các màn hình sẽ có trong các phiên bản tiếp theo."
            )
        else:
            text = (
                "Chưa có kỳ đánh giá nào. Tạo kỳ đánh giá bằng lệnh: khit round create --year NĂM"
            )
        self.summary = QLabel(text, central)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"Cơ sở dữ liệu: {state.database}")
