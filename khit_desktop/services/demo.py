"""The demo round 2020 (DỮ LIỆU MINH HỌA): invented receipts and scores, every case present,
and the year before, 2019, imported from "published" results (see ``demo_history``), so that
movements in the ranking and the list of published-vs-recomputed differences show.

Deterministic (a seeded generator), so screenshots and tests see the same data each time.
Cases: on time (including a form sent on Sunday 15/11 and one on Monday 16/11, the shifted
deadline), late within the grace period (20/11 and 23/11: −100), very late (24/11: Yếu),
missing, an invalid first receipt followed by a valid one, a corrected form re-sent (the
earliest counts), an exempt unit (Không xếp hạng), two agencies tied, one exactly on 85 %.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain.criteria import Criterion, FormTree, RuleKind
from ..domain.lateness import Channel
from ..store.database import Database
from ..store.models import Meta
from .audit import Actor
from .catalog import initialise
from .receipt_edits import invalidate_receipt
from .receipts import add_receipt, member
from .results import ranking
from .rounds import create_round, get_round
from .scores import open_sheet

DEMO_YEAR = 2020
DEMO_ACTOR = Actor(user="demo", machine="demo")

# agency code → (channel, sent, received, document number suffix); None = nothing received
LATE = {
    "STP": (Channel.EOFFICE, date(2020, 11, 20)),  # 4 days late: −100
    "CL": (Channel.POST, date(2020, 11, 23)),  # grace end moved from Sat 21/11: −100
    "SNGV": (Channel.POST, date(2020, 11, 24)),  # beyond the grace period: Yếu
    "CDKTCN": (Channel.EMAIL, date(2020, 11, 27)),  # beyond the grace period: Yếu
}
MISSING = {"KS", "QDTPT"}
EXEMPT = {
    "BQLDA-GT": "Đơn vị đang kiện toàn tổ chức trong năm 2020; Hội đồng thống nhất "
    "không xếp hạng (dữ liệu minh họa)."
}
SUNDAY_SENDER, MONDAY_SENDER = "SXD", "SCT"
INVALID_FIRST = "SYT"  # first copy unsigned, valid copy sent 19/11: −100
CORRECTED = "NT"  # sent 10/11, corrected copy 18/11: the first counts, on time
TIED = ("SKHDT", "STC")  # identical figures: equal scores, shared rank
STAFF_CROSS_CHECK = "SGTVT"  # Sở Nội vụ's staff count differs: every ratio on CB moves


def build_demo(db: Database, *, progress: Any = None) -> None:
    """Initialise ``db`` and build the demo round; ``db`` must be empty."""
    initialise(db)
    create_round(db, DEMO_YEAR, actor=DEMO_ACTOR, is_demo=True)
    with db.session() as s:
        s.add(Meta(key="demo", value="1"))
        rnd = get_round(s, DEMO_YEAR)
        for code, reason in EXEMPT.items():
            member(s, rnd, code).exempt_reason = reason
        members = sorted(
            (Member(m.agency.code, m.group.number) for m in rnd.members), key=lambda m: m.code
        )
    rng = random.Random(DEMO_YEAR)
    _receipts(db, members, rng)
    senders = [m for m in members if m.code not in MISSING]
    with db.session() as s:
        for index, m in enumerate(senders):
            sheet = open_sheet(s, DEMO_YEAR, m.code, DEMO_ACTOR)
            maturity = _maturity(m, rng)
            local = random.Random(_seed(m))
            general = _general(sheet.tree, local)
            for datum, value in general.items():
                sheet.set_general(datum, Decimal(value))
            figures = _figures(sheet.tree, maturity, local, general)
            for code, answer in figures.items():
                sheet.set_self(code, answer)
            if m.code == STAFF_CROSS_CHECK:
                sheet.set_general(
                    "CB",
                    Decimal(general["CB"] + 12),
                    appraised=True,
                    reason="Số liệu của Sở Nội vụ (Báo cáo số 245/BC-SNV ngày 20/11/2020): "
                    f"tổng số CBCCVC là {general['CB'] + 12}, không phải {general['CB']}.",
                )
            _appraise(sheet, figures, rng)
            sheet.finish()
            if progress is not None:
                progress(index + 1, len(senders))
    _land_on_threshold(db)
    _council_work(db)
    from .demo_history import build_past_year

    build_past_year(db, DEMO_ACTOR, DEMO_YEAR)


ROSTER = (
    ("chair", "Trần Minh Quang", "Phó Giám đốc", "Sở Thông tin và Truyền thông"),
    ("vice_chair", "Lê Thị Hồng Nhung", "Phó Chánh Văn phòng", "Văn phòng UBND tỉnh"),
    ("member", "Phạm Văn Đức", "Phó Giám đốc", "Sở Nội vụ"),
    ("member", "Nguyễn Thị Thu Hà", "Phó Giám đốc", "Sở Giáo dục và Đào tạo"),
    ("member", "Võ Quốc Bảo", "Phó Giám đốc", "Sở Kế hoạch và Đầu tư"),
    ("member", "Đặng Thị Mai", "Phó Giám đốc", "Sở Tài chính"),
    ("lead", "Hoàng Văn Long", "Trưởng phòng Công nghệ thông tin", "Sở Thông tin và Truyền thông"),
    ("clerk", "Bùi Thị Lan", "Chuyên viên", "Sở Thông tin và Truyền thông"),
    ("clerk", "Ngô Đức Tâm", "Chuyên viên", "Sở Thông tin và Truyền thông"),
)


def _council_work(db: Database) -> None:
    """The council and team (invented names), a survey whose findings wait for a clerk, one
    applied, an explanation awaited and one answered, a council decision."""
    from .council import add_member, roster
    from .explanations import record_answer, record_decision, request_explanation
    from .surveys import FindingInput, apply_finding, plan_survey, record_survey, survey_view

    for role, name, position, agency in ROSTER:
        add_member(
            db, DEMO_YEAR, role=role, name=name, position=position, agency=agency, actor=DEMO_ACTOR
        )
    people = {m.name: m.id for m in roster(db, DEMO_YEAR)}
    team = [people["Trần Minh Quang"], people["Hoàng Văn Long"], people["Bùi Thị Lan"]]
    done = plan_survey(
        db,
        DEMO_YEAR,
        "DHKH",
        date(2020, 12, 3),
        member_ids=team,
        criteria=["1.6.1", "1.6.2", "3.8"],
        actor=DEMO_ACTOR,
    )
    record_survey(
        db,
        done,
        visit_date=date(2020, 12, 3),
        today=date(2020, 12, 31),
        actor=DEMO_ACTOR,
        remarks="Đơn vị bố trí phòng máy chủ tại tầng 2 nhà hiệu bộ; hồ sơ đầy đủ.",
        findings=[
            FindingInput(
                "1.6.2",
                "Phòng máy chủ có điều hòa, lưu điện; chưa có hệ thống "
                "chống sét và kiểm soát ra vào.",
                "2 tiêu chuẩn",
                Decimal(4),
            ),
            FindingInput(
                "3.8",
                "Chỉ 2 cơ sở dữ liệu đang khai thác; 1 cơ sở dữ liệu kê khai chưa đưa vào sử dụng.",
                "2 cơ sở dữ liệu",
                Decimal(10),
            ),
        ],
    )
    first = survey_view(db, done).findings[0]
    apply_finding(db, first.id, actor=DEMO_ACTOR)
    plan_survey(
        db,
        DEMO_YEAR,
        "KV",
        date(2020, 12, 8),
        member_ids=team[:2],
        criteria=["1.3", "3.3"],
        actor=DEMO_ACTOR,
    )
    request_explanation(
        db,
        DEMO_YEAR,
        "CR",
        criteria=["3.3", "3.4"],
        letter_number="1520/STTTT-CNTT",
        letter_date=date(2020, 11, 30),
        question="Đề nghị giải trình tỷ lệ hồ sơ trực tuyến cao bất thường "
        "so với số liệu của Văn phòng UBND tỉnh.",
        actor=DEMO_ACTOR,
    )
    answered = request_explanation(
        db,
        DEMO_YEAR,
        "NH",
        criteria=["4.6"],
        letter_number="1521/STTTT-CNTT",
        letter_date=date(2020, 11, 30),
        question="Đề nghị cung cấp báo cáo quyết toán chi CNTT.",
        actor=DEMO_ACTOR,
    )
    record_answer(
        db,
        answered,
        answer="Đã gửi kèm báo cáo quyết toán năm 2020.",
        answer_date=date(2020, 12, 7),
        answer_number="845/UBND-VP",
        actor=DEMO_ACTOR,
    )
    record_decision(
        db,
        DEMO_YEAR,
        "CR",
        "3.4",
        meeting_date=date(2020, 12, 15),
        decision="Hội đồng thống nhất tính theo số liệu của Văn phòng UBND tỉnh.",
        points_value=Decimal(24),
        actor=DEMO_ACTOR,
    )


@dataclass(frozen=True)
class Member:
    code: str
    group: int


def _seed(m: Member) -> int:
    code = TIED[0] if m.code in TIED else m.code
    return sum(ord(ch) * (i + 1) for i, ch in enumerate(code))


def _maturity(m: Member, rng: random.Random) -> float:
    # float is fine here: it only draws invented figures, never a score
    if m.code in TIED:
        return 0.86
    base = {1: 0.78, 2: 0.72, 3: 0.62}[m.group]
    return min(0.99, max(0.3, rng.gauss(base, 0.12)))


def _receipts(db: Database, members: list[Member], rng: random.Random) -> None:
    channels = [Channel.EOFFICE, Channel.EOFFICE, Channel.POST, Channel.EMAIL, Channel.HAND]
    for m in members:
        code = m.code
        if code in MISSING:
            continue
        doc = f"{100 + rng.randrange(900)}/{code}-VP"
        if code in LATE:
            channel, sent = LATE[code]
        elif code == SUNDAY_SENDER:
            channel, sent = Channel.EMAIL, date(2020, 11, 15)
        elif code == MONDAY_SENDER:
            channel, sent = Channel.POST, date(2020, 11, 16)
        elif code == INVALID_FIRST:
            first = add_receipt(
                db,
                DEMO_YEAR,
                code,
                Channel.EMAIL,
                date(2020, 11, 12),
                received_date=date(2020, 11, 12),
                doc_number=doc,
                actor=DEMO_ACTOR,
            )
            invalidate_receipt(
                db,
                first,
                "Phiếu gửi qua thư điện tử chưa có chữ ký số của "
                "thủ trưởng đơn vị; đề nghị gửi lại.",
                actor=DEMO_ACTOR,
            )
            channel, sent = Channel.EOFFICE, date(2020, 11, 19)
        else:
            channel, sent = rng.choice(channels), date(2020, 11, 2) + timedelta(rng.randrange(12))
        received = sent + timedelta(days=rng.randrange(2, 5) if channel is Channel.POST else 0)
        add_receipt(
            db,
            DEMO_YEAR,
            code,
            channel,
            sent,
            received_date=received,
            doc_number=doc,
            actor=DEMO_ACTOR,
        )
        if code == CORRECTED:
            add_receipt(
                db,
                DEMO_YEAR,
                code,
                Channel.EOFFICE,
                sent + timedelta(days=8),
                received_date=sent + timedelta(days=8),
                doc_number=doc + " (bổ sung)",
                actor=DEMO_ACTOR,
            )


def _general(tree: FormTree, rng: random.Random) -> dict[str, int]:
    """Invented general data: staff (CB) and computers (MT), as the sample form asks."""
    staff = rng.randrange(30, 400)
    values = {"CB": staff, "MT": staff + rng.randrange(0, 40)}
    return {g.code: values.get(g.code, rng.randrange(1, 50)) for g in tree.general}


def _figures(
    tree: FormTree, m: float, rng: random.Random, general: dict[str, int]
) -> dict[str, dict[str, Any]]:
    return {leaf.code: _answer(leaf, m, rng, general) for leaf in tree.leaves()}


def _answer(
    leaf: Criterion, m: float, rng: random.Random, general: dict[str, int]
) -> dict[str, Any]:
    rule = leaf.rule
    assert rule is not None
    share = min(1.0, max(0.0, rng.gauss(m, 0.1)))
    match rule.kind:
        case RuleKind.TYPED:
            return {
                "points": str(
                    (leaf.max_points * Decimal(round(share * 4)) / 4).quantize(Decimal("0.01"))
                )
            }
        case RuleKind.YES_NO:
            return {"yes": rng.random() < m + 0.1}
        case RuleKind.OPTIONS:
            ordered = sorted(rule.options, key=lambda o: o.points, reverse=True)
            index = min(len(ordered) - 1, int((1 - share) * len(ordered)))
            return {"option": ordered[index].label}
        case RuleKind.RATIO:
            if rule.denominator:  # b is the agency's general datum
                return {"numerator": str(round(general[rule.denominator] * share))}
            total = rng.randrange(30, 400)
            return {"numerator": str(round(total * share)), "denominator": str(total)}
        case RuleKind.TIERS:
            top = max(t.minimum for t in rule.tiers)
            return {"value": str(round(float(top) * 1.2 * share))}
        case RuleKind.NORMALISED:
            return {"value": f"{2 + 18 * share:.2f}"}
        case RuleKind.PER_ITEM:
            cap = int(leaf.max_points / (rule.per_item or 1))
            return {"count": round(cap * share)}
        case RuleKind.DEDUCTION:
            return {"count": 0 if rng.random() < m else rng.randrange(1, 3)}
    raise AssertionError(rule.kind)  # pragma: no cover


ADJUSTMENTS = {
    RuleKind.RATIO: "Đối chiếu số liệu của {verifier}: tử số thực tế thấp hơn số đơn vị báo cáo.",
    RuleKind.YES_NO: "Không có tài liệu kiểm chứng ({evidence}); không tính điểm.",
    RuleKind.PER_ITEM: "Khảo sát thực tế: chỉ xác nhận được một phần số mục đơn vị kê khai.",
}


def _appraise(sheet: Any, figures: dict[str, dict[str, Any]], rng: random.Random) -> None:
    code = sheet.member.agency.code
    if code in TIED or rng.random() > 0.45:
        return
    candidates = [
        leaf
        for leaf in sheet.tree.leaves()
        if leaf.rule.kind in ADJUSTMENTS and _adjustable(leaf, figures[leaf.code])
    ]
    for leaf in rng.sample(candidates, k=min(len(candidates), rng.randrange(1, 4))):
        answer = dict(figures[leaf.code])
        kind = leaf.rule.kind
        if kind is RuleKind.RATIO:
            answer["numerator"] = str(int(int(answer["numerator"]) * 0.8))
        elif kind is RuleKind.YES_NO:
            answer["yes"] = False
        else:
            answer["count"] = max(0, int(answer["count"]) - 2)
        reason = ADJUSTMENTS[kind].format(
            verifier=leaf.verifier or "cơ quan chuyên môn", evidence=leaf.evidence or "hồ sơ"
        )
        source = "survey" if kind is RuleKind.PER_ITEM else "cross_check"
        sheet.set_appraised(leaf.code, answer=answer, reason=reason, source=source)


def _adjustable(leaf: Criterion, answer: dict[str, Any]) -> bool:
    kind = leaf.rule.kind if leaf.rule else None
    if kind is RuleKind.RATIO:
        return int(answer["numerator"]) >= 5
    if kind is RuleKind.YES_NO:
        return bool(answer["yes"])
    return kind is RuleKind.PER_ITEM and int(answer["count"]) >= 2


def _land_on_threshold(db: Database) -> None:
    """Appraise the typed criterion 1.8 of one agency so its total is exactly 850,00 of
    1.000: the threshold of Tốt, reached by summing decimals (Điều 8.1)."""
    target = Decimal("850.00")
    for row in ranking(db, DEMO_YEAR):
        if row.status.value != "on_time" or row.agency_code in TIED or row.group != 1:
            continue
        with db.session() as s:
            sheet = open_sheet(s, DEMO_YEAR, row.agency_code, DEMO_ACTOR)
            wanted = _leaf_points(sheet, "1.8") + target - (row.appraised_total or Decimal(0))
            if Decimal(0) <= wanted <= sheet.tree.get("1.8").max_points:
                sheet.set_appraised(
                    "1.8",
                    points_value=wanted,
                    source="cross_check",
                    reason="Chấm lại mức sẵn sàng IPv6 theo kết quả kiểm tra của Sở TT&TT.",
                )
                return


def _leaf_points(sheet: Any, code: str) -> Decimal:
    row = sheet.rows[sheet.ids[code]]
    if row.appraised_points is not None:
        return Decimal(row.appraised_points)
    return Decimal(row.self_points or 0)


def _template_key() -> str:
    """Changes whenever what the demo holds could change: program, schema, seed files."""
    import hashlib

    from .. import __version__
    from ..paths import resources_dir
    from ..store.database import SCHEMA_HEAD
    from .catalog import SEED_AGENCIES_FILE
    from .forms import SAMPLE_FORM_FILE

    here = Path(__file__).parent
    digest = hashlib.sha256(f"{__version__}|{SCHEMA_HEAD}".encode())
    sources = (
        Path(__file__),
        here / "demo_history.py",
        here / "history.py",
        here.parent / "exchange" / "history_sheet_write.py",
    )
    # a frozen build (the installer) carries byte code only: its version names its code
    code = () if getattr(sys, "frozen", False) else sources
    for path in (*code, resources_dir() / SEED_AGENCIES_FILE, resources_dir() / SAMPLE_FORM_FILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def demo_database(target: Path) -> Database:
    """A new demo database at ``target``: a copy of a cached, fully built demo (built once per
    program version in the data folder's cache), so ``khit-desktop --demo`` starts fast."""
    import shutil
    import tempfile

    from ..paths import data_dir
    from ..store.database import open_database

    cache = data_dir() / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    template = cache / f"minh-hoa-{_template_key()}.db"
    if not template.exists():
        with tempfile.TemporaryDirectory(dir=cache) as scratch:
            building = Path(scratch) / "building.db"
            db = open_database(building)
            try:
                build_demo(db)
            finally:
                db.dispose()  # checkpoints the WAL: the single file is complete
            building.replace(template)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return open_database(target)
