"""The annex of the decision publishing the ranking (PDF), written from the demo and read back
with pypdf."""

from __future__ import annotations

import argparse
import re
import shutil
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from sqlalchemy import select

from khit_desktop import cli_annex
from khit_desktop.cli_parser import EXIT_OK, Parser
from khit_desktop.domain.numbers import format_percent
from khit_desktop.domain.ranking import RANKING_POLICY_NOTE
from khit_desktop.domain.rules import RoundRules
from khit_desktop.exchange import pdf_style
from khit_desktop.exchange.annex_pdf import (
    ANNEX_LINE,
    HEADERS,
    NOT_FINAL,
    AnnexInfo,
    annex_title,
    reference_line,
    section_heading,
    trail_lines,
)
from khit_desktop.services import round_decision
from khit_desktop.services.annex import write_annex
from khit_desktop.services.audit import Actor
from khit_desktop.services.finalise import finalisation, finalise, format_vietnam, reopen
from khit_desktop.services.integrity import chain_head
from khit_desktop.services.permissions import Role
from khit_desktop.services.results import ResultRow, ranking
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import Round

YEAR = 2020
DOTTED = (
    "(Kèm theo Quyết định số ……/QĐ-UBND ngày …… tháng …… năm …… "
    "của Chủ tịch Ủy ban nhân dân tỉnh Khánh Hòa)"
)


def _copy(demo_template: Path, folder: Path) -> Database:
    copy = folder / "demo.db"
    shutil.copy(demo_template, copy)
    return open_database(copy)


@pytest.fixture(scope="module")
def db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = _copy(demo_template, tmp_path_factory.mktemp("annex-db"))
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("annex")


@pytest.fixture(scope="module")
def annex(db: Database, out: Path) -> Path:
    return write_annex(db, YEAR, out / f"Phụ lục xếp hạng {YEAR}.pdf")


@pytest.fixture(scope="module")
def rows(db: Database) -> list[ResultRow]:
    return ranking(db, YEAR)


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


def creation_date(path: Path) -> str:
    info = PdfReader(path).metadata
    assert info is not None
    return str(info["/CreationDate"]) + " " + str(info["/ModDate"])


def body_text(path: Path) -> str:
    """The text below the top margin (no page numbers, no demo mark), flattened."""
    top = A4[0] - 20 * mm
    runs = [t for page in PdfReader(path).pages for x, y, t in placed_text(page) if y <= top]
    return flat(" ".join(runs))


def sections(text: str, rows: list[ResultRow]) -> dict[int, str]:
    """The flattened text of each group's section, by group number."""
    groups = sorted({r.group for r in rows})
    names = {r.group: r.group_name for r in rows}
    starts = [text.index(section_heading(i, names[g])) for i, g in enumerate(groups)]
    ends = [*starts[1:], text.index("Ghi chú:")]
    return {g: text[a:b] for g, a, b in zip(groups, starts, ends, strict=True)}


def test_every_agency_once_in_its_group_with_rank_and_class(
    annex: Path, rows: list[ResultRow]
) -> None:
    text = body_text(annex)
    names = [r.agency_name for r in rows]
    assert len(set(names)) == len(names) and len(rows) >= 30
    by_group = sections(text, rows)
    for group, part in by_group.items():
        mine = [r for r in rows if r.group == group]
        assert part.count("Cơ quan, đơn vị") >= 1  # the table header
        for index, row in enumerate(mine, start=1):
            containing = sum(row.agency_name in other for other in names)
            assert text.count(row.agency_name) == containing, row.agency_name
            rank = "" if row.rank is None else f" {row.rank}"
            start = re.escape(f"{index} {row.agency_name}") + r"(?: \([^)]*\))? "
            if row.appraised_total is not None:
                tail = f"{format_percent(row.percent)} {row.classification.value}{rank}"
                pattern = start + r"[^%—]*?"  # the figures
            else:  # no form: dashes for the figures
                tail, pattern = f"— — — — {row.classification.value}", start
            found = re.findall(pattern + re.escape(tail) + r"(?= |$)", part)
            assert len(found) == 1, (row.agency_name, tail)
            if row.rank is None:  # the rank cell is blank: next comes the next row or a note
                nxt = re.search(pattern + re.escape(tail) + r" (\S+)", part)
                assert nxt is None or nxt.group(1) in (str(index + 1), "Ghi", "III.", "II.")


