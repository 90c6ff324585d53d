"""Reading published results from the province's own Excel sheet."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from khit_desktop.domain.classification import Classification
from khit_desktop.exchange.history_rows import HistoryFileRefused, SheetRow
from khit_desktop.exchange.history_sheet_write import write_published_sheet
from khit_desktop.exchange.history_xlsx import HEADER_ROWS, read_history_xlsx
from tests.history_book import HEADER, ROWS_2019, header_row, write_book


def test_reads_every_row_whatever_the_spelling(tmp_path: Path) -> None:
    path = write_book(tmp_path / "kết quả 2019.xlsx", ROWS_2019)
    book = read_history_xlsx(path)
    assert (book.file_name, book.sheet, book.header_row) == ("kết quả 2019.xlsx", "Kết quả", 4)
    assert book.has_rank and book.has_class
    assert len(book.sha256) == 64
    first, _, third, fourth, fifth, sixth = book.rows
    assert (first.row, first.name, first.group) == (5, "Sở Tư pháp", 1)
    assert first.total == Decimal("900.50") and first.max_points == Decimal(1000)
    assert (first.rank, first.classification) == (1, Classification.GOOD)
    assert third.name == "SỞ NỘI VỤ" and third.total == Decimal("800.25")
    assert fourth.total == Decimal("810.50")  # a float cell, read exactly
    assert fourth.classification is Classification.FAIR
    assert fifth.group == 2 and fifth.max_points == Decimal(1000)  # "1.000": thousands dot
    assert fifth.classification is Classification.FAIR  # "Kha" without accents
    assert sixth.classification is Classification.AVERAGE
    for row in book.rows:
        assert isinstance(row.total, Decimal) and row.total == row.total.quantize(Decimal("0.01"))


def test_headers_in_any_order_case_and_spacing_without_optional_columns(tmp_path: Path) -> None:
    header = ["Điểm  TỐI ĐA", "tong\ndiem", "TÊN CƠ QUAN, ĐƠN VỊ", "nhóm"]
    rows = [["1000", "850,5", "Sở Tư pháp", "Các sở, ban, ngành"], [500, 400, "Sở Y tế", "I"]]
    path = write_book(tmp_path / "x.xlsx", rows, header=header, titles=())
    book = read_history_xlsx(path)
    assert book.header_row == 1 and not book.has_rank and not book.has_class
    assert [(r.name, r.group, r.total, r.max_points) for r in book.rows] == [
        ("Sở Tư pháp", 1, Decimal("850.50"), Decimal(1000)),
        ("Sở Y tế", 1, Decimal(400), Decimal(500)),
    ]
    assert all(r.rank is None and r.classification is None for r in book.rows)


@pytest.mark.parametrize(
    ("cell", "group"),
    [
        (2, 2),
        (2.0, 2),
        ("3", 3),
        ("Nhóm 3", 3),
        ("NHÓM II", 2),
        ("III", 3),
        ("UBND các huyện, thị xã, thành phố", 2),
        ("Các đơn vị sự nghiệp trực thuộc UBND tỉnh", 3),
        ("sở, ban, ngành", 1),
    ],
)
def test_group_as_number_or_name(tmp_path: Path, cell: object, group: int) -> None:
    path = write_book(tmp_path / "x.xlsx", [[1, "Sở Tư pháp", cell, 800, 1000, None, None]])
    assert read_history_xlsx(path).rows[0].group == group


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (850, "850"),
        (850.5, "850.5"),
        (850.25, "850.25"),
        (850.2500000000001, "850.25"),  # binary noise of a formula's result
        ("850,5", "850.5"),
        ("850.5", "850.5"),
        (" 1.000,25 ", "1000.25"),
        ("0", "0"),
    ],
)
def test_scores_are_exact_decimals(tmp_path: Path, cell: object, value: str) -> None:
    path = write_book(tmp_path / "x.xlsx", [[1, "Sở Tư pháp", 1, cell, 2000, None, None]])
    total = read_history_xlsx(path).rows[0].total
    assert total == Decimal(value)
    assert total.as_tuple().exponent == -2


def test_the_table_is_found_below_titles_on_a_later_sheet(tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "x.xlsx",
        ROWS_2019,
        titles=["UBND TỈNH KHÁNH HÒA", "", "PHỤ LỤC", "Kết quả năm 2019"],
        extra_sheets=["Hướng dẫn"],
    )
    book = read_history_xlsx(path)
    assert book.sheet == "Kết quả" and book.header_row == header_row(4)
    assert len(book.rows) == len(ROWS_2019)


def test_blank_and_section_rows_are_skipped(tmp_path: Path) -> None:
    rows = [
        [None, "I. CÁC SỞ, BAN, NGÀNH"],
        ROWS_2019[0],
        [],
        [None, "Nhóm 2: UBND các huyện, thị xã, thành phố"],
        ROWS_2019[3],
        [None, None, None, None, None, None, None],
    ]
    book = read_history_xlsx(write_book(tmp_path / "x.xlsx", rows))
    assert [r.name for r in book.rows] == ["Sở Tư pháp", "UBND TP. Nha Trang"]
    assert [r.row for r in book.rows] == [6, 9]


def test_every_bad_cell_is_listed_with_its_reference(tmp_path: Path) -> None:
    rows = [
        [1, "Sở Tư pháp", 4, "850,5", 1000, 1, "Tốt"],  # group 4
        [2, "Sở Tài chính", 1, "tám trăm", 1000, "hai", "Giỏi"],  # total, rank, class
        [3, None, 1, 800, 1000, 3, "Khá"],  # no name
        [4, "Sở Y tế", 1, 1200, 1000, 4, "Tốt"],  # above the maximum
        [5, "Sở Xây dựng", 1, "850,555", 0, None, None],  # 3 decimals, maximum 0
        [6, "Sở Du lịch", 1, -5, 1000, 0, None],  # negative, rank 0
        [7, "Sở Công Thương", 1, None, None, None, None],  # nothing but the name
    ]
    with pytest.raises(HistoryFileRefused) as caught:
        read_history_xlsx(write_book(tmp_path / "sai.xlsx", rows))
    refused = caught.value
    refs = [p.split(":")[0] for p in refused.problems]
    assert refs == [
        "Kết quả!C5",
        "Kết quả!D6",
        "Kết quả!F6",
        "Kết quả!G6",
        "Kết quả!B7",
        "Kết quả!D8",
        "Kết quả!D9",
        "Kết quả!E9",
        "Kết quả!D10",
        "Kết quả!F10",
        "Kết quả!D11",
        "Kết quả!E11",
    ]
    message = refused.message
    assert message.startswith("Tệp 'sai.xlsx' có 12 ô không dùng được; chưa nhập gì.")
    assert "Hãy ghi 1, 2, 3 hoặc tên nhóm" in message
    assert "'tám trăm' không phải số" in message
    assert "lớn hơn điểm tối đa 1.000,00" in message
    assert "Tốt, Khá, Trung bình hoặc Yếu" in message
    assert "thiếu tên cơ quan" in message


def test_too_many_problems_are_summarised(tmp_path: Path) -> None:
    rows = [[i, f"Cơ quan {i}", 9, 1, 1, None, None] for i in range(40)]
    with pytest.raises(HistoryFileRefused) as caught:
        read_history_xlsx(write_book(tmp_path / "x.xlsx", rows))
    assert len(caught.value.problems) == 40
    assert "… và 10 ô khác." in caught.value.message


def test_a_sheet_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    header = ["STT", "Cơ quan, đơn vị", "Nhóm", "Điểm"]
    with pytest.raises(HistoryFileRefused, match="không thấy cột 'Tổng điểm', 'Điểm tối đa'"):
        read_history_xlsx(write_book(tmp_path / "x.xlsx", ROWS_2019, header=header))
    wb = Workbook()
    wb.active.append(["Danh sách"])  # type: ignore[union-attr]
    wb.save(tmp_path / "khac.xlsx")
    with pytest.raises(HistoryFileRefused, match="không tìm thấy dòng tiêu đề"):
        read_history_xlsx(tmp_path / "khac.xlsx")


def test_the_header_is_looked_for_only_near_the_top(tmp_path: Path) -> None:
    titles = [f"dòng {i}" for i in range(HEADER_ROWS)]
    with pytest.raises(HistoryFileRefused, match="không tìm thấy dòng tiêu đề"):
        read_history_xlsx(write_book(tmp_path / "x.xlsx", ROWS_2019, titles=titles))


def test_a_column_named_twice_is_refused(tmp_path: Path) -> None:
    header = [*HEADER, "Nhóm"]
    with pytest.raises(HistoryFileRefused, match=r"cột 'Nhóm' có hai lần \(Kết quả!C4 và"):
        read_history_xlsx(write_book(tmp_path / "x.xlsx", ROWS_2019, header=header))


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HistoryFileRefused, match="không có dòng kết quả nào"):
        read_history_xlsx(write_book(tmp_path / "x.xlsx", []))


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"%PDF-1.4 abc", "x.xlsx", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "x.xls", ".xls"),
        (b"", "x.xlsx", "rỗng"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_by_the_safe_opener(
    tmp_path: Path, content: bytes, name: str, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(HistoryFileRefused, match=words):
        read_history_xlsx(path)


def test_a_file_too_large_is_refused(tmp_path: Path) -> None:
    path = write_book(tmp_path / "x.xlsx", ROWS_2019)
    with pytest.raises(HistoryFileRefused, match="quá lớn"):
        read_history_xlsx(path, max_bytes=100)


def test_the_written_sheet_reads_back_exactly(tmp_path: Path) -> None:
    rows = (
        SheetRow("Sở Tư pháp", 1, Decimal("850.05"), Decimal(1000), 1, Classification.GOOD),
        SheetRow("Sở Y tế", 1, Decimal("0.10"), Decimal("1000.00"), None, None),
        SheetRow("UBND huyện Vạn Ninh", 2, Decimal("700"), Decimal(900), 1, Classification.FAIR),
    )
    path = write_published_sheet(tmp_path / "Kết quả.xlsx", 2019, rows, subtitle="(mẫu)")
    book = read_history_xlsx(path)
    assert [
        (r.name, r.group, r.total, r.max_points, r.rank, r.classification) for r in book.rows
    ] == [(r.name, r.group, r.total, r.max_points, r.rank, r.classification) for r in rows]
    assert [r.row for r in book.rows] == [6, 7, 9]  # after the section rows
    with pytest.raises(ValueError, match=r"\.xlsx"):
        write_published_sheet(tmp_path / "x.pdf", 2019, rows)


def test_the_sample_file_for_users_reads() -> None:
    sample = Path(__file__).resolve().parents[2] / "resources" / "samples" / "ket-qua-2019-mau.xlsx"
    book = read_history_xlsx(sample)
    assert len(book.rows) == 6 and book.has_rank and book.has_class
    assert {r.group for r in book.rows} == {1, 2, 3}
