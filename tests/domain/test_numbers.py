"""Exact points, percentages rounded down, and Vietnamese number text (numbers.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khit_desktop.domain.numbers import (
    CENT,
    ZERO,
    NumberFormatError,
    format_percent,
    format_points,
    parse_decimal,
    percent_floor,
    points,
    to_json_number,
)


def cents(n: int) -> Decimal:
    """``n`` hundredths as a Decimal with exactly two decimal places."""
    return Decimal(n).scaleb(-2)


two_dp = st.integers(min_value=-(10**11), max_value=10**11).map(cents)
non_negative_two_dp = st.integers(min_value=0, max_value=10**8).map(cents)


# --- points() -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("0.004"), Decimal("0.00")),
        (Decimal("2.675"), Decimal("2.68")),  # a float would give 2.67 (2.67499999…)
        (Decimal("2.665"), Decimal("2.67")),  # half up, not half even
        (Decimal("842.5"), Decimal("842.50")),
        (Decimal("-0.005"), Decimal("-0.01")),
        ("1.125", Decimal("1.13")),
        (7, Decimal("7.00")),
        (0, Decimal("0.00")),
    ],
)
def test_points_rounds_half_up_to_two_decimals(given_value, expected: Decimal) -> None:
    result = points(given_value)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_points_refuses_floats() -> None:
    with pytest.raises(TypeError):
        points(0.1)  # type: ignore[arg-type]


def test_constants() -> None:
    assert CENT == Decimal("0.01")
    assert ZERO == 0
    assert ZERO.as_tuple().exponent == -2


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=0, max_value=9))
def test_points_is_half_up_on_the_third_decimal(hundredths: int, third: int) -> None:
    """x.xxD rounds down for D < 5 and away from zero for D >= 5."""
    value = Decimal(hundredths * 10 + (third if hundredths >= 0 else -third)).scaleb(-3)
    result = points(value)
    assert result.as_tuple().exponent == -2
    step = 1 if third >= 5 else 0
    expected = cents(hundredths + step) if hundredths >= 0 else cents(hundredths - step)
    assert result == expected


@given(two_dp)
def test_points_leaves_two_decimal_values_alone(value: Decimal) -> None:
    assert points(value) == value


# --- percent_floor() ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "maximum", "expected"),
    [
        ("849.99", "1000", "84.99"),  # never 85.00 beside Khá
        ("850.00", "1000", "85.00"),
        ("699.99", "1000", "69.99"),
        ("637.49", "750", "84.99"),  # 84.998666…
        ("637.50", "750", "85.00"),
        ("1", "3", "33.33"),
        ("2", "3", "66.66"),  # half up would print 66.67
        ("0", "1000", "0.00"),
        ("1000", "1000", "100.00"),
    ],
)
def test_percent_floor_rounds_down(score: str, maximum: str, expected: str) -> None:
    result = percent_floor(Decimal(score), Decimal(maximum))
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("maximum", ["0", "-1"])
def test_percent_floor_refuses_non_positive_maximum(maximum: str) -> None:
    with pytest.raises(ValueError):
        percent_floor(Decimal(1), Decimal(maximum))


@given(
    st.integers(min_value=0, max_value=100_000).map(cents),
    st.sampled_from([Decimal(750), Decimal(1000), Decimal(300), Decimal(150)]),
)
def test_percent_floor_never_exceeds_the_exact_percentage(score: Decimal, maximum: Decimal) -> None:
    shown = percent_floor(score, maximum)
    # exact comparison by cross-multiplication: shown <= 100·score/max < shown + 0.01
    assert shown * maximum <= score * 100
    assert (shown + CENT) * maximum > score * 100


# --- format_points() / format_percent() / to_json_number() --------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1000"), "1.000,00"),
        (Decimal("842.5"), "842,50"),
        (Decimal("-3.1"), "-3,10"),
        (Decimal("0"), "0,00"),
        (Decimal("1234567.891"), "1.234.567,89"),
        (Decimal("999.995"), "1.000,00"),
        (Decimal("100"), "100,00"),
        (Decimal("-1000000"), "-1.000.000,00"),
    ],
)
def test_format_points(value: Decimal, expected: str) -> None:
    assert format_points(value) == expected


def test_format_points_other_decimals() -> None:
    assert format_points(Decimal("1234.5"), decimals=0) == "1.235"
    assert format_points(Decimal("1.5"), decimals=1) == "1,5"


def test_format_percent_and_json() -> None:
    assert format_percent(Decimal("84.99")) == "84,99 %"
    assert to_json_number(Decimal("842.5")) == "842.50"
    assert to_json_number(Decimal("1000")) == "1000.00"


# --- parse_decimal() ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("842,5", "842.5"),
        ("1.000", "1000"),
        ("1.000,25", "1000.25"),
        ("842.5", "842.5"),
        ("1.000.000", "1000000"),
        ("  30 ", "30"),
        ("1 000,5", "1000.5"),
        ("1\u00a0000,5", "1000.5"),
        ("-3,10", "-3.10"),
        ("0.500", "0.5"),  # '0.xxx' is a decimal, not a thousands group
        ("0", "0"),
    ],
)
def test_parse_decimal_reads_what_users_type(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "", "   ", "1,2,3", "12,5a", "nan", "Infinity", ","])
def test_parse_decimal_refuses_non_numbers(text: str) -> None:
    with pytest.raises(NumberFormatError):
        parse_decimal(text)


def test_number_format_error_is_a_value_error_with_a_vietnamese_message() -> None:
    with pytest.raises(ValueError, match="không phải là số hợp lệ"):
        parse_decimal("abc")
    with pytest.raises(NumberFormatError, match="Chưa nhập số"):
        parse_decimal("")


@pytest.mark.parametrize("text", ["1.2.3", "12.34.567"])
def test_parse_decimal_refuses_dots_that_do_not_group_three_digits(text: str) -> None:
    with pytest.raises(NumberFormatError):
        parse_decimal(text)


@given(two_dp)
def test_format_then_parse_round_trips(value: Decimal) -> None:
    text = format_points(value)
    parsed = parse_decimal(text)
    assert parsed == value
    assert format_points(parsed) == text


@given(non_negative_two_dp)
def test_machine_form_parses_back(value: Decimal) -> None:
    """'842.50' has two digits after the dot, so it is never taken for a thousands group."""
    assert parse_decimal(to_json_number(value)) == value
