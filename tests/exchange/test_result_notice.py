"""The notice of an agency's appraisal result (PDF and Excel), written from the demo and read
back with pypdf and openpyxl."""

from __future__ import annotations

import argparse
import dataclasses
import re
import shutil
import unicodedata
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from khit_desktop import cli_notice
from khit_desktop.cli_parser import EXIT_OK, Parser
from khit_desktop.domain.numbers import format_percent, format_points
from khit_desktop.exchange import pdf_style
from khit_desktop.exchange.result_notice import (
    DEMO_BANNER,
    HEADERS,
    changed,
    reason_and_source,
    write_result_notice_pdf,
)
from khit_desktop.services.errors import NotFound
from khit_desktop.services.explanations import decisions, explanations
from khit_desktop.services.notices import write_notice
from khit_desktop.services.score_grid import AgencySheet, agency_sheet
from khit_desktop.services.surveys import list_surveys
from khit_desktop.store.database import Database, open_database

AS_OF = date(2021, 1, 4)
# CR: a council decision, an explanation awaited, cross-checks, a survey; DHKH: a survey
# finding applied; SGTVT: a general datum corrected; STP: sent late (−100).
AGENCIES = ("CR", "DHKH", "SGTVT", "STP")
FOLDER = "Kết quả thẩm định"


