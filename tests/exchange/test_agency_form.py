"""The agency's self-assessment form (Phiếu đánh giá) in Excel: written blank, filled with
openpyxl as an agency would, read back."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from khit_desktop.domain.criteria import (
    Criterion,
    FormTree,
    GeneralField,
    Option,
    Rule,
    RuleKind,
    score_leaf,
    tree_totals,
)
from khit_desktop.domain.form_spec import form_checksum
from khit_desktop.domain.rule_syntax import ParentRule, format_rule
from khit_desktop.exchange.agency_form import (
    COL_CODE,
    COL_FIGURE,
    COL_MAX,
    COL_POINTS,
    COL_RULE,
    COL_TITLE,
    FORM_SHEET,
    FORMAT_VERSION,
    HEADERS,
    INPUT_FILL,
    LISTS_SHEET,
    META_SHEET,
    FormIdentity,
    ascii_code,
    write_blank_form,
    write_blank_forms,
)
from khit_desktop.services.forms import read_form_file

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "criteria" / "bo-tieu-chi-mau.json"
GENERATED = datetime(2020, 10, 1, 8, 30, tzinfo=UTC)
INJECTION = '=HYPERLINK("http://example.com/x","Bấm vào đây")'


def _reader() -> Any:
    """agency_form_reader needs safe_xlsx, written by another helper: wait for it briefly."""
    import importlib
    import time

    for _ in range(30):
        try:
            return importlib.import_module("khit_desktop.exchange.agency_form_reader")
        except ModuleNotFoundError as exc:
            if exc.name != "khit_desktop.exchange.safe_xlsx":
                raise
            time.sleep(10)
    pytest.skip("khit_desktop.exchange.safe_xlsx is not written yet")


@pytest.fixture(scope="module")
def reader() -> Any:
    return _reader()


@pytest.fixture(scope="module")
def tree() -> FormTree:
    return read_form_file(SAMPLE)[1]


def identity_for(tree: FormTree, code: str = "STTTT", **changes: Any) -> FormIdentity:
    base = FormIdentity(
        year=2020,
        agency_code=code,
        agency_name="Sở Thông tin và Truyền thông",
        group=1,
        group_name="Sở, ban, ngành",
        form_id=7,
        form_version=2,
        form_name="Bộ tiêu chí mẫu",
        checksum=form_checksum(tree),
        deadline=date(2020, 11, 15),
    )
    return replace(base, **changes)


@pytest.fixture(scope="module")
def blank(tree: FormTree, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("phieu") / "Phiếu năm 2020"
    folder.mkdir()
    return write_blank_form(
        tree, identity_for(tree), folder / "Phieu-2020-STTTT.xlsx", generated_at=GENERATED
    )


@pytest.fixture(scope="module")
def book(blank: Path) -> Iterator[Workbook]:
    wb = load_workbook(blank)
    yield wb
    wb.close()


@pytest.fixture(scope="module")
def ws(book: Workbook) -> Worksheet:
    return book[FORM_SHEET]


def layout(book: Workbook) -> tuple[dict[str, Any], dict[str, int], dict[str, int]]:
    """The _khit sheet: meta values, criterion rows, general rows."""
    meta: dict[str, Any] = {}
    rows: dict[str, dict[str, int]] = {"criterion": {}, "general": {}}
    for kind, key, value in book[META_SHEET].iter_rows(max_col=3, values_only=True):
        if kind == "meta":
            meta[key] = value
        else:
            rows[kind][key] = value
    return meta, rows["criterion"], rows["general"]


def header_row(ws: Worksheet) -> int:
    return next(r for r in range(1, 40) if ws.cell(r, 1).value == HEADERS[0])


# --- the blank form ---------------------------------------------------------------------


def test_exchange_modules_import_the_domain_only() -> None:
    code = (
        "import sys, khit_desktop.exchange.agency_form; "
        "print(' '.join(m for m in sys.modules if m.startswith('khit_desktop.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert {m.split(".")[1] for m in loaded} == {"domain", "exchange"}


def test_sheets_title_and_identity_lines(book: Workbook, ws: Worksheet) -> None:
    assert book.sheetnames[0] == FORM_SHEET
    assert book.active.title == FORM_SHEET
    assert ws.sheet_state == "visible"
    assert ws["A1"].value == (
        "PHIẾU ĐÁNH GIÁ XẾP LOẠI MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM 2020"
    )
    lines = [ws.cell(r, 1).value for r in range(2, 6)]
    assert lines[0] == "Cơ quan, đơn vị: Sở Thông tin và Truyền thông (mã STTTT)"
    assert lines[1].startswith("Nhóm 1: Sở, ban, ngành. Bộ tiêu chí: Bộ tiêu chí mẫu, phiên bản 2")
    assert lines[2].startswith("Hạn gửi phiếu: 15/11/2020 (theo Điều 6.1")
    assert lines[3].startswith("Nhập số liệu và điểm tự chấm vào các ô màu vàng;")
    note = ws["A5"].comment.text
    assert "a/b" in note and "Bỏ bảo vệ trang tính" in note


def test_general_block(tree: FormTree, book: Workbook, ws: Worksheet) -> None:
    _, _, general_rows = layout(book)
    heading = min(general_rows.values()) - 1
    assert ws.cell(heading, 1).value == "I. SỐ LIỆU CHUNG"
    assert list(general_rows) == [g.code for g in tree.general]
    for datum in tree.general:
        row = general_rows[datum.code]
        assert ws.cell(row, COL_CODE).value == datum.code
        assert ws.cell(row, COL_TITLE).value == datum.label
        cell = ws.cell(row, COL_FIGURE)
        assert cell.value is None and not cell.protection.locked
        assert cell.fill.fgColor.rgb.endswith(INPUT_FILL)


def test_header_cells_exactly(ws: Worksheet) -> None:
    row = header_row(ws)
    assert ws.cell(row - 1, 1).value == "II. ĐIỂM TỰ ĐÁNH GIÁ"
    assert tuple(ws.cell(row, c).value for c in range(1, 9)) == (
        "Mã tiêu chí",
        "Nội dung tiêu chí",
        "Điểm tối đa",
        "Cách tính điểm",
        "Số liệu",
        "Điểm tự chấm",
        "Tài liệu kiểm chứng",
        None,
    )
    assert all(ws.cell(row, c).font.b for c in range(1, 8))


def test_one_row_per_criterion_in_tree_order(tree: FormTree, book: Workbook, ws: Worksheet) -> None:
    _, rows, _ = layout(book)
    codes = [c.code for c in tree.walk()]
    assert list(rows) == codes
    assert [rows[c] for c in codes] == list(
        range(header_row(ws) + 1, header_row(ws) + 1 + len(codes))
    )
    for node in tree.walk():
        row = rows[node.code]
        assert ws.cell(row, COL_CODE).value == node.code
        assert ws.cell(row, COL_CODE).data_type == "s"  # "1.10" must not become 1.1
        assert Decimal(str(ws.cell(row, COL_MAX).value)) == node.max_points
        phrase = format_rule(node.rule or ParentRule(node.gate), node.max_points)
        assert ws.cell(row, COL_RULE).value == phrase
        title = ws.cell(row, COL_TITLE)
        assert title.value.startswith(node.title)
        assert bool(title.font.b) is (not node.is_leaf)
        assert title.alignment.indent == node.code.count(".")
    assert ws.cell(rows["1.6"], COL_RULE).value == "tổng; điều kiện: 1.6.1"
    hint = ws.cell(rows["1.1"], COL_TITLE).value.split("\n")[1]
    assert hint.startswith("Số liệu: a / Tổng số cán bộ, công chức, viên chức của cơ quan")
    assert "a/b" in ws.cell(rows["3.1"], COL_TITLE).value


def input_cells(tree: FormTree, book: Workbook) -> set[str]:
    _, rows, general_rows = layout(book)
    cells = {f"E{row}" for row in general_rows.values()}
    for leaf in tree.leaves():
        cells.add(f"F{rows[leaf.code]}")
        assert leaf.rule is not None
        if leaf.rule.kind is not RuleKind.TYPED:
            cells.add(f"E{rows[leaf.code]}")
    return cells


def test_only_input_cells_are_unlocked_and_yellow(
    tree: FormTree, book: Workbook, ws: Worksheet
) -> None:
    inputs = input_cells(tree, book)
    leaves = sum(1 for _ in tree.leaves())
    assert len(inputs) == 2 + leaves + leaves - 1  # general, points, figures (one "nhập")
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row + 3, max_col=10):
        for cell in row:
            if cell.coordinate in inputs:
                assert not cell.protection.locked, cell.coordinate
                assert cell.fill.fgColor.rgb.endswith(INPUT_FILL), cell.coordinate
            else:
                assert cell.protection.locked, cell.coordinate
                if cell.fill.fill_type == "solid":
                    assert not cell.fill.fgColor.rgb.endswith(INPUT_FILL), cell.coordinate
    _, rows, _ = layout(book)
    typed = ws.cell(rows["1.8"], COL_FIGURE)  # "nhập": grey, nothing to type
    assert typed.fill.fgColor.rgb.endswith("D9D9D9")


def test_protected_without_password(book: Workbook, ws: Worksheet) -> None:
    protection = ws.protection
    assert protection.sheet
    assert not protection.password and protection.hashValue is None
    assert protection.formatColumns is False and protection.formatRows is False
    assert protection.formatCells is False
    assert protection.insertRows and protection.deleteRows  # still refused
    assert book.security.lockStructure
    assert not book.security.workbookPassword and book.security.workbookHashValue is None


def validations_by_cell(ws: Worksheet) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for validation in ws.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            for row in range(cell_range.min_row, cell_range.max_row + 1):
                for col in range(cell_range.min_col, cell_range.max_col + 1):
                    found.setdefault(ws.cell(row, col).coordinate, []).append(validation)
    return found


def test_every_input_has_one_validation_suited_to_its_rule(
    tree: FormTree, book: Workbook, ws: Worksheet
) -> None:
    checks = validations_by_cell(ws)
    assert set(checks) == input_cells(tree, book)
    assert all(len(v) == 1 for v in checks.values())
    assert all(v[0].showErrorMessage and v[0].allow_blank for v in checks.values())
    _, rows, general_rows = layout(book)
    for row in general_rows.values():
        check = checks[f"E{row}"][0]
        assert (check.type, check.operator, check.formula1) == ("whole", "greaterThanOrEqual", "0")
    for leaf in tree.leaves():
        row = rows[leaf.code]
        points = checks[f"F{row}"][0]
        assert (points.type, points.operator) == ("decimal", "between")
        assert (points.formula1, Decimal(points.formula2)) == ("0", leaf.max_points)
        assert "Từ 0 đến" in points.error and points.errorTitle
        assert leaf.rule is not None
        kind = leaf.rule.kind
        if kind is RuleKind.TYPED:
            continue
        figure = checks[f"E{row}"][0]
        expected = {
            RuleKind.YES_NO: ("list", '"Có,Không"'),
            RuleKind.OPTIONS: ("list", '"' + ",".join(o.label for o in leaf.rule.options) + '"'),
            RuleKind.TIERS: ("decimal", "0"),
            RuleKind.NORMALISED: ("decimal", "0"),
            RuleKind.PER_ITEM: ("whole", "0"),
            RuleKind.DEDUCTION: ("whole", "0"),
            RuleKind.RATIO: (
                ("whole", "0")
                if leaf.rule.denominator
                else ("custom", f'ISNUMBER(FIND("/",E{row}))')
            ),
        }[kind]
        assert (figure.type, figure.formula1) == expected, leaf.code
        if kind is RuleKind.RATIO and not leaf.rule.denominator:
            assert ws.cell(row, COL_FIGURE).number_format == "@"  # 3/4 must not become a date


def test_long_option_lists_go_to_a_hidden_sheet(tmp_path: Path) -> None:
    long_labels = tuple(
        Option(f"Phương án số {n} có mô tả rất dài về mức độ đáp ứng yêu cầu", Decimal(n))
        for n in range(6)
    )
    comma = (Option("Có, đầy đủ", Decimal(10)), Option("Không", Decimal(0)))
    tree = FormTree(
        (
            Criterion(
                "1",
                "Lĩnh vực",
                Decimal(20),
                children=(
                    Criterion("1.1", "Dài", Decimal(10), Rule(RuleKind.OPTIONS, long_labels)),
                    Criterion("1.2", "Dấu phẩy", Decimal(10), Rule(RuleKind.OPTIONS, comma)),
                ),
            ),
        )
    )
    path = write_blank_form(tree, identity_for(tree), tmp_path / "p.xlsx")
    book = load_workbook(path)
    lists = book[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    checks = validations_by_cell(book[FORM_SHEET])
    _, rows, _ = layout(book)
    first, second = (checks[f"E{rows[c]}"][0].formula1 for c in ("1.1", "1.2"))
    assert first == "'Danh mục'!$A$2:$A$7"
    assert second == "'Danh mục'!$B$2:$B$3"
    assert [lists.cell(r, 1).value for r in range(2, 8)] == [o.label for o in long_labels]
    assert [lists.cell(r, 2).value for r in range(2, 4)] == ["Có, đầy đủ", "Không"]
    assert len(",".join(o.label for o in long_labels)) > 255
    assert "I. SỐ LIỆU CHUNG" not in [c.value for c in book[FORM_SHEET]["A"]]  # no general data
    filled = fill(
        path,
        tmp_path / "filled.xlsx",
        {"1.1": {"E": long_labels[3].label}, "1.2": {"E": "có, đầy đủ"}},
    )
    form = _reader().read_filled_form(filled, tree)
    assert form.problems == []
    assert form.answers == {
        "1.1": {"option": long_labels[3].label},
        "1.2": {"option": "Có, đầy đủ"},
    }


def evaluate(ws: Worksheet, cell: str, points: dict[int, Decimal]) -> Decimal:
    """The value Excel computes for a formula cell of column F (a tiny evaluator for the
    formulas the form uses: SUM, MIN, IF, N, ROUNDDOWN), leaves from ``points`` by row."""
    value = ws[cell].value
    if not (isinstance(value, str) and value.startswith("=")):
        return points.get(ws[cell].row, Decimal(0))
    expr = re.sub(r"\b([CF])(\d+)\b", r'v("\1\2")', value[1:]).replace(")=0", ")==0")
    expr = re.sub(r"(?<![\w.\"])(\d+(?:\.\d+)?)(?![\w\"])", r'D("\1")', expr)

    def v(ref: str) -> Decimal:
        if ref.startswith("C"):
            return Decimal(str(ws[ref].value))
        return evaluate(ws, ref, points)

    names: dict[str, Callable[..., Any]] = {
        "v": v,
        "D": Decimal,
        "SUM": lambda *xs: sum(xs, Decimal(0)),
        "MIN": min,
        "N": lambda x: x,
        "IF": lambda test, yes, no: yes if test else no,
        "ROUNDDOWN": lambda x, n: x.quantize(Decimal(1).scaleb(-int(n)), rounding=ROUND_DOWN),
    }
    return Decimal(eval(expr, {"__builtins__": {}}, names))


@pytest.mark.parametrize("gate_points", [Decimal(20), Decimal(0)])
def test_parent_and_total_formulas_match_the_domain(
    tree: FormTree, book: Workbook, ws: Worksheet, gate_points: Decimal
) -> None:
    _, rows, _ = layout(book)
    leaf_points = {leaf.code: leaf.max_points for leaf in tree.leaves()}
    leaf_points["1.6.1"] = gate_points
    leaf_points["1.6.2"] = Decimal(6)
    leaf_points["2.5"] = Decimal("12.35")
    by_row = {rows[code]: value for code, value in leaf_points.items()}
    totals = tree_totals(tree, leaf_points)
    for node in tree.walk():
        if not node.is_leaf:
            assert ws.cell(rows[node.code], COL_POINTS).value.startswith("="), node.code
            assert evaluate(ws, f"F{rows[node.code]}", by_row) == totals.by_code[node.code]
    assert ws.cell(rows["1"], COL_POINTS).value == (
        "=MIN(SUM(F12,F13,F14,F15,F16,F17,F20,F21),200)"
    )
    assert ws.cell(rows["1.6"], COL_POINTS).value == "=IF(N(F18)=0,0,MIN(SUM(F18,F19),30))"
    total_row = max(rows.values()) + 1
    assert ws.cell(total_row, COL_TITLE).value == "TỔNG CỘNG"
    assert Decimal(str(ws.cell(total_row, COL_MAX).value)) == tree.max_points
    assert evaluate(ws, f"F{total_row}", by_row) == totals.total
    percent = evaluate(ws, f"F{total_row + 1}", by_row)
    assert percent == (totals.total * 100 / tree.max_points).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN
    )
    assert "Tỷ lệ so với điểm tối đa" in ws.cell(total_row + 1, COL_TITLE).value


def test_hidden_sheet_holds_identity_and_the_row_map(
    tree: FormTree, book: Workbook, ws: Worksheet
) -> None:
    meta_sheet = book[META_SHEET]
    assert meta_sheet.sheet_state == "veryHidden"
    meta, rows, general_rows = layout(book)
    assert meta == {
        "format": FORMAT_VERSION,
        "year": 2020,
        "agency_code": "STTTT",
        "agency_name": "Sở Thông tin và Truyền thông",
        "group": 1,
        "group_name": "Sở, ban, ngành",
        "form_id": 7,
        "form_version": 2,
        "form_name": "Bộ tiêu chí mẫu",
        "checksum": form_checksum(tree),
        "deadline": "2020-11-15",
        "generated_at": "2020-10-01T08:30:00+00:00",
        "sheet": FORM_SHEET,
        "header_row": header_row(ws),
        "figure_column": COL_FIGURE,
        "points_column": COL_POINTS,
        "general_column": COL_FIGURE,
    }
    assert set(rows) == {c.code for c in tree.walk()}
    assert all(ws.cell(row, 1).value == code for code, row in rows.items())
    assert all(ws.cell(row, 1).value == code for code, row in general_rows.items())


def test_page_setup_and_look(tree: FormTree, ws: Worksheet) -> None:
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    row = header_row(ws)
    assert ws.print_title_rows == f"${row}:${row}"
    assert ws.freeze_panes == f"A{row + 1}"
    assert row <= 12  # a laptop screen still shows the table under the frozen rows
    widths = [ws.column_dimensions[c].width for c in "ABCDEFG"]
    assert widths[1] >= 40 and all(w >= 8 for w in widths)
    fonts = {cell.font.name for line in ws.iter_rows() for cell in line if cell.value is not None}
    assert fonts == {"Times New Roman"}


def test_user_text_is_never_a_formula(tree: FormTree, tmp_path: Path) -> None:
    identity = identity_for(tree, agency_name=INJECTION, agency_code="=1+1")
    path = write_blank_form(tree, identity, tmp_path / "p.xlsx")
    ws = load_workbook(path)[FORM_SHEET]
    assert ws["A2"].data_type == "s" and INJECTION in ws["A2"].value
    meta, _, _ = layout(load_workbook(path))
    assert meta["agency_code"] == "=1+1" and meta["agency_name"] == INJECTION


@pytest.mark.parametrize("name", ["p.xls", "p.csv", "p", "p.xlsm"])
def test_a_name_not_ending_in_xlsx_is_refused(name: str, tree: FormTree, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.xlsx"):
        write_blank_form(tree, identity_for(tree), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_an_identity_of_another_tree_is_refused(tree: FormTree, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mã kiểm tra"):
        write_blank_form(tree, identity_for(tree, checksum="0" * 64), tmp_path / "p.xlsx")


def test_blank_forms_of_a_group(tree: FormTree, tmp_path: Path) -> None:
    identities = [identity_for(tree, code) for code in ("STTTT", "SYT", "Sở Đ/1")]
    paths = write_blank_forms(tree, identities, tmp_path / "Nhóm 1")
    assert [p.name for p in paths] == [
        "Phieu-2020-STTTT.xlsx",
        "Phieu-2020-SYT.xlsx",
        "Phieu-2020-So-D-1.xlsx",
    ]
    assert all(p.name.isascii() and p.is_file() for p in paths)
    assert sorted(p.name for p in (tmp_path / "Nhóm 1").iterdir()) == sorted(p.name for p in paths)
    assert ascii_code("..") == "khong-ma"


def test_two_agencies_with_one_file_name_are_refused_before_writing(
    tree: FormTree, tmp_path: Path
) -> None:
    identities = [identity_for(tree, "syt"), identity_for(tree, "SYT")]
    with pytest.raises(ValueError, match="cùng tên tệp"):
        write_blank_forms(tree, identities, tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- filling and reading back -------------------------------------------------------------

# (column, value typed) per code; every rule kind of the sample, odd spellings included.
FILLING: dict[str, dict[str, Any]] = {
    "CB": {"E": 48},
    "MT": {"E": 50.0},
    "1.1": {"E": 45, "F": 28.13},  # ratio over CB
    "1.2": {"E": 50, "F": 20},  # ratio over MT
    "1.3": {"E": "Có", "F": 30},
    "1.4": {"E": 12.35, "F": 0.1},  # normalised
    "1.5": {"E": "Một phần", "F": 10},
    "1.6.1": {"E": "không", "F": 0},
    "1.6.2": {"E": 3, "F": 6},
    "1.7": {"E": 0, "F": 0},
    "1.8": {"F": 12.35},  # typed: the points are the answer
    "2.1": {"E": "đại học", "F": 20},
    "2.2": {"E": "Day du", "F": 20},
    "2.4": {"E": "x", "F": 10},
    "2.5": {"E": 85.5, "F": 30},  # tiers
    "3.1": {"E": "45/50", "F": 45},
    "3.3": {"E": " 0,5 / 2 ", "F": 12.5},
    "3.9": {"E": "KHONG", "F": 0},
    "4.3": {"E": "3", "F": 15},  # a number typed as text
    "5.3": {"E": "yes"},
    "5.4": {"E": "No"},
    "6.3": {"E": True},
    "6.7": {"E": 1, "F": 10},  # deduction
}
EXPECTED_ANSWERS: dict[str, dict[str, Any]] = {
    "1.1": {"numerator": "45"},
    "1.2": {"numerator": "50"},
    "1.3": {"yes": True},
    "1.4": {"value": "12.35"},
    "1.5": {"option": "Một phần"},
    "1.6.1": {"yes": False},
    "1.6.2": {"count": "3"},
    "1.7": {"count": "0"},
    "1.8": {"points": "12.35"},
    "2.1": {"option": "Đại học"},
    "2.2": {"option": "Đầy đủ"},
    "2.4": {"yes": True},
    "2.5": {"value": "85.5"},
    "3.1": {"numerator": "45", "denominator": "50"},
    "3.3": {"numerator": "0.5", "denominator": "2"},
    "3.9": {"yes": False},
    "4.3": {"value": "3"},
    "5.3": {"yes": True},
    "5.4": {"yes": False},
    "6.3": {"yes": True},
    "6.7": {"count": "1"},
}


def fill(blank: Path, target: Path, filling: dict[str, dict[str, Any]]) -> Path:
    """Type values into a copy of the blank form as an agency would (protection stays on)."""
    book = load_workbook(blank)
    _, rows, general_rows = layout(book)
    ws = book[FORM_SHEET]
    for code, cells in filling.items():
        row = general_rows.get(code) or rows[code]
        for column, value in cells.items():
            ws[f"{column}{row}"] = value
    book.save(target)
    return target


@pytest.fixture(scope="module")
def filled(blank: Path) -> Path:
    return fill(blank, blank.with_name("Phieu-da-dien.xlsx"), FILLING)


def test_a_filled_form_reads_back_exactly(reader: Any, tree: FormTree, filled: Path) -> None:
    form = reader.read_filled_form(filled, tree, expected_year=2020)
    assert form.problems == []
    assert form.answers == EXPECTED_ANSWERS
    assert form.general == {"CB": Decimal(48), "MT": Decimal(50)}
    expected_points = {
        code: Decimal(str(cells["F"])) for code, cells in FILLING.items() if "F" in cells
    }
    assert {k: v for k, v in form.self_points.items() if v is not None} == expected_points
    assert form.self_points["1.4"] == Decimal("0.1") and str(form.self_points["1.4"]) == "0.1"
    assert form.self_points["1.8"] == Decimal("12.35")
    assert set(form.self_points) == {leaf.code for leaf in tree.leaves()}
    assert form.self_points["5.3"] is None
    assert form.identity == identity_for(tree)
    assert form.checksum == form_checksum(tree) and form.same_form
    assert form.generated_at == "2020-10-01T08:30:00+00:00"


def test_answers_are_in_the_domain_shape(reader: Any, tree: FormTree, filled: Path) -> None:
    """Every answer scores with the domain's rules once the general data is filled in."""
    form = reader.read_filled_form(filled, tree)
    for code, answer in form.answers.items():
        leaf = tree.get(code)
        assert leaf.rule is not None
        full = dict(answer)
        if leaf.rule.denominator:
            full["denominator"] = str(form.general[leaf.rule.denominator])
        best = Decimal(answer["value"]) if leaf.rule.kind is RuleKind.NORMALISED else None
        assert all(isinstance(v, str | bool) for v in full.values())
        score_leaf(leaf, full, best)
    assert score_leaf(tree.get("1.1"), {"numerator": "45", "denominator": "48"}) == Decimal("28.13")


