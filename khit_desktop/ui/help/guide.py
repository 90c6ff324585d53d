"""Hướng dẫn sử dụng: the user guide (``docs/huong-dan``, Markdown with screenshots) in a
window of its own, beside the program: a table of contents, search (Ctrl+F, accents
optional), back and forward, links between chapters; web links open in the system browser.

The guide ships with the program: it is read from ``install_root()/docs/huong-dan`` (the
source tree, or the PyInstaller bundle's ``_internal``). Each chapter is rendered by Qt's
own Markdown reader; headings get GitHub-style anchors (``#tạo-kỳ-đánh-giá``), so the same
links work on the project's web page and here. ``show_guide(parent, "04-sao-luu.md#…")``
opens a chapter at a heading.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.collation import fold_diacritics
from ...paths import install_root
from ..messages import show_refusal
from .guide_browser import GuideBrowser
from .guide_text import INDEX, fold_text, read_chapters, search

WINDOW_SIZE = (1240, 720)  # fits the 1366×768 laptop screen beside the taskbar
MATCH_COLOUR = "#FFE08A"
ROLE_TARGET = Qt.ItemDataRole.UserRole


def guide_dir() -> Path:
    """Where the guide is installed: ``docs/huong-dan`` beside the program's resources."""
    return install_root() / "docs" / "huong-dan"


def open_external(url: QUrl) -> bool:
    """A web page or a file in the system's own program (tests patch this)."""
    return bool(QDesktopServices.openUrl(url))


