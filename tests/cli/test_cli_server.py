"""``khit migrate-to`` and ``khit export-round`` (issue 9), from the command line."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from khit_desktop.cli import main
from tests.postgres_server import PostgresServer, server_url


def test_migrate_to_then_export_a_round(
    demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "nguon.db"
    shutil.copy(demo_template, source)
    server = PostgresServer(url) if (url := server_url()) else None
    try:
        if server is not None:
            target = server.url(server.create()).render_as_string(hide_password=False)
        else:
            target = f"sqlite:///{tmp_path / 'dich.db'}"
        assert main(["migrate-to", "--from", str(source), "--to", target]) == 0
        out = capsys.readouterr().out
        assert "score: nguồn 1505, đích 1505 — khớp" in out
        assert "Kết luận: ĐÃ CHUYỂN ĐỦ, HAI BÊN KHỚP." in out
        assert main(["migrate-to", "--from", str(source), "--to", target]) == 3  # not empty
        assert "đã có dữ liệu" in capsys.readouterr().err

        archive = tmp_path / "luu-tru-2020.db"
        assert main(["export-round", "--db", target, "--year", "2020", "--out", str(archive)]) == 0
        assert "Kiểm tra tệp xuất: toàn vẹn" in capsys.readouterr().err
        conn = sqlite3.connect(str(archive))
        try:
            assert conn.execute("SELECT value FROM meta WHERE key = 'read_only'").fetchone() == (
                "1",
            )
            assert conn.execute("SELECT count(*) FROM round").fetchone() == (1,)
        finally:
            conn.close()
        assert main(["verify", "--db", str(archive)]) == 0
        refused = main(
            ["receipt", "add", "--db", str(archive), "--year", "2020", "--agency", "STP",
             "--channel", "email", "--sent-date", "10/11/2020"]
        )  # fmt: skip
        assert refused == 3 and "chỉ đọc" in capsys.readouterr().err
    finally:
        if server is not None:
            server.close()


def test_migrate_to_refuses_a_missing_source(tmp_path: Path, capsys) -> None:
    code = main(["migrate-to", "--from", str(tmp_path / "khong-co.db"), "--to", "sqlite:///x.db"])
    assert code == 3 and "Không tìm thấy tệp SQLite nguồn" in capsys.readouterr().err
