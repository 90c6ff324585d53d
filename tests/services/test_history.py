"""Past years: importing published results, their ranking, movements and rank history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from khit_desktop.domain.classification import Classification
from khit_desktop.domain.lateness import Channel, LatenessStatus
from khit_desktop.domain.movement import MovementKind
from khit_desktop.domain.name_match import MatchKind
from khit_desktop.services import history, receipts, results, rounds
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.history import CREATE_NEW, SKIP, HistoryRefused
from khit_desktop.services.movement import RankPoint, movement, rank_history
from khit_desktop.store.database import Database
from khit_desktop.store.models import Agency, AuditEvent, PublishedResult, Round, RoundAgency
from tests.history_book import ROWS_2019, write_book

TEST_ACTOR = Actor(user="tester", machine="test-machine")
GONE = [7, "Sở Văn hóa, Thể thao và Du lịch", 1, "870", 1000, 3, "Tốt"]


def book(
    tmp_path: Path, rows: list[list[object]], name: str = "ket-qua.xlsx"
) -> history.HistoryFile:
    return history.read_history(write_book(tmp_path / name, rows))


def do_import(db: Database, year: int, file: history.HistoryFile, **kwargs: object):
    return history.import_history(db, year, file, actor=TEST_ACTOR, **kwargs)


def test_read_history_refuses_with_the_services_error(tmp_path: Path) -> None:
    bad = [[1, "Sở Tư pháp", 9, "x", 1000, None, None]]
    with pytest.raises(HistoryRefused) as caught:
        book(tmp_path, bad)
    assert isinstance(caught.value, InputRefused)
    assert [p.split(":")[0] for p in caught.value.problems] == ["Kết quả!C5", "Kết quả!D5"]


def test_match_history_levels(catalog_db, tmp_path: Path) -> None:
    rows = [*ROWS_2019, GONE, [8, "Sở Khoa học và Công nghệ", 1, 800, 1000, None, None]]
    matches = history.match_history(catalog_db, 2019, book(tmp_path, rows))
    by = {m.row: m for m in matches}
    assert (by[5].kind, by[5].agency_code) == (MatchKind.EXACT, "STP")
    assert (by[7].kind, by[7].agency_code) == (MatchKind.TOLERANT, "SNV")
    assert (by[8].kind, by[8].agency_code) == (MatchKind.TOLERANT, "NT")
    assert by[8].agency is not None and by[8].agency.name == "UBND thành phố Nha Trang"
    gone = by[11]
    assert (gone.kind, gone.agency) == (MatchKind.UNKNOWN, None)
    assert [c.code for c in gone.candidates] == ["SVHTT", "SDL"]
    assert by[12].agency_code == "SKHCN"


def test_import_creates_a_published_round_ranked_from_the_totals(round_db, tmp_path) -> None:
    report = do_import(round_db, 2019, book(tmp_path, ROWS_2019))
    assert (report.year, report.round_created, report.replaced) == (2019, True, False)
    assert (report.imported, report.exact, report.tolerant, report.chosen) == (6, 3, 3, 0)
    assert report.created == () and report.skipped == ()
    summaries = {s.year: s for s in rounds.list_rounds(round_db)}
    assert (summaries[2019].kind, summaries[2019].state, summaries[2019].agencies) == (
        "published",
        "finalized",
        6,
    )
    rules = rounds.round_rules(round_db, 2019)
    assert rules.deadline == date(2019, 11, 15) and rules.thresholds.good == Decimal(85)

    rows = results.ranking(round_db, 2019)
    assert [(r.group, r.rank, r.agency_code) for r in rows] == [
        (1, 1, "STP"),
        (1, 2, "STC"),
        (1, 3, "SNV"),
        (2, 1, "NT"),
        (2, 2, "NH"),
        (3, 1, "DHKH"),
    ]
    first = rows[0]
    assert first.agency_name == "Sở Tư pháp"
    assert first.appraised_total == first.final_score == Decimal("900.50")
    assert isinstance(first.final_score, Decimal)
    assert (first.penalty, first.self_total, first.area_totals) == (Decimal(0), None, ())
    assert first.max_points == Decimal(1000) and first.percent == Decimal("90.05")
    assert first.classification is Classification.GOOD
    assert first.status is LatenessStatus.ON_TIME
    assert first.explanation == ("Kết quả đã công bố năm 2019 (nhập từ tệp ket-qua.xlsx, dòng 5).")
    assert rows[3].agency_name == "UBND TP. Nha Trang"  # the name as published that year
    assert report.differences == ()


def test_differences_between_published_and_recomputed(round_db, tmp_path) -> None:
    rows = [
        [1, "Sở Tư pháp", 1, "850", 1000, 2, "Tốt"],
        [2, "Sở Tài chính", 1, "850", 1000, 1, "Tốt"],  # tie: both recomputed first
        [3, "Sở Nội vụ", 1, "849,99", 1000, 3, "Tốt"],  # 84,99 %: Khá
        [4, "Sở Y tế", 1, "700", 1000, None, None],  # nothing published to compare
    ]
    report = do_import(round_db, 2019, book(tmp_path, rows))
    found = {d.row: d for d in report.differences}
    assert sorted(found) == [5, 7]
    assert (found[5].published_rank, found[5].recomputed_rank) == (2, 1)
    assert found[5].rank_differs and not found[5].class_differs
    assert found[5].describe() == "Dòng 5, Sở Tư pháp (Nhóm 1): hạng đã công bố 2, tính lại 1"
    assert found[7].class_differs and not found[7].rank_differs
    assert found[7].recomputed_class is Classification.FAIR
    assert "xếp loại đã công bố Tốt, tính lại Khá (849,99/1.000,00 điểm)" in found[7].describe()
    assert history.differences(round_db, 2019) == list(report.differences)
    assert history.differences(round_db, 2020) == []
    by = {r.agency_code: r for r in results.ranking(round_db, 2019)}
    assert by["STP"].explanation.endswith("; bản công bố ghi hạng 2.")
    assert "bản công bố ghi xếp loại Tốt" in by["SNV"].explanation


def test_unknown_names_are_refused_naming_every_row(round_db, tmp_path, counts) -> None:
    rows = [*ROWS_2019, GONE, [8, "Cục Thuế tỉnh", 1, 700, 1000, None, None]]
    before = counts(round_db)
    with pytest.raises(HistoryRefused) as caught:
        do_import(round_db, 2019, book(tmp_path, rows))
    message = str(caught.value)
    assert "2 dòng cần xem lại" in message
    assert "dòng 11 'Sở Văn hóa, Thể thao và Du lịch' (Nhóm 1): không nhận ra" in message
    assert "gần giống: Sở Văn hóa và Thể thao (mã SVHTT)" in message
    assert "dòng 12 'Cục Thuế tỉnh'" in message and "--create-missing" in message
    assert len(caught.value.problems) == 2
    assert counts(round_db) == before


def test_create_missing_makes_inactive_agencies_of_that_year(round_db, tmp_path) -> None:
    report = do_import(round_db, 2019, book(tmp_path, [*ROWS_2019, GONE]), create_missing=True)
    [created] = report.created
    assert created.code == "SVHTTDL-2019" and not created.active and created.group == 1
    with round_db.session() as s:
        agency = s.scalars(select(Agency).where(Agency.code == created.code)).one()
        assert agency.note == "tạo khi nhập kết quả năm 2019 (tệp ket-qua.xlsx, dòng 11)"
        assert not agency.active and agency.default_group == 1
    rows = {r.agency_code: r for r in results.ranking(round_db, 2019)}
    assert rows[created.code].rank == 2  # 870 ties with Sở Tài chính: shared second place
    # a new round does not take the agency that no longer exists
    rounds.create_round(round_db, 2021, actor=TEST_ACTOR)
    assert created.code not in {r.agency_code for r in results.ranking(round_db, 2021)}


def test_choices_override_the_matcher(round_db, tmp_path) -> None:
    rows = [*ROWS_2019, GONE, [8, "Cục Thuế tỉnh", 1, 700, 1000, None, None]]
    file = book(tmp_path, rows)
    report = do_import(round_db, 2019, file, choices={11: "SVHTT", 12: CREATE_NEW, 6: SKIP})
    assert (report.imported, report.chosen, report.skipped) == (7, 1, (6,))
    assert [c.name for c in report.created] == ["Cục Thuế tỉnh"]
    codes = {r.agency_code for r in results.ranking(round_db, 2019)}
    assert "SVHTT" in codes and "STC" not in codes


@pytest.mark.parametrize(
    ("choices", "words"),
    [
        ({99: SKIP}, "Lựa chọn cho dòng 99"),
        ({11: "KHONG-CO"}, "không có cơ quan mã 'KHONG-CO'"),
        ({11: "STP"}, "dòng 5 và dòng 11 cùng là"),
    ],
)
def test_bad_choices_are_refused(round_db, tmp_path, counts, choices, words) -> None:
    before = counts(round_db)
    with pytest.raises(InputRefused, match=words):
        do_import(round_db, 2019, book(tmp_path, [*ROWS_2019, GONE]), choices=choices)
    assert counts(round_db) == before


def test_one_agency_twice_is_refused(round_db, tmp_path) -> None:
    rows = [*ROWS_2019, [7, "SỞ TƯ PHÁP", 1, 500, 1000, None, None]]
    with pytest.raises(HistoryRefused, match="dòng 5 và dòng 11 cùng là 'SỞ TƯ PHÁP'"):
        do_import(round_db, 2019, book(tmp_path, rows))


def test_an_ambiguous_name_needs_a_choice(round_db, tmp_path) -> None:
    with round_db.session() as s:
        s.add(Agency(code="STP-CU", name="Sở Tư Pháp", default_group=1, active=False, note=""))
    file = book(tmp_path, [[1, "SO TU PHAP", 1, 800, 1000, None, None]])
    [match] = history.match_history(round_db, 2019, file)
    assert match.kind is MatchKind.AMBIGUOUS
    assert {c.code for c in match.candidates} == {"STP", "STP-CU"}
    with pytest.raises(HistoryRefused, match="khớp nhiều cơ quan"):
        do_import(round_db, 2019, file, create_missing=True)
    report = do_import(round_db, 2019, file, choices={5: "STP-CU"})
    assert report.chosen == 1
    assert [r.agency_code for r in results.ranking(round_db, 2019)] == ["STP-CU"]


def test_importing_again_needs_replace(round_db, tmp_path, counts) -> None:
    do_import(round_db, 2019, book(tmp_path, [*ROWS_2019, GONE]), create_missing=True)
    smaller = book(tmp_path, ROWS_2019[:2], "lan-2.xlsx")
    before = counts(round_db)
    with pytest.raises(InputRefused, match=r"đã có kết quả đã công bố với 7 cơ quan.*--replace"):
        do_import(round_db, 2019, smaller)
    assert counts(round_db) == before
    report = do_import(round_db, 2019, smaller, replace=True)
    assert report.replaced and not report.round_created and report.imported == 2
    assert [r.agency_code for r in results.ranking(round_db, 2019)] == ["STP", "STC"]
    with round_db.session() as s:
        stored = s.scalars(select(PublishedResult)).all()
        assert {p.source_file for p in stored} == {"lan-2.xlsx"}
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "history.import").order_by(AuditEvent.id)
        ).all()[-1]
        assert '"files": ["ket-qua.xlsx"]' in (event.old_json or "")
        assert '"file": "lan-2.xlsx"' in (event.new_json or "")
    # the agency made by the first import is known now: matched, not made again
    again = do_import(round_db, 2019, book(tmp_path, [GONE], "lan-3.xlsx"), replace=True)
    assert again.created == () and again.exact == 1


def test_an_appraised_round_with_data_is_never_overwritten(demo_db, tmp_path, counts) -> None:
    before = counts(demo_db)
    for replace in (False, True):
        with pytest.raises(InputRefused, match="đã có dữ liệu thẩm định"):
            do_import(demo_db, 2020, book(tmp_path, ROWS_2019), replace=replace)
    assert counts(demo_db) == before


def test_an_empty_appraised_round_is_converted_only_with_replace(round_db, tmp_path) -> None:
    file = book(tmp_path, ROWS_2019)
    with pytest.raises(InputRefused, match=r"kỳ đánh giá \(chưa có điểm\) với 37 cơ quan"):
        do_import(round_db, 2020, file)
    report = do_import(round_db, 2020, file, replace=True)
    assert report.replaced and report.imported == 6
    [summary] = rounds.list_rounds(round_db)
    assert (summary.kind, summary.state, summary.agencies) == ("published", "finalized", 6)


def test_a_published_round_takes_no_receipts(round_db, tmp_path) -> None:
    do_import(round_db, 2019, book(tmp_path, ROWS_2019))
    with pytest.raises(InputRefused, match="đã chốt"):
        receipts.add_receipt(round_db, 2019, "STP", Channel.POST, date(2019, 11, 1))


def test_nothing_is_written_when_the_transaction_fails(round_db, tmp_path, counts, monkeypatch):
    before = counts(round_db)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("mất điện")

    monkeypatch.setattr(history, "published_differences", broken)
    with pytest.raises(RuntimeError):
        do_import(round_db, 2019, book(tmp_path, [*ROWS_2019, GONE]), create_missing=True)
    assert counts(round_db) == before
    with round_db.session() as s:
        assert s.scalars(select(PublishedResult)).all() == []


def test_audit_of_an_import(round_db, tmp_path) -> None:
    do_import(round_db, 2019, book(tmp_path, [*ROWS_2019, GONE]), create_missing=True)
    with round_db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.round_year == 2019)).all()
    assert [e.action for e in events] == ["agency.create", "round.create", "history.import"]
    assert {e.user for e in events} == {"tester"}
    imported = events[-1]
    assert '"sha256"' in (imported.new_json or "") and '"total": "900.50"' in imported.new_json


def test_refused_years(round_db, tmp_path) -> None:
    file = book(tmp_path, ROWS_2019)
    with pytest.raises(InputRefused, match="Năm 1999 không hợp lệ"):
        do_import(round_db, 1999, file)
    with pytest.raises(InputRefused, match="Năm 2200 không hợp lệ"):
        history.match_history(round_db, 2200, file)


def test_every_row_skipped_is_refused(round_db, tmp_path) -> None:
    with pytest.raises(InputRefused, match="không còn dòng nào"):
        do_import(round_db, 2019, book(tmp_path, ROWS_2019[:1]), choices={5: SKIP})


# ---------------------------------------------------------------- movement, history


@pytest.fixture
def two_years(catalog_db, tmp_path) -> Database:
    """2018 and 2019, both published: movements between them."""
    y2018 = [
        [1, "Sở Tư pháp", 1, 800, 1000, None, None],
        [2, "Sở Tài chính", 1, 900, 1000, None, None],
        [3, "Sở Nội vụ", 1, 850, 1000, None, None],
        [4, "UBND thành phố Nha Trang", 2, 700, 1000, None, None],
        [5, "Trường Đại học Khánh Hòa", 2, 650, 1000, None, None],
    ]
    do_import(catalog_db, 2018, book(tmp_path, y2018, "2018.xlsx"))
    do_import(catalog_db, 2019, book(tmp_path, ROWS_2019, "2019.xlsx"))
    return catalog_db


def test_movement_since_the_year_before(two_years) -> None:
    moves = movement(two_years, 2019)
    texts = {code: m.text for code, m in moves.items()}
    # 2018: STC 1, SNV 2, STP 3 → 2019: STP 1, STC 2, SNV 3
    assert texts["STP"] == "tăng 2 bậc"
    assert texts["STC"] == "giảm 1 bậc"
    assert texts["SNV"] == "giảm 1 bậc"
    assert texts["NT"] == "giữ nguyên"
    assert texts["NH"] == "mới"
    assert texts["DHKH"] == "đổi nhóm"  # group 2 in 2018, group 3 in 2019
    assert moves["DHKH"].kind is MovementKind.GROUP_CHANGED
    assert moves["STP"].previous is not None and moves["STP"].previous.rank == 3
    assert movement(two_years, 2018) == {}  # no 2017 to compare with


def test_rank_history(two_years) -> None:
    everything = rank_history(two_years)
    assert everything["STP"] == [RankPoint(2018, 3, 1), RankPoint(2019, 1, 1)]
    assert everything["NH"] == [(2019, 2, 2)]
    assert everything["DHKH"] == [(2018, 2, 2), (2019, 1, 3)]
    assert rank_history(two_years, ["STP", "KHONG-CO"]) == {
        "STP": everything["STP"],
        "KHONG-CO": [],
    }


def test_a_round_copied_from_a_published_year(two_years) -> None:
    with two_years.session() as s:
        s.add(Agency(code="CU", name="Cơ quan cũ", default_group=1, active=False, note=""))
    rounds.create_round(two_years, 2020, copy_from=2019, actor=TEST_ACTOR)
    with two_years.session() as s:
        rnd = s.scalars(select(Round).where(Round.year == 2020)).one()
        assert rnd.kind == "appraised" and rnd.state == "receiving"
        assert all(g.form_id is not None for g in rnd.groups)
        names = {
            m.agency.code: m.name
            for m in s.scalars(select(RoundAgency).where(RoundAgency.round_id == rnd.id))
        }
    assert names["NT"] == "UBND thành phố Nha Trang"  # current name, not "UBND TP. Nha Trang"
    assert len(names) == 6
    assert movement(two_years, 2020)["STP"].kind is MovementKind.NONE  # no form yet in 2020
