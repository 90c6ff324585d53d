"""Classification (Điều 8): exact thresholds, penalty first, forced Yếu, percent rounded down."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khit_desktop.domain.classification import Classification, classify, outcome
from khit_desktop.domain.criteria import (
    Criterion,
    FormTree,
    Rule,
    RuleKind,
    score_leaf,
    tree_totals,
)
from khit_desktop.domain.lateness import (
    Channel,
    LatenessDecision,
    LatenessStatus,
    Receipt,
    decide_lateness,
)
from khit_desktop.domain.rules import RoundRules, Thresholds

D = Decimal
RULES = RoundRules.defaults(2020)
DEFAULT = Thresholds()


def cents(n: int) -> Decimal:
    return Decimal(n).scaleb(-2)


def sent_on(day: date) -> LatenessDecision:
    return decide_lateness(RULES, [Receipt(Channel.EOFFICE, day)])


ON_TIME = sent_on(date(2020, 11, 16))
LATE = sent_on(date(2020, 11, 20))
VERY_LATE = sent_on(date(2020, 11, 24))
MISSING = decide_lateness(RULES, [])
EXEMPT = decide_lateness(RULES, [], exempt_reason="Sáp nhập")


def test_decisions_used_here() -> None:
    assert ON_TIME.status is LatenessStatus.ON_TIME
    assert LATE.status is LatenessStatus.LATE
    assert VERY_LATE.status is LatenessStatus.VERY_LATE
    assert MISSING.status is LatenessStatus.MISSING
    assert EXEMPT.status is LatenessStatus.NOT_RANKED


# --- classify at the boundaries -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "maximum", "expected"),
    [
        ("1000.00", "1000", Classification.GOOD),
        ("850.00", "1000", Classification.GOOD),
        ("849.99", "1000", Classification.FAIR),
        ("700.00", "1000", Classification.FAIR),
        ("699.99", "1000", Classification.AVERAGE),
        ("500.00", "1000", Classification.AVERAGE),
        ("500", "1000", Classification.AVERAGE),
        ("499.99", "1000", Classification.WEAK),
        ("0.00", "1000", Classification.WEAK),
        # a group whose form has a different maximum
        ("637.50", "750", Classification.GOOD),
        ("637.49", "750", Classification.FAIR),
        ("525.00", "750", Classification.FAIR),
        ("524.99", "750", Classification.AVERAGE),
        ("375.00", "750", Classification.AVERAGE),
        ("374.99", "750", Classification.WEAK),
    ],
)
def test_classify_is_exact_at_the_boundaries(
    score: str, maximum: str, expected: Classification
) -> None:
    assert classify(D(score), D(maximum), DEFAULT) is expected


def test_classify_with_other_thresholds() -> None:
    strict = Thresholds(D(90), D(75), D("50.5"))
    assert classify(D("899.99"), D(1000), strict) is Classification.FAIR
    assert classify(D("900"), D(1000), strict) is Classification.GOOD
    assert classify(D("505"), D(1000), strict) is Classification.AVERAGE
    assert classify(D("504.99"), D(1000), strict) is Classification.WEAK


@pytest.mark.parametrize("maximum", ["0", "-1000"])
def test_classify_refuses_non_positive_maximum(maximum: str) -> None:
    with pytest.raises(ValueError):
        classify(D(1), D(maximum), DEFAULT)


def test_classification_order_and_labels() -> None:
    assert [c.label for c in Classification] == [
        "Tốt",
        "Khá",
        "Trung bình",
        "Yếu",
        "Không xếp hạng",
    ]
    orders = [c.order for c in Classification]
    assert orders == sorted(orders) == list(range(5))


# --- the float trap -----------------------------------------------------------------------------


def flat_form(leaf_count: int, leaf_max: Decimal) -> FormTree:
    leaves = tuple(
        Criterion(f"1.{i}", f"Tiêu chí {i}", leaf_max, rule=Rule(RuleKind.TYPED))
        for i in range(1, leaf_count + 1)
    )
    area_max = leaf_max * leaf_count
    return FormTree((Criterion("1", "Lĩnh vực", area_max, children=leaves),))


def seeded_trap(seed: int = 2020, count: int = 100) -> list[Decimal]:
    """2-decimal values in [0, 10] summing exactly to 850.00 whose float sum is below 850."""
    rnd = random.Random(seed)
    for _ in range(100_000):
        hundredths = [rnd.randint(700, 1000) for _ in range(count - 1)]
        last = 85_000 - sum(hundredths)
        if not 0 <= last <= 1000:
            continue
        items = [cents(h) for h in [*hundredths, last]]
        if sum(map(float, items)) < 850:
            return items
    raise AssertionError("no trap found")  # pragma: no cover


TRAPS = {
    "250 × 3,40": ([D("3.40")] * 250, D(4)),
    "seeded mix of 100": (seeded_trap(), D(10)),
}


@pytest.mark.parametrize("name", list(TRAPS))
def test_850_that_floats_would_make_849_99_is_good(name: str) -> None:
    items, leaf_max = TRAPS[name]
    assert sum(items, D(0)) == D("850.00")
    assert sum(map(float, items)) < 850  # the trap is real: float addition falls short
    form = flat_form(len(items), leaf_max)
    assert form.max_points == D(1000)
    scored = {
        leaf.code: score_leaf(leaf, {"points": value})
        for leaf, value in zip(form.leaves(), items, strict=True)
    }
    totals = tree_totals(form, scored)
    assert totals.total == D("850.00")
    result = outcome(totals.total, form.max_points, ON_TIME, DEFAULT)
    assert result.final_score == D("850.00")
    assert result.percent == D("85.00")
    assert result.classification is Classification.GOOD


def test_tenths_trap() -> None:
    # 0.1 + 0.2 is not 0.3 in floats; in the domain it is.
    form = flat_form(3, D(1))
    totals = tree_totals(form, {"1.1": D("0.1"), "1.2": D("0.2"), "1.3": D(0)})
    assert totals.total == D("0.30")
    assert 0.1 + 0.2 != 0.3
    # 0.85 of a 1-point form is exactly 85 %: Tốt
    one = flat_form(1, D(1))
    assert tree_totals(one, {"1.1": D("0.85")}).total == D("0.85")
    assert classify(D("0.85"), D(1), DEFAULT) is Classification.GOOD
    assert classify(D("0.84"), D(1), DEFAULT) is Classification.FAIR


# --- outcome ------------------------------------------------------------------------------------


def test_on_time_outcome() -> None:
    result = outcome(D("849.99"), D(1000), ON_TIME, DEFAULT)
    assert result.appraised_total == D("849.99")
    assert result.penalty == 0
    assert result.final_score == D("849.99")
    assert result.percent == D("84.99")  # never 85,00 beside Khá
    assert result.classification is Classification.FAIR
    assert result.forced_weak is False
    assert result.max_points == D(1000)


def test_penalty_comes_off_before_the_percentage() -> None:
    result = outcome(D("950.00"), D(1000), LATE, DEFAULT)
    assert result.penalty == D("100.00")
    assert result.final_score == D("850.00")
    assert result.percent == D("85.00")
    assert result.classification is Classification.GOOD
    below = outcome(D("949.99"), D(1000), LATE, DEFAULT)
    assert below.final_score == D("849.99")
    assert below.percent == D("84.99")
    assert below.classification is Classification.FAIR


def test_final_score_never_below_zero() -> None:
    result = outcome(D(60), D(1000), LATE, DEFAULT)
    assert result.final_score == D("0.00")
    assert result.percent == D("0.00")
    assert result.classification is Classification.WEAK
    assert result.appraised_total == D("60.00")
    exactly = outcome(D(100), D(1000), LATE, DEFAULT)
    assert exactly.final_score == D("0.00")


@pytest.mark.parametrize("decision", [VERY_LATE, MISSING], ids=["very_late", "missing"])
def test_forced_weak_whatever_the_score(decision: LatenessDecision) -> None:
    result = outcome(D(1000), D(1000), decision, DEFAULT)
    assert result.classification is Classification.WEAK
    assert result.forced_weak is True
    assert result.penalty == 0  # Yếu, not −100 as well
    assert result.final_score == D("1000.00")  # ranked among the Yếu by this score
    assert result.percent == D("100.00")


def test_not_ranked() -> None:
    result = outcome(D("900"), D(1000), EXEMPT, DEFAULT)
    assert result.classification is Classification.NOT_RANKED
    assert result.forced_weak is False
    assert result.penalty == 0
    assert result.final_score == D("900.00")


def test_appraised_total_is_rounded_half_up_first() -> None:
    assert outcome(D("849.995"), D(1000), ON_TIME, DEFAULT).classification is Classification.GOOD
    assert outcome(D("849.994"), D(1000), ON_TIME, DEFAULT).classification is Classification.FAIR


# --- properties ---------------------------------------------------------------------------------

MAXIMA = st.sampled_from([D(750), D(1000)])


@st.composite
def score_and_max(draw: st.DrawFn) -> tuple[Decimal, Decimal]:
    maximum = draw(MAXIMA)
    score = cents(draw(st.integers(min_value=0, max_value=int(maximum) * 100)))
    return score, maximum


def exact_class(score: Decimal, maximum: Decimal) -> Classification:
    ratio = Fraction(score) * 100 / Fraction(maximum)
    if ratio >= 85:
        return Classification.GOOD
    if ratio >= 70:
        return Classification.FAIR
    if ratio >= 50:
        return Classification.AVERAGE
    return Classification.WEAK


def class_from_percent(percent: Decimal) -> Classification:
    if percent >= D("85.00"):
        return Classification.GOOD
    if percent >= D("70.00"):
        return Classification.FAIR
    if percent >= D("50.00"):
        return Classification.AVERAGE
    return Classification.WEAK


@given(score_and_max())
def test_percent_shown_never_contradicts_the_class(case: tuple[Decimal, Decimal]) -> None:
    score, maximum = case
    result = outcome(score, maximum, ON_TIME, DEFAULT)
    assert result.classification is exact_class(score, maximum)
    assert class_from_percent(result.percent) is result.classification
    assert result.percent.as_tuple().exponent == -2


@given(score_and_max())
def test_late_outcome_is_the_class_of_the_reduced_score(case: tuple[Decimal, Decimal]) -> None:
    score, maximum = case
    result = outcome(score, maximum, LATE, DEFAULT)
    expected_final = max(score - 100, D(0))
    assert result.final_score == expected_final
    assert result.final_score.as_tuple().exponent == -2
    assert result.classification is exact_class(expected_final, maximum)
    assert class_from_percent(result.percent) is result.classification


@given(score_and_max())
def test_forced_weak_is_always_weak(case: tuple[Decimal, Decimal]) -> None:
    score, maximum = case
    for decision in (VERY_LATE, MISSING):
        assert outcome(score, maximum, decision, DEFAULT).classification is Classification.WEAK


@given(score_and_max(), st.integers(min_value=0, max_value=100_000))
def test_a_higher_score_never_gets_a_worse_class(
    case: tuple[Decimal, Decimal], extra_hundredths: int
) -> None:
    score, maximum = case
    higher = min(score + cents(extra_hundredths), maximum)
    assert classify(higher, maximum, DEFAULT).order <= classify(score, maximum, DEFAULT).order
