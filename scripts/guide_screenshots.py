"""The user guide's pictures (docs/huong-dan/anh/), taken from the real program.

    python scripts/guide_screenshots.py [OUTDIR]

Offscreen on a 1366×768 screen (like tests/conftest.py), on the demo database with a fixed
"today" (01/12/2020), a fixed clock for the audit trail (Vietnam time) and a fixed data
folder, so that the same program gives the same pictures. Windows and dialogs are driven the
way tests/ui drive them: real widgets, fields typed into, modal steps replaced by show() and
a grab. The demo user ("minh-hoa", every permission) works in the window; the pictures of the
first run and of logging in use a second, empty database with accounts.

Each picture is saved as an 8-bit palette PNG (a screenshot has few colours), at most
MAX_WIDTH pixels wide. The Excel form's picture needs LibreOffice (`soffice`); without it the
picture already in OUTDIR is kept and the script says so.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCREEN = (
    '{"synthesizedScreens": false, "screens": [{"name": "laptop", "x": 0, "y": 0, '
    '"width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}'
)
TODAY = date(2020, 12, 1)
WINDOW_SIZE = (1366, 740)  # maximised on the 1366×768 laptop screen, as on a first start
MAX_WIDTH = 1366
MACHINE = "MAY-TO-GIUP-VIEC"
WORK = Path(tempfile.gettempdir()) / "khit-huong-dan"  # fixed: it is shown in the pictures


def prepare_environment() -> None:
    """Before Qt or the program is imported: the screen, the time zone, the data folder."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        config = Path(tempfile.mkdtemp(prefix="khit-qt-")) / "screen.json"
        config.write_text(SCREEN, encoding="utf-8")
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    os.environ["TZ"] = "Asia/Ho_Chi_Minh"  # times in the history as a clerk in Khánh Hòa sees
    time.tzset()
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "KHIT Desktop").mkdir(parents=True)
    os.environ["KHIT_DATA_DIR"] = str(WORK / "KHIT Desktop")


