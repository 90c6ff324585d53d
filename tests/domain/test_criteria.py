"""The criteria tree, the eight scoring rules and form files (criteria.py, form_spec.py)."""

from __future__ import annotations

import json
import math
import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from khit_desktop.domain.criteria import (
    ANSWER_KEYS,
    Criterion,
    FormTree,
    Option,
    Rule,
    RuleKind,
    ScoringError,
    Tier,
    group_bests,
    score_leaf,
    tree_totals,
)
from khit_desktop.domain.form_spec import (
    FormSpecError,
    criterion_to_json,
    form_from_json,
)

SAMPLE_FORM = (
    Path(__file__).resolve().parents[2] / "resources" / "criteria" / "bo-tieu-chi-mau.json"
)

D = Decimal


def leaf(kind: RuleKind, maximum: str | int = 30, code: str = "1.1", **params: Any) -> Criterion:
    return Criterion(code=code, title="Tiêu chí", max_points=D(maximum), rule=Rule(kind, **params))


def cents(n: int) -> Decimal:
    return Decimal(n).scaleb(-2)


def half_up_exact(value: Fraction) -> Decimal:
    """Exact value rounded half up to 2 decimals, computed with fractions (an oracle)."""
    hundredths = value * 100
    sign = -1 if hundredths < 0 else 1
    rounded = math.floor(abs(hundredths) + Fraction(1, 2))
    return cents(sign * rounded)


def is_two_dp(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


def load_sample() -> FormTree:
    data = json.loads(SAMPLE_FORM.read_text(encoding="utf-8"))
    return form_from_json(data["criteria"], data.get("general", ()))


# --- TYPED --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("0", "0.00"), ("30", "30.00"), ("12.5", "12.50"), (D("29.99"), "29.99"), (7, "7.00")],
)
def test_typed_accepts_0_to_max(typed: Any, expected: str) -> None:
    result = score_leaf(leaf(RuleKind.TYPED), {"points": typed})
    assert result == D(expected)
    assert is_two_dp(result)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "ngoài khoảng 0 đến 30"),
        ("30.01", "ngoài khoảng 0 đến 30"),
        ("1.234", "tối đa 2 chữ số thập phân"),
        ("abc", "không phải là số"),
        ("12,5", "không phải là số"),  # answers are machine numbers; parse_decimal reads text
        (1.5, "số thập phân chính xác"),
        (True, "số thập phân chính xác"),
        ("NaN", "không phải là số"),
    ],
)
def test_typed_refuses(typed: Any, message: str) -> None:
    with pytest.raises(ScoringError, match=message) as info:
        score_leaf(leaf(RuleKind.TYPED), {"points": typed})
    assert info.value.code == "1.1"
    assert str(info.value).startswith("Tiêu chí 1.1: ")


# --- YES_NO -------------------------------------------------------------------------------------


def test_yes_no() -> None:
    c = leaf(RuleKind.YES_NO, 20)
    assert score_leaf(c, {"yes": True}) == D("20.00")
    assert score_leaf(c, {"yes": False}) == D("0.00")
    for wrong in ("yes", 1, None, "có"):
        with pytest.raises(ScoringError, match="có hoặc không"):
            score_leaf(c, {"yes": wrong})


# --- OPTIONS ------------------------------------------------------------------------------------

OPTIONS = (Option("Đầy đủ", D(30)), Option("Một phần", D(10)), Option("Không có", D(0)))


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [("Đầy đủ", "30.00"), ("đầy đủ", "30.00"), ("ĐẦY ĐỦ", "30.00"), (" Một phần ", "10.00")],
)
def test_options_case_insensitive(chosen: str, expected: str) -> None:
    c = leaf(RuleKind.OPTIONS, options=OPTIONS)
    assert score_leaf(c, {"option": chosen}) == D(expected)


def test_options_unknown_label_refused() -> None:
    c = leaf(RuleKind.OPTIONS, options=OPTIONS)
    with pytest.raises(ScoringError, match="không có trong danh sách") as info:
        score_leaf(c, {"option": "Gần đủ"})
    assert "Đầy đủ, Một phần, Không có" in info.value.message