def test_the_blank_form_reads_as_all_missing(reader: Any, tree: FormTree, blank: Path) -> None:
    form = reader.read_filled_form(blank, tree, expected_year=2020)
    assert form.problems == [] and form.answers == {}
    assert set(form.general.values()) == {None} and set(form.self_points.values()) == {None}


DAMAGED: list[tuple[str, str, Any, str]] = [
    ("CB", "E", "khoảng 50", "'khoảng 50' không phải là số"),
    ("CB", "E", -3, "số âm (-3)"),
    ("MT", "E", 4.5, "4,5 không phải số nguyên"),
    ("1.1", "E", "abc", "'abc' không phải là số"),
    ("1.1", "E", 60, "tử số 60 lớn hơn mẫu số CB = 48"),
    ("1.1", "E", 4.5, "không phải số nguyên"),
    ("3.1", "E", "50/0", "mẫu số b bằng 0"),
    ("3.1", "E", "60/50", "tử số a lớn hơn mẫu số b"),
    ("3.1", "E", "45-50", "không đúng dạng a/b"),
    ("3.1", "E", "a/b", "a và b phải là số"),
    ("3.1", "E", 0.9, "không đúng dạng a/b"),
    ("3.1", "E", datetime(2020, 4, 3), "Excel đã đổi tỷ lệ thành ngày 03/04/2020"),
    ("1.5", "E", "Gần đủ", "phương án 'Gần đủ' không có trong danh sách"),
    ("1.3", "E", "Có lẽ", "'Có lẽ' không phải Có hoặc Không"),
    ("1.3", "E", 1, "không phải Có hoặc Không"),
    ("1.6.2", "E", 2.5, "2,5 không phải số nguyên"),
    ("6.7", "E", -1, "số âm (-1)"),
    ("1.4", "E", -2, "số âm (-2)"),
    ("2.5", "E", "nhiều", "'nhiều' không phải là số"),
    ("2.5", "E", datetime(2020, 1, 5), "Excel đã hiểu giá trị là ngày/giờ"),
    ("1.1", "F", 31, "31 vượt điểm tối đa 30"),
    ("1.1", "F", -1, "điểm âm (-1)"),
    ("1.1", "F", 12.345, "12,345 có quá 2 chữ số thập phân"),
    ("1.1", "F", "mười", "'mười' không phải là số"),
    ("1.1", "F", True, "TRUE không phải là số"),
    ("1.8", "F", 20.5, "20,5 vượt điểm tối đa 20"),
]


