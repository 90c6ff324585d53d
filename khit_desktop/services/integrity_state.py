"""The data against the audit trail: each audited row must hold what its latest event
recorded (``verify``'s third part).

Covered, because their events carry a full snapshot of the row:
- scores (entity "score": both answers, both points, source, reason; agency, criterion, year).
  A later ``form.import`` with ``reset_appraisal`` clears the appraisal of that agency's
  scores without one event per score: the expected state follows it;
- receipts (channel, dates, number, validity and its reason, note, attachment; the agency
  from the ``receipt.add`` event);
- general data (the agency's and the appraised figure; agency, code, year);
- a round's finalisation (state, time, who: the latest ``round.finalize``/``round.reopen``)
  and its decision (number and date: the latest ``round.decision``).
Not covered (the chain still protects their events): memberships and exemptions (the demo
sets its exemption without an event), surveys, explanations, council decisions, the roster,
round rules (a round's first rules are not in its ``round.create`` event)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..store.models import (
    Agency,
    Attachment,
    CriterionRow,
    GeneralValue,
    ReceiptRow,
    Round,
    ScoreRow,
)
from .audit_history import format_answer, format_number, format_points_text
from .integrity import Check, Finding, StoredEvent, thousands

MAX_FINDINGS = 200
DELETE_ACTIONS = {".delete", ".remove"}


def _loads(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _same(a: Any, b: Any, kind: str) -> bool:
    if kind == "number":
        return _decimal(a) == _decimal(b)
    if kind == "json":
        return (a or None) == (b or None)
    return a == b


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Trail:
    """The latest event (and the first one carrying an agency) of every audited row."""

    def __init__(self, events: Iterable[StoredEvent], entities: set[str]) -> None:
        self.latest: dict[tuple[str, int], tuple[StoredEvent, dict[str, Any]]] = {}
        self.agency: dict[tuple[str, int], str] = {}
        self.deleted: set[tuple[str, int]] = set()
        self.resets: dict[tuple[int | None, str], int] = {}  # (year, agency) → last reset id
        for event in events:
            new = _loads(event.new_json)
            if event.action == "form.import" and isinstance(new, dict):
                if new.get("reset_appraisal"):
                    self.resets[(event.round_year, str(new.get("agency")))] = event.id
            if event.entity not in entities or event.entity_id is None:
                continue
            key = (event.entity, event.entity_id)
            if any(event.action.endswith(suffix) for suffix in DELETE_ACTIONS):
                self.deleted.add(key)
                continue
            self.deleted.discard(key)
            snapshot = new if isinstance(new, dict) else {}
            self.latest[key] = (event, snapshot)
            if "agency" in snapshot and key not in self.agency:
                self.agency[key] = str(snapshot["agency"])


Field = tuple[str, str, str, Callable[[Any], str]]  # key, label, kind, formatter

SCORE_FIELDS: tuple[Field, ...] = (
    ("self_answer", "số liệu tự đánh giá", "json", format_answer),
    ("self_points", "điểm tự chấm", "number", format_points_text),
    ("appraised_answer", "số liệu thẩm định", "json", format_answer),
    ("appraised_points", "điểm thẩm định", "number", format_points_text),
    ("source", "nguồn", "text", str),
    ("reason", "lý do", "text", lambda v: f'"{v}"'),
)
RECEIPT_FIELDS: tuple[Field, ...] = (
    ("channel", "kênh gửi", "text", str),
    ("sent_date", "ngày gửi", "text", str),
    ("received_date", "ngày nhận", "text", str),
    ("doc_number", "số văn bản", "text", str),
    ("valid", "hợp lệ", "text", lambda v: "có" if v else "không"),
    ("invalid_reason", "lý do không hợp lệ", "text", lambda v: f'"{v}"'),
    ("note", "ghi chú", "text", lambda v: f'"{v}"'),
    ("attachment", "tệp đính kèm", "text", lambda v: str(v)[:12] if v else "không có"),
)
GENERAL_FIELDS: tuple[Field, ...] = (
    ("self", "số liệu cơ quan báo cáo", "number", format_number),
    ("appraised", "số liệu thẩm định", "number", format_number),
)
IDENTITY: tuple[Field, ...] = (
    ("year", "năm", "text", str),
    ("agency", "cơ quan", "text", str),
)


def _differences(
    expected: Mapping[str, Any], actual: Mapping[str, Any], fields: Iterable[Field]
) -> list[str]:
    out = []
    for key, label, kind, show in fields:
        a, b = expected.get(key), actual.get(key)
        if not _same(a, b, kind):
            shown_a = show(a) if a not in (None, "") else "(trống)"
            shown_b = show(b) if b not in (None, "") else "(trống)"
            out.append(f"{label}: nhật ký ghi {shown_a}, trong dữ liệu là {shown_b}")
    return out


def _compare(
    entity: str,
    what: str,
    rows: dict[int, tuple[str, dict[str, Any]]],
    trail: _Trail,
    fields: tuple[Field, ...],
    expect: Callable[[int, StoredEvent, dict[str, Any]], dict[str, Any]],
    title: str,
    key: str,
) -> Check:
    """``rows``: id → (how a person names the row, its values); ``expect`` builds the values
    the latest event says the row must hold."""
    findings: list[Finding] = []
    for row_id, (name, actual) in sorted(rows.items()):
        latest = trail.latest.get((entity, row_id))
        if latest is None:
            findings.append(
                Finding(
                    f"{what} #{row_id} ({name}) không có sự kiện nào trong nhật ký: dòng này "
                    "được ghi thẳng vào cơ sở dữ liệu, không qua chương trình.",
                    entity,
                    row_id,
                )
            )
            continue
        event, snapshot = latest
        wrong = _differences(expect(row_id, event, snapshot), actual, (*IDENTITY, *fields))
        if wrong:
            findings.append(
                Finding(
                    f"{what} #{row_id} ({name}) khác với sự kiện số {event.sequence} của nhật "
                    f"ký (ghi lúc {event.at_utc:%d/%m/%Y %H:%M} UTC bởi {event.user}): "
                    + "; ".join(wrong)
                    + ". Dữ liệu đã bị sửa ngoài chương trình.",
                    entity,
                    row_id,
                    event.sequence,
                )
            )
    for (kind, row_id), (event, snapshot) in sorted(
        trail.latest.items(), key=lambda item: item[1][0].id
    ):
        if kind != entity or row_id in rows or (kind, row_id) in trail.deleted:
            continue
        name = ", ".join(
            str(snapshot[k]) for k in ("agency", "criterion", "code") if snapshot.get(k)
        )
        findings.append(
            Finding(
                f"{what} #{row_id} ({name}; sự kiện cuối số {event.sequence}) không còn trong "
                "cơ sở dữ liệu, nhưng nhật ký không ghi việc xóa: dòng này đã bị xóa ngoài "
                "chương trình.",
                entity,
                row_id,
                event.sequence,
            )
        )
    if findings:
        summary = (
            f"{thousands(len(findings))} dòng không khớp nhật ký (trên {thousands(len(rows))})."
        )
        return Check(key, title, False, summary, tuple(findings[:MAX_FINDINGS]))
    return Check(key, title, True, f"{thousands(len(rows))} dòng khớp với sự kiện cuối của chúng.")


def _score_check(conn: Connection, trail: _Trail) -> Check:
    query = (
        select(
            ScoreRow.id,
            Round.year,
            Agency.code.label("agency"),
            CriterionRow.code.label("criterion"),
            ScoreRow.self_answer,
            ScoreRow.self_points,
            ScoreRow.appraised_answer,
            ScoreRow.appraised_points,
            ScoreRow.source,
            ScoreRow.reason,
        )
        .outerjoin(Round, Round.id == ScoreRow.round_id)
        .outerjoin(Agency, Agency.id == ScoreRow.agency_id)
        .outerjoin(CriterionRow, CriterionRow.id == ScoreRow.criterion_id)
    )
    rows = {}
    for r in conn.execute(query):
        values = {
            "year": r.year,
            "agency": r.agency,
            "criterion": r.criterion,
            "self_answer": _loads(r.self_answer),
            "self_points": r.self_points,
            "appraised_answer": _loads(r.appraised_answer),
            "appraised_points": r.appraised_points,
            "source": r.source,
            "reason": r.reason or "",
        }
        rows[r.id] = (f"năm {r.year}, {r.agency}, tiêu chí {r.criterion}", values)

    def expect(_row_id: int, event: StoredEvent, snapshot: dict[str, Any]) -> dict[str, Any]:
        expected = {"year": event.round_year, **snapshot}
        expected["reason"] = expected.get("reason") or ""
        reset = trail.resets.get((event.round_year, str(snapshot.get("agency"))))
        if reset is not None and reset > event.id:  # "nhập lại, đặt lại điểm thẩm định"
            expected.update(appraised_answer=None, appraised_points=None, reason="", source="form")
        return expected

    fields: tuple[Field, ...] = (("criterion", "tiêu chí", "text", str), *SCORE_FIELDS)
    return _compare("score", "Điểm", rows, trail, fields, expect, "Điểm khớp nhật ký", "scores")


def _receipt_check(conn: Connection, trail: _Trail) -> Check:
    table = ReceiptRow.__table__
    query = (
        select(table, Round.year, Agency.code.label("agency_code"), Attachment.sha256)
        .outerjoin(Round, Round.id == table.c.round_id)
        .outerjoin(Agency, Agency.id == table.c.agency_id)
        .outerjoin(Attachment, Attachment.id == table.c.attachment_id)
    )
    rows = {}
    for r in conn.execute(query):
        values = {
            "year": r.year,
            "agency": r.agency_code,
            "channel": r.channel,
            "sent_date": _iso(r.sent_date),
            "received_date": _iso(r.received_date),
            "doc_number": r.doc_number,
            "valid": bool(r.valid),
            "invalid_reason": r.invalid_reason,
            "note": r.note,
            "attachment": r.sha256,
        }
        rows[r.id] = (f"năm {r.year}, {r.agency_code}, số {r.doc_number or '—'}", values)

    def expect(row_id: int, event: StoredEvent, snapshot: dict[str, Any]) -> dict[str, Any]:
        return {
            "year": event.round_year,
            **snapshot,
            "agency": trail.agency.get(("receipt", row_id), snapshot.get("agency")),
        }

    return _compare(
        "receipt",
        "Lần tiếp nhận",
        rows,
        trail,
        RECEIPT_FIELDS,
        expect,
        "Tiếp nhận phiếu khớp nhật ký",
        "receipts",
    )


def _general_check(conn: Connection, trail: _Trail) -> Check:
    table = GeneralValue.__table__
    query = (
        select(table, Round.year, Agency.code.label("agency_code"))
        .outerjoin(Round, Round.id == table.c.round_id)
        .outerjoin(Agency, Agency.id == table.c.agency_id)
    )
    rows = {}
    for r in conn.execute(query):
        values = {
            "year": r.year,
            "agency": r.agency_code,
            "code": r.code,
            "self": r.self_value,
            "appraised": r.appraised_value,
        }
        rows[r.id] = (f"năm {r.year}, {r.agency_code}, {r.code}", values)

    def expect(_row_id: int, event: StoredEvent, snapshot: dict[str, Any]) -> dict[str, Any]:
        return {"year": event.round_year, **snapshot}

    fields: tuple[Field, ...] = (("code", "mã số liệu", "text", str), *GENERAL_FIELDS)
    return _compare(
        "general_value",
        "Số liệu chung",
        rows,
        trail,
        fields,
        expect,
        "Số liệu chung khớp nhật ký",
        "general",
    )


# the state a round is left in by each event that moves it, when its snapshot does not say
STAGE_DEFAULTS = {
    "round.create": "receiving",
    "round.stage": "receiving",
    "round.finalize": "finalized",
    "round.reopen": "receiving",
}


def _round_check(conn: Connection, events: list[StoredEvent]) -> Check:
    title = "Bước, trạng thái chốt kỳ và quyết định công bố khớp nhật ký"
    state: dict[int, tuple[StoredEvent, dict[str, Any]]] = {}
    decision: dict[int, tuple[StoredEvent, dict[str, Any]]] = {}
    stage: dict[int, tuple[StoredEvent, str]] = {}  # the state the latest move left
    for event in events:
        if event.entity != "round" or event.entity_id is None:
            continue
        snapshot = _loads(event.new_json)
        snapshot = snapshot if isinstance(snapshot, dict) else {}
        if event.action in ("round.finalize", "round.reopen"):
            state[event.entity_id] = (event, snapshot)
        elif event.action == "round.decision":
            decision[event.entity_id] = (event, snapshot)
        if event.action in STAGE_DEFAULTS:
            stage[event.entity_id] = (event, snapshot.get("state") or STAGE_DEFAULTS[event.action])
    findings: list[Finding] = []
    rounds = list(conn.execute(select(Round.__table__).order_by(Round.year)))
    for r in rounds:
        wrong: list[str] = []
        latest = state.get(r.id)
        sequence = latest[0].sequence if latest else None
        if r.kind == "published":
            if r.state != "finalized":
                wrong.append(
                    f"kết quả đã công bố phải ở trạng thái đã chốt, trong dữ liệu là '{r.state}'"
                )
        elif latest is not None and latest[0].action == "round.finalize":
            snapshot = latest[1]
            if r.state != "finalized":
                wrong.append(f"nhật ký ghi đã chốt, trong dữ liệu trạng thái là '{r.state}'")
            if _iso(r.finalized_at) != snapshot.get("finalized_at"):
                wrong.append(
                    f"thời điểm chốt: nhật ký ghi {snapshot.get('finalized_at')}, trong dữ liệu "
                    f"là {_iso(r.finalized_at)}"
                )
            if (r.finalized_by or "") != snapshot.get("finalized_by", ""):
                wrong.append(
                    f"người chốt: nhật ký ghi {snapshot.get('finalized_by')}, trong dữ liệu là "
                    f"{r.finalized_by}"
                )
        elif r.state == "finalized" or r.finalized_at is not None:
            wrong.append(
                "trong dữ liệu kỳ đã chốt, nhưng nhật ký không ghi việc chốt"
                if latest is None
                else "nhật ký ghi kỳ đã được mở lại, trong dữ liệu kỳ vẫn ở trạng thái đã chốt"
            )
        moved = stage.get(r.id)
        if (
            r.kind != "published"
            and moved is not None
            and moved[1] != "finalized"
            and r.state != moved[1]
        ):
            wrong.append(f"nhật ký ghi kỳ ở bước '{moved[1]}', trong dữ liệu là '{r.state}'")
            sequence = sequence or moved[0].sequence
        recorded = decision.get(r.id)
        expected_number = recorded[1].get("number", "") if recorded else ""
        expected_day = recorded[1].get("day") if recorded else None
        if (r.decision_number or "") != (expected_number or ""):
            wrong.append(
                f"số quyết định: nhật ký ghi '{expected_number}', trong dữ liệu là "
                f"'{r.decision_number}'"
            )
        if _iso(r.decision_date) != expected_day:
            wrong.append(
                f"ngày ký quyết định: nhật ký ghi {expected_day or '(trống)'}, trong dữ liệu là "
                f"{_iso(r.decision_date) or '(trống)'}"
            )
        if wrong:
            findings.append(
                Finding(
                    f"Kỳ đánh giá năm {r.year}: " + "; ".join(wrong) + ". Dữ liệu đã bị sửa "
                    "ngoài chương trình.",
                    "round",
                    r.id,
                    recorded[0].sequence if recorded and not sequence else sequence,
                )
            )
    if findings:
        return Check("rounds", title, False, f"{len(findings)} kỳ không khớp.", tuple(findings))
    return Check("rounds", title, True, f"{len(rounds)} kỳ đánh giá khớp.")


def state_checks(conn: Connection, events: list[StoredEvent]) -> list[Check]:
    trail = _Trail(events, {"score", "receipt", "general_value"})
    return [
        _score_check(conn, trail),
        _receipt_check(conn, trail),
        _general_check(conn, trail),
        _round_check(conn, events),
    ]