def test_ranks_as_khit_rank_gives_them(rows: list[ResultRow], db: Database) -> None:
    from khit_desktop.cli_output import rank_json

    assert [
        (r["agency_code"], r["rank"]) for r in rank_json(ranking(db, YEAR, as_of=date.today()))
    ] == [(r.agency_code, r.rank) for r in rows]


def test_heading_annex_line_title_and_dotted_reference(annex: Path) -> None:
    text = flat(pdf_text(annex))
    assert "UBND TỈNH KHÁNH HÒA" in text
    assert pdf_style.QUOC_HIEU in text and pdf_style.TIEU_NGU in text
    assert flat(annex_title(YEAR)) in text
    assert f"NĂM {YEAR}" in annex_title(YEAR)
    assert reference_line("", None) == DOTTED
    assert DOTTED in text
    assert " ".join(HEADERS) in text
    assert (
        "Điều 8.1" in text and "Tốt từ 85 % trở lên" in text and "Khá từ 70 % đến dưới 85 %" in text
    )
    assert "trừ 100 điểm (Điều 8.3)" in text and "(Điều 8.4)" in text
    assert flat(RANKING_POLICY_NOTE) in text
    assert "làm tròn xuống" in text
    assert pdf_style.DEMO_MARK in text


def test_annex_line_is_bold_14_and_centred(annex: Path) -> None:
    page = PdfReader(annex).pages[0]
    width = float(page.mediabox.width)
    found: list[tuple[float, str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip() == ANNEX_LINE:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            found.append((x, str(font.get("/BaseFont", "")) if font else "", size * tm[0]))

    page.extract_text(visitor_text=visit)
    assert len(found) == 1
    x, font, size = found[0]
    assert "Bold" in font and size == pytest.approx(14)
    middle = 30 * mm + (width - 45 * mm) / 2
    half = pdfmetrics.stringWidth(ANNEX_LINE, pdf_style.register_fonts().bold, 14) / 2
    assert x + half == pytest.approx(middle, abs=1)


def test_filled_reference_once_the_decision_is_signed(demo_template: Path, tmp_path: Path) -> None:
    database = _copy(demo_template, tmp_path)
    try:
        with database.session() as s:
            rnd = s.scalar(select(Round).where(Round.year == YEAR))
            assert rnd is not None
            rnd.decision_number, rnd.decision_date = "123", date(2020, 12, 30)
            s.commit()
        path = write_annex(database, YEAR, tmp_path / "signed.pdf")
    finally:
        database.dispose()
    text = flat(pdf_text(path))
    assert "Quyết định số 123/QĐ-UBND ngày 30 tháng 12 năm 2020" in text
    assert "……" not in text
    assert creation_date(path).startswith("D:20201230")


def test_a4_landscape_page_numbers_from_page_2(annex: Path) -> None:
    width, height = A4[1], A4[0]
    reader = PdfReader(annex)
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        assert float(page.mediabox.width) == pytest.approx(width, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(height, abs=0.5)
        in_top_margin = {t for x, y, t in placed_text(page) if y > height - 20 * mm}
        expected = {pdf_style.DEMO_PAGE_MARK} | ({str(number)} if number >= 2 else set())
        assert in_top_margin == expected
        if number >= 2:  # the header row repeats
            assert "Cơ quan, đơn vị" in page.extract_text()


def test_fonts_embedded_no_helvetica(annex: Path) -> None:
    family = pdf_style.font_in_use().replace(" ", "")
    pattern = re.compile(rf"^/[A-Z]{{6}}\+{family}[-A-Za-z]*$")
    assert b"Helvetica" not in annex.read_bytes()
    for page in PdfReader(annex).pages:
        fonts = page["/Resources"]["/Font"]
        assert fonts
        for ref in fonts.values():
            font = ref.get_object()
            assert pattern.match(str(font["/BaseFont"])), font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_extracted_vietnamese_is_nfc(annex: Path) -> None:
    text = pdf_text(annex)
    assert "Xếp hạng" in text
    assert text == unicodedata.normalize("NFC", text)


def test_same_data_same_bytes(db: Database, annex: Path, tmp_path: Path) -> None:
    again = write_annex(db, YEAR, tmp_path / "again.pdf")
    third = write_annex(db, YEAR, tmp_path / "again.pdf")
    assert again.read_bytes() == annex.read_bytes() == third.read_bytes()
    assert creation_date(annex).startswith(f"D:{YEAR}1231")


def test_only_pdf(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.pdf"):
        write_annex(db, YEAR, tmp_path / "annex.xlsx")
    assert not list(tmp_path.iterdir())


def test_cli(db: Database, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = Parser(prog="khit")
    commands = parser.add_subparsers(dest="command", parser_class=Parser)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db")
        return p

    cli_annex.add_commands(commands, with_db)
    target = out / "cli.pdf"
    ns = parser.parse_args(["annex", "--year", str(YEAR), "--out", str(target)])
    assert ns.command in cli_annex.COMMANDS
    assert cli_annex.run(ns, db) == EXIT_OK and target.exists()
    assert str(target) in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["annex", "--year", str(YEAR)])
    assert stop.value.code == 2


# -- the small print: finalisation, reopenings, the audit trail's head -------------------------


def test_small_print_of_a_round_not_finalised(annex: Path, db: Database) -> None:
    text = body_text(annex)
    head = chain_head(db)
    assert f"{NOT_FINAL}." in text
    assert f"Mã đối chiếu nhật ký: {head.code} ({head.events:,} sự kiện).".replace(",", ".") in text
    assert text.endswith(f"({head.events:,} sự kiện).".replace(",", "."))  # at the very end


def test_trail_lines_in_vietnam_time() -> None:
    info = AnnexInfo(
        year=2020,
        rules=RoundRules.defaults(2020),
        group_names={},
        final=True,
        finalized_at=datetime(2020, 12, 31, 3, 5),
        finalized_by="chu-tich",
        reopenings=((datetime(2021, 1, 4, 20, 0), "Sửa sai điểm của Sở Nội vụ"),),
        journal_code="0123456789abcdef",
        journal_events=1672,
    )
    assert trail_lines(info) == [
        "Kỳ đánh giá đã chốt lúc 31/12/2020 10:05 (giờ Việt Nam, UTC+7), người chốt: chu-tich.",
        "Đã mở lại ngày 05/01/2021 vì Sửa sai điểm của Sở Nội vụ.",
        "Mã đối chiếu nhật ký: 0123456789abcdef (1.672 sự kiện).",
    ]
    published = AnnexInfo(2019, RoundRules.defaults(2019), {}, final=True, published=True)
    assert trail_lines(published) == [
        "Kết quả đã công bố, nhập vào chương trình từ bảng kết quả của tỉnh."
    ]


def test_small_print_after_finalising_and_reopening(demo_template: Path, tmp_path: Path) -> None:
    chair = Actor("chu-tich", "may-hd", Role.CHAIR)
    database = _copy(demo_template, tmp_path)
    try:
        round_decision.set_decision(
            database, YEAR, round_decision.DecisionInfo("3456", date(2020, 12, 30))
        )
        finalise(database, YEAR, actor=chair)
        info = finalisation(database, YEAR)
        assert info.finalized_at is not None
        first = write_annex(database, YEAR, tmp_path / "final.pdf")
        again = write_annex(database, YEAR, tmp_path / "final-again.pdf")
        assert first.read_bytes() == again.read_bytes()
        text = flat(pdf_text(first))
        assert (
            f"Kỳ đánh giá đã chốt lúc {format_vietnam(info.finalized_at)} (giờ Việt Nam, "
            "UTC+7), người chốt: chu-tich." in text
        )
        assert (
            NOT_FINAL not in text and f"Mã đối chiếu nhật ký: {chain_head(database).code}" in text
        )
        reason = "Sửa sai điểm tiêu chí 1.8 của Sở Nội vụ theo Kết luận số 12/KL-HĐ"
        reopen(database, YEAR, reason, actor=Actor("quan-tri", "may-qt", Role.ADMIN))
        (reopening,) = finalisation(database, YEAR).reopenings
        day = format_vietnam(reopening.at)[:10]
        reopened = flat(pdf_text(write_annex(database, YEAR, tmp_path / "reopened.pdf")))
        assert f"{NOT_FINAL}." in reopened and f"Đã mở lại ngày {day} vì {reason}." in reopened
        finalise(database, YEAR, actor=chair)
        later = flat(pdf_text(write_annex(database, YEAR, tmp_path / "later.pdf")))
        assert "Kỳ đánh giá đã chốt lúc" in later and f"Đã mở lại ngày {day} vì {reason}." in later
    finally:
        database.dispose()