@pytest.mark.parametrize(("code", "column", "value", "message"), DAMAGED)
def test_damaged_cells_are_problems_with_their_cell(
    reader: Any,
    tree: FormTree,
    blank: Path,
    tmp_path: Path,
    code: str,
    column: str,
    value: Any,
    message: str,
) -> None:
    filling = {k: dict(v) for k, v in FILLING.items()}
    filling.setdefault(code, {})[column] = value
    path = fill(blank, tmp_path / "hong.xlsx", filling)
    form = reader.read_filled_form(path, tree)
    _, rows, general_rows = layout(load_workbook(path))
    row = general_rows.get(code) or rows[code]
    assert len(form.problems) == 1, form.problems
    problem = form.problems[0]
    assert problem.ref == f"{FORM_SHEET}!{column}{row}"
    assert problem.code == code
    assert message in problem.message, problem.message
    assert code in problem.message
    if code in general_rows:
        assert form.general[code] is None
    elif column == "F":
        assert form.self_points[code] is None
        if code == "1.8":
            assert code not in form.answers
        else:
            assert form.answers[code] == EXPECTED_ANSWERS[code]
    else:
        assert code not in form.answers
        assert form.self_points[code] == Decimal(str(FILLING[code]["F"]))


def test_a_ratio_over_a_zero_general_datum_is_a_problem(
    reader: Any, tree: FormTree, blank: Path, tmp_path: Path
) -> None:
    path = fill(blank, tmp_path / "p.xlsx", {"CB": {"E": 0}, "1.1": {"E": 0}})
    form = reader.read_filled_form(path, tree)
    assert [p.code for p in form.problems] == ["1.1"]
    assert "mẫu số CB" in form.problems[0].message and "bằng 0" in form.problems[0].message


