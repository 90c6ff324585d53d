"""A synthetic round for the benchmarks: many agencies, every one scored and appraised.

    from synthetic_round import build_synthetic_round
    summary = build_synthetic_round(db, 2000)

Built through the services, as a clerk's work would be: ``catalog.initialise`` (the 37 seed
agencies), the made-up agencies added as ``Agency`` rows (as ``bench_import`` does: there is
no agency service yet), ``rounds.create_round``, one ``receipts.add_receipt`` per agency,
then one ``ScoreSheet`` per agency: both general data, the agency's own figure for every
leaf (``set_self``) and appraised points for every leaf with a reason (``set_appraised``),
each change audited as the program audits it.

Deterministic (a seeded generator): names with Vietnamese diacritics, one in eight long
enough to wrap in the annex's name column, spread over the 3 groups (about 25 %, 35 %,
40 %); most forms on time, some late within the grace period (−100), a few very late (Yếu).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from khit_desktop.domain.criteria import Criterion, FormTree, RuleKind
from khit_desktop.domain.lateness import Channel
from khit_desktop.domain.rules import RoundRules
from khit_desktop.services.audit import Actor
from khit_desktop.services.catalog import initialise, read_agency_file
from khit_desktop.services.receipts import add_receipt
from khit_desktop.services.rounds import create_round
from khit_desktop.services.scores import open_sheet
from khit_desktop.store.database import Database
from khit_desktop.store.models import Agency

SYNTHETIC_YEAR = 2021
SEED = 2021
ACTOR = Actor(user="bench", machine="bench")
CENT = Decimal("0.01")

PLACES = (
    "Nha Trang", "Cam Ranh", "Ninh Hòa", "Vạn Ninh", "Diên Khánh", "Khánh Vĩnh", "Khánh Sơn",
    "Cam Lâm", "Trường Sa", "Vĩnh Hải", "Phước Long", "Lộc Thọ", "Xương Huân", "Ninh Thủy",
    "Cam Đức", "Suối Tiên", "Đại Lãnh", "Vạn Giã", "Ninh Diêm", "Phước Đồng", "Vĩnh Lương",
    "Sơn Thái", "Ba Cụm Bắc", "Cam Nghĩa", "Ninh Xuân", "Diên Phú", "Khánh Bình", "Ngọc Hiệp",
)  # fmt: skip
KINDS = {  # group → kinds of unit, as their names start
    1: ("Sở Tài nguyên và Môi trường", "Ban Quản lý dự án", "Chi cục Thủy lợi",
        "Chi cục Kiểm lâm", "Thanh tra", "Ban Dân tộc", "Chi cục Thú y", "Sở Ngoại vụ"),
    2: ("UBND huyện", "UBND thị xã", "UBND thành phố", "UBND xã", "UBND phường",
        "UBND thị trấn"),
    3: ("Trung tâm Y tế", "Bệnh viện Đa khoa", "Trường Trung học phổ thông",
        "Trung tâm Dịch vụ nông nghiệp", "Đài Truyền thanh - Truyền hình",
        "Trung tâm Văn hóa - Thể thao", "Trường Cao đẳng Kỹ thuật", "Ban Quản lý chợ"),
}  # fmt: skip
LONG_TAILS = (
    "trực thuộc Sở Thông tin và Truyền thông, phụ trách hạ tầng số và chuyển đổi số khu vực "
    "phía Bắc tỉnh Khánh Hòa",
    "và Trung tâm Ứng dụng khoa học kỹ thuật, đo lường, thử nghiệm chất lượng sản phẩm, hàng hóa",
    "(hợp nhất từ Ban Quản lý các dự án đầu tư xây dựng công trình dân dụng và công nghiệp)",
)
GROUP_SHARES = (0.25, 0.35, 0.40)


@dataclass(frozen=True)
class SyntheticSummary:
    """What was built: the round's year and size, scores written, receipts by kind."""

    year: int
    agencies: int
    per_group: dict[int, int]
    scores: int
    late: int
    very_late: int


