"""``khit verify`` (``cli_verify``): each check printed, exit 0 when intact and 5 when
anything is broken, JSON for programs, an annex's code looked up in the trail; and
``khit round finalize/reopen`` (``cli_finalise``)."""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from khit_desktop import cli_finalise, cli_verify
from khit_desktop.cli_parser import EXIT_OK, Parser
from khit_desktop.services import round_decision
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.integrity import chain_head
from khit_desktop.services.permissions import PermissionDenied, Role
from khit_desktop.store.database import open_database

YEAR = 2020


def _parser() -> Parser:
    parser = Parser(prog="khit")
    commands = parser.add_subparsers(dest="command", parser_class=Parser)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db")
        return p

    cli_verify.add_commands(commands, with_db)
    rnd = commands.add_parser("round")
    round_commands = rnd.add_subparsers(dest="round_command", parser_class=Parser)
    cli_finalise.add_commands(round_commands, with_db)
    return parser


def khit_verify(path: Path, *extra: str) -> int:
    """Run ``khit verify --db PATH …`` as cli.py does (its output goes to stdout)."""
    ns = _parser().parse_args(["verify", "--db", str(path), *extra])
    assert ns.command in cli_verify.COMMANDS
    db = open_database(path)
    try:
        return cli_verify.run(ns, db)
    finally:
        db.dispose()


def khit_round(path: Path, args: Sequence[str], actor: Actor) -> int:
    ns = _parser().parse_args(["round", *args, "--db", str(path)])
    assert ns.round_command in cli_finalise.COMMANDS
    db = open_database(path)
    try:
        return cli_finalise.run(ns, db, actor)
    finally:
        db.dispose()


def test_intact_demo_exit_0_each_check_printed(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert khit_verify(demo_path) == EXIT_OK
    out = capsys.readouterr().out
    assert out.count("[đạt]") == 8
    assert "Chuỗi nhật ký thay đổi" in out and "PRAGMA integrity_check" in out
    assert "foreign_key_check" in out and "Điểm khớp nhật ký" in out
    assert "Kết luận: DỮ LIỆU TOÀN VẸN" in out


def test_broken_exit_5_with_the_first_break(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(demo_path)
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("UPDATE audit_event SET reason = 'đã sửa' WHERE sequence = 42")
    conn.commit()
    conn.close()
    assert cli_verify.EXIT_BROKEN == 5
    assert khit_verify(demo_path) == cli_verify.EXIT_BROKEN
    out = capsys.readouterr().out
    assert "[LỖI] Chuỗi nhật ký thay đổi" in out and "[LỖI] Bảo vệ chỉ ghi thêm" in out
    assert "Mắt xích hỏng đầu tiên: Nội dung sự kiện 42" in out
    assert "Sự kiện tại chỗ hỏng: sự kiện số 42" in out
    assert "PHÁT HIỆN DỮ LIỆU HỎNG" in out

    assert khit_verify(demo_path, "--json") == 5
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["first_break"]["sequence"] == 42
    assert data["first_break"]["event"]["reason"] == "đã sửa"
    assert {c["key"]: c["ok"] for c in data["checks"]}["chain"] is False


def test_json_of_the_intact_demo(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert khit_verify(demo_path, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["first_break"] is None
    assert len(data["code"]) == 16 and data["head"].startswith(data["code"])
    assert all(c["ok"] for c in data["checks"]) and data["events"] > 1500


def test_an_annex_code_is_looked_up(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = open_database(demo_path)
    head = chain_head(db)
    db.dispose()
    assert khit_verify(demo_path, "--code", head.code) == 0
    assert f"khớp sự kiện số {head.events}" in capsys.readouterr().out
    assert khit_verify(demo_path, "--code", "0000000000000000") == 5
    assert "Không tìm thấy mã đối chiếu" in capsys.readouterr().out
    assert khit_verify(demo_path, "--json", "--code", head.code) == 0
    assert json.loads(capsys.readouterr().out)["code_lookup"]["sequence"] == head.events


def test_round_finalize_and_reopen(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chair = Actor("chu-tich", "may-hd", Role.CHAIR)
    admin = Actor("quan-tri", "may-qt", Role.ADMIN)
    with pytest.raises(InputRefused, match="quyết định công bố"):
        khit_round(demo_path, ["finalize", "--year", "2020"], chair)
    db = open_database(demo_path)
    round_decision.set_decision(db, YEAR, round_decision.DecisionInfo("3456", date(2020, 12, 30)))
    db.dispose()
    with pytest.raises(PermissionDenied, match="Chủ tịch Hội đồng"):
        khit_round(demo_path, ["finalize", "--year", "2020"], admin)
    assert khit_round(demo_path, ["finalize", "--year", "2020"], chair) == EXIT_OK
    captured = capsys.readouterr()
    assert "đã chốt lúc" in captured.out and "người chốt: chu-tich" in captured.out
    assert "Đã sao lưu trước khi chốt" in captured.err and "Lưu ý:" in captured.err
    with pytest.raises(PermissionDenied, match="Quản trị"):
        khit_round(demo_path, ["reopen", "--year", "2020", "--reason", "x"], chair)
    args = ["reopen", "--year", "2020", "--reason", "Sửa sai điểm tiêu chí 1.8 của Sở Nội vụ"]
    assert khit_round(demo_path, args, admin) == EXIT_OK
    assert "Đã mở lại kỳ đánh giá năm 2020" in capsys.readouterr().out
    assert khit_verify(demo_path) == 0
    with pytest.raises(SystemExit) as stop:
        _parser().parse_args(["round", "reopen", "--year", "2020"])
    assert stop.value.code == 2