# --- RATIO --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "maximum", "expected"),
    [
        (15, 30, 30, "15.00"),
        (1, 3, 20, "6.67"),
        (2, 3, 20, "13.33"),
        (1, 8, 20, "2.50"),
        (1, 200, 1, "0.01"),  # 0.005 → 0.01, half up
        (0, 7, 30, "0.00"),
        (7, 7, 30, "30.00"),
        ("45.5", "91", 40, "20.00"),
    ],
)
def test_ratio(a: Any, b: Any, maximum: int, expected: str) -> None:
    result = score_leaf(leaf(RuleKind.RATIO, maximum), {"numerator": a, "denominator": b})
    assert result == D(expected)
    assert is_two_dp(result)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (1, 0, "mẫu số bằng 0"),
        (0, 0, "mẫu số bằng 0"),
        (31, 30, "lớn hơn 1"),
        (-1, 30, "không được âm"),
        (1, -30, "không được âm"),
        ("x", 30, "Tử số 'x' không phải là số"),
        (1, "y", "Mẫu số 'y' không phải là số"),
    ],
)
def test_ratio_refuses(a: Any, b: Any, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        score_leaf(leaf(RuleKind.RATIO), {"numerator": a, "denominator": b})


def test_ratio_missing_figure() -> None:
    with pytest.raises(ScoringError, match="thiếu số liệu 'denominator'"):
        score_leaf(leaf(RuleKind.RATIO), {"numerator": 1})


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(1, 48, "0.63"), (7, 48, "4.38"), (13, 48, "8.13")],
)
def test_ratio_exact_half_rounds_up(a: int, b: int, expected: str) -> None:
    # Criterion 1.1 of the sample form: staff with a computer / all staff × 30.
    c = leaf(RuleKind.RATIO, 30)
    assert score_leaf(c, {"numerator": a, "denominator": b}) == D(expected)


def test_normalised_exact_half_rounds_up() -> None:
    c = leaf(RuleKind.NORMALISED, 30)
    assert score_leaf(c, {"value": 1}, best=D(48)) == D("0.63")


fractions_0_to_1 = st.integers(min_value=1, max_value=5000).flatmap(
    lambda b: st.tuples(st.integers(min_value=0, max_value=b), st.just(b))
)


@given(fractions_0_to_1, st.sampled_from([10, 15, 20, 25, 30, 40, 50, 60]))
@example(ratio=(1, 48), maximum=30)  # 1/48 × 30 = 0.625 exactly → must be 0.63
def test_ratio_matches_exact_arithmetic(ratio: tuple[int, int], maximum: int) -> None:
    a, b = ratio
    result = score_leaf(leaf(RuleKind.RATIO, maximum), {"numerator": a, "denominator": b})
    assert result == half_up_exact(Fraction(a, b) * maximum)


@given(
    st.integers(min_value=1, max_value=10_000),
    st.data(),
    st.sampled_from(["10", "20", "30", "40", "50", "12.5"]),
)
def test_ratio_is_monotonic_in_the_numerator(b: int, data: st.DataObject, maximum: str) -> None:
    a1 = data.draw(st.integers(min_value=0, max_value=b))
    a2 = data.draw(st.integers(min_value=a1, max_value=b))
    c = leaf(RuleKind.RATIO, maximum)
    p1 = score_leaf(c, {"numerator": a1, "denominator": b})
    p2 = score_leaf(c, {"numerator": a2, "denominator": b})
    assert D(0) <= p1 <= p2 <= D(maximum)
    # within a cent of the exact value, whatever the rounding of the intermediate
    assert abs(Fraction(p1) - Fraction(a1, b) * Fraction(maximum)) <= Fraction(1, 200)


# --- TIERS --------------------------------------------------------------------------------------

TIERS = (Tier(D(80), D(30)), Tier(D(60), D(20)), Tier(D(40), D(10)), Tier(D(20), D(5)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100", "30.00"),
        ("80", "30.00"),
        ("79.99", "20.00"),
        ("60", "20.00"),
        ("40", "10.00"),
        ("20", "5.00"),
        ("19.99", "0.00"),  # below every tier
        ("0", "0.00"),
    ],
)
def test_tiers_highest_reached(value: str, expected: str) -> None:
    c = leaf(RuleKind.TIERS, tiers=TIERS)
    assert score_leaf(c, {"value": value}) == D(expected)
    shuffled = list(TIERS)
    random.Random(7).shuffle(shuffled)
    assert score_leaf(leaf(RuleKind.TIERS, tiers=tuple(shuffled)), {"value": value}) == D(expected)