class GuideWindow(QWidget):
    """The guide beside the program (not modal): contents or search results on the left,
    the chapter on the right."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.folder = folder
        self.chapters = read_chapters(folder)
        self.setObjectName("guideWindow")
        self.setWindowTitle("Hướng dẫn sử dụng — KHIT Desktop")
        self.resize(*WINDOW_SIZE)

        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("guideSearch")
        self.search_box.setPlaceholderText("Tìm (Ctrl+F), không dấu cũng được")
        self.search_box.setToolTip(
            "Tìm trong mọi chương của hướng dẫn; Enter để sang kết quả kế tiếp, Esc để xóa"
        )
        self.search_box.setClearButtonEnabled(True)
        self.contents = QTreeWidget(self)
        self.contents.setObjectName("guideContents")
        self.contents.setHeaderHidden(True)
        self.contents.setWordWrap(True)
        self.results = QListWidget(self)
        self.results.setObjectName("guideResults")
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.no_results = QLabel(self)
        self.no_results.setObjectName("guideNoResults")
        self.no_results.setWordWrap(True)
        self.no_results.setStyleSheet("color:#555;")
        self.left = QStackedWidget(self)
        self.left.addWidget(self.contents)
        self.left.addWidget(self.results)
        left_box = QWidget(self)
        left_layout = QVBoxLayout(left_box)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_box)
        left_layout.addWidget(self.no_results)
        left_layout.addWidget(self.left, 1)
        self.no_results.hide()

        self.browser = GuideBrowser(folder, self)
        self.back_button = QPushButton("← Quay lại", self)
        self.back_button.setToolTip("Trang vừa xem (Alt+Mũi tên trái)")
        self.forward_button = QPushButton("Tiếp →", self)
        self.forward_button.setToolTip("Alt+Mũi tên phải")
        self.home_button = QPushButton("Mục lục", self)
        self.home_button.setToolTip("Trang đầu của hướng dẫn")
        self.smaller_button = QPushButton("A−", self)
        self.smaller_button.setToolTip("Chữ nhỏ hơn (Ctrl+−)")
        self.larger_button = QPushButton("A+", self)
        self.larger_button.setToolTip("Chữ lớn hơn (Ctrl++)")
        self.where = QLabel(self)
        self.where.setObjectName("guideWhere")
        self.where.setStyleSheet("color:#555;")
        bar = QHBoxLayout()
        for button in (self.back_button, self.forward_button, self.home_button):
            bar.addWidget(button)
        bar.addWidget(self.where, 1)
        bar.addWidget(self.smaller_button)
        bar.addWidget(self.larger_button)
        right_box = QWidget(self)
        right_layout = QVBoxLayout(right_box)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(bar)
        right_layout.addWidget(self.browser, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left_box)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([290, WINDOW_SIZE[0] - 290])
        splitter.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

        self._fill_contents()
        self._query = ""
        self.browser.anchorClicked.connect(self.follow)
        self.browser.sourceChanged.connect(self._source_changed)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.home_button.clicked.connect(lambda: self.open_section(None))
        self.smaller_button.clicked.connect(lambda: self.browser.zoomOut(1))
        self.larger_button.clicked.connect(lambda: self.browser.zoomIn(1))
        self.contents.itemActivated.connect(self._contents_chosen)
        self.contents.itemClicked.connect(self._contents_chosen)
        self.results.itemActivated.connect(self._result_chosen)
        self.results.itemClicked.connect(self._result_chosen)
        self.search_box.textChanged.connect(self.run_search)
        self.search_box.returnPressed.connect(self.next_result)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        for keys, slot in (
            (QKeySequence.StandardKey.Find, self.focus_search),
            (QKeySequence.StandardKey.Back, self.browser.backward),
            (QKeySequence.StandardKey.Forward, self.browser.forward),
            (QKeySequence.StandardKey.ZoomIn, lambda: self.browser.zoomIn(1)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.browser.zoomOut(1)),
            (QKeySequence("Esc"), self._escape),
        ):
            QShortcut(keys, self, slot)

    # -- contents -------------------------------------------------------------------------

    def _fill_contents(self) -> None:
        self.chapter_items: list[QTreeWidgetItem] = []
        for chapter in self.chapters:
            top = QTreeWidgetItem(self.contents, [chapter.title])
            self.chapter_items.append(top)
            top.setData(0, ROLE_TARGET, chapter.file)
            top.setToolTip(0, chapter.title)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for heading in chapter.headings:
                if heading.level == 2:
                    item = QTreeWidgetItem(top, [heading.title])
                    item.setData(0, ROLE_TARGET, chapter.target(heading.anchor))
                    item.setToolTip(0, heading.title)

    def chapter_titles(self) -> list[str]:
        """The chapters as the table of contents lists them."""
        return [item.text(0) for item in self.chapter_items]

    def _contents_chosen(self, item: QTreeWidgetItem) -> None:
        self.open_section(item.data(0, ROLE_TARGET))

    # -- navigation -----------------------------------------------------------------------

    def open_section(self, section: str | None) -> bool:
        """Show ``section`` ("FILE.md", "FILE" or "FILE.md#anchor"; None: the index). False
        (and the index shown) when there is no such chapter."""
        name, _, anchor = (section or INDEX).partition("#")
        name = name or INDEX
        if not name.endswith(".md"):
            name += ".md"
        path = self.folder / name
        found = path.is_file()
        url = QUrl.fromLocalFile(str(path if found else self.folder / INDEX))
        if found and anchor:
            url.setFragment(anchor)
        self.browser.setSource(url)
        if not found:
            self.where.setText(f"Không có mục “{section}” trong hướng dẫn.")
        return found

    def follow(self, link: QUrl) -> None:
        """A link in the text: another chapter here, a web page or a picture outside."""
        target = self.browser.source().resolved(link)
        if target.scheme() in ("http", "https", "mailto"):
            open_external(target)
            return
        path = Path(target.toLocalFile())
        if path.suffix == ".md" and path.is_file():
            self.browser.setSource(target)
        elif path.is_file():
            open_external(QUrl.fromLocalFile(str(path)))
        else:
            self.where.setText(f"Không tìm thấy {link.toString()}.")

    def current_file(self) -> str:
        return Path(self.browser.source().toLocalFile()).name

    def _source_changed(self, url: QUrl) -> None:
        name = Path(url.toLocalFile()).name
        chapter = next((c for c in self.chapters if c.file == name), None)
        self.where.setText(chapter.title if chapter else name)
        for item in self.chapter_items:
            if item.data(0, ROLE_TARGET) == name:
                self.contents.setCurrentItem(item)
                item.setExpanded(item.childCount() > 0 and name != INDEX)
        self._highlight(url.fragment())

    # -- search ---------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _escape(self) -> None:
        if self.search_box.text():
            self.search_box.clear()
        else:
            self.close()

    def run_search(self, text: str) -> None:
        self._query = text
        self.results.clear()
        if not fold_diacritics(text):
            self.left.setCurrentWidget(self.contents)
            self.no_results.hide()
            self.browser.setExtraSelections([])
            return
        hits = search(self.chapters, text)
        for hit in hits:
            item = QListWidgetItem(hit.label, self.results)
            item.setData(ROLE_TARGET, hit.target)
            item.setToolTip(hit.label)
        self.left.setCurrentWidget(self.results)
        self.no_results.setText(
            f"{len(hits)} mục có “{text.strip()}”." if hits else f"Không tìm thấy “{text.strip()}”."
        )
        self.no_results.show()
        self._highlight("")

    def next_result(self) -> None:
        """Enter in the search box: the next result (from the top after the last)."""
        count = self.results.count()
        if not count:
            return
        row = (self.results.currentRow() + 1) % count
        self.results.setCurrentRow(row)
        self._result_chosen(self.results.item(row))

    def _result_chosen(self, item: QListWidgetItem) -> None:
        self.open_section(item.data(ROLE_TARGET))

    def _highlight(self, anchor: str) -> None:
        """Mark every place the search words appear, and select the first one under
        ``anchor`` (or from the top)."""
        words = fold_diacritics(self._query).split()
        if not words:
            self.browser.setExtraSelections([])
            return
        document = self.browser.document()
        folded = fold_text(document.toRawText())
        marks = []
        mark = QTextCharFormat()
        mark.setBackground(QColor(MATCH_COLOUR))
        phrase = " ".join(words)
        marked = [phrase] if phrase in folded else [w for w in words if len(w) > 1]
        for word in marked:
            start = folded.find(word)
            while start >= 0:
                selection = QTextEdit.ExtraSelection()
                selection.cursor = QTextCursor(document)
                selection.cursor.setPosition(start)
                selection.cursor.setPosition(start + len(word), QTextCursor.MoveMode.KeepAnchor)
                selection.format = mark
                marks.append(selection)
                start = folded.find(word, start + len(word))
        self.browser.setExtraSelections(marks)
        begin = self._anchor_position(anchor) if anchor else 0
        found = folded.find(phrase, begin)
        length = len(phrase)
        if found < 0:
            found, length = folded.find(words[0], begin), len(words[0])
        if found >= 0:
            cursor = QTextCursor(document)
            cursor.setPosition(found)
            cursor.setPosition(found + length, QTextCursor.MoveMode.KeepAnchor)
            self.browser.setTextCursor(cursor)
            self.browser.ensureCursorVisible()

    def _anchor_position(self, anchor: str) -> int:
        block = self.browser.document().begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                if anchor in fragments.fragment().charFormat().anchorNames():
                    return block.position()
                fragments += 1
            block = block.next()
        return 0

    def selected_text(self) -> str:
        return self.browser.textCursor().selectedText()


_window: GuideWindow | None = None


def show_guide(parent: QWidget | None, section: str | None = None) -> GuideWindow | None:
    """Open (or bring forward) the guide at ``section`` ("FILE.md#anchor", see
    ``GuideWindow.open_section``; None: the index). None when the guide is not installed."""
    global _window
    folder = guide_dir()
    if not (folder / INDEX).is_file():
        show_refusal(
            parent,
            f"Không tìm thấy hướng dẫn sử dụng ở {folder}. Hãy cài lại chương trình hoặc báo "
            "cho người quản trị.",
        )
        return None
    window = _window if _window is not None and _alive(_window) else None
    if window is None or window.parent() is not parent:
        window = GuideWindow(folder, parent)
        _window = window
    window.show()  # first: pictures are fitted to the shown width
    window.open_section(section)
    window.raise_()
    window.activateWindow()
    return window


def _alive(widget: QWidget) -> bool:
    from shiboken6 import isValid

    return bool(isValid(widget))
