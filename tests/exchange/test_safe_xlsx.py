"""Opening untrusted workbooks: every bad file becomes a WorkbookRefused with a plain message."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from khit_desktop.exchange.safe_xlsx import (
    MIB,
    OLE_MAGIC,
    WorkbookRefused,
    cell_ref,
    open_workbook,
)

RESAVE = "Hãy mở bằng Excel và lưu lại dạng .xlsx"


def workbook_bytes(merge: str | None = "A1:B2") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tiêu chí"
    ws["A1"] = "Phiếu đánh giá"
    ws["C3"] = "=1+2"
    if merge:
        ws.merge_cells(merge)
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """``data`` with some members replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = replace.pop(info.filename, None) or src.read(info)
            dst.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
        for name, content in replace.items():
            dst.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def mark_encrypted(data: bytes) -> bytes:
    """Set the "encrypted" bit of every member in the zip's central directory."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        out[at + 8] |= 0x1
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def refused(path: Path, **limits: int) -> str:
    with pytest.raises(WorkbookRefused) as caught:
        open_workbook(path, **limits)
    message = caught.value.message
    assert message == str(caught.value)
    assert message.count(". ") >= 1 and "Hãy" in message  # what is wrong, then what to do
    return message


def test_a_sound_workbook_opens_whole_with_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "Bảng tiêu chí.xlsx"
    path.write_bytes(workbook_bytes())
    wb = open_workbook(path)
    ws = wb["Tiêu chí"]
    assert ws["A1"].value == "Phiếu đánh giá"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:B2"]
    assert ws["C3"].value is None  # data_only: openpyxl wrote no cached value
    assert open_workbook(path, data_only=False)["Tiêu chí"]["C3"].value == "=1+2"


def test_defusedxml_is_what_openpyxl_parses_with() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_without_defusedxml_nothing_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(workbook_bytes())
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    assert "defusedxml" in refused(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert "Không tìm thấy tệp 'không có.xlsx'" in refused(tmp_path / "không có.xlsx")
    folder = tmp_path / "thư mục.xlsx"
    folder.mkdir()
    assert "thư mục" in refused(folder)


@pytest.mark.parametrize("name", ["phieu.xls", "phieu.xlsx"])
def test_legacy_xls_is_named_and_the_fix_given(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(OLE_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(1000))
    message = refused(path)
    assert "(.xls)" in message and RESAVE in message


def test_password_protected_workbook(tmp_path: Path) -> None:
    path = tmp_path / "mat-khau.xlsx"  # Excel keeps encrypted .xlsx in an OLE container
    path.write_bytes(OLE_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(99))
    assert "mật khẩu" in refused(path)
    zipped = tmp_path / "zip-mat-khau.xlsx"
    zipped.write_bytes(mark_encrypted(workbook_bytes()))
    assert "mật khẩu" in refused(zipped)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("Mã;Nội dung\n1;Hạ tầng\n".encode(), "đổi tên"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"<html><body><table><tr><td>1</td></tr></table>", "trang web"),
        (b"", "rỗng"),
    ],
)
def test_other_files_renamed_xlsx(tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "phieu.xlsx"
    path.write_bytes(content)
    message = refused(path)
    assert "không phải tệp Excel .xlsx" in message and said in message


def test_a_real_workbook_with_another_suffix(tmp_path: Path) -> None:
    path = tmp_path / "phieu.zip"
    path.write_bytes(workbook_bytes())
    assert "đuôi .xlsx" in refused(path)


def test_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    path = tmp_path / "van-ban.xlsx"
    path.write_bytes(stream.getvalue())
    assert "không phải sổ làm việc Excel" in refused(path)


def test_truncated_and_corrupt_files(tmp_path: Path) -> None:
    data = workbook_bytes()
    path = tmp_path / "dang-chep.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "bị hỏng" in refused(path)
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(rezip(data, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData>"}))
    assert "bị hỏng" in refused(broken)


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    path = tmp_path / "thuc-the.xlsx"
    path.write_bytes(rezip(workbook_bytes(), {"xl/worksheets/sheet1.xml": laughs}))
    assert "bị hỏng" in refused(path)


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "lon.xlsx"
    path.write_bytes(workbook_bytes())
    message = refused(path, max_bytes=1024)
    assert "quá lớn" in message and "tối đa 1 KB" in message
    assert open_workbook(path, max_bytes=1024 * 1024)


def zip_bomb() -> bytes:
    """A real workbook plus a member of 3 MB of zeros (a few KB once deflated)."""
    return rezip(workbook_bytes(), {"xl/media/zeros.bin": bytes(3 * MIB)})


def test_zip_bomb_by_declared_total(tmp_path: Path) -> None:
    path = tmp_path / "bom.xlsx"
    path.write_bytes(zip_bomb())
    assert path.stat().st_size < 100_000
    message = refused(path, max_uncompressed=2 * MIB)
    assert "giải nén ra 3,0 MB" in message


def test_zip_bomb_by_compression_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bom.xlsx"
    path.write_bytes(zip_bomb())
    assert "nén hơn 200 lần" in refused(path, ratio_floor=MIB)
    assert open_workbook(path)  # under the default floor of 10 MB: an ordinary picture


def test_a_merge_covering_the_whole_sheet_is_refused(tmp_path: Path) -> None:
    data = workbook_bytes(merge="A1:B2")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    huge = sheet.replace(b'ref="A1:B2"', b'ref="A1:XFD1048576"')
    path = tmp_path / "gop.xlsx"
    path.write_bytes(rezip(data, {"xl/worksheets/sheet1.xml": huge}))
    assert "gộp ô" in refused(path)
    small = tmp_path / "gop-nho.xlsx"
    small.write_bytes(data)
    assert "(4 ô)" in refused(small, max_merged_cells=3)


def test_cell_ref() -> None:
    assert cell_ref("Tiêu chí", 12, 4) == "Tiêu chí!D12"
    assert cell_ref("Số liệu chung", 3, 27) == "Số liệu chung!AA3"


def test_refusal_is_a_value_error() -> None:
    assert issubclass(WorkbookRefused, ValueError)
