"""The results workbook (ranking + criteria per agency), read back with openpyxl."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from khit_desktop import cli
from khit_desktop.exchange.results_xlsx import (
    DEMO_BANNER,
    DETAIL_HEADERS,
    DETAIL_PREFIX,
    DOWN_RED,
    MOVEMENT_HEADER,
    NUMBER_FORMAT,
    PERCENT_FORMAT,
    RESULTS_SHEET,
    UP_GREEN,
    results_headers,
    sheet_name,
)
from khit_desktop.services.movement import movement
from khit_desktop.services.results import ResultRow, ranking
from khit_desktop.services.results_export import export_results
from khit_desktop.services.score_grid import agency_sheet
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import Agency, RoundAgency, ScoreRow

YEAR = 2020
INJECTION = '=HYPERLINK("x")'
REASON_INJECTION = "=1+1"
VIETNAMESE_FOLDER = "Kết quả của Nguyễn Văn A"


def _copy(template: Path, folder: Path) -> Path:
    copy = folder / "khit.db"
    shutil.copy(template, copy)
    return copy


@pytest.fixture(scope="module")
def db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_database(_copy(demo_template, tmp_path_factory.mktemp("results-db")))
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def rows(db: Database) -> list[ResultRow]:
    return ranking(db, YEAR)


@pytest.fixture(scope="module")
def exported(db: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("results-out") / VIETNAMESE_FOLDER
    folder.mkdir()
    return export_results(db, YEAR, folder / "Kết quả 2020.xlsx")


@pytest.fixture(scope="module")
def wb(exported: Path) -> Workbook:
    return load_workbook(exported)


def _result_lines(ws: Worksheet) -> list[tuple[Any, ...]]:
    """The agency lines of the results sheet: rows whose "Nhóm" cell is a number."""
    return [
        tuple(c.value for c in line)
        for line in ws.iter_rows(min_row=1)
        if isinstance(line[2].value, int)
    ]


def _all_cells(wb: Workbook) -> Iterator[Any]:
    for ws in wb.worksheets:
        for line in ws.iter_rows():
            yield from line


def test_every_agency_once_with_rank_score_and_classification(
    wb: Workbook, rows: list[ResultRow]
) -> None:
    ws = wb[RESULTS_SHEET]
    areas = max(len(r.area_totals) for r in rows)
    headers = results_headers(areas)
    col = {h: i for i, h in enumerate(headers)}
    lines = _result_lines(ws)
    assert len(lines) == len(rows) and len(rows) > 0
    assert [line[col["Cơ quan, đơn vị"]] for line in lines] == [r.agency_name for r in rows]
    for line, row in zip(lines, rows, strict=True):
        assert line[col["Xếp hạng"]] == row.rank
        final = line[col["Điểm cuối cùng"]]
        assert isinstance(final, int | float) and Decimal(repr(final)) == row.final_score
        percent = line[col["Tỷ lệ (%)"]]
        assert isinstance(percent, int | float) and Decimal(repr(percent)) == row.percent
        assert line[col["Xếp loại"]] == row.classification.value
        assert line[col["Tình trạng gửi phiếu"]] == row.status.label
        assert line[col["Nhóm"]] == row.group
        if row.self_total is not None:
            for index, total in enumerate(row.area_totals):
                assert Decimal(repr(line[col[f"Lĩnh vực {index + 1}"]])) == total
    assert any(r.rank is None for r in rows) or all(isinstance(line[0], int) for line in lines)


def test_movement_since_the_year_before(wb: Workbook, db: Database, rows: list[ResultRow]) -> None:
    ws = wb[RESULTS_SHEET]
    headers = results_headers(max(len(r.area_totals) for r in rows))
    assert headers[headers.index("Xếp loại") + 1] == MOVEMENT_HEADER
    column = headers.index(MOVEMENT_HEADER)
    moves = movement(db, YEAR)
    lines = [line for line in ws.iter_rows() if isinstance(line[2].value, int)]
    texts = [line[column].value for line in lines]
    assert texts == [moves[r.agency_code].text or None for r in rows]
    assert "đổi nhóm" in texts and "mới" in texts and "giữ nguyên" in texts
    for line in lines:
        text = str(line[column].value or "")
        colour = line[column].font.color.rgb if line[column].font.color else None
        if text.startswith("tăng"):
            assert colour == "00" + UP_GREEN
        elif text.startswith("giảm"):
            assert colour == "00" + DOWN_RED


def test_a_year_without_a_year_before_has_an_empty_movement_column(
    db: Database, tmp_path: Path
) -> None:
    out = export_results(db, YEAR - 1, tmp_path / "2019.xlsx")  # the demo's published year
    ws = load_workbook(out)[RESULTS_SHEET]
    headers = results_headers(0)
    column = headers.index(MOVEMENT_HEADER)
    lines = [line for line in ws.iter_rows() if isinstance(line[2].value, int)]
    assert lines and all(line[column].value is None for line in lines)
    assert load_workbook(out).sheetnames == [RESULTS_SHEET]  # no criteria: published totals
    final = headers.index("Điểm cuối cùng")
    assert all(isinstance(line[final].value, int | float) for line in lines)


def test_numbers_are_number_cells_with_two_decimals(wb: Workbook, rows: list[ResultRow]) -> None:
    ws = wb[RESULTS_SHEET]
    headers = results_headers(max(len(r.area_totals) for r in rows))
    final_col = headers.index("Điểm cuối cùng") + 1
    percent_col = headers.index("Tỷ lệ (%)") + 1
    data = [line for line in ws.iter_rows() if isinstance(line[2].value, int)]
    for line in data:
        assert line[final_col - 1].data_type == "n"
        assert line[final_col - 1].number_format == NUMBER_FORMAT
        assert line[percent_col - 1].number_format == PERCENT_FORMAT
        assert line[0].value is None or isinstance(line[0].value, int)


def test_sections_headers_title_and_demo_banner(wb: Workbook, rows: list[ResultRow]) -> None:
    ws = wb[RESULTS_SHEET]
    headers = results_headers(max(len(r.area_totals) for r in rows))
    assert str(ws["A1"].value).startswith("KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG")
    assert str(ws["A1"].value).endswith(f"NĂM {YEAR}")
    assert ws["A2"].value == DEMO_BANNER
    header_rows = [line for line in ws.iter_rows() if line[0].value == "Xếp hạng"]
    assert len(header_rows) == len({r.group for r in rows})
    for line in header_rows:
        assert tuple(c.value for c in line[: len(headers)]) == headers
    sections = [c.value for c in ws["A"] if str(c.value or "").startswith("Nhóm ")]
    assert [s.split(":")[0] for s in sections] == [
        f"Nhóm {g}" for g in sorted({r.group for r in rows})
    ]
    assert ws.freeze_panes == f"C{header_rows[0][0].row + 1}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["B" + str(header_rows[0][0].row + 1)].font.name == "Times New Roman"


def test_one_detail_sheet_per_agency_that_sent_a_form(
    wb: Workbook, db: Database, rows: list[ResultRow]
) -> None:
    senders = [r for r in rows if r.self_total is not None]
    assert 0 < len(senders) < len(rows)  # the demo has agencies without a form
    assert wb.sheetnames == [RESULTS_SHEET, *(DETAIL_PREFIX + r.agency_code for r in senders)]
    for row in senders[:3]:
        ws = wb[DETAIL_PREFIX + row.agency_code]
        sheet = agency_sheet(db, YEAR, row.agency_code)
        header = next(line for line in ws.iter_rows() if line[0].value == "Mã")
        assert tuple(c.value for c in header) == DETAIL_HEADERS
        first = header[0].row + 1
        body = list(ws.iter_rows(min_row=first, max_row=first + len(sheet.rows) - 1))
        assert [line[0].value for line in body] == [g.code for g in sheet.rows]
        for line, grid in zip(body, sheet.rows, strict=True):
            assert line[1].font.bold is (not grid.is_leaf)
            assert (line[1].alignment.indent or 0) == min(grid.depth * 2, 15)
            assert Decimal(repr(line[2].value)) == grid.max_points
            if grid.appraised is None:
                assert line[5].value is None
            else:
                assert Decimal(repr(line[5].value)) == grid.appraised
        assert ws.max_row == first + len(sheet.rows) - 1
        assert ws.freeze_panes == f"C{first}"


def test_formula_injection_stays_text(
    demo_template: Path, tmp_path: Path, rows: list[ResultRow]
) -> None:
    target = next(r for r in rows if r.self_total is not None)
    db = open_database(_copy(demo_template, tmp_path))
    try:
        with db.session() as s:
            agency = s.scalars(select(Agency).where(Agency.code == target.agency_code)).one()
            member = s.scalars(select(RoundAgency).where(RoundAgency.agency_id == agency.id))
            for m in member:
                m.name = INJECTION
            score = s.scalars(select(ScoreRow).where(ScoreRow.agency_id == agency.id)).first()
            assert score is not None
            score.reason = REASON_INJECTION
            s.commit()
        out = export_results(db, YEAR, tmp_path / "ket-qua.xlsx")
    finally:
        db.dispose()
    book = load_workbook(out)
    cells = list(_all_cells(book))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    named = [c for c in cells if c.value == INJECTION]
    assert named and all(c.data_type == "s" and c.quotePrefix for c in named)
    reasons = [c for c in cells if c.value == REASON_INJECTION]
    assert reasons and all(c.data_type == "s" for c in reasons)
    with zipfile.ZipFile(out) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


def test_sheet_names_are_valid_and_unique() -> None:
    used = {RESULTS_SHEET.casefold()}
    first = sheet_name("Chi tiet A/B:C*?[x]\\", used)
    assert first == "Chi tiet A_B_C___x__"
    used.add(first.casefold())
    assert sheet_name(first.upper(), used) == first.upper() + " (2)"
    long = sheet_name("Chi tiet " + "X" * 40, used)
    assert len(long) == 31
    used.add(long.casefold())
    again = sheet_name("Chi tiet " + "X" * 40, used)
    assert len(again) == 31 and again.endswith(" (2)")


# ---------------------------------------------------------------- command line


@pytest.fixture
def khit(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """``khit`` in-process through ``cli.main``."""

    def call(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_cli_export_writes_the_workbook(khit: Any, demo_template: Path, tmp_path: Path) -> None:
    db = _copy(demo_template, tmp_path)
    out = tmp_path / "Kết quả.xlsx"
    code, stdout, err = khit("export", "--db", db, "--year", str(YEAR), "--out", out)
    assert code == 0, err
    assert stdout.strip() == str(out)
    assert load_workbook(out).sheetnames[0] == RESULTS_SHEET


def test_cli_export_refuses_a_pdf_name(khit: Any, demo_template: Path, tmp_path: Path) -> None:
    db = _copy(demo_template, tmp_path)
    out = tmp_path / "ket-qua.pdf"
    code, _, err = khit("export", "--db", db, "--year", str(YEAR), "--out", out)
    assert code == 3
    assert ".xlsx" in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("khit.db")] == []
