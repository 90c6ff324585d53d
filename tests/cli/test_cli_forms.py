"""``khit criteria …`` and ``khit forms …``: criteria sets and agency forms in Excel, from the
command line, called in-process. Every refusal (exit 3) is checked to have written nothing,
with plain sqlite3 (row counts of every table, and which form each round's group uses)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from khit_desktop.cli import main
from tests.services.test_form_exchange import fill

GOOD_POINTS = {"1.8": 10}
GENERAL = {"CB": 50, "MT": 45}
SAMPLE_LINE = (
    "1\tBộ tiêu chí mẫu — phiên bản 1 (mẫu) [đã có điểm]\t1000.00 điểm\t50 tiêu chí"
    "\t2020 · Nhóm 1, 2020 · Nhóm 2, 2020 · Nhóm 3"
)


def khit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Run ``khit`` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse: usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(db: Path) -> dict[str, Any]:
    """Row counts of every table, and the form of every round's group (sqlite3 only)."""
    conn = sqlite3.connect(str(db))
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        groups = conn.execute(
            "SELECT r.year, g.number, g.form_id FROM round_group g JOIN round r "
            "ON r.id = g.round_id ORDER BY r.year, g.number"
        ).fetchall()
        return {"counts": counts, "groups": groups}
    finally:
        conn.close()


def query(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def agency_rows(db: Path, code: str) -> dict[str, Any]:
    """What an import writes for one agency."""
    tables = {
        "score": "SELECT s.criterion_id, s.self_answer, s.self_points FROM score s",
        "general_value": "SELECT s.code, s.self_value FROM general_value s",
        "form_import": "SELECT s.id, s.file_name FROM form_import s",
    }
    return {
        name: query(
            db,
            f"{sql} JOIN agency a ON a.id = s.agency_id WHERE a.code = ? ORDER BY 1",
            code,
        )
        for name, sql in tables.items()
    }


def set_max(path: Path, changes: dict[str, object], out: Path | None = None) -> Path:
    """Type new maxima (column C) for criteria codes in a criteria workbook."""
    workbook = load_workbook(path)
    sheet = workbook["Tiêu chí"]
    for row in sheet.iter_rows(min_row=5):
        code = row[0].value
        if code in changes:
            row[2].value = changes[code]
    target = out or path
    workbook.save(target)
    return target


# ---- khit criteria ------------------------------------------------------------------------


def test_criteria_list_shows_the_sample_set(demo_path: Path, capsys) -> None:
    code, out, _ = khit(capsys, "criteria", "list", "--db", demo_path)
    assert code == 0
    assert out.splitlines() == [SAMPLE_LINE]


def test_export_then_import_stores_a_version_only_when_the_set_changes(
    demo_path: Path, tmp_path: Path, capsys
) -> None:
    book = tmp_path / "Bộ tiêu chí.xlsx"
    code, _, err = khit(capsys, "criteria", "export", "--db", demo_path, "--form", 1, "--out", book)
    assert code == 0 and book.exists() and "Đã xuất" in err

    name = "Phiếu 2021"
    code, out, err = khit(capsys, "criteria", "import", book, "--db", demo_path, "--name", name)
    assert code == 0 and "Đã lưu: bộ tiêu chí số 2, tổng 1000.00 điểm." in err
    assert out.strip() == "2"

    before = snapshot(demo_path)
    code, out, err = khit(capsys, "criteria", "import", book, "--db", demo_path, "--name", name)
    assert code == 0 and out.strip() == "2"
    assert "Không đổi (giống phiên bản mới nhất): bộ tiêu chí số 2" in err
    assert snapshot(demo_path) == before  # nothing stored, not even an audit event

    changed = set_max(book, {"1.1": 35, "1.2": 15}, tmp_path / "Bộ tiêu chí sửa.xlsx")
    code, out, err = khit(capsys, "criteria", "import", changed, "--db", demo_path, "--name", name)
    assert code == 0 and out.strip() == "3" and "Đã lưu: bộ tiêu chí số 3" in err
    assert query(demo_path, "SELECT name, version FROM form ORDER BY id") == [
        ("Bộ tiêu chí mẫu", 1),
        (name, 1),
        (name, 2),
    ]
    assert query(
        demo_path, "SELECT max_points FROM criterion WHERE form_id = 3 AND code = '1.1'"
    ) == [("35",)]
    assert query(demo_path, "SELECT count(*) FROM audit_event WHERE action = 'form.add'") == [(2,)]

    _, out, _ = khit(capsys, "criteria", "list", "--db", demo_path)
    assert out.splitlines()[1:] == [
        f"2\t{name} — phiên bản 1\t1000.00 điểm\t50 tiêu chí\tchưa dùng",
        f"3\t{name} — phiên bản 2\t1000.00 điểm\t50 tiêu chí\tchưa dùng",
    ]


def test_check_lists_errors_with_cell_refs_and_stores_nothing(
    demo_path: Path, tmp_path: Path, capsys
) -> None:
    book = tmp_path / "tieu-chi.xlsx"
    assert khit(capsys, "criteria", "export", "--db", demo_path, "--form", 1, "--out", book)[0] == 0
    workbook = load_workbook(book)
    sheet = workbook["Tiêu chí"]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=5) if row[0].value}
    sheet.cell(rows["1.2"], 3).value = "hai mươi"  # a maximum that is no number
    sheet.cell(rows["1.3"], 1).value = "1.x"  # a code that is no code
    damaged = tmp_path / "tieu-chi-hong.xlsx"
    workbook.save(damaged)
    before = snapshot(demo_path)

    code, out, err = khit(
        capsys, "criteria", "import", damaged, "--db", demo_path, "--name", "X", "--check"
    )
    assert code == 3
    assert f"Lỗi Tiêu chí!C{rows['1.2']}: Tiêu chí 1.2: điểm tối đa 'hai mươi'" in err
    assert f"Lỗi Tiêu chí!A{rows['1.3']}: Mã '1.x' không hợp lệ" in err
    assert "2 lỗi" in out
    assert snapshot(demo_path) == before

    code, _, err = khit(capsys, "criteria", "import", damaged, "--db", demo_path, "--name", "X")
    assert code == 3 and err.startswith("Từ chối: Bộ tiêu chí trong 'tieu-chi-hong.xlsx' có lỗi")
    assert f"Tiêu chí!C{rows['1.2']}" in err
    assert snapshot(demo_path) == before

    # --check of a sound file: 0, and still nothing stored
    code, out, err = khit(
        capsys, "criteria", "import", book, "--db", demo_path, "--name", "X", "--check"
    )
    assert code == 0 and "50 tiêu chí, tổng 1000.00 điểm; 0 lỗi, 0 lưu ý." in out
    assert snapshot(demo_path) == before

    for bad in (tmp_path / "khong-co.xlsx", tmp_path):  # missing file, a folder
        code, _, err = khit(capsys, "criteria", "import", bad, "--db", demo_path, "--name", "X")
        assert code == 3 and "Từ chối" in err
    assert snapshot(demo_path) == before


