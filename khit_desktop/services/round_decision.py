"""The chairman's decision a round's annex is attached to: its number, signing date, issuing
authority and signer. Blank until the decision is numbered at signing; the annex prints the
reference line dotted until then."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from ..domain.collation import nfc
from ..domain.dates import format_date
from ..store.database import Database
from ..store.models import Round
from .audit import Actor, record
from .errors import InputRefused
from .permissions import Permission
from .rounds import ensure_round_open, get_round

DEFAULT_AUTHORITY = "Chủ tịch Ủy ban nhân dân tỉnh Khánh Hòa"
# "3456", "3456/QĐ-UBND", "12/QĐ-CTUBND": a number, then optionally the document's symbol
_NUMBER = re.compile(r"^\d{1,6}(/[0-9A-ZĐ][0-9A-ZĐ.\-]{0,30})?$")


@dataclass(frozen=True)
class DecisionInfo:
    number: str = ""
    day: date | None = None
    authority: str = DEFAULT_AUTHORITY
    signer: str = ""

    @property
    def is_set(self) -> bool:
        return bool(self.number and self.day)


def _stored(rnd: Round) -> DecisionInfo:
    return DecisionInfo(
        rnd.decision_number or "",
        rnd.decision_date,
        rnd.signer_title or DEFAULT_AUTHORITY,
        rnd.signer_name or "",
    )


def decision_info(db: Database, year: int) -> DecisionInfo:
    with db.session() as s:
        rnd = get_round(s, year)
        return _stored(rnd)


def check_decision(year: int, info: DecisionInfo) -> DecisionInfo:
    """The cleaned settings (NFC, trimmed, the symbol in capitals), or InputRefused."""
    number = re.sub(r"\s+", "", nfc(info.number)).upper()
    authority = " ".join(nfc(info.authority).split())
    signer = " ".join(nfc(info.signer).split())
    if number and not _NUMBER.match(number):
        raise InputRefused(
            f"Số quyết định '{info.number.strip()}' không đúng dạng. Ghi số, có thể kèm ký hiệu: "
            "3456 hoặc 3456/QĐ-UBND."
        )
    if info.day is not None and not (year <= info.day.year <= year + 1):
        raise InputRefused(
            f"Ngày ký {format_date(info.day)} không hợp lý cho kỳ đánh giá năm {year} "
            f"(quyết định công bố ký trong năm {year} hoặc năm {year + 1})."
        )
    if not authority:
        raise InputRefused(
            f"Cần ghi cơ quan, chức danh ban hành quyết định (ví dụ: {DEFAULT_AUTHORITY})."
        )
    if len(authority) > 120 or len(signer) > 200 or len(number) > 60:
        raise InputRefused("Thông tin quyết định quá dài.")
    return DecisionInfo(number, info.day, authority, signer)


def set_decision(
    db: Database,
    year: int,
    info: DecisionInfo,
    *,
    reason: str = "",
    actor: Actor | None = None,
) -> bool:
    """Store the decision's settings on the round; False when nothing changed. Changing a
    number or date already stored is a correction and needs a reason (it is audited)."""
    actor = actor or Actor()
    actor.require(Permission.SET_DECISION)
    clean = check_decision(year, info)
    reason = nfc(reason).strip()
    with db.session() as s:
        rnd = get_round(s, year)
        ensure_round_open(rnd)
        old = _stored(rnd)
        if old == clean:
            return False
        corrected = (old.number and old.number != clean.number) or (
            old.day is not None and old.day != clean.day
        )
        if corrected and not reason:
            raise InputRefused(
                "Số hoặc ngày của quyết định đã được ghi trước đó; cần ghi lý do sửa."
            )
        rnd.decision_number = clean.number
        rnd.decision_date = clean.day
        rnd.signer_title = clean.authority
        rnd.signer_name = clean.signer
        s.flush()
        record(
            s,
            actor,
            "round.decision",
            "round",
            rnd.id,
            year=year,
            old=asdict(old),
            new=asdict(clean),
            reason=reason,
        )
        return True
