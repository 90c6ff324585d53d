"""What the council tab's buttons do: ask an explanation, record the answer, record the
council's decision on a criterion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.numbers import format_points
from ...services import explanations
from .council_forms import AnswerData, DecisionData, DecisionForm, RequestData, RequestForm
from .decision_dialog import DecisionDialog
from .explanation_dialog import AnswerDialog, RequestDialog

if TYPE_CHECKING:
    from .surveys_panel import SurveysPanel


def request_explanation(panel: SurveysPanel) -> None:
    ws = panel.ws
    if ws.year is None:
        return
    year = ws.year
    current = panel.council.current_explanation()
    form = RequestForm(year, agency_code=current.agency_code if current else None)
    created: list[int] = []

    def save(data: RequestData) -> None:
        created.append(
            explanations.request_explanation(
                ws.db,
                year,
                data.agency_code,
                criteria=data.criteria,
                letter_number=data.letter_number,
                letter_date=data.letter_date,
                question=data.question,
                actor=ws.actor,
            )
        )

    if RequestDialog.run(form, panel.data.agencies(), panel.data.rows, save, ws.today, panel):
        panel.reload(select_explanation=created[-1])
        panel.message.emit(f"Đã ghi đề nghị giải trình số {form.letter_number.strip()}.")


def record_answer(panel: SurveysPanel) -> None:
    ws, view = panel.ws, panel.council.current_explanation()
    if view is None:
        return
    name = panel.data.names().get(view.agency_code, view.agency_code)

    def save(data: AnswerData) -> None:
        explanations.record_answer(
            ws.db,
            view.id,
            answer=data.answer,
            answer_date=data.answer_date,
            answer_number=data.answer_number,
            actor=ws.actor,
        )

    if AnswerDialog.run(view, name, save, ws.today, panel):
        panel.reload(select_explanation=view.id)
        panel.message.emit(f"Đã ghi nhận giải trình của {name}.")


def record_decision(panel: SurveysPanel) -> None:
    ws = panel.ws
    if ws.year is None:
        return
    year = ws.year
    chosen = panel.council.current_decision()
    asked = panel.council.current_explanation()
    agency = chosen.agency_code if chosen else (asked.agency_code if asked else None)
    code = chosen.code if chosen else (asked.criteria[0] if asked and asked.criteria else None)
    form = DecisionForm(year, agency_code=agency, code=code)
    pending: dict[str, set[str]] = {}
    for e in explanations.explanations(ws.db, year):
        if e.pending:
            pending.setdefault(e.agency_code, set()).update(e.criteria)
    decided = {(d.agency_code, d.code): d for d in explanations.decisions(ws.db, year)}
    saved: list[DecisionData] = []

    def save(data: DecisionData) -> None:
        explanations.record_decision(
            ws.db,
            year,
            data.agency_code,
            data.code,
            meeting_date=data.meeting_date,
            decision=data.decision,
            points_value=data.points,
            actor=ws.actor,
        )
        saved.append(data)

    if DecisionDialog.run(
        form, panel.data.agencies(), panel.data.rows, pending, decided, save, ws.today, panel
    ):
        data = saved[-1]
        panel.reload()
        panel.council.select_decision(data.agency_code, data.code)
        panel.message.emit(
            f"Đã ghi quyết định của Hội đồng: tiêu chí {data.code}, "
            f"{format_points(data.points)} điểm."
        )