def test_numbers_typed_as_text_read_as_a_vietnamese_user_writes_them(
    reader: Any, tree: FormTree, blank: Path, tmp_path: Path
) -> None:
    filling = {"CB": {"E": "1.000"}, "1.4": {"E": "12,5", "F": "0,1"}, "1.1": {"E": "999"}}
    form = reader.read_filled_form(fill(blank, tmp_path / "p.xlsx", filling), tree)
    assert form.problems == []
    assert form.general["CB"] == Decimal(1000)
    assert form.answers["1.4"] == {"value": "12.5"}
    assert form.answers["1.1"] == {"numerator": "999"}
    assert form.self_points["1.4"] == Decimal("0.1")


@pytest.mark.parametrize(
    ("typed", "exact"),
    [(0.1, "0.1"), (12.35, "12.35"), (0.30000000000000004, "0.3"), (1e-7, "0.0000001")],
)
def test_excel_floats_become_the_decimal_typed(
    reader: Any, tree: FormTree, blank: Path, tmp_path: Path, typed: float, exact: str
) -> None:
    path = fill(blank, tmp_path / "p.xlsx", {"1.4": {"E": typed}})
    assert reader.read_filled_form(path, tree).answers["1.4"] == {"value": exact}


def test_rows_moved_by_an_inserted_line_are_found_by_their_code(
    reader: Any, tree: FormTree, filled: Path, tmp_path: Path
) -> None:
    book = load_workbook(filled)
    book[FORM_SHEET].insert_rows(14, 2)  # a clerk unprotected the sheet and added lines
    book.save(tmp_path / "chen.xlsx")
    form = reader.read_filled_form(tmp_path / "chen.xlsx", tree)
    original = reader.read_filled_form(filled, tree)
    assert (form.answers, form.self_points, form.general) == (
        original.answers,
        original.self_points,
        original.general,
    )
    assert form.problems == []


