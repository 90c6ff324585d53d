"""``khit history import``: a past year's published results, then ``khit rank`` of that year."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khit_desktop.cli import main
from tests.history_book import ROWS_2019, write_book

GONE = [7, "Sở Văn hóa, Thể thao và Du lịch", 1, "870", 1000, 3, "Tốt"]


def khit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db_path(staffed_path: Path) -> Path:
    """A new database (``khit init``); the runs log in as a clerk, who imports past years."""
    return staffed_path


def test_import_then_rank_that_year(db_path: Path, tmp_path: Path, capsys, row_counts) -> None:
    file = write_book(tmp_path / "Kết quả 2019.xlsx", [*ROWS_2019, GONE])
    before = row_counts(db_path)
    code, out, err = khit(capsys, "history", "import", "--db", db_path, "--year", 2019, file)
    assert code == 3
    assert err.startswith("Từ chối: Chưa nhập tệp 'Kết quả 2019.xlsx': 1 dòng cần xem lại.")
    assert "--create-missing" in err and out == ""
    assert row_counts(db_path) == before

    code, out, err = khit(
        capsys, "history", "import", "--db", db_path, "--year", 2019, file, "--create-missing"
    )
    assert code == 0, err
    assert "Đã nhập kết quả đã công bố năm 2019 từ tệp 'Kết quả 2019.xlsx'." in err
    assert "Số cơ quan: 7" in out
    assert "Khớp tên: 3 trùng tên, 3 gần đúng" in out
    assert "[SVHTTDL-2019] Sở Văn hóa, Thể thao và Du lịch (Nhóm 1)" in out
    assert "Khác với bản đã công bố khi tính lại: 2 dòng" in out
    assert "Dòng 7, SỞ NỘI VỤ (Nhóm 1): hạng đã công bố 3, tính lại 4" in out

    code, out, err = khit(capsys, "rank", "--db", db_path, "--year", 2019)
    assert code == 0, err
    assert "NĂM 2019" in out and "UBND TP. Nha Trang" in out
    assert "Kết quả đã công bố năm 2019 (nhập từ tệp Kết quả 2019.xlsx, dòng 5)." in out
    code, out, _ = khit(capsys, "rank", "--db", db_path, "--year", 2019, "--json")
    data = json.loads(out)
    assert data[0]["agency_code"] == "STP" and data[0]["final_score"] == "900.50"
    assert data[0]["rank"] == 1 and data[0]["status"] == "on_time"
    assert all(r["movement"] is None for r in data)  # no 2018 to compare with
    code, out, _ = khit(capsys, "round", "list", "--db", db_path)
    assert out.startswith("2019\t7 cơ quan\tfinalized")


def test_importing_again_needs_replace(db_path: Path, tmp_path: Path, capsys, row_counts) -> None:
    file = write_book(tmp_path / "kq.xlsx", ROWS_2019)
    assert khit(capsys, "history", "import", "--db", db_path, "--year", 2019, file)[0] == 0
    before = row_counts(db_path)
    code, _, err = khit(capsys, "history", "import", "--db", db_path, "--year", 2019, file)
    assert code == 3 and "--replace" in err
    assert row_counts(db_path) == before
    code, out, err = khit(
        capsys, "history", "import", "--db", db_path, "--year", 2019, file, "--replace"
    )
    assert code == 0, err
    assert err.startswith("Đã thay kết quả đã công bố năm 2019")
    assert "Xếp loại, xếp hạng tính lại khớp với bản đã công bố." in out


def test_rank_shows_the_movement_since_the_published_year(demo_path: Path, capsys) -> None:
    code, out, _ = khit(capsys, "rank", "--db", demo_path, "--year", 2020)
    assert code == 0
    assert "(trong ngoặc: thay đổi thứ hạng so với năm 2019)" in out
    assert "(đổi nhóm)" in out and "(mới)" in out and "bậc)" in out
    code, out, _ = khit(capsys, "rank", "--db", demo_path, "--year", 2020, "--json")
    moves = {r["agency_code"]: r["movement"] for r in json.loads(out)}
    assert moves["BQLKKT"] == {"kind": "group_changed", "steps": 0, "text": "đổi nhóm"}
    assert moves["KS"]["kind"] == "none"  # no form in 2020: no movement


def test_a_demo_appraised_year_is_refused(demo_path: Path, tmp_path: Path, capsys, row_counts):
    file = write_book(tmp_path / "kq.xlsx", ROWS_2019)
    before = row_counts(demo_path)
    code, _, err = khit(
        capsys, "history", "import", "--db", demo_path, "--year", 2020, file, "--replace"
    )
    assert code == 3 and "dữ liệu thẩm định" in err
    assert row_counts(demo_path) == before


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--year", "2019"], 2, "thiếu tham số bắt buộc: TỆP"),
        (["--year", "hai", "x.xlsx"], 2, "không phải số nguyên"),
        (["--year", "2019", "khong-co.xlsx"], 3, "Không tìm thấy tệp 'khong-co.xlsx'"),
        (["--year", "1999", "kq.xlsx"], 3, "Năm 1999 không hợp lệ"),
    ],
)
def test_usage_and_refusals(db_path, tmp_path, capsys, monkeypatch, args, code, words) -> None:
    write_book(tmp_path / "kq.xlsx", ROWS_2019)
    monkeypatch.chdir(tmp_path)
    got, _, err = khit(capsys, "history", "import", "--db", db_path, *args)
    assert got == code
    assert words in err


def test_a_bad_sheet_lists_its_cells(db_path: Path, tmp_path: Path, capsys) -> None:
    file = write_book(tmp_path / "sai.xlsx", [[1, "Sở Tư pháp", 1, "nhiều", 1000, None, None]])
    code, _, err = khit(capsys, "history", "import", "--db", db_path, "--year", 2019, file)
    assert code == 3
    assert "Tệp 'sai.xlsx' có 1 ô không dùng được; chưa nhập gì." in err
    assert "- Kết quả!D5: 'nhiều' không phải số." in err


def test_a_missing_database_is_a_database_error(tmp_path: Path, capsys) -> None:
    file = write_book(tmp_path / "kq.xlsx", ROWS_2019)
    code, _, err = khit(
        capsys, "history", "import", "--db", tmp_path / "khong.db", "--year", 2019, file
    )
    assert code == 4 and "Không tìm thấy cơ sở dữ liệu" in err
