"""The one-page "Báo cáo tiến độ thẩm định": A4, one page whatever the number of open items,
fonts embedded, the figures of the overview in its text, the same bytes for the same data
and day."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from khit_desktop.domain.numbers import format_points
from khit_desktop.exchange.overview_pdf import TITLE, write_overview
from khit_desktop.services.overview import overview, write_overview_pdf
from khit_desktop.services.overview_model import Overview, TodoItem
from khit_desktop.store.database import Database, open_database

YEAR, TODAY = 2020, date(2020, 11, 25)


@pytest.fixture(scope="module")
def db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("overview-pdf") / "demo.db"
    shutil.copy(demo_template, path)
    database = open_database(path)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def ov(db: Database) -> Overview:
    return overview(db, YEAR, today=TODAY)


@pytest.fixture(scope="module")
def report(ov: Overview, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_overview(ov, tmp_path_factory.mktemp("report") / "Báo cáo tiến độ.pdf")


def text_of(path: Path) -> str:
    """The page's text, NFC, blanks collapsed (pypdf breaks lines where the layout does)."""
    raw = "".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFC", raw).split())


def test_one_a4_page(report: Path) -> None:
    pages = PdfReader(report).pages
    assert len(pages) == 1
    box = pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(A4[0]), round(A4[1]))


def test_fonts_are_embedded(report: Path) -> None:
    fonts = PdfReader(report).pages[0]["/Resources"]["/Font"]
    names = [str(f.get_object()["/BaseFont"]) for f in fonts.values()]
    assert names and not any("Helvetica" in n for n in names)
    for font in fonts.values():
        descendant = font.get_object()
        descriptor = descendant.get("/FontDescriptor")
        if descriptor is None:  # a composite font keeps it on its descendant
            descendant = descendant["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()


def test_the_figures_are_in_the_text(report: Path, ov: Overview) -> None:
    text = text_of(report)
    assert TITLE in text and "Khánh Hòa, ngày 25 tháng 11 năm 2020" in text
    assert "DỮ LIỆU MINH HỌA" in text and "Hội đồng thẩm định".upper() in text
    for c in ov.calendar:
        assert f"{c.day_text} {c.days_text} {c.status.label}" in text
    for f in ov.forms:
        name = f"Nhóm {f.group}" if f.group else f.group_name
        figures = (f.members, f.on_time, f.late, f.very_late, f.missing, f.exempt, f.imported,
                   f.appraising, f.done)  # fmt: skip
        assert f"{name} " + " ".join(str(n) for n in figures) in text
    total = ov.appraisal_total
    assert f"{total.changed} {total.agencies_changed} {format_points(total.raised)} " in text
    assert format_points(total.net) in text
    assert "KẾT QUẢ TẠM TÍNH" in text and "Kết quả tạm tính — kỳ đánh giá chưa chốt." in text
    for g in ov.results.groups:
        first = g.top[0]
        points = format_points(first.final_score)
        assert f"{first.rank}. {first.agency_name} ({points}, {first.classification.value})" in text
    assert f"VIỆC CẦN LÀM ({len(ov.todo)} việc)" in text
    assert ov.todo[0].text in text
    shown = re.search(r"… và (\d+) việc khác", text)
    assert shown is not None and 5 <= len(ov.todo) - int(shown.group(1)) < len(ov.todo)


def test_the_same_data_and_day_give_the_same_bytes(ov: Overview, tmp_path: Path) -> None:
    first = write_overview(ov, tmp_path / "a.pdf").read_bytes()
    assert write_overview(ov, tmp_path / "b.pdf").read_bytes() == first
    later = write_overview(replace(ov, today=date(2020, 11, 26)), tmp_path / "c.pdf")
    assert later.read_bytes() != first


def test_the_service_writes_the_same_report(db: Database, report: Path, tmp_path: Path) -> None:
    path = write_overview_pdf(db, YEAR, tmp_path / "bao-cao.pdf", today=TODAY)
    assert path.read_bytes() == report.read_bytes()
    with pytest.raises(ValueError, match=r"\.pdf"):
        write_overview_pdf(db, YEAR, tmp_path / "bao-cao.docx", today=TODAY)


def test_many_open_items_still_one_page(ov: Overview, tmp_path: Path) -> None:
    long_name = "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp tỉnh"
    many = tuple(
        TodoItem("not_appraised", f"{long_name} số {i} (Nhóm 3): đã nhập phiếu, chưa thẩm định.",
                 "scoring", f"X{i}")
        for i in range(2000)
    )  # fmt: skip
    path = write_overview(replace(ov, todo=many), tmp_path / "many.pdf")
    assert len(PdfReader(path).pages) == 1
    assert "việc khác" in text_of(path)
    none = write_overview(replace(ov, todo=()), tmp_path / "none.pdf")
    assert len(PdfReader(none).pages) == 1 and "Không còn việc nào đang mở" in text_of(none)


def test_a_published_year(db: Database, tmp_path: Path) -> None:
    path = write_overview(overview(db, YEAR - 1, today=TODAY), tmp_path / "2019.pdf")
    text = text_of(path)
    assert len(PdfReader(path).pages) == 1 and "KẾT QUẢ ĐÃ CHỐT" in text