def test_tiers_refuse_negative() -> None:
    with pytest.raises(ScoringError, match="không được âm"):
        score_leaf(leaf(RuleKind.TIERS, tiers=TIERS), {"value": "-1"})


def test_tiers_highest_minimum_applies_for_decreasing_tiers() -> None:
    incidents = (Tier(D(0), D(20)), Tier(D(1), D(10)), Tier(D(3), D(0)))
    c = leaf(RuleKind.TIERS, 20, tiers=incidents)
    assert score_leaf(c, {"value": 0}) == D("20.00")
    assert score_leaf(c, {"value": 1}) == D("10.00")
    assert score_leaf(c, {"value": 3}) == D("0.00")


# --- NORMALISED ---------------------------------------------------------------------------------


def test_normalised() -> None:
    c = leaf(RuleKind.NORMALISED, 40)
    assert score_leaf(c, {"value": 50}, best=D(200)) == D("10.00")
    assert score_leaf(c, {"value": 200}, best=D(200)) == D("40.00")
    assert score_leaf(c, {"value": 1}, best=D(3)) == D("13.33")
    assert score_leaf(c, {"value": 0}, best=D(0)) == D("0.00")  # nobody has any: 0, no error


def test_normalised_refuses() -> None:
    c = leaf(RuleKind.NORMALISED, 40)
    with pytest.raises(ScoringError, match="thiếu giá trị cao nhất"):
        score_leaf(c, {"value": 5})
    with pytest.raises(ScoringError, match="thiếu giá trị cao nhất"):
        score_leaf(c, {"value": 5}, best=D(4))  # best is stale: below this agency's value
    with pytest.raises(ScoringError, match="không được âm"):
        score_leaf(c, {"value": -1}, best=D(4))


def test_group_bests() -> None:
    form = load_sample()
    answers = {
        "A": {"1.4": {"value": "2.5"}, "4.6": {"value": 3}},
        "B": {"1.4": {"value": "10"}},
        "C": {"1.1": {"numerator": 1, "denominator": 2}},
    }
    bests = group_bests(form, answers)
    assert bests == {"1.4": D(10), "4.6": D(3)}
    assert group_bests(form, {}) == {"1.4": D(0), "4.6": D(0)}
    with pytest.raises(ScoringError):
        group_bests(form, {"A": {"1.4": {"value": "abc"}}})


# --- PER_ITEM -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0.00"), (3, "6.00"), ("5", "10.00"), (6, "10.00"), (100, "10.00"), ("3.0", "6.00")],
)
def test_per_item_capped(count: Any, expected: str) -> None:
    c = leaf(RuleKind.PER_ITEM, 10, per_item=D(2))
    assert score_leaf(c, {"count": count}) == D(expected)


@pytest.mark.parametrize(
    ("count", "message"),
    [("2.5", "số nguyên"), (-1, "không được âm"), ("ba", "không phải là số"), (2.0, "chính xác")],
)
def test_per_item_refuses(count: Any, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        score_leaf(leaf(RuleKind.PER_ITEM, 10, per_item=D(2)), {"count": count})


# --- DEDUCTION ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "20.00"), (1, "10.00"), (2, "0.00"), (3, "0.00"), (50, "0.00")]
)
def test_deduction_floor_zero(count: int, expected: str) -> None:
    c = leaf(RuleKind.DEDUCTION, 20, per_item=D(10))
    assert score_leaf(c, {"count": count}) == D(expected)


def test_deduction_refuses() -> None:
    c = leaf(RuleKind.DEDUCTION, 20, per_item=D(10))
    with pytest.raises(ScoringError, match="không được âm"):
        score_leaf(c, {"count": -1})
    with pytest.raises(ScoringError, match="số nguyên"):
        score_leaf(c, {"count": "1.5"})


# --- general ------------------------------------------------------------------------------------


def test_parent_cannot_be_scored_as_a_leaf() -> None:
    parent = Criterion("1", "Lĩnh vực", D(30), children=(leaf(RuleKind.YES_NO, 30),))
    with pytest.raises(ScoringError, match="tiêu chí cha"):
        score_leaf(parent, {})


@pytest.mark.parametrize("kind", list(RuleKind))
def test_missing_answer_is_a_scoring_error(kind: RuleKind) -> None:
    c = leaf(kind, 20, options=OPTIONS[1:], tiers=TIERS[1:], per_item=D(5))
    with pytest.raises(ScoringError, match="thiếu số liệu"):
        score_leaf(c, {}, best=D(10))
    assert ANSWER_KEYS[kind]