def test_criteria_usage_and_database_errors(demo_path: Path, tmp_path: Path, capsys) -> None:
    before = snapshot(demo_path)
    # --name is needed to save (not to --check): refused with the reason, nothing written
    code, _, err = khit(capsys, "criteria", "import", tmp_path / "a.xlsx", "--db", demo_path)
    assert code == 3 and "--name" in err
    assert khit(capsys, "criteria", "use", "--db", demo_path, "--year", 2020)[0] == 2
    assert (
        khit(capsys, "criteria", "export", "--db", demo_path, "--form", "một", "--out", "x")[0] == 2
    )
    assert snapshot(demo_path) == before
    code, _, err = khit(capsys, "criteria", "list", "--db", tmp_path / "khong-co.db")
    assert code == 4 and "khit init" in err
    code, _, err = khit(
        capsys, "criteria", "export", "--db", demo_path, "--form", 99, "--out", tmp_path / "x.xlsx"
    )
    assert code == 3 and "Không có bộ tiêu chí số 99" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_use_is_refused_with_scores_and_accepted_for_a_fresh_round(
    demo_path: Path, tmp_path: Path, capsys
) -> None:
    book = tmp_path / "bo.xlsx"
    assert khit(capsys, "criteria", "export", "--db", demo_path, "--form", 1, "--out", book)[0] == 0
    set_max(book, {"1.1": 35, "1.2": 15})
    code, out, _ = khit(capsys, "criteria", "import", book, "--db", demo_path, "--name", "Mới")
    assert code == 0
    new_form = int(out)

    before = snapshot(demo_path)
    code, _, err = khit(
        capsys, "criteria", "use", "--db", demo_path, "--year", 2020, "--group", 1,
        "--form", new_form,
    )  # fmt: skip
    assert code == 3 and "Nhóm 1 năm 2020 đã có" in err and "điểm chấm" in err
    for args, words in (
        (("--year", 2020, "--group", 9, "--form", new_form), "không có nhóm 9"),
        (("--year", 2020, "--group", 1, "--form", 99), "Không có bộ tiêu chí số 99"),
        (("--year", 2030, "--group", 1, "--form", new_form), "Không có kỳ đánh giá năm 2030"),
    ):
        code, _, err = khit(capsys, "criteria", "use", "--db", demo_path, *args)
        assert code == 3 and words in err, err
    assert snapshot(demo_path) == before

    code, _, _ = khit(
        capsys, "round", "create", "--db", demo_path, "--year", 2021, "--copy-from", 2020
    )
    assert code == 0
    code, _, err = khit(
        capsys, "criteria", "use", "--db", demo_path, "--year", 2021, "--group", 1,
        "--form", new_form,
    )  # fmt: skip
    assert code == 0 and f"Nhóm 1 năm 2021 dùng bộ tiêu chí số {new_form}." in err
    assert snapshot(demo_path)["groups"] == [
        (2019, 1, None),  # the demo's published past year has no criteria set
        (2019, 2, None),
        (2019, 3, None),
        (2020, 1, 1),
        (2020, 2, 1),
        (2020, 3, 1),
        (2021, 1, new_form),
        (2021, 2, 1),
        (2021, 3, 1),
    ]
    assert query(demo_path, "SELECT count(*) FROM audit_event WHERE action = 'round.form'") == [
        (1,)
    ]
    _, out, _ = khit(capsys, "criteria", "list", "--db", demo_path)
    lines = out.splitlines()
    assert lines[0].endswith(
        "\t2020 · Nhóm 1, 2020 · Nhóm 2, 2020 · Nhóm 3, 2021 · Nhóm 2, 2021 · Nhóm 3"
    )
    assert lines[1] == f"{new_form}\tMới — phiên bản 1\t1000.00 điểm\t50 tiêu chí\t2021 · Nhóm 1"

    # blank forms of 2021's group 1 are made from the new set
    out_dir = tmp_path / "trang-2021"
    code, _, _ = khit(
        capsys, "forms", "blank", "--db", demo_path, "--year", 2021, "--out", out_dir,
        "--agency", "STP",
    )  # fmt: skip
    assert code == 0
    meta = {
        key: value
        for _, key, value in load_workbook(out_dir / "Phieu-2021-STP.xlsx")["_khit"].iter_rows(
            max_col=3, values_only=True
        )
    }
    assert meta["form_id"] == new_form and meta["year"] == 2021