def test_a_lost_code_cell_refuses_the_form(
    reader: Any, tree: FormTree, filled: Path, tmp_path: Path
) -> None:
    book = load_workbook(filled)
    _, rows, _ = layout(book)
    book[FORM_SHEET].cell(rows["2.3"], 1).value = "2.3 (sửa)"
    book.save(tmp_path / "sua.xlsx")
    with pytest.raises(reader.FormRefused) as refused:
        reader.read_filled_form(tmp_path / "sua.xlsx", tree)
    message = str(refused.value)
    assert "sua.xlsx" in message and f"ô A{rows['2.3']}" in message and "2.3" in message
    assert FORM_SHEET in message and "Hãy" in message


def test_a_workbook_not_made_by_the_program_is_refused(
    reader: Any, tree: FormTree, tmp_path: Path
) -> None:
    book = Workbook()
    book.active["A1"] = "Phiếu tự làm"
    book.save(tmp_path / "tu-lam.xlsx")
    with pytest.raises(reader.FormRefused) as refused:
        reader.read_filled_form(tmp_path / "tu-lam.xlsx", tree)
    message = str(refused.value)
    assert "tu-lam.xlsx" in message and "_khit" in message and "phiếu trắng" in message
    assert isinstance(refused.value, ValueError)


def test_another_year_is_refused(reader: Any, tree: FormTree, filled: Path) -> None:
    meta_row = 2  # "year" is the second key of _khit
    with pytest.raises(reader.FormRefused) as refused:
        reader.read_filled_form(filled, tree, expected_year=2021)
    message = str(refused.value)
    assert "phiếu năm 2020" in message and "năm 2021" in message
    assert f"'{META_SHEET}', ô C{meta_row}" in message and filled.name in message