class Clock:
    """The audit trail's clock: a fixed start, one second later at each reading."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def set_local(self, moment: datetime) -> None:
        """Continue from ``moment``, Vietnam time (UTC+7, no summer time)."""
        self.moment = moment - timedelta(hours=7)

    def __call__(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


def freeze_clock(clock: Clock) -> None:
    """Every module that took ``now_utc`` from services.audit reads ``clock`` instead, and the
    automatic backups are named and dated by it (Vietnam time)."""
    from khit_desktop.services import audit, backups

    original = audit.now_utc
    for name, module in list(sys.modules.items()):
        if name.startswith("khit_desktop") and getattr(module, "now_utc", None) is original:
            module.now_utc = clock  # type: ignore[attr-defined]

    class LocalClock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            moment = clock() + timedelta(hours=7)
            return moment if tz is None else moment.replace(tzinfo=tz)

    backups.datetime = LocalClock  # type: ignore[misc]


class Camera:
    """Grabs widgets into OUTDIR as palette PNGs; remembers what it wrote."""

    def __init__(self, out: Path) -> None:
        from PySide6.QtWidgets import QApplication

        self.out = out
        self.app = QApplication.instance()
        self.written: list[Path] = []

    def settle(self) -> None:
        for _ in range(3):
            self.app.processEvents()  # type: ignore[union-attr]

    def shoot(self, widget: Any, name: str) -> Path:
        self.settle()
        image = widget.grab().toImage()
        return self.save_image(image, name)

    def save_image(self, image: Any, name: str) -> Path:
        from PIL import Image
        from PySide6.QtCore import QBuffer, QIODevice, Qt

        if image.width() > MAX_WIDTH:
            image = image.scaledToWidth(MAX_WIDTH, Qt.TransformationMode.SmoothTransformation)
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        target = self.out / name
        with Image.open(io.BytesIO(buffer.data().data())) as picture:
            rgb = picture.convert("RGB")
            palette = rgb.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            palette.save(target, optimize=True)
        self.written.append(target)
        print(f"{target} ({target.stat().st_size // 1024} KB)")
        return target


# ---- the databases -------------------------------------------------------------------------


def demo_database(clock: Clock) -> Any:
    from khit_desktop.services.demo import build_demo
    from khit_desktop.store.database import open_database

    path = WORK / "KHIT Desktop" / "khit.db"
    db = open_database(path)
    clock.set_local(datetime(2020, 11, 30, 8, 0))
    build_demo(db)
    return db


def accounts_database(clock: Clock) -> Any:
    """An empty database of the kind a first run makes (no accounts yet)."""
    from khit_desktop.services import catalog
    from khit_desktop.store.database import open_database

    folder = WORK / "Máy chị Lan"
    folder.mkdir()
    db = open_database(folder / "khit.db")
    clock.set_local(datetime(2020, 10, 20, 8, 0))
    catalog.initialise(db)
    return db


# ---- chapter 1: first run, logging in, accounts ------------------------------------------------


def welcome(camera: Camera) -> None:
    """The first start: demo, new database, or an existing one."""
    from khit_desktop.paths import default_database_path
    from khit_desktop.ui.welcome.welcome_dialog import WelcomeDialog

    dialog = WelcomeDialog(default_database_path())
    dialog.show()
    camera.shoot(dialog, "chao-mung.png")
    dialog.close()


def first_run(camera: Camera, db: Any) -> None:
    from khit_desktop.services import accounts
    from khit_desktop.services.permissions import Role
    from khit_desktop.ui.accounts.login_dialogs import FirstAdminDialog, LoginDialog
    from khit_desktop.ui.accounts.users_dialog import UsersDialog
    from khit_desktop.ui.workspace import Workspace
    from tests.qt_typing import type_text

    dialog = FirstAdminDialog(db)
    dialog.show()
    dialog.username.setText("quantri")
    type_text(dialog.display_name, "Trần Thị Lan")
    dialog.password.setText("mat khau cua to giup viec")
    dialog.confirm.setText("mat khau cua to giup viec")
    camera.shoot(dialog, "tao-tai-khoan-quan-tri.png")
    dialog.submit()
    admin = dialog.actor
    dialog.close()
    assert admin is not None

    for user, name, role in (
        ("nguyen.an", "Nguyễn Văn An", Role.CLERK),
        ("le.binh", "Lê Thị Bình", Role.CLERK),
        ("pham.hoa", "Phạm Văn Hòa", Role.MEMBER),
        ("chu.tich", "Võ Minh Tuấn", Role.CHAIR),
    ):
        accounts.create_user(db, user, name, role, "mat khau tam thoi 2020", actor=admin)
    users = UsersDialog(Workspace(db, None, False, admin, lambda: TODAY))
    users.resize(820, 300)
    users.show()
    users.table.selectRow(1)
    camera.shoot(users, "tai-khoan-nguoi-dung.png")
    users.close()

    login = LoginDialog(db)
    login.show()
    login.username.setText("nguyen.an")
    login.password.setText("sai mat khau")
    login.submit()
    camera.shoot(login, "dang-nhap.png")
    login.close()


# ---- the main window -----------------------------------------------------------------------


class Session:
    """The demo database open in the main window, as the demo user, on a fixed today."""

    def __init__(self, camera: Camera, db: Any) -> None:
        from khit_desktop.services.accounts import demo_actor
        from khit_desktop.ui.main_window import MainWindow
        from khit_desktop.ui.settings import AppSettings
        from khit_desktop.ui.workspace import Workspace

        self.camera, self.db = camera, db
        self.ws = Workspace(db, 2020, True, demo_actor(MACHINE), lambda: TODAY)
        self.window = MainWindow(self.ws, AppSettings(WORK / "settings.ini"))
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        camera.settle()

    def screen(self, row: int) -> None:
        self.window.nav.setCurrentRow(row)
        self.camera.settle()

    def shoot(self, name: str) -> Path:
        self.window.statusBar().clearMessage()
        return self.camera.shoot(self.window, name)


@contextmanager
def patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    """``owner.name`` replaced for the block (a modal step turned into show + grab)."""
    missing = object()
    own = vars(owner).get(name, missing)  # a class may inherit it: then it is removed after
    setattr(owner, name, value)
    try:
        yield
    finally:
        if own is missing:
            delattr(owner, name)
        else:
            setattr(owner, name, own)


def shoot_dialog(camera: Camera, name: str, prepare: Callable[[Any], None] | None = None) -> Any:
    """An ``exec`` replacement: show the dialog, let ``prepare`` fill it, grab, close."""

    def exec_(dialog: Any) -> int:
        dialog.show()
        if prepare is not None:
            prepare(dialog)
        camera.shoot(dialog, name)
        dialog.close()
        return 0

    return exec_


# ---- chapter 2: the year, step by step -------------------------------------------------------


def round_and_rules(session: Session) -> None:
    """Kỳ đánh giá → Tạo kỳ đánh giá mới…, Quy tắc của kỳ…, Bộ tiêu chí…"""
    from khit_desktop.ui.forms.criteria_dialog import CriteriaDialog
    from khit_desktop.ui.rounds.new_round_dialog import NewRoundDialog
    from khit_desktop.ui.rounds.rules_dialog import RulesDialog

    camera, window = session.camera, session.window

    def next_year(dialog: Any) -> None:
        dialog.year_spin.setValue(2021)

    with patched(NewRoundDialog, "exec", shoot_dialog(camera, "tao-ky-danh-gia.png", next_year)):
        window.create_round()
    with patched(RulesDialog, "exec", shoot_dialog(camera, "quy-tac-cua-ky.png")):
        window.edit_rules()
    with patched(CriteriaDialog, "exec", shoot_dialog(camera, "bo-tieu-chi.png")):
        window.manage_criteria()


def overview_home(session: Session) -> None:
    """Tổng quan, the home screen: where the year stands (as the chair sees it: no edit
    control), and the progress report's button."""
    session.screen(0)
    session.shoot("tong-quan.png")