# ---- khit forms ---------------------------------------------------------------------------


def test_forms_blank_one_agency_and_refusals(demo_path: Path, tmp_path: Path, capsys) -> None:
    before = snapshot(demo_path)
    out_dir = tmp_path / "trang"
    code, out, err = khit(
        capsys, "forms", "blank", "--db", demo_path, "--year", 2020, "--out", out_dir,
        "--agency", "STP",
    )  # fmt: skip
    assert code == 0 and "Đã xuất 1 phiếu trắng." in err
    assert out.splitlines() == [str(out_dir / "Phieu-2020-STP.xlsx")]
    assert [p.name for p in out_dir.iterdir()] == ["Phieu-2020-STP.xlsx"]

    for args, words in (
        (("--group", 9), "không có cơ quan nào thuộc nhóm 9"),
        (("--agency", "KHONG-CO"), "KHONG-CO"),
    ):
        refused_dir = tmp_path / f"bi-tu-choi-{args[0].strip('-')}"
        code, out, err = khit(
            capsys, "forms", "blank", "--db", demo_path, "--year", 2020, "--out", refused_dir,
            *args,
        )  # fmt: skip
        assert code == 3 and words in err and out == ""
        assert not refused_dir.exists() or not any(refused_dir.iterdir())
    code, _, _ = khit(
        capsys, "forms", "blank", "--db", demo_path, "--year", 2020, "--out", out_dir,
        "--group", 1, "--agency", "STP",
    )  # fmt: skip
    assert code == 2
    assert snapshot(demo_path) == before


@pytest.fixture
def filled(demo_path: Path, tmp_path: Path, capsys) -> dict[str, Path]:
    """A folder with a good form (KS) and a damaged one (QDTPT: 99 points for 1.3, max 30)."""
    folder = tmp_path / "nhan"
    for agency in ("KS", "QDTPT"):
        code, _, _ = khit(
            capsys, "forms", "blank", "--db", demo_path, "--year", 2020, "--out", folder,
            "--agency", agency,
        )  # fmt: skip
        assert code == 0
    good, bad = folder / "Phieu-2020-KS.xlsx", folder / "Phieu-2020-QDTPT.xlsx"
    fill(good, figures={"1.3": "Có"}, points=GOOD_POINTS, general=GENERAL)
    fill(bad, figures={"1.3": "Có"}, points={"1.3": 99}, general=GENERAL)
    return {"folder": folder, "good": good, "bad": bad}


