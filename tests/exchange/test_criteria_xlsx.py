"""The criteria set as an Excel table: round trip, the province's own style, every problem."""

from __future__ import annotations

import io
import itertools
import tempfile
import unicodedata
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from khit_desktop.domain.collation import fold_diacritics
from khit_desktop.domain.criteria import (
    Criterion,
    FormTree,
    GeneralField,
    Option,
    Rule,
    RuleKind,
    Tier,
)
from khit_desktop.domain.form_spec import form_checksum
from khit_desktop.domain.rule_syntax import parse_rule
from khit_desktop.exchange.criteria_xlsx import (
    HEADERS,
    SHEET_CRITERIA,
    SHEET_GENERAL,
    SHEET_GUIDE,
    CellProblem,
    CriteriaPreview,
    read_criteria_workbook,
    rule_phrases,
    write_criteria_workbook,
)
from khit_desktop.exchange.safe_xlsx import WorkbookRefused
from khit_desktop.paths import resources_dir
from khit_desktop.services.forms import SAMPLE_FORM_FILE, read_form_file

HEADER_ROW = [HEADERS[k] for k in HEADERS]  # A code … G Số liệu


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture(scope="module")
def sample() -> tuple[dict[str, Any], FormTree]:
    return read_form_file(resources_dir() / SAMPLE_FORM_FILE)


@pytest.fixture(scope="module")
def sample_file(sample: tuple[dict[str, Any], FormTree], tmp_path_factory: Any) -> Path:
    folder = tmp_path_factory.mktemp("criteria") / "Bộ tiêu chí"
    folder.mkdir()
    return write_criteria_workbook(
        sample[1], folder / "Bộ tiêu chí mẫu.xlsx", title=str(sample[0]["title"])
    )


