"""The ranking screen's documents: print preview and printing of the annex, the annex saved
as PDF, and the results exported to Excel. Each writes through the same service as the CLI
(`khit annex`, `khit export`), so the window, the paper and the file agree."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from ...services.errors import ServiceError
from ..messages import show_refusal
from ..workspace import Workspace


@contextmanager
def busy() -> Iterator[None]:
    """A wait cursor for the second or two a document takes."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def ask_save_path(parent: QWidget, title: str, suggested: str, kind: str) -> Path | None:
    """The system's save dialog, ``kind`` 'pdf' or 'xlsx' (tests patch this)."""
    filters = {"pdf": "Tệp PDF (*.pdf)", "xlsx": "Sổ tính Excel (*.xlsx)"}
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters[kind])
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == f".{kind}" else path.with_suffix(f".{kind}")


def _write(parent: QWidget, what: str, job: Callable[[], Path]) -> Path | None:
    try:
        with busy():
            return job()
    except ServiceError as exc:
        show_refusal(parent, f"Không tạo được {what}: {exc}")
    except (OSError, ValueError) as exc:
        show_refusal(
            parent,
            f"Không ghi được {what}: {exc}\nHãy đóng tệp nếu nó đang mở (Excel, trình đọc PDF) "
            "hoặc chọn thư mục khác.",
        )
    return None


def _annex(ws: Workspace, year: int, target: Path) -> Path:
    from ...services.annex import write_annex

    return write_annex(ws.db, year, target)


def save_annex(ws: Workspace, parent: QWidget) -> Path | None:
    if ws.year is None:
        return None
    year = ws.year
    target = ask_save_path(parent, "Lưu phụ lục thành PDF", f"phu-luc-xep-hang-{year}.pdf", "pdf")
    if target is None:
        return None
    return _write(parent, "phụ lục", lambda: _annex(ws, year, target))


def preview_annex(ws: Workspace, parent: QWidget) -> int | None:
    """Write the annex to a private temporary folder, open Qt's print preview on it (zoom,
    page setup, print), and remove the folder afterwards."""
    if ws.year is None:
        return None
    from .annex_print import AnnexDocument, AnnexPreviewDialog

    year = ws.year
    folder = Path(tempfile.mkdtemp(prefix="khit-phu-luc-"))
    annex: AnnexDocument | None = None
    try:
        target = folder / f"phu-luc-xep-hang-{year}.pdf"
        written = _write(parent, "phụ lục", lambda: _annex(ws, year, target))
        if written is None:
            return None
        try:
            annex = AnnexDocument(written)
        except OSError as exc:
            show_refusal(parent, str(exc))
            return None
        return AnnexPreviewDialog.show_for(annex, parent)
    finally:
        if annex is not None:
            annex.close()
        shutil.rmtree(folder, ignore_errors=True)


def export_excel(ws: Workspace, parent: QWidget) -> Path | None:
    if ws.year is None:
        return None
    from ...services.results_export import export_results

    year = ws.year
    target = ask_save_path(parent, "Xuất kết quả ra Excel", f"ket-qua-xep-hang-{year}.xlsx", "xlsx")
    if target is None:
        return None
    return _write(
        parent,
        "tệp Excel",
        lambda: export_results(ws.db, year, target, as_of=ws.today()),
    )
