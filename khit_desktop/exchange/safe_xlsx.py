"""Opening an Excel workbook (.xlsx) that came from outside, without trusting it.

Agencies send files made by Excel, LibreOffice or some web system; a file may be a legacy
.xls, a web page or PDF renamed .xlsx, half copied, password protected, or built to exhaust
memory. Every check that can be made on the zip container is made before openpyxl sees the
file, and every failure becomes a ``WorkbookRefused`` whose message (Vietnamese) says what
is wrong and what to do:

* size of the file (``max_bytes``) and, from the zip's central directory, the total size
  once unpacked (``max_uncompressed``) and each member's compression ratio (a zip bomb);
  zipfile never inflates a member past its declared size, so the declared sizes bind;
* the first bytes: an OLE compound file is a legacy .xls or an encrypted workbook (Excel
  keeps password-protected .xlsx in that container too); PDF, HTML and text are named;
* merged-cell and hyperlink ranges: openpyxl creates one object per covered cell, so a
  tiny file merging A1:XFD1048576 would take the machine down; their area is bounded
  (``max_merged_cells``) by a streaming parse before loading;
* openpyxl parses XML through defusedxml (entity expansion and external entities refused);
  without defusedxml the file is refused rather than parsed unsafely.

The file is read once (it is at most ``max_bytes``) and openpyxl loads the bytes that were
checked, not the file again; ``read_only=False`` keeps merged cells, ``keep_links=False``
drops external links.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MIB
DEFAULT_MAX_UNCOMPRESSED = 200 * MIB
MAX_RATIO = 200  # a member inflating more than 200:1 …
RATIO_FLOOR = 10 * MIB  # … to more than 10 MB is a zip bomb, not a spreadsheet
DEFAULT_MAX_MERGED_CELLS = 200_000
MAX_MEMBERS = 10_000
SUFFIXES = (".xlsx", ".xlsm")  # openpyxl never runs macros (keep_vba is off)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_RESAVE = "Hãy mở tệp bằng Excel và lưu lại dạng .xlsx rồi chọn lại tệp."


class WorkbookRefused(ValueError):
    """A file that is not opened (message in Vietnamese: what is wrong, what to do)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def cell_ref(sheet_title: str, row: int, col: int) -> str:
    """Where a cell is, for messages: ``cell_ref("Tiêu chí", 12, 4)`` → ``"Tiêu chí!D12"``."""
    return f"{sheet_title}!{get_column_letter(col)}{row}"


def open_workbook(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    data_only: bool = True,
    ratio_floor: int = RATIO_FLOOR,
    max_merged_cells: int = DEFAULT_MAX_MERGED_CELLS,
) -> Workbook:
    """The workbook at ``path`` (an openpyxl ``Workbook``, loaded whole: merged cells are
    known), or ``WorkbookRefused``. ``data_only`` reads formulas' cached values."""
    target = Path(path)
    content = _checked_content(
        target, max_bytes, max_uncompressed, ratio_floor=ratio_floor, max_cells=max_merged_cells
    )
    try:  # from the bytes checked: the file may change on disk meanwhile
        return openpyxl.load_workbook(
            io.BytesIO(content), read_only=False, keep_links=False, data_only=data_only
        )
    except Exception:  # any defect in the XML or the package: openpyxl raises many kinds
        raise WorkbookRefused(_corrupt(target.name)) from None


