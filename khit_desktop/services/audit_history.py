"""Lịch sử thay đổi: the audit trail of one agency in one round (optionally one criterion) as
lines a person reads — who (user, machine), when (local time), what (old → new, in Vietnamese,
points with a decimal comma), why.

Events are found by the rows they are about (the agency's scores, receipts, general data,
surveys, findings, explanations, cross-checks, council decisions, imports, membership) and,
for rows since gone, by the agency code their snapshot carries."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.dates import format_date
from ..domain.lateness import Channel
from ..domain.numbers import format_points
from ..store.database import Database
from ..store.models import (
    AuditEvent,
    CouncilDecision,
    CriterionRow,
    CrossCheck,
    Explanation,
    Form,
    FormImport,
    GeneralValue,
    ReceiptRow,
    ScoreRow,
    Survey,
    SurveyFinding,
)
from .receipts import member
from .rounds import get_round

ACTION_LABELS = {
    "score.self": "Số liệu, điểm tự chấm",
    "score.appraise": "Thẩm định điểm",
    "score.restore": "Hoàn tác / làm lại điểm thẩm định",
    "general.self": "Số liệu chung do cơ quan báo cáo",
    "general.appraise": "Thẩm định số liệu chung",
    "receipt.add": "Ghi nhận phiếu",
    "receipt.update": "Sửa lần tiếp nhận",
    "receipt.invalidate": "Đánh dấu phiếu không hợp lệ",
    "membership.exempt": "Không xếp hạng",
    "membership.unexempt": "Bỏ không xếp hạng",
    "appraisal.done": "Đánh dấu đã thẩm định xong",
    "appraisal.reopen": "Mở lại việc thẩm định",
    "crosscheck.add": "Ghi số liệu đối chiếu",
    "form.import": "Nhập phiếu tự đánh giá từ Excel",
    "form.add": "Nhập bộ tiêu chí",
    "survey.plan": "Lập kế hoạch khảo sát",
    "survey.record": "Ghi kết quả khảo sát",
    "survey.apply": "Áp dụng kết quả khảo sát",
    "survey.dismiss": "Không áp dụng kết quả khảo sát",
    "explanation.request": "Đề nghị giải trình",
    "explanation.answer": "Ghi nhận giải trình",
    "council.decide": "Quyết định của Hội đồng",
    "roster.add": "Thêm thành viên Hội đồng, Tổ giúp việc",
    "roster.remove": "Bỏ thành viên Hội đồng, Tổ giúp việc",
    "round.create": "Tạo kỳ đánh giá",
    "round.rules": "Sửa quy tắc của kỳ đánh giá",
    "round.form": "Đổi bộ tiêu chí của nhóm",
    "round.decision": "Ghi quyết định công bố kết quả",
    "round.finalize": "Chốt kỳ đánh giá",
    "round.stage": "Chuyển bước kỳ đánh giá",
    "database.restore": "Phục hồi cơ sở dữ liệu từ bản sao lưu",
    "round.reopen": "Mở lại kỳ đánh giá đã chốt",
    "history.import": "Nhập kết quả đã công bố",
    "agency.create": "Tạo cơ quan, đơn vị",
}
ENTITY_LABELS = {
    "score": "điểm",
    "receipt": "lần tiếp nhận phiếu",
    "general_value": "số liệu chung",
    "round": "kỳ đánh giá",
    "round_agency": "cơ quan trong kỳ",
    "survey": "khảo sát",
    "survey_finding": "kết quả khảo sát",
    "explanation": "giải trình",
    "council_decision": "quyết định của Hội đồng",
    "council_member": "thành viên Hội đồng",
    "cross_check": "số liệu đối chiếu",
    "form_import": "lần nhập phiếu",
    "form": "bộ tiêu chí",
    "agency": "cơ quan",
}
SOURCE_LABELS = {
    "form": "Phiếu tự đánh giá",
    "cross_check": "Đối chiếu số liệu",
    "survey": "Khảo sát thực tế",
    "council": "Hội đồng thẩm định",
}
BLANK = "—"


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity, entity)


def local_time(at_utc: datetime) -> datetime:
    """A stored UTC time (naive) as the computer's local time (naive)."""
    return at_utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def format_moment(at: datetime) -> str:
    return at.strftime("%d/%m/%Y %H:%M")


def format_number(value: Any) -> str:
    """'1.234', '842,5', '22,05': a stored number (text with a dot) as a person reads it."""
    if value is None or value == "":
        return BLANK
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    exponent = number.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return format_points(number, decimals)