def conflict_dialog(session: Session) -> None:
    """Two clerks on one server: the second save is told what the first one changed."""
    from khit_desktop.services import appraisal
    from khit_desktop.services.audit import Actor
    from khit_desktop.services.concurrency import EditConflict
    from khit_desktop.services.permissions import Role
    from khit_desktop.ui.conflict_dialog import ConflictDialog

    other = Actor(user="can-bo-b", machine="MAY-TIEP-NHAN-2", role=Role.CLERK)
    sheet_before = _appraised_version(session.db, "SNV", "1.3")
    appraisal.set_appraised_points(
        session.db, 2020, "SNV", "1.3", Decimal(20), reason="Theo biên bản khảo sát", actor=other
    )
    try:
        appraisal.set_appraised_points(
            session.db,
            2020,
            "SNV",
            "1.3",
            Decimal("12.5"),
            reason="Chưa kết nối mạng WAN",
            expected_version=sheet_before,
            actor=session.ws.actor,
        )
    except EditConflict as conflict:
        dialog = ConflictDialog(
            conflict,
            "Điểm thẩm định tiêu chí 1.3 của Sở Nội vụ",
            "điểm thẩm định 12,50, lý do «Chưa kết nối mạng WAN»",
            session.window,
        )
        session.camera.shoot(dialog, "xung-dot-chinh-sua.png")
        dialog.deleteLater()
    else:
        raise SystemExit("no conflict: the picture would lie")


def _appraised_version(db: Any, agency: str, code: str) -> int:
    from khit_desktop.services import score_grid

    sheet = score_grid.agency_sheet(db, 2020, agency)
    return next(r.version for r in sheet.rows if r.code == code)


def receipts_register(session: Session) -> None:
    """Tiếp nhận: the register with a late agency chosen, and recording a form."""
    from khit_desktop.ui.receipts.receipt_dialog import ReceiptDialog

    session.screen(1)
    session.window.register.select_agency("STP")
    session.shoot("so-tiep-nhan.png")

    def typed(dialog: Any) -> None:
        assert dialog.picker is not None
        dialog.picker.search.setText("khanh son")
        dialog.channel.setCurrentIndex(0)
        dialog.sent.setText("20/11/2020")
        dialog.received.setText("23/11/2020")
        dialog.number.setText("88/UBND-VP")

    with patched(ReceiptDialog, "exec", shoot_dialog(session.camera, "ghi-nhan-phieu.png", typed)):
        session.window.register.action_new.trigger()


