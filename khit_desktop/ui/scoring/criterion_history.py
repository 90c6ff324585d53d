"""Under the grid: the selected criterion's history (who changed what, when, why) and the
cross-check records behind it."""

from __future__ import annotations

from datetime import UTC
from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget

from ...services import appraisal
from ...store.database import Database

ACTIONS = {
    "score.self": "Số liệu, điểm tự chấm",
    "score.appraise": "Điểm thẩm định",
    "score.restore": "Hoàn tác / làm lại",
}


class CriterionHistory(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("criterionHistory")
        self.setMaximumHeight(110)
        self.setOpenLinks(False)

    def show_for(self, db: Database, year: int, agency: str, code: str, title: str) -> None:
        events = appraisal.score_history(db, year, agency, code)
        checks = [c for c in appraisal.cross_checks(db, year, agency) if c.criterion == code]
        parts = [f"<b>Lịch sử tiêu chí {escape(code)}</b> — {escape(title)}"]
        for check in checks:
            parts.append(
                f"• Đối chiếu: {escape(check.source_agency)} báo cáo {escape(check.figure)}"
                + (f" ({escape(check.document)})" if check.document else "")
                + (f"; {escape(check.note)}" if check.note else "")
            )
        for event in reversed(events):
            when = event["at"].replace(tzinfo=UTC).astimezone().strftime("%d/%m/%Y %H:%M")
            new = event["new"] or {}
            points = new.get("appraised_points") or new.get("self_points")
            detail = f": {str(points).replace('.', ',')} điểm" if points else ""
            reason = f" — <i>{escape(event['reason'])}</i>" if event["reason"] else ""
            parts.append(
                f"• {when}, {escape(event['user'])}: "
                f"{ACTIONS.get(event['action'], event['action'])}{detail}{reason}"
            )
        if len(parts) == 1:
            parts.append("Chưa có thay đổi nào.")
        self.setHtml("<br>".join(parts))
