"""The minutes of a field survey (biên bản khảo sát thực tế), written from the demo and read
back with pypdf."""

from __future__ import annotations

import dataclasses
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from khit_desktop.domain.numbers import format_points
from khit_desktop.exchange import pdf_style
from khit_desktop.exchange.survey_minutes_pdf import (
    AGENCY_SIGNS,
    HEADERS,
    TEAM_SIGNS,
    TITLE,
    write_survey_minutes,
)
from khit_desktop.services import notices
from khit_desktop.services.errors import NotFound
from khit_desktop.services.surveys import SurveyView, list_surveys
from khit_desktop.store.database import Database, open_database


@pytest.fixture(scope="module")
def db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    copy = tmp_path_factory.mktemp("minutes-db") / "demo.db"
    shutil.copy(demo_template, copy)
    database = open_database(copy)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("minutes") / "Biên bản khảo sát"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def visited(db: Database) -> SurveyView:
    """The demo's survey of Trường Đại học Khánh Hòa, with its findings."""
    found = [v for v in list_surveys(db, 2020) if v.agency_code == "DHKH" and v.findings]
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def minutes(db: Database, visited: SurveyView, out: Path) -> Path:
    return notices.write_survey_minutes(db, visited.id, out / "Biên bản DHKH.pdf")


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def placed_text(page: Any) -> list[tuple[float, float, str]]:
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, y, text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def test_every_finding_is_printed(minutes: Path, visited: SurveyView) -> None:
    text = flat(pdf_text(minutes))
    assert len(visited.findings) == 2
    for finding in visited.findings:
        assert finding.code in text
        assert flat(finding.title) in text
        assert flat(finding.seen) in text
        assert flat(finding.figure) in text
        assert finding.proposed_points is not None
        assert format_points(finding.proposed_points) in text  # "4,00", decimal comma
    for header in HEADERS:
        assert header in text


def test_agency_date_team_criteria_remarks_and_signatures(
    minutes: Path, visited: SurveyView
) -> None:
    text = flat(pdf_text(minutes))
    assert TITLE in text and visited.agency_name in text
    assert "Khánh Hòa, ngày 03 tháng 12 năm 2020" in text
    assert "UBND TỈNH KHÁNH HÒA" in text and "HỘI ĐỒNG THẨM ĐỊNH" in text
    for line in visited.members:
        assert flat(line) in text
    for code in visited.criteria:  # 1.6.1 was checked without a finding
        assert f"Tiêu chí {code}:" in text
    assert "Tiêu chí 1.6.1: Có phòng máy chủ riêng" in text
    assert flat(visited.remarks) in text
    assert "Không có tài liệu kèm theo." in text
    assert AGENCY_SIGNS in text and TEAM_SIGNS in text
    assert text.rstrip().endswith("Trần Minh Quang")  # the chair leads the team and signs
    assert pdf_style.DEMO_MARK in text  # the demo database


def test_fonts_page_size_margins_and_page_numbers(minutes: Path) -> None:
    family = pdf_style.font_in_use().replace(" ", "")
    pattern = re.compile(rf"^/[A-Z]{{6}}\+{family}[-A-Za-z]*$")
    assert b"Helvetica" not in minutes.read_bytes()
    reader = PdfReader(minutes)
    width, height = A4
    for number, page in enumerate(reader.pages, start=1):
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert pattern.match(str(font["/BaseFont"])), font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
        assert float(page.mediabox.width) == pytest.approx(width, abs=0.5)  # portrait
        assert float(page.mediabox.height) == pytest.approx(height, abs=0.5)
        placed = placed_text(page)
        top = {t for _, y, t in placed if y > height - 20 * mm}
        assert top == {pdf_style.DEMO_PAGE_MARK} | ({str(number)} if number >= 2 else set())
        body = [(x, y) for x, y, t in placed if y <= height - 20 * mm]
        assert min(x for x, _ in body) >= 30 * mm - 0.5
        assert min(y for _, y in body) >= 20 * mm - 0.5


def test_nfd_data_is_drawn_as_nfc_and_markup_stays_text(visited: SurveyView, out: Path) -> None:
    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    odd = "Có <b>điều hòa</b> & lưu điện"
    findings = tuple(
        dataclasses.replace(f, seen=nfd(odd if i == 0 else f.seen), title=nfd(f.title))
        for i, f in enumerate(visited.findings)
    )
    view = dataclasses.replace(
        visited, agency_name=nfd(visited.agency_name), findings=findings, remarks=nfd("Ghi chú")
    )
    path = write_survey_minutes(view, [nfd(m) for m in visited.members], out / "nfd.pdf")
    text = pdf_text(path)
    assert text == unicodedata.normalize("NFC", text)
    assert not any(unicodedata.combining(ch) for ch in text)
    flat_text = flat(text)
    assert "Trường Đại học Khánh Hòa" in flat_text and odd in flat_text
    assert pdf_style.DEMO_PAGE_MARK not in text  # demo=False


def test_planned_survey_leaves_room_to_write(db: Database, out: Path) -> None:
    planned = [v for v in list_surveys(db, 2020) if v.visit_date is None]
    assert planned
    view = planned[0]
    text = flat(pdf_text(notices.write_survey_minutes(db, view.id, out / "du-kien.pdf")))
    assert "ngày ….. tháng ….. năm ……" in text
    for code in view.criteria:
        assert code in text
    assert view.agency_name in text


def test_wrong_suffix_and_unknown_survey(db: Database, visited: SurveyView, out: Path) -> None:
    with pytest.raises(ValueError, match=r"\.pdf"):
        notices.write_survey_minutes(db, visited.id, out / "bien-ban.xlsx")
    with pytest.raises(ValueError, match=r"\.pdf"):
        write_survey_minutes(visited, [], out / "bien-ban.docx")
    with pytest.raises(NotFound):
        notices.write_survey_minutes(db, 9999, out / "x.pdf")
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))