def table(
    path: Path,
    rows: list[list[Any]],
    *,
    header: list[Any] | None = None,
    general: list[list[Any]] | None = None,
    above: int = 2,
) -> Path:
    """A workbook with ``above`` title rows, the header, then ``rows`` (A, B, C…)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_CRITERIA
    for r in range(1, above + 1):
        ws.cell(r, 1, f"Dòng tiêu đề {r}")
    ws.append(header or HEADER_ROW)
    for row in rows:
        ws.append(row)
    if general is not None:
        gs = wb.create_sheet(SHEET_GENERAL)
        gs.append(["Mã", "Nội dung"])
        for row in general:
            gs.append(row)
    wb.save(path)
    return path


def messages(problems: list[CellProblem]) -> dict[str, str]:
    """Messages by cell (several in one cell joined by a line break)."""
    found: dict[str, str] = {}
    for p in problems:
        found[p.ref] = f"{found[p.ref]}\n{p.message}" if p.ref in found else p.message
    return found


# ---- round trip ---------------------------------------------------------------------------


def test_the_sample_goes_round_trip(
    sample: tuple[dict[str, Any], FormTree], sample_file: Path
) -> None:
    tree = sample[1]
    preview = read_criteria_workbook(sample_file)
    assert preview.errors == [] and preview.warnings == []
    assert preview.tree == tree
    assert form_checksum(preview.tree) == form_checksum(tree)
    assert preview.total == Decimal(1000) == tree.max_points
    assert [code for code, _, _ in preview.area_totals] == ["1", "2", "3", "4", "5", "6"]
    assert preview.area_totals[0] == ("1", "Hạ tầng kỹ thuật công nghệ thông tin", 200)
    assert preview.tree.general == (
        GeneralField("CB", "Tổng số cán bộ, công chức, viên chức của cơ quan"),
        GeneralField("MT", "Tổng số máy tính đang sử dụng"),
    )
    kinds = {leaf.rule.kind for leaf in preview.tree.leaves() if leaf.rule}
    assert kinds == set(RuleKind)
    assert preview.tree.get("1.6").gate == "1.6.1"
    assert preview.sheet == SHEET_CRITERIA and preview.title == sample[0]["title"]
    assert len(preview.rows) == sum(1 for _ in tree.walk())
    first = preview.rows[1]
    assert (first.code, first.max_points, first.rule_text) == ("1.1", 30, "tỷ lệ trên CB")


def test_the_written_layout(sample_file: Path) -> None:
    wb = load_workbook(sample_file)
    assert wb.sheetnames == [SHEET_CRITERIA, SHEET_GENERAL, SHEET_GUIDE]
    ws = wb[SHEET_CRITERIA]
    assert [ws.cell(4, c).value for c in range(1, 8)] == HEADER_ROW
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$4:$4"
    codes = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    area, leaf, deep = codes["1"], codes["1.1"], codes["1.6.1"]
    assert ws.cell(area, 2).font.b and not ws.cell(leaf, 2).font.b
    assert ws.cell(area, 2).font.name == "Times New Roman" and ws.cell(leaf, 2).font.sz == 11
    assert [ws.cell(r, 2).alignment.indent for r in (area, leaf, deep)] == [0, 1, 2]
    assert ws.cell(codes["3.10"], 1).data_type == "s"  # never 3.1
    assert ws.cell(codes["1.6"], 4).value == "tổng; điều kiện: 1.6.1"
    assert ws.cell(area, 4).value == "tổng"
    last = ws.max_row
    assert (ws.cell(last, 2).value, ws.cell(last, 3).value) == ("Tổng cộng", 1000)
    general = wb[SHEET_GENERAL]
    assert [general.cell(r, 1).value for r in (3, 4, 5)] == ["Mã", "CB", "MT"]


def test_the_guide_lists_every_rule_phrase(sample_file: Path) -> None:
    phrases = rule_phrases()
    assert "nhập" in phrases and "tổng; điều kiện: 1.6.1" in phrases and len(phrases) == 11
    guide = load_workbook(sample_file)[SHEET_GUIDE]
    written = {row[0]: row[1:] for row in guide.iter_rows(values_only=True) if row[0]}
    for phrase in phrases:
        maximum, meaning = written[phrase]
        assert meaning and parse_rule(phrase, Decimal(maximum)) is not None
    assert written["bậc: 4=20; 3=15; 2=10; 1=5"][1].startswith("Bậc: ≥ 4 → 20")
    for header in HEADER_ROW:
        assert header in written


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    leaf = Criterion(
        "1", "=HYPERLINK(\"http://x\")", Decimal("12.5"), Rule(RuleKind.TYPED),
        evidence="-", verifier="@Sở", input_label="+ số",
    )  # fmt: skip
    tree = FormTree((leaf,))
    path = write_criteria_workbook(tree, tmp_path / "x.xlsx", title="+ tiêu đề")
    preview = read_criteria_workbook(path)
    assert preview.errors == [] and preview.tree == tree
    assert load_workbook(path).sheetnames == [SHEET_CRITERIA, SHEET_GUIDE]


def test_only_xlsx_is_written(sample: tuple[dict[str, Any], FormTree], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.xlsx"):
        write_criteria_workbook(sample[1], tmp_path / "x.xls", title="x")
    assert list(tmp_path.iterdir()) == []


# ---- the province's own style -------------------------------------------------------------


def test_a_hand_made_table_in_the_provinces_style(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Phieu"  # any first sheet with the header will do
    ws["A1"] = nfd("ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA")
    ws.merge_cells("A1:C1")
    ws["D1"] = nfd("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ws.merge_cells("D1:G1")
    ws["A3"] = nfd("PHIẾU ĐÁNH GIÁ XẾP LOẠI MỨC ĐỘ ỨNG DỤNG CNTT NĂM 2021")
    ws.merge_cells("A3:G3")
    header = ["STT", "NỘI DUNG TIÊU CHÍ", "Điểm\ntối đa (điểm)", "Cách tính điểm",
              "Tài liệu kiểm chứng", "Đơn vị xác minh", "Số liệu"]  # fmt: skip
    for c, text in enumerate(header, start=1):
        ws.cell(5, c, nfd(text))
    for c in range(1, 8):
        ws.cell(6, c, f"({c})")
    rows = [
        ["1.", nfd("Hạ tầng kỹ thuật"), "50", nfd("Tổng điểm các tiêu chí thành phần")],
        ["1.1.", nfd("Kết nối mạng WAN tỉnh"), "20,5", nfd("Có/Không"), nfd("Biên bản")],
        ["1.2.", nfd("Mức độ sẵn sàng IPv6"), 29.5, "Nhập điểm", None, nfd("Sở TT&TT")],
        ["2.", nfd("Nguồn nhân lực"), 50, ""],
        [
            "2.1.",
            nfd("Cán bộ được đào tạo"),
            25,
            nfd("tỷ lệ trên cb"),
            nfd("Danh sách"),
            None,
            nfd("Số người được đào tạo / tổng số"),
        ],
        ["2.2.", nfd("Chuyên trách CNTT"), 25, nfd("Chọn: Đại học=25; Cao đẳng=15,5")],
        [None, nfd("Tổng cộng"), "100"],
        [None, nfd("Ghi chú: bảng này chỉ để minh họa.")],
    ]
    for r, row in enumerate(rows, start=7):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    ws.merge_cells("E11:E12")  # one evidence for 2.1 and 2.2
    gs = wb.create_sheet(nfd("Số liệu chung"))
    gs["A1"] = "SỐ LIỆU CHUNG"
    gs.append([nfd("Mã số liệu"), nfd("Nội dung")])
    gs.append(["CB", nfd("Tổng số cán bộ, công chức")])
    path = tmp_path / "tinh.xlsx"
    wb.save(path)

    preview = read_criteria_workbook(path)
    assert preview.errors == [] and preview.warnings == []
    tree = preview.tree
    assert tree is not None
    assert [a.code for a in tree.areas] == ["1", "2"]
    assert [c.code for c in tree.walk()] == ["1", "1.1", "1.2", "2", "2.1", "2.2"]
    assert tree.get("1.1").max_points == Decimal("20.5")
    assert tree.get("1.2").max_points == Decimal("29.5")
    assert tree.get("1.1").title == "Kết nối mạng WAN tỉnh"  # NFC
    assert unicodedata.is_normalized("NFC", tree.get("2.1").input_label)
    assert tree.get("1.1").rule == Rule(RuleKind.YES_NO)
    assert tree.get("1.2").verifier == "Sở TT&TT"
    assert tree.get("2.1").rule == Rule(RuleKind.RATIO, denominator="CB")
    assert tree.get("2.2").rule is not None and tree.get("2.2").rule.options[1].points == Decimal(
        "15.5"
    )
    assert tree.get("2.2").evidence == "Danh sách"  # merged down
    assert tree.general == (GeneralField("CB", "Tổng số cán bộ, công chức"),)
    assert preview.total == 100 and preview.sheet == "Phieu"
    assert preview.title == "PHIẾU ĐÁNH GIÁ XẾP LOẠI MỨC ĐỘ ỨNG DỤNG CNTT NĂM 2021"


# ---- problems -----------------------------------------------------------------------------


def test_every_error_has_its_cell_and_no_tree_is_given(tmp_path: Path) -> None:
    rows = [
        ["1", "Hạ tầng", 60, "tổng"],  # row 4
        ["1.1", "Máy tính", 20, "tỷ lệ trên NV"],  # 5: unknown general datum
        ["1.2", "Mạng", "ba mươi", "có/không"],  # 6: max not a number
        ["1.3", "IPv6", 10, "tùy hứng"],  # 7: rule that does not parse
        ["1.3", "Lặp", 10, "nhập"],  # 8: duplicate
        ["1.4", "Không điểm", 0, "nhập"],  # 9: max ≤ 0
        ["2", "Nhân lực", 30, "tổng; điều kiện: 2.9"],  # 10: gate not a child
        ["2.1", "Đào tạo", 30, "tổng"],  # 11: a leaf without a rule
        ["3.1", "Mồ côi", 10, "nhập"],  # 12: no parent 3
        ["IV", "La Mã", 10, "nhập"],  # 13: Roman numeral
        ["4", "", 10, "nhập"],  # 14: no title
        ["5", "Cha ghi sai", 10, "nhập"],  # 15: a parent with a leaf's rule
        ["5.1", "Con", 10, "có/không"],
        ["6", "An toàn", 100, "tổng"],  # 17: children's maxima 10 < 100
        ["6.1", "Kiểm tra", 10, "có/không"],
    ]
    preview = read_criteria_workbook(
        table(tmp_path / "loi.xlsx", rows, general=[["CB", "Cán bộ"]], above=2)
    )
    assert preview.tree is None
    found = messages(preview.errors)
    expected = {
        "Tiêu chí!D5": "mẫu số 'NV' không có trong trang 'Số liệu chung'",
        "Tiêu chí!C6": "điểm tối đa 'ba mươi' không phải là số",
        "Tiêu chí!D7": "Không hiểu cách tính điểm 'tùy hứng'",
        "Tiêu chí!A8": "Mã 1.3 trùng với mã ở dòng 7",
        "Tiêu chí!C9": "điểm tối đa phải lớn hơn 0",
        "Tiêu chí!D10": "điều kiện '2.9' không phải tiêu chí con của 2",
        "Tiêu chí!D11": "không có tiêu chí con nên cần ghi cách tính điểm",
        "Tiêu chí!A12": "không có tiêu chí cha 3 trong bảng",
        "Tiêu chí!A13": "số La Mã",
        "Tiêu chí!B14": "thiếu nội dung",
        "Tiêu chí!D15": "có tiêu chí con nên điểm là tổng",
        "Tiêu chí!C17": "tổng điểm tối đa các tiêu chí con (10) nhỏ hơn điểm tối đa (100)",
    }
    for ref, text in expected.items():
        assert text in found.get(ref, ""), (ref, found.get(ref))
    assert len(preview.errors) == len(expected)
    assert preview.rows[0].code == "1" and len(preview.rows) == len(rows)


def test_warnings_keep_the_tree(tmp_path: Path) -> None:
    rows = [
        ["1", "Hạ tầng", 20, ""],
        [1.1, "Mạng", 15, "có/không"],  # typed as a number by Excel
        ["1.2", "Máy chủ", 15, "nhập"],  # 15 + 15 > 20: capped
        [None, "Phần ghi chú không có mã"],
        [None, "Tổng cộng", 25],
    ]
    header = HEADER_ROW[:4]  # no evidence and verifier columns
    preview = read_criteria_workbook(table(tmp_path / "canh-bao.xlsx", rows, header=header))
    assert preview.errors == [] and preview.tree is not None
    found = messages(preview.warnings)
    assert "vượt điểm tối đa (20); điểm được giới hạn ở 20" in found["Tiêu chí!C4"]
    assert "được Excel lưu dạng số" in found["Tiêu chí!A5"] and "'1.10" in found["Tiêu chí!A5"]
    assert "không có mã tiêu chí" in found["Tiêu chí!A7"]
    assert "Dòng tổng cộng ghi 25 điểm" in found["Tiêu chí!C8"]
    assert "'Tài liệu kiểm chứng'" in found["Tiêu chí!A3"]
    assert "'Đơn vị xác minh'" in found["Tiêu chí!A3"]
    assert preview.tree.capped_parents() and preview.tree.get("1.1").title == "Mạng"


def test_a_code_excel_turned_into_a_number_or_a_date(tmp_path: Path) -> None:
    rows = [
        ["1", "Ứng dụng", 20, "tổng"],
        [1.1, "Một", 10, "nhập"],
        [1.1, "Mười (gõ 1.10)", 10, "nhập"],
        [datetime(2021, 1, 1), "Ngày", 10, "nhập"],
    ]
    preview = read_criteria_workbook(table(tmp_path / "so.xlsx", rows))
    found = messages(preview.errors)
    assert "Excel đã đổi 1.10 thành 1.1" in found["Tiêu chí!A6"]
    assert "ngày tháng" in found["Tiêu chí!A7"]


def test_an_empty_table(tmp_path: Path) -> None:
    preview = read_criteria_workbook(table(tmp_path / "rong.xlsx", [], above=3))
    assert preview.tree is None
    assert "không có tiêu chí nào" in messages(preview.errors)["Tiêu chí!A5"]


def test_no_header_or_a_missing_column(tmp_path: Path) -> None:
    preview = read_criteria_workbook(table(tmp_path / "a.xlsx", [], header=["x", "y"]))
    assert "Không tìm thấy dòng tiêu đề" in messages(preview.errors)["Tiêu chí!A1"]
    header = ["STT", "Nội dung tiêu chí", "Điểm tối đa"]
    preview = read_criteria_workbook(table(tmp_path / "b.xlsx", [["1", "x", 1]], header=header))
    assert "Dòng 3 thiếu cột 'Cách tính điểm'" in messages(preview.errors)["Tiêu chí!A1"]


def test_general_data_problems(tmp_path: Path) -> None:
    rows = [["1", "Máy tính", 10, "tỷ lệ trên MT"]]
    general = [["MT", "Máy tính"], ["mt", "Lặp"], ["", "Không mã"], ["CB", None]]
    preview = read_criteria_workbook(table(tmp_path / "g.xlsx", rows, general=general))
    found = messages(preview.errors)
    assert "trùng với dòng 2" in found["Số liệu chung!A3"]
    assert "thiếu mã" in found["Số liệu chung!A4"]
    assert "thiếu nội dung" in found["Số liệu chung!B5"]
    assert preview.tree is None


def test_an_unreadable_file_raises_workbook_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_text("STT;Nội dung\n", encoding="utf-8")
    with pytest.raises(WorkbookRefused):
        read_criteria_workbook(path)


# ---- damage ---------------------------------------------------------------------------------

_SMALL = FormTree(
    (
        Criterion(
            "1",
            "Hạ tầng",
            Decimal(30),
            children=(
                Criterion("1.1", "Máy tính", Decimal(20), Rule(RuleKind.RATIO, denominator="CB")),
                Criterion("1.2", "Mạng", Decimal(10), Rule(RuleKind.YES_NO)),
            ),
        ),
    ),
    (GeneralField("CB", "Cán bộ"),),
)


@pytest.fixture(scope="module")
def small_bytes(tmp_path_factory: Any) -> bytes:
    path = tmp_path_factory.mktemp("small") / "nho.xlsx"
    return write_criteria_workbook(_SMALL, path, title="Nhỏ").read_bytes()


def read_bytes(data: bytes) -> CriteriaPreview | None:
    """The preview of ``data`` as a file, or None when it is refused."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hong.xlsx"
        path.write_bytes(data)
        try:
            return read_criteria_workbook(path)
        except WorkbookRefused:
            return None


