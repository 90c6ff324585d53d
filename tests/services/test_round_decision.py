"""The decision the annex is attached to: stored on the round, checked, audited, printed."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from khit_desktop.exchange.annex_pdf import reference_line
from khit_desktop.services import rounds
from khit_desktop.services.annex import write_annex
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.round_decision import (
    DEFAULT_AUTHORITY,
    DecisionInfo,
    check_decision,
    decision_info,
    set_decision,
)
from khit_desktop.store.models import AuditEvent

YEAR = 2020


def events(db) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.scalars(select(AuditEvent).where(AuditEvent.action == "round.decision")).all()
        )


def test_a_new_round_has_no_number_and_the_default_authority(round_db) -> None:
    info = decision_info(round_db, YEAR)
    assert info == DecisionInfo("", None, DEFAULT_AUTHORITY, "")
    assert not info.is_set


def test_setting_stores_cleans_and_audits(round_db, actor) -> None:
    typed = DecisionInfo(
        " 3456 / qđ-ubnd ",
        date(2020, 12, 30),
        unicodedata.normalize("NFD", "Chủ  tịch Ủy ban nhân dân tỉnh Khánh Hòa"),
        "KT. Chủ tịch, Phó Chủ tịch Nguyễn Văn A",
    )
    assert set_decision(round_db, YEAR, typed, actor=actor)
    stored = decision_info(round_db, YEAR)
    assert stored.number == "3456/QĐ-UBND"
    assert stored.authority == DEFAULT_AUTHORITY  # NFC, spaces collapsed
    assert unicodedata.is_normalized("NFC", stored.authority)
    assert stored.is_set
    [event] = events(round_db)
    assert event.user == actor.user
    assert json.loads(event.new_json)["number"] == "3456/QĐ-UBND"
    assert json.loads(event.old_json)["number"] == ""
    # the same again changes nothing and writes no event
    assert not set_decision(round_db, YEAR, typed, actor=actor)
    assert len(events(round_db)) == 1


def test_correcting_a_number_needs_a_reason(round_db, actor) -> None:
    set_decision(round_db, YEAR, DecisionInfo("3456", date(2020, 12, 30)), actor=actor)
    with pytest.raises(InputRefused, match="lý do"):
        set_decision(round_db, YEAR, DecisionInfo("3465", date(2020, 12, 30)), actor=actor)
    assert decision_info(round_db, YEAR).number == "3456"
    assert set_decision(
        round_db, YEAR, DecisionInfo("3465", date(2020, 12, 30)), reason="gõ nhầm", actor=actor
    )
    assert events(round_db)[-1].reason == "gõ nhầm"
    # filling the signer in later is not a correction
    assert set_decision(
        round_db,
        YEAR,
        DecisionInfo("3465", date(2020, 12, 30), DEFAULT_AUTHORITY, "Nguyễn Văn A"),
        actor=actor,
    )


@pytest.mark.parametrize("number", ["abc", "12-QĐ", "1234567", "/QĐ-UBND", "12/", "12/qđ ubnd!"])
def test_malformed_numbers_are_refused(number: str) -> None:
    with pytest.raises(InputRefused, match="không đúng dạng"):
        check_decision(YEAR, DecisionInfo(number, None))


def test_an_empty_authority_is_refused() -> None:
    with pytest.raises(InputRefused, match="cơ quan"):
        check_decision(YEAR, DecisionInfo("12", None, "   "))


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_signing_date_within_the_year_or_the_next(day: date) -> None:
    info = DecisionInfo("12", day)
    if YEAR <= day.year <= YEAR + 1:
        assert check_decision(YEAR, info).day == day
    else:
        with pytest.raises(InputRefused, match="không hợp lý"):
            check_decision(YEAR, info)


def test_a_finalised_round_refuses(round_db, actor) -> None:
    with round_db.session() as s:
        rounds.get_round(s, YEAR).state = "finalized"
    with pytest.raises(InputRefused, match="đã chốt"):
        set_decision(round_db, YEAR, DecisionInfo("12", date(2020, 12, 30)), actor=actor)


def test_reference_line_forms() -> None:
    day = date(2020, 12, 30)
    assert reference_line("3456", day) == (
        "(Kèm theo Quyết định số 3456/QĐ-UBND ngày 30 tháng 12 năm 2020 "
        "của Chủ tịch Ủy ban nhân dân tỉnh Khánh Hòa)"
    )
    assert reference_line("12/QĐ-CTUBND", day, "Chủ tịch UBND tỉnh").startswith(
        "(Kèm theo Quyết định số 12/QĐ-CTUBND ngày 30"
    )
    assert reference_line("12/QĐ-CTUBND", day, "Chủ tịch UBND tỉnh").endswith(
        "của Chủ tịch UBND tỉnh)"
    )


def test_the_annex_prints_the_decision(demo_db, actor, tmp_path: Path) -> None:
    set_decision(
        demo_db,
        YEAR,
        DecisionInfo("3456", date(2020, 12, 30), "Chủ tịch Ủy ban nhân dân tỉnh Khánh Hòa"),
        actor=actor,
    )
    pdf = write_annex(demo_db, YEAR, tmp_path / "phu-luc.pdf")
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert (
        "(Kèm theo Quyết định số 3456/QĐ-UBND ngày 30 tháng 12 năm 2020 của Chủ tịch Ủy ban "
        "nhân dân tỉnh Khánh Hòa)" in text
    )
    assert "……" not in text.split("Kèm theo")[1][:80]