def test_an_unknown_format_version_is_refused(
    reader: Any, tree: FormTree, filled: Path, tmp_path: Path
) -> None:
    book = load_workbook(filled)
    book[META_SHEET]["C1"] = "khit-phieu-9"
    book.save(tmp_path / "moi.xlsx")
    with pytest.raises(reader.FormRefused, match="khit-phieu-9"):
        reader.read_filled_form(tmp_path / "moi.xlsx", tree)


def test_a_file_that_is_not_a_workbook_is_refused(
    reader: Any, tree: FormTree, tmp_path: Path
) -> None:
    fake = tmp_path / "Phieu.xlsx"
    fake.write_text("<html>not a workbook</html>", encoding="utf-8")
    with pytest.raises(reader.FormRefused, match=r"Phieu\.xlsx"):
        reader.read_filled_form(fake, tree)


def test_a_form_of_another_criteria_set_is_flagged(
    reader: Any, tree: FormTree, filled: Path
) -> None:
    other = FormTree(tree.areas[:5], (GeneralField("CB", "Tổng số cán bộ"),))
    form = reader.read_filled_form(filled, other)
    assert not form.same_form and form.checksum == form_checksum(tree)
    assert "6.1" not in form.self_points


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not on PATH here")
def test_a_form_saved_by_libreoffice_reads_identically(
    reader: Any, tree: FormTree, filled: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    subprocess.run(
        [
            str(soffice()),
            f"-env:UserInstallation=file://{tmp_path / 'lo_profile'}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    resaved = out / filled.name
    again = reader.read_filled_form(resaved, tree, expected_year=2020)
    original = reader.read_filled_form(filled, tree, expected_year=2020)
    assert again.problems == []
    assert (again.answers, again.self_points, again.general, again.identity) == (
        original.answers,
        original.self_points,
        original.general,
        original.identity,
    )
    # LibreOffice computed the formulas: the agency saw the domain's totals.
    values = load_workbook(resaved, data_only=True)[FORM_SHEET]
    _, rows, _ = layout(load_workbook(resaved))
    points = {code: value for code, value in original.self_points.items() if value is not None}
    totals = tree_totals(tree, points)
    for code in ("1", "1.6", "2", "6"):
        cached = values.cell(rows[code], COL_POINTS).value
        assert Decimal(repr(cached)).quantize(Decimal("0.01")) == totals.by_code[code], code
    cached_total = values.cell(max(rows.values()) + 1, COL_POINTS).value
    assert Decimal(repr(cached_total)).quantize(Decimal("0.01")) == totals.total