def test_rule_describe_and_json_round_trip() -> None:
    rules = [
        Rule(RuleKind.TYPED),
        Rule(RuleKind.YES_NO),
        Rule(RuleKind.OPTIONS, options=OPTIONS),
        Rule(RuleKind.RATIO),
        Rule(RuleKind.TIERS, tiers=TIERS),
        Rule(RuleKind.NORMALISED),
        Rule(RuleKind.PER_ITEM, per_item=D(2)),
        Rule(RuleKind.DEDUCTION, per_item=D("2.5")),
    ]
    for rule in rules:
        assert Rule.from_json(rule.to_json()) == rule
        assert rule.describe(D(30))
    assert Rule(RuleKind.RATIO).describe(D(30)) == "Tỷ lệ a/b × 30"
    assert Rule(RuleKind.TIERS, tiers=TIERS).describe(D(30)).startswith("Bậc: ≥ 80 → 30")


# --- strategies for valid leaves with valid answers ---------------------------------------------

maxima = st.integers(min_value=1, max_value=100_000).map(cents)


@st.composite
def leaf_and_answer(draw: st.DrawFn) -> tuple[Criterion, dict[str, Any], Decimal | None]:
    kind = draw(st.sampled_from(list(RuleKind)))
    maximum = draw(maxima)
    upto_max = st.integers(min_value=0, max_value=int(maximum * 100)).map(cents)
    best = None
    if kind is RuleKind.TYPED:
        return leaf(kind, maximum), {"points": draw(upto_max)}, None
    if kind is RuleKind.YES_NO:
        return leaf(kind, maximum), {"yes": draw(st.booleans())}, None
    if kind is RuleKind.OPTIONS:
        opts = draw(st.lists(upto_max, min_size=1, max_size=5))
        options = tuple(Option(f"Phương án {i}", p) for i, p in enumerate(opts))
        chosen = draw(st.sampled_from(options)).label
        return leaf(kind, maximum, options=options), {"option": chosen}, None
    if kind is RuleKind.RATIO:
        b = draw(st.integers(min_value=1, max_value=10**6))
        a = draw(st.integers(min_value=0, max_value=b))
        return leaf(kind, maximum), {"numerator": a, "denominator": b}, None
    if kind is RuleKind.TIERS:
        mins = draw(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=5))
        tiers = tuple(Tier(D(m), draw(upto_max)) for m in mins)
        value = draw(st.integers(min_value=0, max_value=1200))
        return leaf(kind, maximum, tiers=tiers), {"value": value}, None
    if kind is RuleKind.NORMALISED:
        best = D(draw(st.integers(min_value=0, max_value=10**6)))
        value = draw(st.integers(min_value=0, max_value=int(best)))
        return leaf(kind, maximum), {"value": value}, best
    per_item = draw(st.integers(min_value=1, max_value=100_000).map(cents))
    count = draw(st.integers(min_value=0, max_value=10_000))
    return leaf(kind, maximum, per_item=per_item), {"count": count}, None


@given(leaf_and_answer())
def test_every_leaf_scores_within_0_and_max_with_two_decimals(
    case: tuple[Criterion, dict[str, Any], Decimal | None],
) -> None:
    criterion, answer, best = case
    result = score_leaf(criterion, answer, best)
    assert D(0) <= result <= criterion.max_points
    assert is_two_dp(result)


# --- the tree -----------------------------------------------------------------------------------


def small_form(gate: str | None = None) -> FormTree:
    room = Criterion(
        "1.2",
        "Phòng máy chủ",
        D(30),
        children=(
            leaf(RuleKind.YES_NO, 20, code="1.2.1"),
            leaf(RuleKind.PER_ITEM, 20, code="1.2.2", per_item=D(2)),
        ),
        gate=gate,
    )
    area1 = Criterion("1", "Hạ tầng", D(60), children=(leaf(RuleKind.TYPED, 40, "1.1"), room))
    area2 = Criterion("2", "Nhân lực", D(40), children=(leaf(RuleKind.TYPED, 40, "2.1"),))
    return FormTree((area1, area2))