def _checked_content(
    target: Path, max_bytes: int, max_uncompressed: int, *, ratio_floor: int, max_cells: int
) -> bytes:
    """The file's bytes once every check short of loading has passed."""
    if not openpyxl.DEFUSEDXML:
        raise WorkbookRefused(
            "Máy này thiếu thư viện defusedxml nên không đọc an toàn được tệp Excel nhận từ "
            "nơi khác. Hãy cài đặt lại phần mềm."
        )
    name = target.name
    try:
        if target.is_dir():
            raise WorkbookRefused(f"'{name}' là một thư mục. Hãy chọn một tệp Excel .xlsx.")
        with target.open("rb") as stream:
            content = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise WorkbookRefused(
            f"Không tìm thấy tệp '{name}'. Hãy kiểm tra lại đường dẫn rồi chọn lại tệp."
        ) from None
    except OSError as exc:
        raise WorkbookRefused(
            f"Không mở được tệp '{name}' ({exc.strerror or exc}). Hãy đóng tệp nếu đang mở "
            "trong chương trình khác, hoặc chép tệp sang thư mục khác rồi thử lại."
        ) from None
    if len(content) > max_bytes:
        size = max(len(content), _size_on_disk(target))
        raise WorkbookRefused(
            f"Tệp '{name}' quá lớn ({_size(size)}, tối đa {_size(max_bytes)}). Hãy kiểm tra "
            "có đúng tệp không, hoặc xóa các trang, hình ảnh không cần thiết rồi lưu lại."
        )
    if content.startswith(OLE_MAGIC):
        raise WorkbookRefused(_ole_message(name, content))
    if not content.startswith(ZIP_MAGICS):
        raise WorkbookRefused(
            f"Tệp '{name}' không phải tệp Excel .xlsx ({_kind(content[:8])}). {_RESAVE}"
        )
    if target.suffix.lower() not in SUFFIXES:
        raise WorkbookRefused(
            f"Tệp '{name}' không có đuôi .xlsx. Hãy chọn tệp Excel .xlsx, hoặc mở tệp bằng "
            "Excel và lưu lại dạng .xlsx."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_members(name, archive.infolist(), max_uncompressed, ratio_floor)
            _check_ranges(name, archive, max_cells)
    except WorkbookRefused:
        raise
    except Exception:  # BadZipFile, zlib.error, EOFError, XML errors, defusedxml refusals
        raise WorkbookRefused(_corrupt(name)) from None
    return content


def _size_on_disk(target: Path) -> int:
    try:
        return target.stat().st_size
    except OSError:
        return 0


def _check_members(
    name: str, members: list[zipfile.ZipInfo], max_uncompressed: int, ratio_floor: int
) -> None:
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused(_bomb(name, f"có {len(members)} tệp con"))
    if any(m.flag_bits & 0x1 for m in members):
        raise WorkbookRefused(_password(name))
    total = sum(m.file_size for m in members)
    if total > max_uncompressed:
        raise WorkbookRefused(_bomb(name, f"giải nén ra {_size(total)}"))
    for m in members:
        if m.file_size > ratio_floor and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise WorkbookRefused(_bomb(name, f"phần '{m.filename}' nén hơn {MAX_RATIO} lần"))
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise WorkbookRefused(
            f"Tệp '{name}' là tệp nén nhưng không phải sổ làm việc Excel. Hãy chọn đúng tệp "
            "Excel .xlsx."
        )


def _check_ranges(name: str, archive: zipfile.ZipFile, limit: int) -> None:
    """Sum the cells covered by merged-cell and hyperlink ranges of every XML part."""
    from defusedxml.ElementTree import iterparse

    covered = 0
    for info in archive.infolist():
        if not info.filename.lower().endswith(".xml"):
            continue
        with archive.open(info) as stream:
            covered += _covered_cells(iterparse(stream, events=("end",)))
        if covered > limit:
            raise WorkbookRefused(
                f"Tệp '{name}' có vùng gộp ô hoặc liên kết quá lớn ({covered} ô), không đọc "
                "an toàn được. Hãy bỏ gộp các ô thừa trong Excel rồi lưu lại."
            )


def _covered_cells(events: Any) -> int:
    covered = 0
    for _, element in events:
        local = element.tag.rsplit("}", 1)[-1]
        if local in ("mergeCell", "hyperlink"):
            ref = str(element.get("ref") or "")
            try:
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                covered += (max_col - min_col + 1) * (max_row - min_row + 1)
            except (ValueError, TypeError):
                covered += 1  # not a range: openpyxl refuses it later, or it covers one cell
        elif local in ("row", "si", "c"):
            element.clear()  # the bulk of a sheet: keep memory flat
    return covered


def _ole_message(name: str, content: bytes) -> str:
    if any(marker in content for marker in _ENCRYPTED_STREAMS):
        return _password(name)
    return (
        f"Tệp '{name}' là tệp Excel đời cũ (.xls), phần mềm chỉ đọc tệp .xlsx. Hãy mở bằng "
        "Excel và lưu lại dạng .xlsx (Tệp > Lưu thành > Sổ làm việc Excel) rồi chọn lại tệp."
    )


def _password(name: str) -> str:
    return (
        f"Tệp '{name}' được đặt mật khẩu nên không đọc được. Hãy mở bằng Excel, gỡ mật khẩu "
        "(Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại dạng .xlsx."
    )


def _bomb(name: str, detail: str) -> str:
    return (
        f"Tệp '{name}' {detail}, không giống một tệp Excel bình thường nên không được mở. "
        "Hãy kiểm tra nguồn của tệp, hoặc mở bằng Excel và lưu lại dạng .xlsx."
    )


def _corrupt(name: str) -> str:
    return (
        f"Tệp '{name}' bị hỏng hoặc chưa được lưu trọn vẹn nên không đọc được. Hãy mở "
        "lại bằng Excel và lưu lại, hoặc đề nghị đơn vị gửi lại tệp."
    )


def _kind(head: bytes) -> str:
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        return "tệp rỗng"
    if lowered.startswith(b"%pdf"):
        return "đây là tệp PDF"
    if lowered.startswith((b"<!doc", b"<html", b"<?xml", b"<tab", b"<meta")):
        return "đây là trang web hoặc tệp XML"
    return "có thể là tệp khác được đổi tên"


def _size(size: int) -> str:
    if size < MIB:
        return f"{-(-size // 1024)} KB"
    return f"{size / MIB:.1f}".replace(".", ",") + " MB"