def format_points_text(value: Any) -> str:
    """Points always with 2 decimals: '22,05', '30,00'."""
    if value is None or value == "":
        return BLANK
    try:
        return format_points(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def format_answer(answer: Any) -> str:
    """An answer (domain.criteria's JSON) in words: '133/373', 'Có', '12'."""
    if answer is None or answer == {}:
        return BLANK
    if not isinstance(answer, Mapping):
        return str(answer)
    if "numerator" in answer:
        top = format_number(answer["numerator"])
        return f"{top}/{format_number(answer['denominator'])}" if "denominator" in answer else top
    if "yes" in answer:
        return "Có" if answer["yes"] else "Không"
    if "option" in answer:
        return str(answer["option"])
    for key in ("value", "count", "points"):
        if key in answer:
            return format_number(answer[key])
    return "; ".join(f"{k}: {v}" for k, v in sorted(answer.items()))


def _date_text(value: Any) -> str:
    if not value:
        return BLANK
    try:
        return format_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _channel(value: Any) -> str:
    try:
        return Channel(value).label
    except ValueError:
        return str(value) if value else BLANK


def _text(value: Any) -> str:
    return str(value) if value not in (None, "") else BLANK


# field → (label, formatter), in the order a person reads them
SCORE_FIELDS = (
    ("self_answer", "Số liệu tự đánh giá", format_answer),
    ("self_points", "Điểm tự chấm", format_points_text),
    ("appraised_answer", "Số liệu thẩm định", format_answer),
    ("appraised_points", "Điểm thẩm định", format_points_text),
    ("source", "Nguồn", lambda v: SOURCE_LABELS.get(v, _text(v))),
)
RECEIPT_FIELDS = (
    ("channel", "Kênh gửi", _channel),
    ("sent_date", "Ngày gửi", _date_text),
    ("received_date", "Ngày nhận", _date_text),
    ("doc_number", "Số văn bản", _text),
    ("valid", "Hợp lệ", lambda v: "có" if v else "không"),
    ("invalid_reason", "Lý do không hợp lệ", _text),
    ("note", "Ghi chú", _text),
    ("attachment", "Tệp đính kèm", lambda v: "có" if v else "không"),
)


def describe_changes(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, fields: Iterable[Any]
) -> str:
    """'Điểm thẩm định: 12,00 → 10,00; Nguồn: …' for the fields that changed."""
    before, after = old or {}, new or {}
    parts = []
    for key, label, show in fields:
        if key not in after and key not in before:
            continue
        a, b = before.get(key), after.get(key)
        if old is not None and a == b:
            continue
        if old is None and (b in (None, "", False) or key == "valid" or b == "form"):
            continue  # a new row: only what it holds beyond the defaults
        parts.append(
            f"{label}: {show(a)} → {show(b)}" if old is not None else f"{label}: {show(b)}"
        )
    return "; ".join(parts)


def _general_label(code: str, labels: Mapping[str, str]) -> str:
    label = labels.get(code)
    return f"{label} ({code})" if label else code


def describe_event(
    action: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    general_labels: Mapping[str, str] | None = None,
) -> str:
    """What one event changed, in Vietnamese ('' when there is nothing more to say)."""
    new = new or {}
    entity = action.split(".")[0]
    if entity == "score":
        return describe_changes(old, new, SCORE_FIELDS)
    if entity == "general":
        which = _general_label(str(new.get("code", "")), general_labels or {})
        key, whose = ("appraised", "thẩm định") if action == "general.appraise" else ("self", "")
        before = (old or {}).get(key) if old is not None else None
        head = f"{which}{' ' + whose if whose else ''}"
        return f"{head}: {format_number(before)} → {format_number(new.get(key))}"
    if entity == "receipt":
        return describe_changes(old, new, RECEIPT_FIELDS)
    if action in ("membership.exempt", "membership.unexempt"):
        return f"Lý do không xếp hạng: {_text((old or {}).get('exempt_reason'))} → " + _text(
            new.get("exempt_reason")
        )
    if action == "crosscheck.add":
        document = f" ({new['document']})" if new.get("document") else ""
        return f"{new.get('source', '')} báo cáo: {new.get('figure', '')}{document}"
    if action == "form.import":
        extra = "; thay lần nhập trước" if new.get("replaced") else ""
        extra += "; đặt lại điểm thẩm định" if new.get("reset_appraisal") else ""
        return f"Tệp {new.get('file', '')}{extra}"
    if action == "survey.plan":
        return f"Ngày dự kiến {_date_text(new.get('date'))}; tiêu chí " + ", ".join(
            new.get("criteria", [])
        )
    if action == "survey.record":
        return f"Ngày khảo sát {_date_text(new.get('visit_date'))}; " + (
            f"{len(new.get('findings', []))} kết quả"
        )
    if action == "survey.apply":
        return f"Điểm đề xuất: {format_points_text(new.get('points'))}"
    if action == "explanation.request":
        return f"Công văn số {new.get('letter', '')} ngày {_date_text(new.get('letter_date'))}" + (
            f": {new['question']}" if new.get("question") else ""
        )
    if action == "explanation.answer":
        number = f" (số {new['answer_number']})" if new.get("answer_number") else ""
        return f"Giải trình ngày {_date_text(new.get('answer_date'))}{number}: " + _text(
            new.get("answer")
        )
    if action == "council.decide":
        return (
            f"{format_points_text(new.get('points'))} điểm, họp ngày "
            f"{_date_text(new.get('meeting_date'))}: {new.get('decision', '')}"
        )
    if action == "appraisal.done":
        return "Đã thẩm định xong" if new.get("done") else "Chưa xong"
    return ""


@dataclass(frozen=True)
class HistoryLine:
    """One change, as the history view shows it."""

    sequence: int | None
    at: datetime  # local time
    user: str
    machine: str
    action: str
    label: str
    criteria: tuple[str, ...]  # the criteria it is about (none for receipts, general data)
    what: str
    reason: str

    @property
    def when(self) -> str:
        return format_moment(self.at)

    @property
    def who(self) -> str:
        return f"{self.user} (máy {self.machine})" if self.machine else self.user


def _loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def _ids(session: Session, round_id: int, agency_id: int) -> dict[str, set[int]]:
    """Per audited entity, the ids of this agency's rows in the round."""

    def of(column: Any, where: Any) -> set[int]:
        return set(session.scalars(select(column).where(*where)))

    mine: dict[str, tuple[Any, Any]] = {
        "score": (ScoreRow.id, ScoreRow),
        "receipt": (ReceiptRow.id, ReceiptRow),
        "general_value": (GeneralValue.id, GeneralValue),
        "survey": (Survey.id, Survey),
        "explanation": (Explanation.id, Explanation),
        "council_decision": (CouncilDecision.id, CouncilDecision),
        "cross_check": (CrossCheck.id, CrossCheck),
        "form_import": (FormImport.id, FormImport),
    }
    found = {
        entity: of(column, (model.round_id == round_id, model.agency_id == agency_id))
        for entity, (column, model) in mine.items()
    }
    found["survey_finding"] = set(
        session.scalars(
            select(SurveyFinding.id).where(SurveyFinding.survey_id.in_(found["survey"] or {-1}))
        )
    )
    return found


def _criteria(
    event: AuditEvent, old: Any, new: Any, explanation_criteria: Mapping[int, tuple[str, ...]]
) -> tuple[str, ...]:
    snapshot = new if isinstance(new, Mapping) else old if isinstance(old, Mapping) else {}
    if "criterion" in snapshot:
        return (str(snapshot["criterion"]),)
    if event.action == "survey.record":
        return tuple(sorted({str(f.get("code")) for f in snapshot.get("findings", [])}))
    if "criteria" in snapshot:
        return tuple(str(c) for c in snapshot["criteria"])
    if event.entity == "explanation" and event.entity_id is not None:
        return explanation_criteria.get(event.entity_id, ())
    return ()


def history_lines(
    db: Database, year: int, agency_code: str, criterion_code: str | None = None
) -> list[HistoryLine]:
    """Every audited change about ``agency_code`` in round ``year`` (only those about
    ``criterion_code`` when given), oldest first."""
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        ids = _ids(s, rnd.id, m.agency_id)
        ids["round_agency"] = {m.id}
        form = s.get(Form, m.group.form_id) if m.group.form_id is not None else None
        general_labels = (
            {str(g["code"]): str(g.get("label", "")) for g in _loads(form.general_json) or []}
            if form is not None
            else {}
        )
        explanation_criteria = {
            e.id: tuple(json.loads(e.criteria_json))
            for e in s.scalars(select(Explanation).where(Explanation.id.in_(ids["explanation"])))
        }
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.round_year == year).order_by(AuditEvent.id)
        ).all()
        lines: list[HistoryLine] = []
        for event in events:
            old, new = _loads(event.old_json), _loads(event.new_json)
            about = event.entity_id is not None and event.entity_id in ids.get(event.entity, ())
            if not about and isinstance(new, Mapping) and event.entity in ids:
                about = new.get("agency") == m.agency.code  # a row no longer there
            if not about:
                continue
            criteria = _criteria(event, old, new, explanation_criteria)
            if criterion_code is not None and criterion_code not in criteria:
                continue
            lines.append(
                HistoryLine(
                    sequence=event.sequence,
                    at=local_time(event.at_utc),
                    user=event.user,
                    machine=event.machine,
                    action=event.action,
                    label=action_label(event.action),
                    criteria=criteria,
                    what=describe_event(
                        event.action,
                        old if isinstance(old, Mapping) else None,
                        new if isinstance(new, Mapping) else None,
                        general_labels,
                    ),
                    reason=event.reason,
                )
            )
        return lines


def criteria_of(lines: Iterable[HistoryLine]) -> list[str]:
    """The criteria the lines are about, in the form's order of codes (1.2 before 1.10)."""

    def key(code: str) -> tuple[Any, ...]:
        return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))

    return sorted({c for line in lines for c in line.criteria}, key=key)


@dataclass(frozen=True)
class AgencyInRound:
    """What the history view's heading needs: the agency's name that year and the titles of
    its form's criteria (in the form's order)."""

    code: str
    name: str
    year: int
    criteria: dict[str, str]


def agency_in_round(db: Database, year: int, agency_code: str) -> AgencyInRound:
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        titles: dict[str, str] = {}
        if m.group.form_id is not None:
            titles = {
                code: title
                for code, title in s.execute(
                    select(CriterionRow.code, CriterionRow.title)
                    .where(CriterionRow.form_id == m.group.form_id)
                    .order_by(CriterionRow.position)
                )
            }
        return AgencyInRound(m.agency.code, m.name, year, titles)