def damage_xml(workbook: bytes, data: st.DataObject) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        victim = data.draw(st.sampled_from(names), label="member")
        for name in names:
            content = bytearray(src.read(name))
            if name == victim and content:
                for at in data.draw(st.lists(st.integers(0, len(content) - 1), max_size=4)):
                    content[at] = data.draw(st.sampled_from(b'<>"=/ 0189.-aE&'))
            dst.writestr(name, bytes(content), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl on damaged parts
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_bytes_are_refused_or_read(small_bytes: bytes, data: st.DataObject) -> None:
    """Truncated, bit-flipped (both caught by the zip's CRC) or damaged inside the XML and
    zipped again with sound checksums (what reaches openpyxl and the table reader)."""
    damaged = bytearray(small_bytes)
    how = data.draw(st.sampled_from(["truncate", "flip", "xml"]), label="how")
    if how == "truncate":
        damaged = damaged[: data.draw(st.integers(0, len(damaged) - 1), label="at")]
    elif how == "flip":
        flips = data.draw(st.lists(st.integers(0, len(damaged) - 1), min_size=1, max_size=8))
        for at in flips:
            damaged[at] ^= data.draw(st.integers(1, 255))
    else:
        damaged = bytearray(damage_xml(small_bytes, data))
    preview = read_bytes(bytes(damaged))
    assert preview is None or isinstance(preview, CriteriaPreview)
    if preview is not None and preview.errors:
        assert preview.tree is None


_CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["1", "1.1", "1.2", "2", "1.1.", "I", "tổng", "nhập", "tỷ lệ trên CB",
                     "bậc: 4=20", "chọn: a=1", "1,5", "#REF!", "=1+1", "tổng; điều kiện: 1.1"]),
    st.integers(-5, 50),
    st.floats(allow_nan=False, allow_infinity=False),  # Excel stores no NaN
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(cells=st.lists(st.lists(_CELL, min_size=4, max_size=7), max_size=8))
def test_any_cell_values_give_a_preview(cells: list[list[Any]]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_CRITERIA
    ws.append(HEADER_ROW)
    for r, row in enumerate(cells, start=2):
        for c, value in enumerate(row, start=1):
            try:
                ws.cell(r, c, value)
            except IllegalCharacterError:  # control characters a workbook cannot hold
                pass
    stream = io.BytesIO()
    wb.save(stream)
    preview = read_bytes(stream.getvalue())
    assert isinstance(preview, CriteriaPreview)
    assert (preview.tree is None) == bool(preview.errors)
    for problem in itertools.chain(preview.errors, preview.warnings):
        assert problem.ref.startswith(f"{SHEET_CRITERIA}!") and problem.message


def test_a_tree_with_errors_has_no_tree_even_when_the_rest_is_sound(tmp_path: Path) -> None:
    path = write_criteria_workbook(_SMALL, tmp_path / "x.xlsx", title="x")
    wb = load_workbook(path)
    wb[SHEET_GENERAL]["A4"] = "NV"  # the ratio's denominator disappears
    wb.save(path)
    preview = read_criteria_workbook(path)
    assert preview.tree is None
    assert list(messages(preview.errors)) == ["Tiêu chí!D6"]


def test_a_stray_cell_far_below_is_not_walked_to(tmp_path: Path) -> None:
    path = table(tmp_path / "xa.xlsx", [["1", "Một", "20 điểm", "nhập"]])
    wb = load_workbook(path)
    wb[SHEET_CRITERIA].cell(1_048_576, 16_384, "x")
    for r in range(10, 600):  # formatted, empty rows: no warning for them
        wb[SHEET_CRITERIA].cell(r, 2).number_format = "@"
    wb.save(path)
    preview = read_criteria_workbook(path)
    assert preview.tree is not None and preview.tree.get("1").max_points == 20
    assert "hơn 200 dòng trống" in messages(preview.warnings)["Tiêu chí!A205"]
    wb[SHEET_CRITERIA].cell(1_048_576, 16_384).value = None
    wb.save(path)
    assert read_criteria_workbook(path).warnings == []


# ---- any sound tree goes round trip --------------------------------------------------------

_WORDS = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyÁàảãạ ĐƯ0123456789/-=+@(),.:", max_size=30)
_TEXT = _WORDS.map(lambda t: " ".join(t.split()))
_AMOUNT = st.decimals(min_value=Decimal("0.25"), max_value=Decimal(200), places=2)


@st.composite
def leaf_rules(draw: st.DrawFn, maximum: Decimal) -> Rule:
    kind = draw(st.sampled_from(list(RuleKind)))
    points = st.decimals(min_value=0, max_value=maximum, places=2)
    if kind is RuleKind.RATIO:
        return Rule(kind, denominator=draw(st.sampled_from([None, "CB"])))
    if kind is RuleKind.TIERS:
        minima = draw(st.lists(_AMOUNT, min_size=1, max_size=4, unique=True))
        tiers = [Tier(m, draw(points)) for m in sorted(minima, reverse=True)]
        return Rule(kind, tiers=tuple(tiers))
    if kind is RuleKind.OPTIONS:
        labels = draw(
            st.lists(
                _TEXT.map(lambda t: " ".join(t.replace("=", "").split()) or "Có"),
                min_size=1,
                max_size=3,
            ).map(lambda ls: list({fold_diacritics(label): label for label in ls}.values()))
        )
        return Rule(kind, options=tuple(Option(label, draw(points)) for label in labels))
    if kind in (RuleKind.PER_ITEM, RuleKind.DEDUCTION):
        return Rule(kind, per_item=draw(_AMOUNT))
    return Rule(kind)


@st.composite
def criteria(draw: st.DrawFn, code: str, depth: int) -> Criterion:
    texts = [draw(_TEXT) for _ in range(3)]
    title = draw(_TEXT.map(lambda t: t or "Tiêu chí"))
    if depth < 2 and draw(st.booleans()):
        count = draw(st.integers(1, 3))
        children = tuple(draw(criteria(f"{code}.{n}", depth + 1)) for n in range(1, count + 1))
        total = sum(c.max_points for c in children)
        maximum = draw(st.decimals(min_value=Decimal("0.01"), max_value=total, places=2))
        gate = draw(st.sampled_from([None, children[0].code]))
        return Criterion(code, title, maximum, None, children, gate, *texts)
    maximum = draw(_AMOUNT)
    return Criterion(code, title, maximum, draw(leaf_rules(maximum)), (), None, *texts)


@st.composite
def trees(draw: st.DrawFn) -> FormTree:
    areas = tuple(draw(criteria(str(n), 0)) for n in range(1, draw(st.integers(1, 3)) + 1))
    return FormTree(areas, (GeneralField("CB", "Tổng số cán bộ"),))


@settings(max_examples=40, deadline=None)
@given(tree=trees())
def test_any_sound_tree_goes_round_trip(tree: FormTree) -> None:
    assert tree.problems() == []
    with tempfile.TemporaryDirectory() as folder:
        path = write_criteria_workbook(tree, Path(folder) / "x.xlsx", title="Bộ tiêu chí")
        preview = read_criteria_workbook(path)
    assert preview.errors == []
    assert preview.tree == tree


def test_a_rule_that_would_not_read_back_is_not_written(tmp_path: Path) -> None:
    options = (Option("Có; đầy đủ", Decimal(10)), Option("Không", Decimal(0)))
    tree = FormTree((Criterion("1", "Mạng", Decimal(10), Rule(RuleKind.OPTIONS, options)),))
    with pytest.raises(ValueError, match="Tiêu chí 1: cách tính điểm 'chọn: Có; đầy đủ=10"):
        write_criteria_workbook(tree, tmp_path / "x.xlsx", title="x")
    assert list(tmp_path.iterdir()) == []
    ascending = (Tier(Decimal(1), Decimal(5)), Tier(Decimal(4), Decimal(10)))
    tiers = FormTree((Criterion("1", "Họp", Decimal(10), Rule(RuleKind.TIERS, tiers=ascending)),))
    read = read_criteria_workbook(write_criteria_workbook(tiers, tmp_path / "t.xlsx", title="t"))
    assert read.tree is not None and read.tree.get("1").rule.tiers == ascending[::-1]
