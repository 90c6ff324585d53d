"""Print preview and printing of the annex: the very PDF that `khit annex` writes, its pages
rendered by QtPdf onto the printer — one source for the screen, the paper and the file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

MAX_DPI = 300  # enough for 11–13 pt text on paper; keeps a page image under ~40 MB


class AnnexDocument:
    """A written annex PDF, loaded for painting onto a printer page by page."""

    def __init__(self, pdf: Path) -> None:
        self.path = pdf
        self.document = QPdfDocument()
        error = self.document.load(str(pdf))
        if error != QPdfDocument.Error.None_:
            raise OSError(f"Không đọc được tệp phụ lục {pdf.name} ({error.name}).")

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def close(self) -> None:
        """Release the file (Windows keeps an open file from being deleted)."""
        self.document.close()

    def landscape(self, page: int) -> bool:
        size = self.document.pagePointSize(page)
        return size.width() > size.height()

    def prepare(self, printer: QPrinter) -> None:
        """A4, no printer margins (the PDF has the decree's margins), first page's
        orientation."""
        orientation = (
            QPageLayout.Orientation.Landscape
            if self.page_count and self.landscape(0)
            else QPageLayout.Orientation.Portrait
        )
        printer.setPageLayout(
            QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, QMarginsF(0, 0, 0, 0))
        )
        printer.setFullPage(True)  # after the layout, which would reset it
        printer.setDocName(self.path.stem)

    def paint(self, printer: QPrinter) -> None:
        """Every page, scaled to the paper with its proportions kept."""
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("Không mở được máy in.")
        try:
            for page in range(self.page_count):
                if page:
                    orientation = (
                        QPageLayout.Orientation.Landscape
                        if self.landscape(page)
                        else QPageLayout.Orientation.Portrait
                    )
                    if printer.pageLayout().orientation() != orientation:
                        printer.setPageOrientation(orientation)
                    printer.newPage()
                self._paint_page(painter, printer, page)
        finally:
            painter.end()

    def _paint_page(self, painter: QPainter, printer: QPrinter, page: int) -> None:
        target = painter.viewport()
        points = self.document.pagePointSize(page)
        dpi = min(printer.resolution(), MAX_DPI)
        pixels = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
        image = self.document.render(page, pixels)
        scale = min(target.width() / pixels.width(), target.height() / pixels.height())
        width, height = round(pixels.width() * scale), round(pixels.height() * scale)
        painter.setViewport(target)
        painter.setWindow(target)
        painter.drawImage(QRect(target.x(), target.y(), width, height), image)


class AnnexPreviewDialog(QPrintPreviewDialog):
    """Qt's print preview of the annex (zoom, page setup, print)."""

    def __init__(self, annex: AnnexDocument, parent: QWidget | None = None) -> None:
        self.annex = annex
        self.annex_printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        annex.prepare(self.annex_printer)
        super().__init__(self.annex_printer, parent)
        self.setWindowTitle(f"Xem trước bản in — {annex.path.name}")
        self.paintRequested.connect(annex.paint)
        self.resize(1100, 760)

    @classmethod
    def show_for(cls, annex: AnnexDocument, parent: QWidget | None = None) -> int:
        return cls(annex, parent).exec()
