"""``khit``, the command line: exit codes, JSON and human output, refusals that write nothing.

Most tests call ``khit_desktop.cli.main`` in-process; a few run the real program in a
subprocess to check the exit code a shell sees."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import khit_desktop
from khit_desktop.cli import DEMO_BANNER, main
from tests.cli.conftest import ADMIN, ADMIN_PASSWORD, CLERK, CLERK_PASSWORD

ROOT = Path(khit_desktop.__file__).resolve().parent.parent
NUMBER = re.compile(r"^\d+\.\d{2}$")
RANK_KEYS = {
    "agency_code",
    "agency_name",
    "group",
    "self_total",
    "appraised_total",
    "penalty",
    "final_score",
    "max_points",
    "percent",
    "classification",
    "rank",
    "status",
    "explanation",
}
STATUSES = {"on_time", "late", "very_late", "missing", "not_ranked"}


def khit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Run ``khit`` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse: usage errors and --help
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def khit_process(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the real program, as a shell would."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["KHIT_DATA_DIR"] = str(tmp_path / "data-dir")
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "khit_desktop.cli", *[str(a) for a in args]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def check_rank_json(rows: list[dict]) -> None:
    assert len(rows) == 37
    assert len({r["agency_code"] for r in rows}) == 37
    for r in rows:
        assert set(r) >= RANK_KEYS, r["agency_code"]
        for key in ("penalty", "final_score", "max_points", "percent"):
            assert isinstance(r[key], str) and NUMBER.match(r[key]), (key, r[key])
        for key in ("self_total", "appraised_total"):
            assert r[key] is None or NUMBER.match(r[key]), (key, r[key])
        assert r["status"] in STATUSES
        assert r["explanation"]
        assert r["rank"] is None or isinstance(r["rank"], int)
    groups = [r["group"] for r in rows]
    assert groups == sorted(groups)
    assert set(groups) == {1, 2, 3}
    for group in (1, 2, 3):
        ranks = [r["rank"] for r in rows if r["group"] == group]
        numbered = [x for x in ranks if x is not None]
        assert numbered == sorted(numbered)
        assert ranks == numbered + [None] * (len(ranks) - len(numbered))  # None last


# ---- init, rank, receipts ------------------------------------------------------------------


def test_init_demo_then_rank_json(tmp_path: Path, capsys) -> None:
    path = tmp_path / "khit.db"
    done = khit_process(tmp_path, "init", "--db", path, "--demo")
    assert done.returncode == 0, done.stderr
    assert "minh họa" in done.stderr
    assert path.exists()

    code, out, err = khit(capsys, "rank", "--db", path, "--year", "2020", "--json")
    assert code == 0, err
    assert DEMO_BANNER in err  # announced on stderr, stdout stays pure JSON
    rows = json.loads(out)
    check_rank_json(rows)
    assert {r["status"] for r in rows} == STATUSES
    assert any(r["final_score"] == "850.00" and r["classification"] == "Tốt" for r in rows)
    assert all(r["max_points"] == "1000.00" for r in rows)


def test_rank_json_of_the_demo_copy(demo_path: Path, capsys) -> None:
    code, out, _ = khit(capsys, "rank", "--db", demo_path, "--year", "2020", "--json")
    assert code == 0
    rows = json.loads(out)
    check_rank_json(rows)
    by = {r["agency_code"]: r for r in rows}
    assert by["STP"]["status"] == "late" and by["STP"]["penalty"] == "100.00"
    assert by["KS"]["rank"] is None and by["KS"]["classification"] == "Yếu"
    assert by["BQLDA-GT"]["classification"] == "Không xếp hạng"
    assert by["SKHDT"]["rank"] == by["STC"]["rank"]


def test_rank_human_output_uses_decimal_commas(demo_path: Path, capsys) -> None:
    code, out, err = khit(capsys, "rank", "--db", demo_path, "--year", "2020")
    assert code == 0
    assert DEMO_BANNER in err
    assert "*** DỮ LIỆU MINH HỌA" in out
    assert "NĂM 2020" in out
    assert out.index("Nhóm 1:") < out.index("Nhóm 2:") < out.index("Nhóm 3:")
    assert "850,00" in out and "85,00 %" in out
    assert "850.00" not in out
    assert re.search(r"\b\d{1,3},\d{2}\b", out)
    assert not re.search(r"\b\d{3}\.\d{2}\b", out)  # no decimal dots
    assert "Không xếp hạng" in out and "Tốt" in out and "Yếu" in out


def test_receipts_json_lists_each_agency(demo_path: Path, capsys) -> None:
    code, out, err = khit(capsys, "receipts", "--db", demo_path, "--year", "2020", "--json")
    assert code == 0
    assert DEMO_BANNER in err
    lines = json.loads(out)
    assert len(lines) == 37
    assert {line["status"] for line in lines} == STATUSES
    for line in lines:
        assert line["explanation"]
        assert line["status_label"]
        assert NUMBER.match(line["penalty"])
        for r in line["receipts"]:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["sent_date"])
    assert [line["group"] for line in lines] == sorted(line["group"] for line in lines)
    invalid = [r for line in lines for r in line["receipts"] if not r["valid"]]
    assert invalid and all(r["invalid_reason"] and not r["counted"] for r in invalid)
    missing = [line for line in lines if line["status"] == "missing"]
    assert all(line["receipts"] == [] for line in missing)


def test_receipts_human_output(demo_path: Path, capsys) -> None:
    code, out, _ = khit(capsys, "receipts", "--db", demo_path, "--year", "2020")
    assert code == 0
    assert "SỔ TIẾP NHẬN PHIẾU ĐÁNH GIÁ NĂM 2020" in out
    assert "*** DỮ LIỆU MINH HỌA" in out
    assert "không hợp lệ:" in out
    assert re.search(r"gửi \d{2}/\d{2}/2020", out)


# ---- receipt add ---------------------------------------------------------------------------

GOOD_ADD = [
    "receipt",
    "add",
    "--year",
    "2020",
    "--agency",
    "KS",
    "--channel",
    "post",
    "--sent-date",
    "16/11/2020",
    "--received-date",
    "19/11/2020",
    "--doc-number",
    "88/UBND-VP",
]


def _with(args: list[str], option: str, value: str | None) -> list[str]:
    """``args`` with ``option`` set to ``value`` (None: removed)."""
    out = list(args)
    i = out.index(option)
    if value is None:
        del out[i : i + 2]
    else:
        out[i + 1] = value
    return out


def test_receipt_add_good_input(demo_path: Path, capsys, row_counts) -> None:
    before = row_counts(demo_path)
    code, _, err = khit(capsys, *GOOD_ADD, "--db", demo_path)
    assert code == 0, err
    assert "Đã ghi nhận phiếu" in err
    after = row_counts(demo_path)
    assert after["receipt"] == before["receipt"] + 1
    assert after["audit_event"] == before["audit_event"] + 1

    code, out, _ = khit(capsys, "receipts", "--db", demo_path, "--year", "2020", "--json")
    ks = next(line for line in json.loads(out) if line["agency_code"] == "KS")
    assert ks["status"] == "on_time"
    [receipt] = ks["receipts"]
    assert receipt["channel"] == "post"
    assert (receipt["sent_date"], receipt["received_date"]) == ("2020-11-16", "2020-11-19")
    assert receipt["doc_number"] == "88/UBND-VP"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--sent-date", "31/02/2020", "không có thật"),
        ("--sent-date", "2020-11-16", "dd/MM/yyyy"),
        ("--received-date", "30/02/2020", "không có thật"),
        ("--received-date", "10/11/2020", "trước ngày gửi"),
        ("--sent-date", "16/11/2099", "hôm nay"),
        ("--agency", "XYZ", "XYZ"),
        ("--year", "2019", "năm 2019"),
    ],
    ids=[
        "31-02",
        "iso-date",
        "bad-received",
        "received-before-sent",
        "future",
        "unknown-agency",
        "unknown-year",
    ],
)
def test_receipt_add_refused_writes_nothing(
    demo_path: Path, capsys, row_counts, option, value, message
) -> None:
    before = row_counts(demo_path)
    code, out, err = khit(capsys, *_with(GOOD_ADD, option, value), "--db", demo_path)
    assert code == 3
    assert err.startswith("Từ chối:")
    assert message in err
    assert out == ""
    assert row_counts(demo_path) == before


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--channel", "fax", "giá trị không hợp lệ"),
        ("--year", None, "thiếu tham số bắt buộc: --year"),
        ("--year", "hai nghìn", "không phải số nguyên"),
    ],
    ids=["unknown-channel", "missing-year", "year-not-a-number"],
)
def test_receipt_add_usage_errors(
    demo_path: Path, capsys, row_counts, option, value, message
) -> None:
    before = row_counts(demo_path)
    code, _, err = khit(capsys, *_with(GOOD_ADD, option, value), "--db", demo_path)
    assert code == 2
    assert "Lỗi cách dùng" in err
    assert message in err
    assert row_counts(demo_path) == before


def test_missing_year_exit_code_of_the_real_program(demo_path: Path, tmp_path: Path) -> None:
    done = khit_process(tmp_path, *_with(GOOD_ADD, "--year", None), "--db", demo_path)
    assert done.returncode == 2
    assert "Lỗi cách dùng" in done.stderr
    assert "--year" in done.stderr
    assert done.stdout == ""


def test_usage_line_of_a_subcommand_has_one_heading(demo_path: Path, capsys) -> None:
    code, _, err = khit(capsys, *_with(GOOD_ADD, "--year", None), "--db", demo_path)
    assert code == 2
    assert err.count("Cách dùng:") == 1
    assert "Cách dùng: khit receipt add" in err


def test_receipt_invalidate(demo_path: Path, capsys, row_counts) -> None:
    code, out, _ = khit(capsys, "receipts", "--db", demo_path, "--year", "2020", "--json")
    stp = next(line for line in json.loads(out) if line["agency_code"] == "STP")
    rid = str(stp["receipts"][0]["id"])
    before = row_counts(demo_path)
    code, _, err = khit(
        capsys, "receipt", "invalidate", "--db", demo_path, "--id", rid, "--reason", "  "
    )
    assert code == 3 and "lý do" in err
    assert row_counts(demo_path) == before
    code, _, err = khit(
        capsys,
        "receipt",
        "invalidate",
        "--db",
        demo_path,
        "--id",
        rid,
        "--reason",
        "Phiếu chưa ký số",
    )
    assert code == 0, err
    assert row_counts(demo_path)["audit_event"] == before["audit_event"] + 1
    code, out, _ = khit(capsys, "receipts", "--db", demo_path, "--year", "2020", "--json")
    stp = next(line for line in json.loads(out) if line["agency_code"] == "STP")
    assert stp["status"] == "missing"


# ---- rounds --------------------------------------------------------------------------------


def test_round_create_copy_and_list(demo_path: Path, capsys) -> None:
    code, _, err = khit(
        capsys, "round", "create", "--db", demo_path, "--year", "2021", "--copy-from", "2020"
    )
    assert code == 0, err
    assert "2021" in err
    code, out, _ = khit(capsys, "round", "list", "--db", demo_path)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("2019\t36 cơ quan\tfinalized")  # the demo's published year
    assert lines[1].startswith("2020\t37 cơ quan") and "(minh họa)" in lines[1]
    assert lines[2].startswith("2021\t37 cơ quan") and "minh họa" not in lines[2]


@pytest.mark.parametrize(
    "args",
    [
        ["--year", "2020"],
        ["--year", "1999"],
        ["--year", "2021", "--copy-from", "2018"],
    ],
    ids=["duplicate", "1999", "unknown-copy-from"],
)
def test_round_create_refused(demo_path: Path, capsys, row_counts, args) -> None:
    before = row_counts(demo_path)
    code, _, err = khit(capsys, "round", "create", "--db", demo_path, *args)
    assert code == 3
    assert err.startswith("Từ chối:")
    assert row_counts(demo_path) == before


def test_rank_of_a_year_without_a_round(demo_path: Path, capsys) -> None:
    code, out, err = khit(capsys, "rank", "--db", demo_path, "--year", "2018")
    assert code == 3
    assert "2018" in err and "2019, 2020" in err
    assert out == ""


# ---- the database itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["rank", "--year", "2020"],
        ["receipts", "--year", "2020", "--json"],
        ["round", "list"],
        GOOD_ADD,
    ],
    ids=["rank", "receipts", "round-list", "receipt-add"],
)
def test_missing_database_exits_4_and_names_khit_init(tmp_path: Path, capsys, args) -> None:
    path = tmp_path / "khong-co" / "khit.db"
    code, out, err = khit(capsys, *args, "--db", path)
    assert code == 4
    assert "khit init" in err
    assert out == ""
    assert not path.exists()
    assert not path.parent.exists()


def test_init_twice_is_refused(tmp_path: Path, capsys, row_counts, login) -> None:
    path = tmp_path / "khit.db"
    login(ADMIN, ADMIN_PASSWORD)
    code, _, err = khit(capsys, "init", "--db", path)
    assert code == 0, err
    assert "Đã tạo cơ sở dữ liệu" in err
    before = row_counts(path)
    assert before["agency"] == 37 and before["round"] == 0
    for extra in ([], ["--demo"]):
        code, _, err = khit(capsys, "init", "--db", path, *extra)
        assert code == 3
        assert "đã có" in err
        assert row_counts(path) == before


def test_init_on_a_demo_database_is_refused(demo_path: Path, capsys, row_counts) -> None:
    before = row_counts(demo_path)
    code, _, _ = khit(capsys, "init", "--db", demo_path, "--demo")
    assert code == 3
    assert row_counts(demo_path) == before


def test_init_without_demo_has_no_round_and_no_banner(tmp_path: Path, capsys, login) -> None:
    path = tmp_path / "khit.db"
    login(ADMIN, ADMIN_PASSWORD)
    assert khit(capsys, "init", "--db", path)[0] == 0
    code, out, _ = khit(capsys, "round", "list", "--db", path)
    assert (code, out) == (0, "")
    code, _, err = khit(capsys, "rank", "--db", path, "--year", "2020")
    assert code == 3
    assert DEMO_BANNER not in err


def test_foreign_sqlite_file_exits_4(tmp_path: Path, capsys) -> None:
    path = tmp_path / "khac.db"
    conn = sqlite3.connect(str(path))
    with conn:
        conn.execute("CREATE TABLE ban_ghi (id INTEGER PRIMARY KEY)")
    conn.close()
    for args in (["init", "--db", path], ["round", "list", "--db", path]):
        code, _, err = khit(capsys, *args)
        assert code == 4
        assert "Lỗi cơ sở dữ liệu" in err and "không phải cơ sở dữ liệu của KHIT" in err


def test_database_of_a_newer_program_exits_4(demo_path: Path, capsys, row_counts) -> None:
    conn = sqlite3.connect(str(demo_path))
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    conn.close()
    before = row_counts(demo_path)
    code, out, err = khit(capsys, "rank", "--db", demo_path, "--year", "2020")
    assert code == 4
    assert "mới hơn" in err
    assert out == ""
    code, _, _ = khit(capsys, *GOOD_ADD, "--db", demo_path)
    assert code == 4
    assert row_counts(demo_path) == before


def test_file_that_is_not_a_database_exits_4(tmp_path: Path) -> None:
    path = tmp_path / "ghi-chu.txt"
    path.write_text("Không phải cơ sở dữ liệu\n", encoding="utf-8")
    done = khit_process(tmp_path, "rank", "--db", path, "--year", "2020")
    assert done.returncode == 4
    assert "Traceback" not in done.stderr
    assert "Lỗi cơ sở dữ liệu" in done.stderr


def test_vietnamese_path_with_spaces(tmp_path: Path, capsys, login, monkeypatch) -> None:
    path = tmp_path / "Tài liệu của Nguyễn Văn A" / "Dữ liệu KHIT.db"
    login(ADMIN, ADMIN_PASSWORD)
    assert khit(capsys, "init", "--db", path)[0] == 0
    assert path.exists()
    assert khit(capsys, "round", "create", "--db", path, "--year", "2021")[0] == 0
    monkeypatch.setenv("KHIT_NEW_PASSWORD", CLERK_PASSWORD)
    assert khit(capsys, "user", "add", CLERK, "--role", "clerk", "--db", path)[0] == 0
    login(CLERK, CLERK_PASSWORD)  # receipts are the clerk's work
    add = _with(_with(GOOD_ADD, "--year", "2021"), "--sent-date", "15/11/2021")
    add = _with(add, "--received-date", "17/11/2021")
    code, _, err = khit(capsys, *add, "--db", path)
    assert code == 0, err
    code, out, _ = khit(capsys, "receipts", "--db", path, "--year", "2021", "--json")
    assert code == 0
    ks = next(line for line in json.loads(out) if line["agency_code"] == "KS")
    assert ks["status"] == "on_time"
    code, out, _ = khit(capsys, "rank", "--db", path, "--year", "2021", "--json")
    assert code == 0
    rows = json.loads(out)
    assert next(r for r in rows if r["agency_code"] == "KS")["rank"] == 1