def test_parent_is_sum_of_children_capped_at_its_max() -> None:
    form = small_form()
    totals = tree_totals(form, {"1.2.1": D(20), "1.2.2": D(16), "1.1": D("12.5"), "2.1": D(40)})
    assert totals.by_code["1.2"] == D(30)  # 36 capped at 30
    assert totals.by_code["1"] == D("42.50")
    assert totals.area(1) == D("42.50")
    assert totals.area(2) == D(40)
    assert totals.area(9) == 0
    assert totals.total == D("82.50")
    assert is_two_dp(totals.total)
    assert form.max_points == D(100)


def test_missing_leaves_count_zero() -> None:
    totals = tree_totals(small_form(), {"1.1": D(1)})
    assert totals.total == D("1.00")
    assert totals.by_code["2.1"] == 0


def test_gate_child_must_score_for_the_others_to_count() -> None:
    form = small_form(gate="1.2.1")
    closed = tree_totals(form, {"1.2.1": D(0), "1.2.2": D(10)})
    assert closed.by_code["1.2"] == D(0)
    assert closed.total == D(0)
    opened = tree_totals(form, {"1.2.1": D(20), "1.2.2": D(6)})
    assert opened.by_code["1.2"] == D(26)
    assert opened.total == D(26)
    tiny = tree_totals(form, {"1.2.1": D("0.01"), "1.2.2": D(6)})
    assert tiny.by_code["1.2"] == D("6.01")


def test_tree_totals_refuses_leaf_points_out_of_range() -> None:
    with pytest.raises(ScoringError, match="vượt điểm tối đa"):
        tree_totals(small_form(), {"1.1": D("40.01")})
    with pytest.raises(ScoringError):
        tree_totals(small_form(), {"1.1": D("-0.01")})


def test_form_tree_lookup() -> None:
    form = small_form()
    assert "1.2.2" in form
    assert "3" not in form
    assert form.get("1.2").max_points == D(30)
    assert [c.code for c in form.leaves()] == ["1.1", "1.2.1", "1.2.2", "2.1"]
    assert form.get("1.2.2").area == 1
    assert form.problems() == []


# --- FormTree.problems --------------------------------------------------------------------------


def test_problems_found() -> None:
    bad = Criterion(
        "1",
        "Lĩnh vực",
        D(60),
        children=(
            Criterion("1.1", "Không có cách tính", D(10)),
            leaf(RuleKind.OPTIONS, 10, code="1.2"),
            leaf(RuleKind.TIERS, 10, code="1.3"),
            leaf(RuleKind.PER_ITEM, 10, code="1.4"),
            leaf(RuleKind.DEDUCTION, 10, code="1.5", per_item=D(0)),
            leaf(RuleKind.OPTIONS, 5, code="1.6", options=(Option("Nhiều", D(6)),)),
            leaf(RuleKind.YES_NO, 0, code="1.7"),
        ),
        gate="2.1",
    )
    text = " ".join(FormTree((bad,)).problems())
    assert "1.1: chưa có cách tính điểm" in text
    assert "1.2: chưa có phương án" in text
    assert "1.3: chưa có bậc" in text
    assert "1.4: số điểm mỗi mục phải lớn hơn 0" in text
    assert "1.5: số điểm mỗi mục phải lớn hơn 0" in text
    assert "1.6: có mức điểm ngoài khoảng" in text
    assert "1.7: điểm tối đa phải lớn hơn 0" in text
    assert "Tiêu chí 1: tổng điểm các tiêu chí con (55) nhỏ hơn điểm tối đa (60)" in text
    assert "điều kiện '2.1' không phải tiêu chí con" in text


# --- form_from_json -----------------------------------------------------------------------------


def spec_leaf(code: str, maximum: str = "10", kind: str = "yes_no") -> dict[str, Any]:
    return {"code": code, "title": f"Tiêu chí {code}", "max": maximum, "rule": {"kind": kind}}


def spec_area(code: str, maximum: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "title": f"Lĩnh vực {code}", "max": maximum, "children": list(children)}