def test_forms_import_of_a_folder_imports_the_good_and_refuses_the_damaged(
    demo_path: Path, tmp_path: Path, capsys, filled: dict[str, Path]
) -> None:
    before = snapshot(demo_path)
    refused_before = agency_rows(demo_path, "QDTPT")
    summary = tmp_path / "ket-qua.txt"
    code, out, _ = khit(
        capsys, "forms", "import", "--db", demo_path, "--year", 2020, "--summary", summary,
        filled["folder"],
    )  # fmt: skip
    assert code == 3
    assert "Đã nhập: 1; bỏ qua: 0; từ chối: 1." in out
    assert "[Đã nhập] Phieu-2020-KS.xlsx: Đã nhập phiếu của UBND huyện Khánh Sơn." in out
    refused = next(line for line in out.splitlines() if "Phieu-2020-QDTPT.xlsx" in line)
    assert refused.startswith("[Từ chối] Phieu-2020-QDTPT.xlsx:") and "!F" in refused
    assert summary.read_text(encoding="utf-8") == out

    # the refused file wrote nothing for its agency; the good one wrote one import
    assert agency_rows(demo_path, "QDTPT") == refused_before
    after = snapshot(demo_path)["counts"]
    assert after["form_import"] == before["counts"]["form_import"] + 1
    assert after["attachment"] == before["counts"]["attachment"] + 1
    assert [f for _, f in agency_rows(demo_path, "KS")["form_import"]] == ["Phieu-2020-KS.xlsx"]
    assert query(
        demo_path,
        "SELECT s.self_points FROM score s JOIN criterion c ON c.id = s.criterion_id "
        "JOIN agency a ON a.id = s.agency_id WHERE a.code = 'KS' AND c.code = '1.8'",
    ) == [("10.00",)]


def test_second_import_without_replace_is_skipped(
    demo_path: Path, capsys, filled: dict[str, Path]
) -> None:
    args = ("forms", "import", "--db", demo_path, "--year", 2020, filled["good"])
    assert khit(capsys, *args)[0] == 0
    before = snapshot(demo_path)
    code, out, _ = khit(capsys, *args)
    # The agency's form was imported before: the file is skipped (not refused), exit 0.
    assert code == 0
    assert "Đã nhập: 0; bỏ qua: 1; từ chối: 0." in out
    assert "[Bỏ qua] Phieu-2020-KS.xlsx: Phiếu của UBND huyện Khánh Sơn đã được nhập lúc" in out
    assert snapshot(demo_path) == before

    code, out, _ = khit(capsys, *args[:-1], "--replace", filled["good"])
    assert code == 0 and "Đã nhập: 1; bỏ qua: 0; từ chối: 0." in out
    assert query(
        demo_path,
        "SELECT count(*), sum(replaced_by_id IS NULL) FROM form_import f "
        "JOIN agency a ON a.id = f.agency_id WHERE a.code = 'KS'",
    ) == [(2, 1)]


def test_import_of_a_missing_path_is_refused(demo_path: Path, tmp_path: Path, capsys) -> None:
    before = snapshot(demo_path)
    missing = tmp_path / "khong-co.xlsx"
    code, out, _ = khit(capsys, "forms", "import", "--db", demo_path, "--year", 2020, missing)
    assert code == 3
    assert "Đã nhập: 0; bỏ qua: 0; từ chối: 1." in out
    assert "[Từ chối] khong-co.xlsx: Không tìm thấy tệp 'khong-co.xlsx'" in out
    assert snapshot(demo_path) == before


def test_import_of_a_form_for_another_year_is_refused(
    demo_path: Path, capsys, filled: dict[str, Path]
) -> None:
    assert khit(capsys, "round", "create", "--db", demo_path, "--year", 2021)[0] == 0
    before = snapshot(demo_path)
    code, out, _ = khit(
        capsys, "forms", "import", "--db", demo_path, "--year", 2021, filled["good"]
    )
    assert code == 3 and "đây là phiếu năm 2020" in out
    assert snapshot(demo_path) == before


# ---- output paths the command cannot use: refused (exit 3), never a traceback -----------


def test_export_to_a_name_without_xlsx_is_refused(demo_path: Path, tmp_path: Path, capsys) -> None:
    code, _, err = khit(
        capsys, "criteria", "export", "--db", demo_path, "--form", 1, "--out", tmp_path / "bo.txt"
    )
    assert code == 3 and ".xlsx" in err


def test_export_into_a_missing_folder_is_refused(demo_path: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "khong-co" / "bo.xlsx"
    code, _, err = khit(
        capsys, "criteria", "export", "--db", demo_path, "--form", 1, "--out", target
    )
    assert code == 3 and err.startswith("Từ chối")


def test_blank_forms_into_an_unusable_folder_are_refused(
    demo_path: Path, tmp_path: Path, capsys
) -> None:
    (tmp_path / "tep").write_text("không phải thư mục", encoding="utf-8")
    code, _, err = khit(
        capsys, "forms", "blank", "--db", demo_path, "--year", 2020, "--out",
        tmp_path / "tep" / "trang", "--agency", "STP",
    )  # fmt: skip
    assert code == 3 and err.startswith("Từ chối")
