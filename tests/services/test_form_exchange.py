"""Blank forms out, filled forms in: the service and the `khit forms` commands."""

from __future__ import annotations

import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from khit_desktop.cli import main as khit
from khit_desktop.services import form_exchange, score_grid
from khit_desktop.services.errors import InputRefused
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import FormImport
from tests.db_state import db_state

YEAR = 2020


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "Dữ liệu" / "khit.db"
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    db = open_database(path)
    yield db
    db.dispose()


def fill(
    path: Path, figures: dict[str, object], points: dict[str, object], general: dict[str, object]
) -> None:
    """Type into a blank form as an agency would (cells located through the hidden map)."""
    workbook = load_workbook(path)
    meta = workbook["_khit"]
    rows: dict[tuple[str, str], int] = {}
    columns: dict[str, int] = {}
    for kind, key, value in meta.iter_rows(max_col=3, values_only=True):
        if kind in ("criterion", "general") and value is not None:
            rows[(kind, str(key))] = int(value)
        elif key in ("figure_column", "points_column", "general_column"):
            columns[str(key)] = int(value)
    sheet = workbook[workbook.sheetnames[0]]
    for code, value in figures.items():
        sheet.cell(rows[("criterion", code)], columns["figure_column"]).value = value
    for code, value in points.items():
        sheet.cell(rows[("criterion", code)], columns["points_column"]).value = value
    for code, value in general.items():
        sheet.cell(rows[("general", code)], columns["general_column"]).value = value
    workbook.save(path)


def blank_for(db: Database, tmp_path: Path, code: str = "KS") -> Path:
    (path,) = form_exchange.write_blank_forms(db, YEAR, tmp_path / "phieu", agency=code)
    return path


def test_blank_forms_for_a_group_and_one_agency(demo: Database, tmp_path: Path) -> None:
    paths = form_exchange.write_blank_forms(demo, YEAR, tmp_path / "nhom2", group=2)
    assert len(paths) == 8
    assert all(p.name.startswith("Phieu-2020-") and p.suffix == ".xlsx" for p in paths)
    assert [
        p.name for p in form_exchange.write_blank_forms(demo, YEAR, tmp_path / "mot", agency="STP")
    ] == ["Phieu-2020-STP.xlsx"]
    with pytest.raises(InputRefused):
        form_exchange.write_blank_forms(demo, YEAR, tmp_path / "x", agency="KHONG-CO")


def test_round_trip_blank_filled_imported(demo: Database, tmp_path: Path) -> None:
    path = blank_for(demo, tmp_path)
    fill(
        path,
        figures={"1.1": 40, "1.3": "Có", "1.5": "Đầy đủ", "2.5": 85, "6.7": 1},
        points={"1.1": 24, "1.3": 30, "1.5": 30, "1.8": "12,5", "2.5": 30, "6.7": 10},
        general={"CB": 50, "MT": 45},
    )
    before = db_state(demo)
    result = form_exchange.import_filled_form(demo, YEAR, path)
    assert result.state == "imported" and result.agency_code == "KS"
    assert db_state(demo) != before
    sheet = score_grid.agency_sheet(demo, YEAR, "KS")
    rows = {r.code: r for r in sheet.rows}
    assert rows["1.1"].self_points == Decimal("24.00")
    assert rows["1.1"].computed == Decimal("24.00")  # 40/50 × 30
    assert rows["1.8"].self_points == Decimal("12.50")
    assert sheet.self_total == Decimal("136.50")  # 24 + 30 + 30 + 12,5 + 30 + 10
    assert {g.code: g.self_value for g in sheet.general} == {"CB": Decimal(50), "MT": Decimal(45)}


def test_typed_points_that_differ_from_the_figures_are_flagged(
    demo: Database, tmp_path: Path
) -> None:
    path = blank_for(demo, tmp_path)
    fill(path, figures={"1.1": 40}, points={"1.1": 30}, general={"CB": 50, "MT": 45})
    result = form_exchange.import_filled_form(demo, YEAR, path)
    assert result.flagged == ["1.1"]
    rows = {r.code: r for r in score_grid.agency_sheet(demo, YEAR, "KS").rows}
    assert rows["1.1"].flagged and rows["1.1"].computed == Decimal("24.00")


@pytest.mark.parametrize(
    ("figures", "points", "words"),
    [
        ({"1.1": "bốn mươi"}, {}, "E"),  # text in a number cell
        ({}, {"1.3": 31}, "1.3"),  # points above the max
        ({}, {"1.3": -1}, "1.3"),  # negative points
        ({"3.1": "5/0"}, {}, "0"),  # ratio with b = 0
    ],
)
def test_bad_figures_refuse_the_file_and_change_nothing(
    demo: Database,
    tmp_path: Path,
    figures,
    points,
    words,  # type: ignore[no-untyped-def]
) -> None:
    path = blank_for(demo, tmp_path)
    fill(path, figures=figures, points=points, general={"CB": 50, "MT": 45})
    before = db_state(demo)
    with pytest.raises(InputRefused, match="không hợp lệ") as caught:
        form_exchange.import_filled_form(demo, YEAR, path)
    assert words in str(caught.value) and path.name in str(caught.value)
    assert db_state(demo) == before


