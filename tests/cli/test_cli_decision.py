"""`khit round decision`: read and set the decision the annex is attached to."""

from __future__ import annotations

from pathlib import Path

from khit_desktop.cli import main as run
from khit_desktop.cli_parser import EXIT_OK, EXIT_REFUSED

DOTTED = (
    "(Kèm theo Quyết định số ……/QĐ-UBND ngày …… tháng …… năm …… "
    "của Chủ tịch Ủy ban nhân dân tỉnh Khánh Hòa)"
)


def test_without_options_it_prints_the_dotted_line(demo_path: Path, capsys) -> None:
    assert run(["round", "decision", "--db", str(demo_path), "--year", "2020"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == DOTTED


def test_set_then_correct_with_a_reason(demo_path: Path, capsys, row_counts) -> None:
    db = ["--db", str(demo_path), "--year", "2020"]
    code = run(
        [
            "round",
            "decision",
            *db,
            "--number",
            "3456",
            "--date",
            "30/12/2020",
            "--signer",
            "Nguyễn Văn A",
        ]
    )
    assert code == EXIT_OK
    out = capsys.readouterr().out
    assert "Quyết định số 3456/QĐ-UBND ngày 30 tháng 12 năm 2020" in out
    assert "Người ký: Nguyễn Văn A" in out
    before = row_counts(demo_path)
    assert run(["round", "decision", *db, "--number", "3465"]) == EXIT_REFUSED
    assert "lý do" in capsys.readouterr().err
    assert row_counts(demo_path) == before
    assert run(["round", "decision", *db, "--number", "3465", "--reason", "gõ nhầm"]) == EXIT_OK
    assert "số 3465/QĐ-UBND" in capsys.readouterr().out


def test_a_bad_date_is_refused(demo_path: Path, capsys, row_counts) -> None:
    before = row_counts(demo_path)
    code = run(
        ["round", "decision", "--db", str(demo_path), "--year", "2020", "--date", "31/02/2020"]
    )
    assert code == EXIT_REFUSED
    assert "không có thật" in capsys.readouterr().err
    assert row_counts(demo_path) == before