def forms_import(session: Session) -> None:
    """Chấm điểm → Nhập phiếu từ Excel…: two filled forms, one with a mistake, imported."""
    from khit_desktop.services import form_exchange
    from khit_desktop.ui.forms import import_dialog

    scratch = WORK / "Phiếu nhận về"
    scratch.mkdir()
    good, bad = (
        form_exchange.write_blank_forms(session.db, 2020, scratch, agency=code)[0]
        for code in ("KS", "QDTPT")
    )
    fill_form(good, {"1.8": 10, "1.3": 30})
    fill_form(bad, {"1.3": 99})
    excel_form(session.camera, good)
    session.screen(2)

    def summary_exec(dialog: Any) -> int:
        dialog.resize(1000, 330)
        return shoot_dialog(session.camera, "ket-qua-nhap-phieu.png")(dialog)

    with (
        patched(import_dialog, "choose_paths", lambda _parent: [scratch]),
        patched(import_dialog.ImportSummaryDialog, "exec", summary_exec),
    ):
        session.window.scoring.action_import.trigger()


def fill_form(path: Path, points: dict[str, object]) -> None:
    """Type self-assessed points into a blank form, as an agency would."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    meta = {
        (kind, str(key)): value
        for kind, key, value in workbook["_khit"].iter_rows(max_col=3, values_only=True)
    }
    column = int(next(v for (_k, key), v in meta.items() if key == "points_column"))
    general = int(next(v for (_k, key), v in meta.items() if key == "general_column"))
    sheet = workbook[workbook.sheetnames[0]]
    for code, value in points.items():
        sheet.cell(int(meta[("criterion", code)]), column).value = value
    for code in ("CB", "MT"):
        sheet.cell(int(meta[("general", code)]), general).value = 50
    workbook.save(path)


def excel_form(camera: Camera, form: Path) -> None:
    """The first page of a filled Phiếu as LibreOffice prints it (chapter 3); kept as it is
    when LibreOffice is not installed."""
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    name = "phieu-excel.png"
    if soffice is None:
        print(f"Không có LibreOffice (soffice): giữ nguyên {camera.out / name}.")
        return
    folder = WORK / "libreoffice"
    folder.mkdir(exist_ok=True)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(form),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    document = QPdfDocument()
    document.load(str(folder / form.with_suffix(".pdf").name))
    page = document.pagePointSize(0)
    width = 1240
    size = QSize(width, round(width * page.height() / page.width()))
    rendered = document.render(0, size)  # transparent where the page has no fill
    document.close()
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()
    camera.save_image(image, name)


def scoring(session: Session) -> None:
    """Chấm điểm: the grid of an agency whose staff count was cross-checked; an appraised
    point typed (the reason asked); a cross-check recorded."""
    from khit_desktop.ui.reason_dialog import ReasonDialog
    from khit_desktop.ui.scoring.cross_check_dialog import CrossCheckDialog
    from khit_desktop.ui.scoring.grid_model import COL_APPRAISED
    from tests.qt_typing import type_text

    panel = session.window.scoring
    session.screen(2)
    panel.show_agency("SGTVT")

    def row_of(code: str) -> int:
        return next(i for i in range(panel.model.rowCount()) if panel.model.row(i).code == code)

    def reason(dialog: Any) -> int:
        dialog.show()
        type_text(
            dialog.reason, "Biên bản kiểm tra ngày 25/11/2020: 4 ứng dụng chạy trên mạng WAN."
        )
        session.camera.shoot(dialog, "ly-do-diem-tham-dinh.png")
        dialog.close()
        return int(ReasonDialog.DialogCode.Accepted)

    panel.grid.setCurrentIndex(panel.model.index(row_of("1.7"), COL_APPRAISED))
    with patched(ReasonDialog, "exec", reason):
        refused = panel._edit(panel.model.row(row_of("1.7")), COL_APPRAISED, "8")
    assert refused is None, refused
    panel.grid.setCurrentIndex(panel.model.index(row_of("1.7"), COL_APPRAISED))
    session.shoot("cham-diem.png")

    def cross(dialog: Any) -> None:
        type_text(dialog.source_agency, "Sở Nội vụ")
        dialog.figure.setText("316/350")
        type_text(dialog.document, "Báo cáo số 245/BC-SNV ngày 10/11/2020")
        type_text(dialog.note, "Tổng số CBCCVC thẩm định theo số liệu của Sở Nội vụ")

    panel.grid.setCurrentIndex(panel.model.index(row_of("1.1"), COL_APPRAISED))
    with patched(
        CrossCheckDialog, "exec", shoot_dialog(session.camera, "doi-chieu-so-lieu.png", cross)
    ):
        panel.cross_button.click()


def surveys_and_council(session: Session) -> None:
    """Khảo sát: the surveys, planning one, recording findings; explanations and the council's
    decisions."""
    from khit_desktop.ui.surveys.decision_dialog import DecisionDialog
    from khit_desktop.ui.surveys.findings_dialog import FindingsDialog
    from khit_desktop.ui.surveys.plan_dialog import PlanDialog
    from khit_desktop.ui.surveys.surveys_panel import TAB_COUNCIL, TAB_SURVEYS
    from tests.qt_typing import type_text

    panel = session.window.surveys
    session.screen(3)
    panel.tabs.setCurrentIndex(TAB_SURVEYS)
    panel.surveys.table.selectRow(0)
    session.shoot("khao-sat.png")

    def plan(dialog: Any) -> None:
        dialog.picker.search.setText("so noi vu")
        dialog.date.setText("10/12/2020")
        members = dialog.members.model_
        for item in members.items()[:3]:
            members.set_checked(item.key)
        criteria = dialog.criteria.model_
        for code in ("1.3", "1.6.1", "3.3"):
            criteria.set_checked(code)
        dialog.refresh()

    with patched(PlanDialog, "exec", shoot_dialog(session.camera, "ke-hoach-khao-sat.png", plan)):
        panel.surveys.plan_button.click()

    def findings(dialog: Any) -> None:
        dialog.resize(980, 600)

    panel.surveys.table.selectRow(0)
    with patched(
        FindingsDialog, "exec", shoot_dialog(session.camera, "ket-qua-khao-sat.png", findings)
    ):
        panel.surveys.record_button.click()

    panel.tabs.setCurrentIndex(TAB_COUNCIL)
    panel.council.explanation_table.selectRow(0)
    session.shoot("giai-trinh.png")

    def decide(dialog: Any) -> None:
        dialog.date.setText("01/12/2020")
        type_text(dialog.decision, "Hội đồng thống nhất tính theo số liệu của Văn phòng UBND tỉnh.")
        dialog.points.setText("20")

    panel.council.explanation_table.selectRow(0)
    with patched(
        DecisionDialog, "exec", shoot_dialog(session.camera, "quyet-dinh-hoi-dong.png", decide)
    ):
        panel.council.decide_button.click()


def ranking(session: Session) -> None:
    """Xếp hạng: the table, a chart."""
    from khit_desktop.ui.ranking.charts import CHART_CLASSES

    panel = session.window.ranking
    session.screen(4)
    panel.tabs.setCurrentIndex(0)
    session.shoot("xep-hang.png")
    panel.tabs.setCurrentWidget(panel.charts)
    panel.charts.choice.setCurrentIndex(panel.charts.choice.findData(CHART_CLASSES))
    session.shoot("bieu-do.png")
    panel.tabs.setCurrentIndex(0)


def decision_and_annex(session: Session) -> None:
    """Kỳ đánh giá → Quyết định công bố kết quả…; Xếp hạng → Xem trước và in phụ lục…"""
    from khit_desktop.ui.ranking.annex_print import AnnexPreviewDialog
    from khit_desktop.ui.rounds.decision_dialog import DecisionDialog
    from tests.qt_typing import type_text

    def typed(dialog: Any) -> None:
        dialog.number.setText("3456/QĐ-UBND")
        dialog.day.setText("30/12/2020")
        type_text(dialog.signer, "KT. Chủ tịch, Phó Chủ tịch Nguyễn Văn A")

    def exec_(dialog: Any) -> int:
        dialog.show()
        typed(dialog)
        session.camera.shoot(dialog, "quyet-dinh-cong-bo.png")
        dialog.save()
        dialog.close()
        return int(dialog.result())

    with patched(DecisionDialog, "exec", exec_):
        session.window.edit_decision()

    def preview(dialog: Any) -> int:
        dialog.show()
        session.camera.settle()
        session.camera.shoot(dialog, "phu-luc.png")
        dialog.close()
        return 0

    session.screen(4)
    with patched(AnnexPreviewDialog, "exec", preview):
        session.window.ranking.action_preview.trigger()


def history_and_finalise(session: Session) -> None:
    """Ctrl+H on an agency; Kỳ đánh giá → Chốt kỳ đánh giá…"""
    from khit_desktop.ui.integrity.history_dialog import HistoryDialog
    from khit_desktop.ui.rounds.finalise_dialog import FinaliseDialog

    session.screen(2)
    session.window.scoring.show_agency("SGTVT")
    with patched(HistoryDialog, "exec", shoot_dialog(session.camera, "lich-su-thay-doi.png")):
        session.window.show_history()
    with patched(FinaliseDialog, "exec", shoot_dialog(session.camera, "chot-ky.png")):
        session.window.finalise_round()


def past_years(session: Session) -> None:
    """Xếp hạng → Nhập kết quả đã công bố các năm trước…: the review step of a 2018 sheet
    whose names are written the province's way (abbreviations, a unit that no longer
    exists)."""
    from openpyxl import Workbook

    from khit_desktop.ui.history import import_dialog
    from khit_desktop.ui.history.import_dialog import HistoryImportDialog

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Kết quả"
    sheet.append(["KẾT QUẢ XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CNTT NĂM 2018"])
    sheet.append([])
    sheet.append(
        ["STT", "Cơ quan, đơn vị", "Nhóm", "Tổng điểm", "Điểm tối đa", "Xếp hạng", "Xếp loại"]
    )
    for row in (
        [1, "Sở Thông tin và Truyền thông", 1, "915,25", 1000, 1, "Tốt"],
        [2, "Sở Tư pháp", 1, "862,50", 1000, 2, "Tốt"],
        [3, "Sở KH&ĐT", 1, 840, 1000, 3, "Khá"],
        [4, "Sở Văn hóa, Thể thao và Du lịch", 1, "790,75", 1000, 4, "Khá"],
        [5, "UBND TP. Nha Trang", 2, "871,00", 1000, 1, "Tốt"],
        [6, "UBND thị xã Ninh Hoà", 2, 760, 1000, 2, "Khá"],
        [7, "Trường Đại học Khánh Hòa", 3, "702,40", 1000, 1, "Khá"],
    ):
        sheet.append(row)
    sample = WORK / "ket-qua-2018.xlsx"
    book.save(sample)

    def review(dialog: Any) -> None:
        dialog.table.setFocus()

    with (
        patched(import_dialog, "ask_open_path", lambda _parent: sample),
        patched(
            HistoryImportDialog,
            "exec",
            shoot_dialog(session.camera, "nhap-ket-qua-nam-truoc.png", review),
        ),
    ):
        session.window.import_history()


# ---- chapters 4 to 6: backups, network shares, integrity ----------------------------------------


def backups_and_restore(session: Session) -> None:
    """Tệp → Phục hồi từ bản sao lưu…: the list of automatic backups."""
    from khit_desktop.services.backups import automatic_backup
    from khit_desktop.ui.backups import restore_dialog
    from khit_desktop.ui.backups.restore_dialog import RestoreDialog

    moments = (
        (datetime(2020, 11, 27, 8, 2), "mo"),
        (datetime(2020, 11, 27, 9, 15), "nhap-phieu"),
        (datetime(2020, 11, 27, 10, 40), "dinh-ky"),
        (datetime(2020, 11, 30, 8, 5), "mo"),
        (datetime(2020, 11, 30, 14, 31), "dinh-ky"),
        (datetime(2020, 12, 1, 8, 1), "mo"),
    )
    for moment, reason in moments:
        automatic_backup(session.db, reason, now=moment)

    def chosen(dialog: Any) -> None:
        dialog.resize(900, 420)

    with (
        patched(RestoreDialog, "exec", shoot_dialog(session.camera, "phuc-hoi.png", chosen)),
        patched(restore_dialog, "RestoreDialog", RestoreDialog),
    ):
        session.window.restore_backup()


def network_share(camera: Camera) -> None:
    """What the program says when the database is on a network share (the start's message
    box, with the refusal of ``store.location``)."""
    from PySide6.QtWidgets import QMessageBox

    from khit_desktop.store.database import open_database
    from khit_desktop.store.errors import DatabaseError

    target = "//may-chu/chia-se/KHIT/khit.db"
    try:
        open_database(target)
    except DatabaseError as exc:
        text = f"Không mở được cơ sở dữ liệu {target}.\n{exc}"
    else:  # pragma: no cover - the share is refused before anything is opened
        raise SystemExit("a database on a share was opened")
    box = QMessageBox(
        QMessageBox.Icon.Critical, "KHIT Desktop", text, QMessageBox.StandardButton.Ok
    )
    box.show()
    camera.shoot(box, "o-dia-mang.png")
    box.close()


def integrity_warning(camera: Camera, source: Path) -> None:
    """The warning when the data was changed outside the program (a copy, edited with SQL)."""
    from PySide6.QtWidgets import QMessageBox

    from khit_desktop.store.database import open_database
    from khit_desktop.ui.integrity.verify_on_open import check_on_open

    folder = WORK / "Bản sửa ngoài chương trình"
    folder.mkdir()
    copy = folder / "khit.db"
    shutil.copy(source, copy)
    db = open_database(copy)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE score SET appraised_points = '29.50' WHERE id = "
            "(SELECT MIN(id) FROM score WHERE appraised_points IS NOT NULL)"
        )

    def exec_(box: Any) -> int:
        box.show()
        camera.shoot(box, "canh-bao-toan-ven.png")
        box.close()
        return int(QMessageBox.StandardButton.Ok)

    with patched(QMessageBox, "exec", exec_):
        check_on_open(db, None)
    db.dispose()


def main(out: Path) -> None:
    prepare_environment()
    out.mkdir(parents=True, exist_ok=True)
    from khit_desktop.app import configure_qt

    configure_qt()
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from khit_desktop.ui.fonts import application_font
    from khit_desktop.ui.translation import install_vietnamese

    app.setFont(application_font())
    install_vietnamese(app)
    clock = Clock(datetime(2020, 11, 30, 1, 0))  # UTC, as the audit trail stores it
    import khit_desktop.services.demo  # noqa: F401 - loads the services the clock must reach

    freeze_clock(clock)
    camera = Camera(out)
    welcome(camera)
    accounts_db = accounts_database(clock)
    first_run(camera, accounts_db)
    accounts_db.dispose()

    db = demo_database(clock)
    clock.set_local(datetime(2020, 12, 1, 8, 30))
    session = Session(camera, db)
    round_and_rules(session)
    overview_home(session)
    receipts_register(session)
    forms_import(session)
    scoring(session)
    surveys_and_council(session)
    ranking(session)
    decision_and_annex(session)
    history_and_finalise(session)
    past_years(session)
    backups_and_restore(session)
    conflict_dialog(session)
    session.window.close()
    db.dispose()
    network_share(camera)
    integrity_warning(camera, WORK / "KHIT Desktop" / "khit.db")
    total = sum(p.stat().st_size for p in camera.written)
    print(f"{len(camera.written)} ảnh, {total / 1024 / 1024:.2f} MB")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "huong-dan" / "anh")
