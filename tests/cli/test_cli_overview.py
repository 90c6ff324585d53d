"""``khit overview``: text for people, JSON for programs, the one-page PDF; the module shape
the command line wires (COMMANDS, add_commands, run)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from khit_desktop import cli_overview
from khit_desktop.cli_parser import EXIT_OK, Parser
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.overview import overview
from khit_desktop.services.permissions import Role
from khit_desktop.store.database import Database, open_database

YEAR, TODAY = 2020, date(2020, 11, 25)
MEMBER = Actor("thanh-vien", "may-2", Role.MEMBER)


@pytest.fixture
def db(demo_path: Path) -> Iterator[Database]:
    database = open_database(demo_path)
    yield database
    database.dispose()


def parse(*args: str) -> argparse.Namespace:
    parser = Parser(prog="khit")
    commands = parser.add_subparsers(dest="command", parser_class=Parser)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db")
        return p

    cli_overview.add_commands(commands, with_db)
    ns = parser.parse_args(["overview", *args])
    assert ns.command in cli_overview.COMMANDS
    return ns


def test_json_carries_every_figure(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    ns = parse("--year", str(YEAR), "--json", "--today", "25/11/2020")
    assert cli_overview.run(ns, db, MEMBER) == EXIT_OK
    out, err = capsys.readouterr()
    data = json.loads(out)
    ov = overview(db, YEAR, today=TODAY)
    assert "DỮ LIỆU MINH HỌA" in err
    assert (data["year"], data["today"], data["demo"]) == (YEAR, "2020-11-25", True)
    assert data["stage"]["current"] == ov.stage.current
    assert [d["date"] for d in data["calendar"]] == [c.day.isoformat() for c in ov.calendar]
    assert [d["status"] for d in data["calendar"]] == [c.status.value for c in ov.calendar]
    assert data["forms"][-1]["missing"] == ov.forms_total.missing
    assert data["appraisal"][-1]["lowered"] == f"{ov.appraisal_total.lowered:.2f}"
    assert data["appraisal"][-1]["net"] == f"{ov.appraisal_total.net:.2f}"
    assert data["surveys"]["findings_pending"] == ov.surveys.findings_pending
    first = ov.results.groups[0]
    assert data["results"]["groups"][0]["counts"]["Tốt"] == sum(
        n for c, n in first.counts.items() if c.value == "Tốt"
    )
    assert data["results"]["groups"][0]["top"][0]["final_score"] == f"{first.top[0].final_score}"
    assert data["results"]["last_year"] == 2019 and data["results"]["provisional"] is True
    assert [t["kind"] for t in data["todo"]] == [t.kind for t in ov.todo]
    assert data["todo"][0] == {
        "kind": "missing_form",
        "text": ov.todo[0].text,
        "screen": "receipts",
        "agency_code": "KS",
        "criterion_code": "",
        "survey_id": None,
        "finding_id": None,
        "explanation_id": None,
        "group": 2,
    }


def test_text_and_pdf(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bao-cao.pdf"
    ns = parse("--year", str(YEAR), "--today", "25/11/2020", "--pdf", str(target))
    assert cli_overview.run(ns, db, MEMBER) == EXIT_OK
    out, err = capsys.readouterr()
    assert "TỔNG QUAN KỲ ĐÁNH GIÁ NĂM 2020 — tình hình đến ngày 25/11/2020" in out
    assert "16/11/2020  Hạn gửi phiếu tự đánh giá (Điều 6.1): đã qua 9 ngày — Quá hạn" in out
    assert "Bước: [Tiếp nhận] → Thẩm định → Trình Hội đồng → Đã chốt" in out
    assert "Việc cần làm (41):" in out and "265,74" in out
    assert str(target) in err and len(PdfReader(target).pages) == 1


def test_refusals(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InputRefused, match="Ngày lập báo cáo"):
        cli_overview.run(parse("--year", str(YEAR), "--today", "31/02/2020"), db, MEMBER)
    with pytest.raises(InputRefused, match="2030"):
        cli_overview.run(parse("--year", "2030"), db, MEMBER)
    with pytest.raises(ValueError, match=r"\.pdf"):
        cli_overview.run(parse("--year", str(YEAR), "--pdf", str(tmp_path / "x.txt")), db, MEMBER)
    with pytest.raises(SystemExit) as stop:
        parse("--json")
    assert stop.value.code == 2
