"""The receipt register exported to Excel, read back with openpyxl."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from khit_desktop.domain.lateness import LatenessStatus
from khit_desktop.exchange.register_xlsx import (
    DEMO_BANNER,
    HEADERS,
    SHEET_NAME,
    STATUS_COLOURS,
    export_register,
)
from khit_desktop.services.receipts import RegisterLine, register
from khit_desktop.store.database import open_database

TODAY = date(2021, 1, 4)
VIETNAMESE_FOLDER = "Tài liệu của Nguyễn Văn A"
INJECTION = '=HYPERLINK("http://example.com/x","Bấm vào đây")'
(NO, CODE, NAME, CHANNEL, SENT, RECEIVED, DOC, STATUS, EXPLANATION, OTHERS) = range(10)


@pytest.fixture(scope="module")
def lines(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> list[RegisterLine]:
    """The demo register of 2020, as the receipts service gives it (copy of the template)."""
    copy = tmp_path_factory.mktemp("register-db") / "x.db"
    shutil.copy(demo_template, copy)
    db = open_database(copy)
    try:
        return register(db, 2020, as_of=date(2021, 1, 1))
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def exported(lines: list[RegisterLine], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export") / VIETNAMESE_FOLDER
    folder.mkdir()
    return export_register(
        lines, folder / "Sổ tiếp nhận 2020.xlsx", year=2020, demo=True, generated_on=TODAY
    )


@pytest.fixture(scope="module")
def book(exported: Path) -> Iterator[Workbook]:
    wb = load_workbook(exported)
    yield wb
    wb.close()


@pytest.fixture(scope="module")
def sheet(book: Workbook) -> Worksheet:
    return book[SHEET_NAME]


def header_row(ws: Worksheet) -> int:
    return next(row for row in range(1, 20) if ws.cell(row, 1).value == "STT")


def table_rows(ws: Worksheet) -> list[tuple[Any, ...]]:
    """The cells of every row of the table (sections and agencies), in order."""
    rows = []
    for row in ws.iter_rows(min_row=header_row(ws) + 1):
        if all(cell.value is None for cell in row):
            break
        rows.append(row)
    return rows


def agency_rows(ws: Worksheet) -> list[tuple[Any, ...]]:
    return [row for row in table_rows(ws) if isinstance(row[NO].value, int)]


def merged_rows(ws: Worksheet) -> set[int]:
    return {r.min_row for r in ws.merged_cells.ranges if r.min_col == 1 and r.max_col == 10}


def texts(ws: Worksheet) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def export_lines(path: Path, lines: list[RegisterLine], *, demo: bool = False) -> Worksheet:
    export_register(lines, path, year=2020, demo=demo, generated_on=TODAY)
    return load_workbook(path)[SHEET_NAME]


def test_exchange_imports_the_domain_only() -> None:
    """DESIGN.md: exchange/ imports domain only; services are imported for type hints only."""
    code = (
        "import sys, khit_desktop.exchange.register_xlsx; "
        "print(' '.join(m for m in sys.modules if m.startswith('khit_desktop.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert {m.split(".")[1] for m in loaded} == {"domain", "exchange"}


# --- the file ---------------------------------------------------------------------------


def test_written_in_a_vietnamese_folder_with_nothing_left_behind(exported: Path) -> None:
    assert exported.parent.name == VIETNAMESE_FOLDER
    assert exported.name == "Sổ tiếp nhận 2020.xlsx"
    assert [p.name for p in exported.parent.iterdir()] == [exported.name]
    assert zipfile.is_zipfile(exported)


@pytest.mark.parametrize("name", ["so.xls", "so.csv", "so", "so.xlsx.bak", "so.xlsm"])
def test_a_name_not_ending_in_xlsx_is_refused(
    name: str, lines: list[RegisterLine], tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"không phải tệp Excel \.xlsx"):
        export_register(lines, tmp_path / name, year=2020, demo=False, generated_on=TODAY)
    assert list(tmp_path.iterdir()) == []


def test_upper_case_suffix_and_str_path_accepted(lines: list[RegisterLine], tmp_path: Path) -> None:
    target = str(tmp_path / "SO.XLSX")
    result = export_register(lines, target, year=2020, demo=False, generated_on=TODAY)
    assert result == Path(target)
    assert result.is_file()


def test_an_existing_file_is_replaced(lines: list[RegisterLine], tmp_path: Path) -> None:
    target = tmp_path / "so.xlsx"
    target.write_bytes(b"old content")
    export_register(lines, target, year=2020, demo=False, generated_on=TODAY)
    assert load_workbook(target)[SHEET_NAME].cell(1, 1).value.startswith("SỔ TIẾP NHẬN")
    assert [p.name for p in tmp_path.iterdir()] == ["so.xlsx"]


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary(
    lines: list[RegisterLine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "so.xlsx"
    target.write_bytes(b"old content")

    def broken_save(self: Workbook, filename: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        export_register(lines, target, year=2020, demo=False, generated_on=TODAY)
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["so.xlsx"]


# --- titles -----------------------------------------------------------------------------


def test_title_date_and_demo_banner(sheet: Worksheet) -> None:
    assert sheet.title == SHEET_NAME
    assert sheet.cell(1, 1).value == "SỔ TIẾP NHẬN PHIẾU ĐÁNH GIÁ MỨC ĐỘ ỨNG DỤNG CNTT NĂM 2020"
    assert sheet.cell(2, 1).value == "Lập ngày 04/01/2021"
    banner = sheet.cell(3, 1)
    assert banner.value == DEMO_BANNER == "DỮ LIỆU MINH HỌA — không phải số liệu chính thức"
    assert banner.font.b
    assert banner.font.color.rgb.endswith("C00000")
    assert {1, 2, 3} <= merged_rows(sheet)
    assert DEMO_BANNER in sheet.oddHeader.center.text  # on every printed page too


def test_no_banner_without_demo(lines: list[RegisterLine], tmp_path: Path) -> None:
    ws = export_lines(tmp_path / "so.xlsx", lines, demo=False)
    assert not any("MINH HỌA" in text for text in texts(ws))
    assert not ws.oddHeader.center.text
    assert header_row(ws) == 4
    assert len(agency_rows(ws)) == 37


# --- the table --------------------------------------------------------------------------


def test_header_cells(sheet: Worksheet) -> None:
    row = header_row(sheet)
    assert row == 5
    assert tuple(sheet.cell(row, c).value for c in range(1, 11)) == HEADERS
    assert HEADERS == (
        "STT",
        "Mã",
        "Cơ quan, đơn vị",
        "Kênh gửi",
        "Ngày gửi",
        "Ngày nhận",
        "Số, ký hiệu văn bản",
        "Tình trạng",
        "Giải thích",
        "Các lần tiếp nhận khác",
    )
    assert all(sheet.cell(row, c).font.b for c in range(1, 11))


def test_three_group_sections_and_37_agencies_in_the_given_order(
    sheet: Worksheet, lines: list[RegisterLine]
) -> None:
    rows = table_rows(sheet)
    assert len(rows) == 40
    sections = [row for row in rows if not isinstance(row[NO].value, int)]
    assert [row[0].value for row in sections] == [
        "Nhóm 1: Các sở, ban, ngành",
        "Nhóm 2: UBND các huyện, thị xã, thành phố",
        "Nhóm 3: Các đơn vị sự nghiệp trực thuộc UBND tỉnh",
    ]
    assert {row[0].row for row in sections} <= merged_rows(sheet)
    agencies = agency_rows(sheet)
    assert [row[NO].value for row in agencies] == list(range(1, 38))
    assert [row[CODE].value for row in agencies] == [line.agency_code for line in lines]
    # each section comes right before its group's first agency
    first_of_group = {}
    for row, line in zip(agencies, lines, strict=True):
        first_of_group.setdefault(line.group, row[0].row)
    assert [first_of_group[g] - 1 for g in (1, 2, 3)] == [row[0].row for row in sections]


def test_vietnamese_names_round_trip_exactly_in_nfc(
    sheet: Worksheet, lines: list[RegisterLine]
) -> None:
    names = [row[NAME].value for row in agency_rows(sheet)]
    assert names == [line.agency_name for line in lines]
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    assert "Trường Đại học Khánh Hòa" in names


def test_the_counted_receipt_fills_channel_dates_and_number(
    sheet: Worksheet, lines: list[RegisterLine]
) -> None:
    for row, line in zip(agency_rows(sheet), lines, strict=True):
        counted = line.counted
        if counted is None:
            assert [row[c].value for c in (CHANNEL, SENT, RECEIVED, DOC)] == [None] * 4
            continue
        assert row[CHANNEL].value == counted.channel.label
        assert row[DOC].value == counted.doc_number
        for column, expected in ((SENT, counted.sent_date), (RECEIVED, counted.received_date)):
            cell = row[column]
            assert isinstance(cell.value, datetime), cell.coordinate  # a real date, not text
            assert cell.is_date
            assert cell.value.date() == expected
            assert cell.number_format == "DD/MM/YYYY"


def test_every_status_has_its_text_and_its_colour(
    sheet: Worksheet, lines: list[RegisterLine]
) -> None:
    seen = set()
    for row, line in zip(agency_rows(sheet), lines, strict=True):
        status = line.decision.status
        cell = row[STATUS]
        assert cell.value == status.label
        fill, ink = STATUS_COLOURS[status]
        assert cell.fill.fill_type == "solid"
        assert cell.fill.fgColor.rgb.endswith(fill)
        assert cell.font.color.rgb.endswith(ink)
        assert row[EXPLANATION].value == line.decision.explanation
        seen.add(status)
    assert seen == set(LatenessStatus)
    assert STATUS_COLOURS[LatenessStatus.ON_TIME] == ("C6EFCE", "006100")
    assert STATUS_COLOURS[LatenessStatus.LATE] == ("FFEB9C", "9C5700")
    assert STATUS_COLOURS[LatenessStatus.VERY_LATE] == ("FFC7CE", "9C0006")
    assert STATUS_COLOURS[LatenessStatus.MISSING] == ("EDEDED", "404040")
    assert STATUS_COLOURS[LatenessStatus.NOT_RANKED] == ("DDEBF7", "1F3864")


def test_other_receipts_listed_with_their_reason(sheet: Worksheet) -> None:
    by_code = {row[CODE].value: row for row in agency_rows(sheet)}
    syt = by_code["SYT"][OTHERS].value
    assert syt.startswith("#33 Thư điện tử công vụ, gửi 12/11/2020, nhận 12/11/2020")
    assert "— không hợp lệ: Phiếu gửi qua thư điện tử chưa có chữ ký số" in syt
    assert by_code["SYT"][SENT].value.date() == date(2020, 11, 19)  # the valid one counts
    nt = by_code["NT"][OTHERS].value
    assert nt.startswith("#15 Phần mềm QLVB&ĐH, gửi 11/11/2020")
    assert "không tính" in nt
    exempt = by_code["BQLDA-GT"]
    assert exempt[CHANNEL].value is None  # nothing counts for an agency not ranked
    assert exempt[OTHERS].value.startswith("#3 Bưu điện, gửi 08/11/2020")
    assert by_code["BDT"][OTHERS].value is None
    assert by_code["SYT"][OTHERS].alignment.wrap_text


def test_summary_counts_per_status_and_total(sheet: Worksheet, lines: list[RegisterLine]) -> None:
    last_table_row = table_rows(sheet)[-1][0].row
    expected = Counter(line.decision.status for line in lines)
    found: dict[str, list[Any]] = {}
    for row in sheet.iter_rows(min_row=last_table_row + 1):
        label = row[NAME].value
        if isinstance(label, str):
            found[label] = [c.value for c in row[NAME + 1 : NAME + 5]]
    assert "TỔNG HỢP THEO TÌNH TRẠNG" in found
    assert found["Tình trạng"] == ["Nhóm 1", "Nhóm 2", "Nhóm 3", "Cộng"]
    for status in LatenessStatus:
        assert found[status.label][-1] == expected[status], status
    assert found["Tổng số cơ quan, đơn vị"] == [21, 8, 8, 37]
    assert sum(found[s.label][-1] for s in LatenessStatus) == 37


# --- escaping ---------------------------------------------------------------------------


def with_texts(line: RegisterLine, *, name: str, doc: str) -> RegisterLine:
    counted = line.counted
    assert counted is not None
    receipts = tuple(
        dataclasses.replace(r, doc_number=doc) if r is counted else r for r in line.receipts
    )
    return dataclasses.replace(line, agency_name=name, receipts=receipts)


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("Sở Tư pháp", INJECTION),
        ("+Sở Tư pháp", "+84 258 3822 123"),
        ("-Sở Tư pháp", "-1+2"),
        ("@Sở Tư pháp", "@SUM(A1:A2)"),
        ("\tSở Tư pháp", "#N/A"),
    ],
    ids=["equals-hyperlink", "plus", "minus", "at", "tab-and-error-value"],
)
def test_formula_like_text_is_stored_as_text(
    name: str, doc: str, lines: list[RegisterLine], tmp_path: Path
) -> None:
    index = next(i for i, line in enumerate(lines) if line.agency_code == "STP")
    changed = [*lines]
    changed[index] = with_texts(lines[index], name=name, doc=doc)
    target = tmp_path / "so.xlsx"
    ws = export_lines(target, changed)
    row = agency_rows(ws)[index]
    for cell, text in ((row[NAME], name), (row[DOC], doc)):
        assert cell.value == text
        assert cell.data_type == "s"
        if text[0] in "=+-@\t":
            assert cell.quotePrefix  # stays text when edited in Excel
    with zipfile.ZipFile(target) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    assert 't="e"' not in xml  # no error value either


def test_nfd_input_is_written_nfc_and_control_characters_dropped(
    lines: list[RegisterLine], tmp_path: Path
) -> None:
    nfd = unicodedata.normalize("NFD", "Sở Tư pháp")
    changed = [with_texts(lines[0], name=nfd, doc="12\x0b/BDT-VP"), *lines[1:]]
    row = agency_rows(export_lines(tmp_path / "so.xlsx", changed))[0]
    assert row[NAME].value == "Sở Tư pháp"
    assert row[DOC].value == "12/BDT-VP"


# --- printing and screen ----------------------------------------------------------------


def test_page_setup_for_printing(sheet: Worksheet) -> None:
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert int(setup.paperSize) == 9  # A4
    assert int(setup.fitToWidth) == 1
    assert int(setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$5:$5"
    assert sheet.freeze_panes == "D6"  # below the header, right of the agency name


def test_columns_fonts_and_borders(sheet: Worksheet) -> None:
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFGHIJ"}
    assert widths["I"] == max(widths.values())
    assert all(row[EXPLANATION].alignment.wrap_text for row in agency_rows(sheet))
    fonts = {c.font.name for row in sheet.iter_rows() for c in row if c.value is not None}
    assert fonts == {"Times New Roman"}
    for row in table_rows(sheet):
        for cell in row:  # inside a merged section row only the outer frame is drawn
            assert cell.border.top.style == "thin", cell.coordinate
            assert cell.border.bottom.style == "thin", cell.coordinate
            if not isinstance(cell, MergedCell):
                assert cell.border.left.style == "thin", cell.coordinate
        assert row[-1].border.right.style == "thin", row[-1].coordinate
