"""`khit round finalize` / `reopen` through the real command line, on the demo copy."""

from __future__ import annotations

from pathlib import Path

from khit_desktop.cli import main
from khit_desktop.cli_parser import EXIT_OK, EXIT_REFUSED


def test_finalize_needs_the_decision_then_locks_the_round(demo_path: Path, capsys) -> None:
    db = ["--db", str(demo_path)]
    assert main(["round", "finalize", *db, "--year", "2020"]) == EXIT_REFUSED
    assert "quyết định" in capsys.readouterr().err
    assert (
        main(
            ["round", "decision", *db, "--year", "2020", "--number", "3456", "--date", "30/12/2020"]
        )
        == EXIT_OK
    )
    assert main(["round", "finalize", *db, "--year", "2020"]) == EXIT_OK
    capsys.readouterr()
    code = main(
        [
            "receipt",
            "add",
            *db,
            "--year",
            "2020",
            "--agency",
            "KS",
            "--channel",
            "post",
            "--sent-date",
            "25/11/2020",
        ]
    )
    assert code == EXIT_REFUSED and "đã chốt" in capsys.readouterr().err
    assert main(["round", "reopen", *db, "--year", "2020", "--reason", "sửa sai sót"]) == EXIT_OK
    assert main(["round", "list", *db]) == EXIT_OK
    assert "2020\t" in capsys.readouterr().out
