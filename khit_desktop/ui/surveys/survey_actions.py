"""What the survey tab's buttons do: plan, record findings, apply or dismiss one finding
(each confirmed by a clerk, never silently), export the minutes, open a file, the roster."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from ...domain.dates import format_date
from ...domain.numbers import format_points
from ...services import council, explanations, surveys
from ...services.attachments import stored_path
from ...services.errors import InputRefused
from ...store.models import Attachment
from ..messages import show_refusal
from ..reason_dialog import ReasonDialog
from .confirm_dialog import ConfirmDialog
from .findings_dialog import FindingsDialog
from .plan_dialog import PlanDialog
from .roster_dialog import RosterDialog
from .survey_forms import FindingsData, PlanData, PlanForm, findings_form

if TYPE_CHECKING:
    from .surveys_panel import SurveysPanel

MINUTES_MISSING = (
    "Bản này chưa có chức năng xuất biên bản khảo sát PDF. Hãy cập nhật KHIT Desktop lên bản "
    "mới hơn, hoặc báo cho người quản trị."
)


def open_file(path: Path) -> bool:
    """Open a stored file with the system's viewer (tests patch this)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def ask_minutes_path(parent: QWidget, suggested: str) -> Path | None:
    """The system's save dialog (tests patch this)."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Xuất biên bản khảo sát", suggested, "Tệp PDF (*.pdf)"
    )
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")


def plan_survey(panel: SurveysPanel) -> None:
    ws = panel.ws
    if ws.year is None:
        return
    year = ws.year
    current = panel.surveys.current_survey()
    form = PlanForm(year, agency_code=current.agency_code if current else None)
    created: list[int] = []

    def save(data: PlanData) -> None:
        created.append(
            surveys.plan_survey(
                ws.db,
                year,
                data.agency_code,
                data.planned_date,
                member_ids=data.member_ids,
                criteria=data.criteria,
                actor=ws.actor,
            )
        )

    roster = council.roster(ws.db, year)
    if PlanDialog.run(form, panel.data.agencies(), roster, panel.data.rows, save, panel):
        panel.reload(select_survey=created[-1])
        panel.message.emit(f"Đã lên kế hoạch khảo sát ngày {form.date_text.strip()}.")


def record_findings(panel: SurveysPanel) -> None:
    ws, view = panel.ws, panel.surveys.current_survey()
    if view is None:
        return
    leaves = panel.data.leaves(view.agency_code)
    current = {r.code: r.appraised for r in panel.data.rows(view.agency_code)}
    form = findings_form(view, leaves)

    def save(data: FindingsData) -> None:
        surveys.record_survey(
            ws.db,
            view.id,
            visit_date=data.visit_date,
            findings=data.findings,
            remarks=data.remarks,
            attachments=data.attachments,
            actor=ws.actor,
            today=ws.today(),
        )
        # record_survey reopens every finding it is sent; a dismissal the clerk did not touch
        # is recorded again with its reason (see FindingsData.keep_dismissed)
        if data.keep_dismissed:
            recorded = {f.code: f.id for f in surveys.survey_view(ws.db, view.id).findings}
            for code, reason in data.keep_dismissed.items():
                surveys.dismiss_finding(ws.db, recorded[code], reason, actor=ws.actor)

    if FindingsDialog.run(form, view, leaves, current, save, ws.today, panel):
        panel.reload(select_survey=view.id)
        panel.message.emit(f"Đã ghi kết quả khảo sát tại {view.agency_name}.")


def apply_finding(panel: SurveysPanel) -> None:
    """Ask once, naming the criterion, the proposed and the current appraised points."""
    ws, view, finding = panel.ws, panel.surveys.current_survey(), panel.surveys.current_finding()
    if view is None or finding is None or finding.proposed_points is None or ws.year is None:
        return
    decided = {d.code: d for d in explanations.decisions(ws.db, ws.year, view.agency_code)}
    if finding.code in decided:
        d = decided[finding.code]
        show_refusal(
            panel,
            f"Tiêu chí {finding.code} đã có quyết định của Hội đồng thẩm định ngày "
            f"{format_date(d.meeting_date)} ({format_points(d.points)} điểm); kết quả khảo sát "
            "không thay đổi được điểm này. Chọn “Không áp dụng…” và ghi lý do.",
        )
        return
    proposed = format_points(finding.proposed_points)
    row = panel.data.row(view.agency_code, finding.code)
    if row is not None and row.appraised is not None:
        now = f"{format_points(row.appraised)} ({row.source or 'Phiếu tự đánh giá'})"
    else:
        own = row.self_points if row is not None else None
        now = "chưa có" + (f" (tự chấm {format_points(own)})" if own is not None else "")
    when = format_date(view.visit_date) if view.visit_date else "?"
    message = (
        f"<b>{escape(view.agency_name)}</b> — tiêu chí <b>{finding.code}</b> "
        f"{escape(finding.title)}<br><br>"
        f"Điểm thẩm định hiện tại: <b>{escape(now)}</b><br>"
        f"Điểm đề xuất của đoàn khảo sát: <b>{proposed}</b> "
        f"(tối đa {format_points(finding.max_points)})<br><br>"
        f"Điểm thẩm định sẽ thành {proposed}, nguồn “Khảo sát thực tế”, lý do: kết quả khảo "
        f"sát ngày {when} — {escape(finding.seen)}"
    )
    if not ConfirmDialog.ask(
        panel, "Áp dụng kết quả khảo sát", message, f"Áp dụng {proposed} điểm"
    ):
        return
    try:
        surveys.apply_finding(ws.db, finding.id, actor=ws.actor)
    except InputRefused as refused:
        show_refusal(panel, str(refused))
        return
    panel.reload(select_survey=view.id)
    panel.message.emit(
        f"Đã áp dụng kết quả khảo sát tiêu chí {finding.code} của {view.agency_name}: "
        f"{proposed} điểm."
    )


def dismiss_finding(panel: SurveysPanel) -> None:
    ws, view, finding = panel.ws, panel.surveys.current_survey(), panel.surveys.current_finding()
    if view is None or finding is None:
        return
    row = panel.data.row(view.agency_code, finding.code)
    kept = format_points(row.appraised) if row is not None and row.appraised is not None else "—"
    proposed = (
        f"{format_points(finding.proposed_points)} điểm đề xuất"
        if finding.proposed_points is not None
        else "chưa có điểm đề xuất"
    )
    reason = ReasonDialog.ask(
        panel,
        "Không áp dụng kết quả khảo sát",
        f"{view.agency_name} — tiêu chí {finding.code} ({proposed}): kết quả sẽ không được áp "
        f"dụng, điểm thẩm định giữ nguyên {kept}. Ghi lý do, ví dụ ý kiến của Hội đồng.",
        "Không áp dụng",
    )
    if reason is None:
        return
    try:
        surveys.dismiss_finding(ws.db, finding.id, reason, actor=ws.actor)
    except InputRefused as refused:
        show_refusal(panel, str(refused))
        return
    panel.reload(select_survey=view.id)
    panel.message.emit(f"Đã ghi không áp dụng kết quả khảo sát tiêu chí {finding.code}.")


def export_minutes(panel: SurveysPanel) -> None:
    ws, view = panel.ws, panel.surveys.current_survey()
    if view is None:
        return
    try:  # written separately; heavy (reportlab): imported when used
        from ...services.notices import write_survey_minutes
    except ImportError:
        show_refusal(panel, MINUTES_MISSING)
        return
    when = (view.visit_date or view.planned_date).strftime("%Y-%m-%d")
    target = ask_minutes_path(panel, f"Bien-ban-khao-sat-{view.agency_code}-{when}.pdf")
    if target is None:
        return
    try:
        write_survey_minutes(ws.db, view.id, target)
    except (InputRefused, OSError, ValueError) as exc:
        show_refusal(panel, f"Không ghi được biên bản {target.name}: {exc}")
        return
    panel.message.emit(f"Đã xuất biên bản khảo sát ra {target}")


def open_attachment(panel: SurveysPanel) -> None:
    attachment_id = panel.surveys.current_attachment_id()
    if attachment_id is None:
        return
    with panel.ws.db.session() as s:
        attachment = s.get(Attachment, attachment_id)
        path = stored_path(panel.ws.db, attachment) if attachment else None
    if path is None or not path.exists():
        show_refusal(
            panel,
            "Không tìm thấy tệp đính kèm trong thư mục dữ liệu. Kiểm tra thư mục "
            "“.tep-dinh-kem” bên cạnh tệp dữ liệu, hoặc đính kèm lại tệp khi ghi kết quả.",
        )
        return
    if not open_file(path):
        show_refusal(panel, f"Không mở được tệp {path.name}: máy chưa có chương trình xem tệp này.")


def manage_roster(panel: SurveysPanel) -> None:
    if panel.ws.year is None:
        return
    if RosterDialog.manage(panel.ws, panel):
        panel.reload()
        panel.message.emit("Đã cập nhật danh sách Hội đồng và Tổ giúp việc.")
