"""A chapter of the guide on screen: Qt's own Markdown reader, headings anchored the way
GitHub anchors them, wide screenshots shown smaller and linked to the full picture; and the
text browser that loads chapters (``.md``) through it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImageReader,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextImageFormat,
)
from PySide6.QtWidgets import QApplication, QTextBrowser, QWidget

from .guide_text import slugify

MAX_IMAGE_WIDTH = 880  # screenshots wider than this are shown smaller; a click opens them whole
MIN_IMAGE_WIDTH = 360
HEADING_MARGINS = {1: (4, 10), 2: (18, 6), 3: (12, 4), 4: (8, 2)}  # top, bottom (px)
CODE_BACKGROUND = "#F2F2F2"


def render_chapter(
    markdown: str, folder: Path, font: QFont | None = None, image_width: int = MAX_IMAGE_WIDTH
) -> str:
    """HTML of a chapter: Qt's Markdown, headings anchored and spaced, images wider than
    ``image_width`` shown smaller and linked to the full picture."""
    document = QTextDocument()
    document.setDefaultFont(font or QApplication.font())
    document.setMarkdown(markdown, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    used: dict[str, int] = {}
    block = document.begin()
    while block.isValid():
        level = block.blockFormat().headingLevel()
        cursor = QTextCursor(block)
        if level:
            top, bottom = HEADING_MARGINS.get(level, (8, 2))
            spacing = block.blockFormat()
            spacing.setTopMargin(top)
            spacing.setBottomMargin(bottom)
            cursor.setBlockFormat(spacing)
            cursor.movePosition(
                QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
            )
            anchor = QTextCharFormat()
            anchor.setAnchor(True)
            anchor.setAnchorNames([slugify(block.text(), used)])
            cursor.mergeCharFormat(anchor)
        elif block.blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence):
            shaded = block.blockFormat()
            shaded.setBackground(QColor(CODE_BACKGROUND))
            shaded.setLeftMargin(8)
            cursor.setBlockFormat(shaded)
        else:
            _fit_images(block, folder, image_width)
        block = block.next()
    return document.toHtml()


def _fit_images(block: Any, folder: Path, width: int) -> None:
    fragments = block.begin()
    while not fragments.atEnd():
        fragment = fragments.fragment()
        fragments += 1
        char_format = fragment.charFormat()
        if not char_format.isImageFormat():
            continue
        image = char_format.toImageFormat()
        size = QImageReader(str(folder / image.name())).size()
        fitted = QTextImageFormat(image)
        if size.isValid() and size.width() > width:
            fitted.setWidth(width)
            fitted.setHeight(round(size.height() * width / size.width()))
        fitted.setAnchor(True)
        fitted.setAnchorHref(image.name())
        fitted.setToolTip("Bấm vào ảnh để xem cỡ thật")
        cursor = QTextCursor(block.document())
        cursor.setPosition(fragment.position())
        cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(fitted)


class GuideBrowser(QTextBrowser):
    """Shows chapters (``.md`` files, rendered by ``render_chapter``) and their pictures."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.setObjectName("guideText")
        self.setOpenLinks(False)  # links are followed by the window (web links: the browser)
        self.setSearchPaths([str(folder)])
        self.document().setDocumentMargin(16)

    def doSetSource(
        self,
        name: QUrl | str,
        kind: QTextDocument.ResourceType = QTextDocument.ResourceType.UnknownResource,
    ) -> None:
        """Qt's virtual: a chapter is loaded as HTML (``loadResource`` renders it)."""
        if QUrl(name).path().endswith(".md"):
            kind = QTextDocument.ResourceType.HtmlResource
        super().doSetSource(name, kind)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        """Qt's virtual: chapters rendered from Markdown, anything else as Qt loads it."""
        url = QUrl(name)
        if kind == QTextDocument.ResourceType.HtmlResource and url.path().endswith(".md"):
            path = Path(url.toLocalFile())
            try:
                text = path.read_text(encoding="utf-8")
                return render_chapter(text, path.parent, self.font(), self.image_width())
            except OSError:
                return f"<p>Không đọc được tệp hướng dẫn {path}.</p>"
        return super().loadResource(kind, name)

    def image_width(self) -> int:
        """The widest a picture is shown: the text's width, at most MAX_IMAGE_WIDTH."""
        if not self.isVisible():
            return MAX_IMAGE_WIDTH
        room = self.viewport().width() - 2 * round(self.document().documentMargin()) - 24
        return max(MIN_IMAGE_WIDTH, min(MAX_IMAGE_WIDTH, room))