def test_wrong_year_and_foreign_workbook_are_refused(demo: Database, tmp_path: Path) -> None:
    path = blank_for(demo, tmp_path)
    before = db_state(demo)
    with pytest.raises(InputRefused, match="năm 2020"):
        form_exchange.import_filled_form(demo, 2021, path)
    other = tmp_path / "khac.xlsx"
    from openpyxl import Workbook

    Workbook().save(other)
    with pytest.raises(InputRefused, match="KHIT Desktop"):
        form_exchange.import_filled_form(demo, YEAR, other)
    legacy = tmp_path / "cu.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(InputRefused, match=r"\.xlsx"):
        form_exchange.import_filled_form(demo, YEAR, legacy)
    assert db_state(demo) == before


def test_importing_twice_asks_and_keeps_history(demo: Database, tmp_path: Path) -> None:
    path = blank_for(demo, tmp_path)
    fill(path, figures={}, points={"1.8": 10}, general={"CB": 50, "MT": 45})
    form_exchange.import_filled_form(demo, YEAR, path)
    with pytest.raises(form_exchange.AlreadyImported):
        form_exchange.import_filled_form(demo, YEAR, path)
    fill(path, figures={}, points={"1.8": 15}, general={})
    form_exchange.import_filled_form(demo, YEAR, path, replace=True)
    with demo.session() as s:
        imports = s.query(FormImport).order_by(FormImport.id).all()
        assert len(imports) == 2 and imports[0].replaced_by_id == imports[1].id
    rows = {r.code: r for r in score_grid.agency_sheet(demo, YEAR, "KS").rows}
    assert rows["1.8"].self_points == Decimal("15.00")


def test_import_never_touches_appraised_scores_unless_asked(demo: Database, tmp_path: Path) -> None:
    from khit_desktop.services.appraisal import appraisal_state, set_appraised_points

    path = blank_for(demo, tmp_path, "SNV")
    fill(path, figures={}, points={"1.8": 10}, general={"CB": 50, "MT": 45})
    set_appraised_points(demo, YEAR, "SNV", "1.8", Decimal(5), reason="Kiểm tra IPv6")
    form_exchange.import_filled_form(demo, YEAR, path, replace=True)
    assert appraisal_state(demo, YEAR, "SNV", "1.8").points == Decimal("5.00")
    form_exchange.import_filled_form(demo, YEAR, path, replace=True, reset_appraisal=True)
    assert appraisal_state(demo, YEAR, "SNV", "1.8").points is None


def test_folder_import_one_transaction_per_file(demo: Database, tmp_path: Path) -> None:
    good = blank_for(demo, tmp_path, "KS")
    fill(good, figures={}, points={"1.8": 10}, general={"CB": 50, "MT": 45})
    bad = blank_for(demo, tmp_path, "QDTPT")
    fill(bad, figures={}, points={"1.3": 99}, general={"CB": 50, "MT": 45})
    (tmp_path / "phieu" / "~$Phieu-2020-KS.xlsx").write_bytes(b"lock")
    seen: list[int] = []
    results = form_exchange.import_paths(
        demo, YEAR, [tmp_path / "phieu"], progress=lambda done, total, f: seen.append(done) or True
    )
    assert {r.file.name: r.state for r in results} == {
        "Phieu-2020-KS.xlsx": "imported",
        "Phieu-2020-QDTPT.xlsx": "refused",
    }
    assert seen[-1] == 2
    text = form_exchange.summary_text(results, YEAR, __import__("datetime").date(2020, 12, 1))
    assert "Đã nhập: 1; bỏ qua: 0; từ chối: 1." in text


def test_cancel_stops_before_the_next_file(demo: Database, tmp_path: Path) -> None:
    for code in ("KS", "QDTPT"):
        fill(
            blank_for(demo, tmp_path, code),
            figures={},
            points={"1.8": 5},
            general={"CB": 50, "MT": 45},
        )
    results = form_exchange.import_paths(
        demo, YEAR, [tmp_path / "phieu"], progress=lambda done, total, f: done < 1
    )
    assert [r.state for r in results] == ["imported", "skipped"]


def test_cli_forms_blank_and_import(demo: Database, tmp_path: Path, capsys) -> None:
    db_path = str(demo.path)
    demo.dispose()
    out = tmp_path / "trang"
    assert (
        khit(
            ["forms", "blank", "--db", db_path, "--year", "2020", "--out", str(out), "--group", "3"]
        )
        == 0
    )
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == 8
    fill(files[0], figures={}, points={"1.8": 10}, general={"CB": 50, "MT": 45})
    fill(files[1], figures={}, points={"1.3": 99}, general={"CB": 50, "MT": 45})
    summary = tmp_path / "ket-qua.txt"
    code = khit(
        [
            "forms",
            "import",
            "--db",
            db_path,
            "--year",
            "2020",
            "--replace",
            "--summary",
            str(summary),
            str(files[0]),
            str(files[1]),
        ]
    )
    assert code == 3  # one refused; the other still imported
    assert "Từ chối" in summary.read_text(encoding="utf-8")
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM form_import").fetchone()[0] == 1
    conn.close()