def test_form_from_json_builds_a_tree() -> None:
    spec = [spec_area("1", "20", spec_leaf("1.1"), spec_leaf("1.2", kind="typed"))]
    form = form_from_json(spec)
    assert form.max_points == D(20)
    assert form.get("1.2").rule == Rule(RuleKind.TYPED)
    again = form_from_json([criterion_to_json(a) for a in form.areas])
    assert again == form


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([spec_area("1", "20", spec_leaf("1.1"), spec_leaf("1.1"))], "trùng: 1.1"),
        ([spec_area("1", "10", spec_leaf("1.1")), spec_area("1", "10", spec_leaf("1.2"))], "trùng"),
        ([spec_area("1", "10", spec_leaf("2.1"))], "không nằm dưới tiêu chí cha 1"),
        ([spec_area("1", "10", spec_leaf("11.1"))], "không nằm dưới tiêu chí cha 1"),
        ([spec_area("1", "10", {"code": "1.1", "title": "t", "max": "10"})], "thiếu cách tính"),
        ([spec_area("1", "30", spec_leaf("1.1"), spec_leaf("1.2"))], "nhỏ hơn điểm tối đa"),
        ([spec_area("1", "10", spec_leaf("1.1", maximum="abc"))], "điểm tối đa không hợp lệ"),
        ([spec_area("1", "10", {"code": "1.1", "rule": {"kind": "yes_no"}})], "tối đa"),
        ([spec_area("1", "10", spec_leaf("1.1", kind="magic"))], "cách tính điểm không hợp lệ"),
        ([spec_area("1", "10", {"title": "x", "max": "10", "rule": {}})], "thiếu mã"),
    ],
)
def test_form_from_json_refuses(spec: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(FormSpecError, match=message):
        form_from_json(spec)


# --- the shipped sample form --------------------------------------------------------------------


def test_sample_form_loads() -> None:
    form = load_sample()
    assert form.max_points == D(1000)
    assert [a.code for a in form.areas] == ["1", "2", "3", "4", "5", "6"]
    assert [a.max_points for a in form.areas] == [D(m) for m in (200, 100, 300, 150, 100, 150)]
    kinds = {c.rule.kind for c in form.leaves() if c.rule is not None}
    assert kinds == set(RuleKind)
    assert form.problems() == []


def best_answer(c: Criterion) -> tuple[dict[str, Any], Decimal | None]:
    rule = c.rule
    assert rule is not None
    match rule.kind:
        case RuleKind.TYPED:
            return {"points": c.max_points}, None
        case RuleKind.YES_NO:
            return {"yes": True}, None
        case RuleKind.OPTIONS:
            return {"option": max(rule.options, key=lambda o: o.points).label}, None
        case RuleKind.RATIO:
            return {"numerator": 9, "denominator": 9}, None
        case RuleKind.TIERS:
            return {"value": max(t.minimum for t in rule.tiers)}, None
        case RuleKind.NORMALISED:
            return {"value": 7}, D(7)
        case RuleKind.PER_ITEM:
            return {"count": 1000}, None
        case RuleKind.DEDUCTION:
            return {"count": 0}, None
    raise AssertionError(rule.kind)


def test_sample_form_full_marks_total_1000() -> None:
    form = load_sample()
    scored = {}
    for c in form.leaves():
        answer, best = best_answer(c)
        scored[c.code] = score_leaf(c, answer, best)
        assert scored[c.code] == c.max_points
    totals = tree_totals(form, scored)
    assert totals.total == D("1000.00")
    for area in form.areas:
        assert totals.area(area.area) == area.max_points


@given(st.data())
def test_tree_total_is_the_sum_of_area_totals(data: st.DataObject) -> None:
    form = load_sample()
    leaf_points = {
        c.code: cents(data.draw(st.integers(min_value=0, max_value=int(c.max_points * 100))))
        for c in form.leaves()
    }
    totals = tree_totals(form, leaf_points)
    assert totals.total == sum((totals.area(a.area) for a in form.areas), D(0))
    assert D(0) <= totals.total <= form.max_points
    assert is_two_dp(totals.total)
    gated_off = {
        child.code
        for node in form.walk()
        if node.gate is not None and leaf_points.get(node.gate, D(0)) == 0
        for child in node.children
        if child.code != node.gate
    }
    for node in form.walk():
        value = totals.by_code[node.code]
        assert D(0) <= value <= node.max_points
        if node.is_leaf:
            # a child behind a closed gate counts for nothing, and shows so
            assert value == (D(0) if node.code in gated_off else leaf_points[node.code])
            continue
        children = {ch.code: totals.by_code[ch.code] for ch in node.children}
        if node.gate is not None and children[node.gate] == 0:
            assert value == 0
        else:
            assert value == min(sum(children.values(), D(0)), node.max_points)