def synthetic_agencies(count: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """(code, name, group) of ``count`` made-up units; names unique, one in eight long."""
    rows: list[tuple[str, str, int]] = []
    used: set[str] = set()
    for index in range(count):
        group = rng.choices((1, 2, 3), weights=GROUP_SHARES)[0]
        base = f"{rng.choice(KINDS[group])} {rng.choice(PLACES)}"
        name, number = base, 1
        while name in used:
            number += 1
            name = f"{base} số {number}"
        used.add(name)
        if rng.random() < 0.125:
            name = f"{name} {rng.choice(LONG_TAILS)}"
        rows.append((f"TH-{index + 1:04d}", name, group))
    return rows


def _answer(leaf: Criterion, share: float, rng: random.Random, staff: int) -> dict[str, Any]:
    """A plausible figure of an agency whose maturity is about ``share`` (0..1)."""
    rule = leaf.rule
    assert rule is not None
    share = min(1.0, max(0.0, rng.gauss(share, 0.1)))
    match rule.kind:
        case RuleKind.TYPED:
            return {"points": str((leaf.max_points * Decimal(share)).quantize(CENT))}
        case RuleKind.YES_NO:
            return {"yes": rng.random() < share + 0.1}
        case RuleKind.OPTIONS:
            ordered = sorted(rule.options, key=lambda o: o.points, reverse=True)
            return {"option": ordered[min(len(ordered) - 1, int((1 - share) * len(ordered)))].label}
        case RuleKind.RATIO if rule.denominator:  # b is a general datum (CB or MT)
            return {"numerator": str(round(staff * share))}
        case RuleKind.RATIO:
            total = rng.randrange(30, 400)
            return {"numerator": str(round(total * share)), "denominator": str(total)}
        case RuleKind.TIERS:
            top = max(t.minimum for t in rule.tiers)
            return {"value": str(round(float(top) * 1.2 * share))}
        case RuleKind.NORMALISED:
            return {"value": f"{2 + 18 * share:.2f}"}
        case RuleKind.PER_ITEM:
            return {"count": round(int(leaf.max_points / (rule.per_item or 1)) * share)}
        case RuleKind.DEDUCTION:
            return {"count": 0 if rng.random() < share else rng.randrange(1, 3)}
    raise AssertionError(rule.kind)


def _appraised(leaf: Criterion, share: float, rng: random.Random) -> Decimal:
    """Appraised points of a leaf: about ``share`` of its maximum, in quarters."""
    quarters = round(min(1.0, max(0.0, rng.gauss(share, 0.12))) * 4)
    return (leaf.max_points * Decimal(quarters) / 4).quantize(CENT)


def _sent_date(rules: RoundRules, rng: random.Random) -> tuple[date, str]:
    """(sent date, kind): on time mostly, late within the grace period, or very late."""
    draw = rng.random()
    if draw < 0.05:
        return rules.deadline + timedelta(days=rng.randrange(2, rules.grace_days)), "late"
    if draw < 0.07:
        return rules.deadline + timedelta(days=rules.grace_days + rng.randrange(5, 15)), "very"
    return rules.deadline - timedelta(days=rng.randrange(1, 20)), "on_time"


def _score(db: Database, year: int, code: str, rng: random.Random) -> int:
    """Every leaf of one agency: its own figure and the appraised points; returns leaves."""
    with db.session() as s:
        sheet = open_sheet(s, year, code, ACTOR)
        tree: FormTree = sheet.tree
        share = min(0.98, max(0.3, rng.gauss(0.72, 0.14)))
        staff = rng.randrange(30, 600)
        sheet.set_general("CB", Decimal(staff))
        sheet.set_general("MT", Decimal(staff + rng.randrange(0, 60)))
        leaves = list(tree.leaves())
        for leaf in leaves:
            sheet.set_self(leaf.code, _answer(leaf, share, rng, staff))
        for leaf in leaves:
            sheet.set_appraised(
                leaf.code,
                points_value=_appraised(leaf, share, rng),
                reason="Đối chiếu hồ sơ kiểm chứng và số liệu của cơ quan chuyên môn.",
            )
        sheet.finish()
        return len(leaves)


def build_synthetic_round(
    db: Database,
    count: int = 2000,
    *,
    year: int = SYNTHETIC_YEAR,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
) -> SyntheticSummary:
    """Fill the empty ``db`` with a round of ``count`` agencies (the 37 seed agencies among
    them), each with a receipt and every criterion scored and appraised."""
    from khit_desktop.paths import resources_dir
    from khit_desktop.services.catalog import SEED_AGENCIES_FILE

    rng = random.Random(seed)
    initialise(db)
    seeded = read_agency_file(resources_dir() / SEED_AGENCIES_FILE)
    made_up = synthetic_agencies(max(0, count - len(seeded)), rng)
    with db.session() as s:
        for code, name, group in made_up:
            s.add(Agency(code=code, name=name, default_group=group, active=True, note=""))
    create_round(db, year, actor=ACTOR)
    rules = RoundRules.defaults(year)
    closing = date(year, 12, 31)
    everyone = [(code, group) for code, _, group in seeded + made_up]
    channels = (Channel.EOFFICE, Channel.EOFFICE, Channel.POST, Channel.EMAIL, Channel.HAND)
    late = very = scores = 0
    per_group: dict[int, int] = {}
    for index, (code, group) in enumerate(everyone):
        per_group[group] = per_group.get(group, 0) + 1
        sent, kind = _sent_date(rules, rng)
        late += kind == "late"
        very += kind == "very"
        channel = rng.choice(channels)
        received = sent + timedelta(days=rng.randrange(1, 4) if channel is Channel.POST else 0)
        add_receipt(
            db,
            year,
            code,
            channel,
            sent,
            received_date=received,
            doc_number=f"{100 + index}/{code}-VP",
            actor=ACTOR,
            today=closing,
        )
        scores += _score(db, year, code, rng)
        if progress is not None:
            progress(index + 1, len(everyone))
    return SyntheticSummary(
        year, len(everyone), dict(sorted(per_group.items())), scores, late, very
    )