@pytest.fixture(scope="module")
def db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    copy = tmp_path_factory.mktemp("notice-db") / "demo.db"
    shutil.copy(demo_template, copy)
    database = open_database(copy)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("notice") / FOLDER
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def notices(db: Database, out: Path) -> dict[str, Path]:
    return {c: write_notice(db, 2020, c, out / f"Kết quả {c}.pdf", as_of=AS_OF) for c in AGENCIES}


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def placed_text(page: Any) -> list[tuple[float, float, str]]:
    """(x, y, text) of every text run of a page, in points from the bottom left."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, y, text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def sheet_of(db: Database, code: str) -> AgencySheet:
    return agency_sheet(db, 2020, code, as_of=AS_OF)


@pytest.mark.parametrize("code", AGENCIES)
def test_every_changed_criterion_is_printed_with_its_reason(
    db: Database, notices: dict[str, Path], code: str
) -> None:
    sheet = sheet_of(db, code)
    text = flat(pdf_text(notices[code]))
    rows = [row for row in sheet.rows if changed(row)]
    assert any(row.is_leaf for row in rows)
    for row in rows:
        reason, source = reason_and_source(row, sheet)
        assert row.code in text and flat(row.title) in text
        assert format_points(row.max_points) in text
        if row.is_leaf:
            assert reason, f"{code} {row.code}: a changed leaf without a reason"
            assert flat(reason) in text and flat(source) in text
            if row.adjusted and row.reason:
                assert flat(row.reason) in text


def test_reasons_only_where_the_scores_differ_or_were_adjusted(db: Database) -> None:
    sheet = sheet_of(db, "CR")
    for row in sheet.rows:
        reason, source = reason_and_source(row, sheet)
        assert bool(reason) == (row.is_leaf and changed(row))
        assert not source or reason


@pytest.mark.parametrize("code", AGENCIES)
def test_totals_lateness_and_classification_with_decimal_commas(
    db: Database, notices: dict[str, Path], code: str
) -> None:
    sheet = sheet_of(db, code)
    text = flat(pdf_text(notices[code]))
    for value in (sheet.self_total, sheet.appraised_total, sheet.final_score, sheet.penalty):
        assert f"{format_points(value)} điểm" in text or f"{format_points(value)} /" in text
    assert format_points(sheet.max_points) == "1.000,00" and "1.000,00 điểm" in text
    assert format_percent(sheet.percent) in text
    assert f"Xếp loại {sheet.classification.label}" in text
    assert flat(sheet.lateness.explanation) in text and sheet.lateness.status.label in text
    assert f"{sheet.final_score:f}" not in text  # never a decimal point
    assert "NĂM 2020" in text and "tạm thời" in text and sheet.agency_name in text


def test_late_agency_shows_the_penalty(db: Database, notices: dict[str, Path]) -> None:
    sheet = sheet_of(db, "STP")
    assert sheet.penalty == Decimal(100)
    text = flat(pdf_text(notices["STP"]))
    assert "Trừ điểm do gửi phiếu trễ hạn (Điều 8.3) 100,00 điểm" in text
    assert "trừ 100 điểm (Điều 8.3)" in text


def test_council_decisions_and_explanations(db: Database, notices: dict[str, Path]) -> None:
    text = flat(pdf_text(notices["CR"]))
    assert "IV. GIẢI TRÌNH, QUYẾT ĐỊNH CỦA HỘI ĐỒNG" in text
    for d in decisions(db, 2020, "CR"):
        assert f"Tiêu chí {d.code}: Hội đồng thẩm định họp ngày" in text
        assert flat(d.decision.rstrip(".")) in text and format_points(d.points) in text
    for e in explanations(db, 2020, "CR"):
        assert e.letter_number in text and "đang chờ giải trình" in text
    assert "1521/STTTT-CNTT" not in text  # another agency's letter
    assert "Trần Minh Quang" in text  # the chair signs


def test_fonts_are_embedded_subsets_of_the_serif(notices: dict[str, Path]) -> None:
    family = pdf_style.font_in_use().replace(" ", "")
    pattern = re.compile(rf"^/[A-Z]{{6}}\+{family}[-A-Za-z]*$")
    for path in notices.values():
        assert b"Helvetica" not in path.read_bytes()
        for page in PdfReader(path).pages:
            fonts = page["/Resources"]["/Font"]
            assert fonts
            for ref in fonts.values():
                font = ref.get_object()
                assert pattern.match(str(font["/BaseFont"])), font["/BaseFont"]
                assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_a4_landscape_margins_and_page_numbers_from_page_2(notices: dict[str, Path]) -> None:
    width, height = A4[1], A4[0]
    reader = PdfReader(notices["CR"])
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        assert float(page.mediabox.width) == pytest.approx(width, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(height, abs=0.5)
        placed = placed_text(page)
        in_top_margin = {t for x, y, t in placed if y > height - 20 * mm}
        expected = {pdf_style.DEMO_PAGE_MARK} | ({str(number)} if number >= 2 else set())
        assert in_top_margin == expected
        numbers = [x for x, y, t in placed if t == str(number) and y > height - 20 * mm]
        if number >= 2:  # centred over the text width
            middle = 30 * mm + (width - 45 * mm) / 2
            assert numbers and abs(numbers[0] - middle) < 6
        body = [(x, y) for x, y, t in placed if y <= height - 20 * mm]
        assert min(x for x, _ in body) >= 30 * mm - 0.5
        assert min(y for _, y in body) >= 20 * mm - 0.5


def test_template_numbers_follow_nd30() -> None:
    for orientation in (pdf_style.PORTRAIT, pdf_style.LANDSCAPE):
        doc = pdf_style.OfficialDoc("unused.pdf", orientation=orientation)
        size = A4 if orientation == pdf_style.PORTRAIT else (A4[1], A4[0])
        assert doc.pagesize == pytest.approx(size)
        for side, (low, high) in pdf_style.MARGIN_RANGES_MM.items():
            assert low * mm <= getattr(doc, f"{side}Margin") <= high * mm
        assert doc.initialFontName == pdf_style.register_fonts().regular
        assert doc.pageTemplates[0].id == orientation


def test_extracted_text_is_nfc_even_from_nfd_data(db: Database, out: Path) -> None:
    sheet = sheet_of(db, "CR")
    nfd = dataclasses.replace(
        sheet,
        agency_name=unicodedata.normalize("NFD", sheet.agency_name),
        rows=tuple(
            dataclasses.replace(r, title=unicodedata.normalize("NFD", r.title)) for r in sheet.rows
        ),
    )
    path = write_result_notice_pdf(nfd, out / "nfd.pdf", decisions=[], explanations=[])
    text = pdf_text(path)
    assert text == unicodedata.normalize("NFC", text)
    assert not any(unicodedata.combining(ch) for ch in text)
    assert "UBND thành phố Cam Ranh" in flat(text)
    assert flat(sheet.rows[0].title) in flat(text)
    assert pdf_style.DEMO_PAGE_MARK not in text  # demo=False
    assert "Độc lập - Tự do - Hạnh phúc" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_markup_characters_are_printed_as_text(db: Database, out: Path) -> None:
    sheet = sheet_of(db, "CR")
    odd = "Số liệu <b>QLVB&ĐH</b> & ghi chú"
    rows = tuple(dataclasses.replace(r, reason=odd) if r.code == "1.3" else r for r in sheet.rows)
    path = write_result_notice_pdf(
        dataclasses.replace(sheet, rows=rows), out / "markup.pdf", decisions=[], explanations=[]
    )
    assert odd in flat(pdf_text(path))


def test_date_phrase_follows_nd30() -> None:
    assert pdf_style.date_phrase(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert pdf_style.date_phrase(date(2021, 1, 4)) == "ngày 04 tháng 01 năm 2021"
    assert pdf_style.date_phrase(date(2021, 3, 15)) == "ngày 15 tháng 3 năm 2021"
    assert pdf_style.place_date("Khánh Hòa", date(2020, 12, 30)) == (
        "Khánh Hòa, ngày 30 tháng 12 năm 2020"
    )


def test_excel_twin(db: Database, out: Path) -> None:
    sheet = sheet_of(db, "CR")
    path = write_notice(db, 2020, "CR", out / "Kết quả CR.xlsx", as_of=AS_OF)
    ws = load_workbook(path).active
    assert ws is not None
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0][0] == "KẾT QUẢ THẨM ĐỊNH MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM 2020"
    assert any(r[0] == DEMO_BANNER for r in values)
    header = next(i for i, r in enumerate(values) if tuple(r) == HEADERS)
    table = values[header + 1 : header + 1 + len(sheet.rows)]
    for row, line in zip(sheet.rows, table, strict=True):
        assert line[0] == row.code and line[1] == row.title
        figures = (row.max_points, row.self_points, row.appraised, row.difference)
        for value, cell in zip(figures, line[2:6], strict=True):
            assert Decimal(str(cell)) == value
        reason, source = reason_and_source(row, sheet)
        assert (line[6] or "", line[7] or "") == (reason, source)
    assert values[header + 1 + len(sheet.rows)][0] == "Tổng cộng"
    summary = {r[1]: r[2] for r in values if r[1] and r[0] is None}
    assert Decimal(str(summary["Điểm cuối cùng"])) == sheet.final_score
    assert Decimal(str(summary["Tỷ lệ so với điểm tối đa (%)"])) == sheet.percent
    assert summary["Xếp loại"] == sheet.classification.label
    assert ws.cell(header + 2, 3).number_format == "#,##0.00"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert any("tạm thời" in str(r[0]) for r in values)


def test_wrong_suffix_and_unknown_agency(db: Database, out: Path) -> None:
    with pytest.raises(ValueError, match=r"\.pdf.*\.xlsx"):
        write_notice(db, 2020, "CR", out / "ket-qua.docx")
    assert not (out / "ket-qua.docx").exists()
    with pytest.raises(NotFound):
        write_notice(db, 2020, "KHONGCO", out / "x.pdf")
    assert not (out / "x.pdf").exists()


def test_command_line(db: Database, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = Parser(prog="khit")
    commands = parser.add_subparsers(dest="command", parser_class=Parser)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db")
        return p

    cli_notice.add_commands(commands, with_db)
    target = out / "cli.xlsx"
    ns = parser.parse_args(["notice", "--year", "2020", "--agency", "CR", "--out", str(target)])
    assert cli_notice.run(ns, db) == EXIT_OK and target.exists()
    target = out / "cli-minutes.pdf"
    survey = str(list_surveys(db, 2020)[0].id)
    ns = parser.parse_args(["survey", "minutes", "--survey", survey, "--out", str(target)])
    assert cli_notice.run(ns, db) == EXIT_OK and target.exists()
    assert str(target) in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["notice", "--year", "2020", "--agency", "CR"])
    assert stop.value.code == 2


def test_times_new_roman_is_found_where_windows_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fonts = tmp_path / "Windows" / "Fonts"
    fonts.mkdir(parents=True)
    for name in ("TIMES.TTF", "timesbd.ttf", "timesi.ttf"):
        (fonts / name).write_bytes(b"")
    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    monkeypatch.setattr(pdf_style, "_font_dirs", lambda: [fonts])
    assert pdf_style.find_times_new_roman() is None  # bold italic missing: not used
    (fonts / "timesbi.ttf").write_bytes(b"")
    found = pdf_style.find_times_new_roman()
    assert found is not None and found[0].name == "TIMES.TTF"
    assert pdf_style.font_in_use() in (pdf_style.TIMES_FAMILY, pdf_style.BUNDLED_FAMILY)
