"""The user guide (docs/huong-dan) and its window: every chapter opens, every picture and
link resolves, the contents list every chapter, search finds Vietnamese typed as an input
method types it, web links go to the system browser, and the guide names every menu item of
the main window — so that it stays in step with the program."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication, QMenu

from khit_desktop.domain.collation import fold_diacritics
from khit_desktop.ui.help import guide
from khit_desktop.ui.help.guide import GuideWindow, guide_dir, show_guide
from khit_desktop.ui.help.guide_browser import MAX_IMAGE_WIDTH
from khit_desktop.ui.help.guide_text import (
    INDEX,
    chapter_files,
    headings_of,
    read_chapters,
    search,
    slugify,
)
from khit_desktop.ui.main_window import MainWindow
from khit_desktop.ui.settings import AppSettings
from khit_desktop.ui.workspace import Workspace
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui
FOLDER = guide_dir()
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
IMAGE_BUDGET = 4 * 1024 * 1024


def markdown_files() -> list[Path]:
    return sorted(FOLDER.glob("*.md"))


def links(path: Path) -> Iterator[tuple[bool, str]]:
    """(is an image, target) of every Markdown link outside code."""
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        for image, _text, target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            yield image == "!", target


def anchors(path: Path) -> set[str]:
    return {h.anchor for h in headings_of(path.read_text(encoding="utf-8"))}


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


@pytest.fixture
def window(qtbot: Any) -> GuideWindow:
    shown = GuideWindow(FOLDER)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    shown.open_section(None)
    return shown


# -- the files -----------------------------------------------------------------------------


def test_the_guide_is_where_the_program_reads_it() -> None:
    assert FOLDER == Path(__file__).resolve().parents[2] / "docs" / "huong-dan"
    assert (FOLDER / INDEX).is_file()
    numbered = [p.name for p in chapter_files(FOLDER)][1:]
    assert numbered == sorted(p.name for p in FOLDER.glob("[0-9][0-9]-*.md"))
    assert len(numbered) >= 8


def test_every_picture_exists_is_used_and_the_set_is_modest() -> None:
    used: set[str] = set()
    for path in markdown_files():
        for image, target in links(path):
            if image:
                assert (path.parent / target).is_file(), f"{path.name}: {target}"
                assert target.startswith("anh/") and target.endswith(".png"), target
                used.add(Path(target).name)
    pictures = {p.name: p.stat().st_size for p in (FOLDER / "anh").glob("*.png")}
    assert used == set(pictures), "pictures not used, or used but missing"
    assert sum(pictures.values()) < IMAGE_BUDGET
    for name in pictures:  # the PNG header's width: at most a 1366-pixel screen
        width = int.from_bytes((FOLDER / "anh" / name).read_bytes()[16:20], "big")
        assert width <= 1366, name


def test_every_relative_link_and_anchor_resolves() -> None:
    checked = 0
    for path in markdown_files():
        for image, target in links(path):
            if image or target.startswith(("http://", "https://", "mailto:")):
                continue
            name, _, anchor = target.partition("#")
            linked = path if not name else (path.parent / name)
            assert linked.is_file(), f"{path.name}: {target}"
            if anchor:
                assert anchor in anchors(linked), f"{path.name}: #{anchor} not in {linked.name}"
            checked += 1
    assert checked > 30


def test_slugs_are_githubs() -> None:
    used: dict[str, int] = {}
    assert slugify("16. Chốt kỳ và mở lại", used) == "16-chốt-kỳ-và-mở-lại"
    assert slugify("Phiếu gửi lại, phiếu không hợp lệ", used) == "phiếu-gửi-lại-phiếu-không-hợp-lệ"
    assert slugify("Trang ẩn _khit", used) == "trang-ẩn-_khit"
    assert slugify("Trang ẩn _khit", used) == "trang-ẩn-_khit-1"


# -- the window ----------------------------------------------------------------------------


def test_the_contents_list_each_chapter(window: GuideWindow) -> None:
    chapters = read_chapters(FOLDER)
    assert window.chapter_titles() == [c.title for c in chapters]
    assert [c.file for c in chapters] == [p.name for p in chapter_files(FOLDER)]
    sections = window.chapter_items[2]  # chapter 2: one entry per step
    assert sections.childCount() >= 17
    assert sections.child(0).data(0, guide.ROLE_TARGET).startswith("02-")


def test_the_window_opens_the_index_and_each_chapter(window: GuideWindow) -> None:
    for chapter in read_chapters(FOLDER):
        assert window.open_section(chapter.file)
        settle()
        assert window.current_file() == chapter.file
        text = window.browser.toPlainText()
        assert text.startswith(chapter.title), chapter.file
        rendered = rendered_anchors(window)
        assert {h.anchor for h in chapter.headings} <= rendered, chapter.file
        assert window.where.text() == chapter.title


def rendered_anchors(window: GuideWindow) -> set[str]:
    found: set[str] = set()
    block = window.browser.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            found.update(fragments.fragment().charFormat().anchorNames())
            fragments += 1
        block = block.next()
    return found


def test_pictures_load_and_are_fitted(window: GuideWindow) -> None:
    window.open_section("02-quy-trinh-mot-nam.md")
    settle()
    html = window.browser.document().toHtml()
    names = re.findall(r'<img src="(anh/[^"]+)"', html)
    assert len(names) >= 15
    for name in names:
        url = window.browser.source().resolved(QUrl(name))
        assert window.browser.loadResource(2, url) is not None, name  # ImageResource
    widths = [int(w) for w in re.findall(r'<img src="anh/[^"]+"[^>]* width="(\d+)"', html)]
    assert widths and max(widths) <= MAX_IMAGE_WIDTH


def test_a_section_opens_at_its_heading_and_back_returns(window: GuideWindow) -> None:
    assert window.open_section("02-quy-trinh-mot-nam.md#16-chốt-kỳ-và-mở-lại")
    settle()
    bar = window.browser.verticalScrollBar()
    assert bar.value() > 0
    window.follow(QUrl("04-sao-luu-va-phuc-hoi.md#phục-hồi"))
    settle()
    assert window.current_file() == "04-sao-luu-va-phuc-hoi.md"
    assert window.back_button.isEnabled()
    window.back_button.click()
    settle()
    assert window.current_file() == "02-quy-trinh-mot-nam.md"


def test_an_unknown_section_shows_the_index(window: GuideWindow) -> None:
    assert not window.open_section("99-khong-co.md")
    settle()
    assert window.current_file() == INDEX
    assert "99-khong-co.md" in window.where.text()


def test_web_links_open_in_the_system_browser(
    window: GuideWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(guide, "open_external", lambda url: opened.append(url.toString()))
    window.open_section("05-o-dia-mang.md")
    settle()
    html = window.browser.document().toHtml()
    assert 'href="https://www.sqlite.org/useovernet.html"' in html
    window.follow(QUrl("https://www.sqlite.org/useovernet.html"))
    assert opened == ["https://www.sqlite.org/useovernet.html"]
    assert window.current_file() == "05-o-dia-mang.md"  # the guide stays where it was
    window.follow(QUrl("anh/o-dia-mang.png"))  # a picture: its full size, outside
    assert opened[-1].endswith("/anh/o-dia-mang.png") and opened[-1].startswith("file://")


def test_search_finds_a_vietnamese_word_typed_as_text(qtbot: Any, window: GuideWindow) -> None:
    type_text(window.search_box, "phục hồi")
    assert window.left.currentWidget() is window.results
    assert window.results.count() >= 3
    assert "mục có “phục hồi”" in window.no_results.text()
    first = window.results.item(0).text()
    assert "phục hồi" in first.lower() or "Phục hồi" in first
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)  # Enter: open the first result
    settle()
    assert fold_diacritics(window.selected_text()) == "phuc hoi"
    assert window.browser.extraSelections()  # every place is marked
    shown = window.current_file()
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)  # the next result
    settle()
    assert window.results.currentRow() == 1
    assert window.current_file() in {shown} | {p.name for p in markdown_files()}


def test_search_needs_no_accents_and_says_when_nothing_is_found(window: GuideWindow) -> None:
    type_text(window.search_box, "sao luu dinh ky")
    assert window.results.count() >= 1
    assert any(
        "04-sao-luu" in str(window.results.item(i).data(guide.ROLE_TARGET))
        for i in range(window.results.count())
    )
    window.search_box.clear()
    type_text(window.search_box, "xyzzy")
    assert window.results.count() == 0 and "Không tìm thấy" in window.no_results.text()
    window.search_box.clear()
    assert window.left.currentWidget() is window.contents


def test_decomposed_input_is_found_too() -> None:
    chapters = read_chapters(FOLDER)
    composed = search(chapters, "Quyết định công bố")
    decomposed = search(chapters, unicodedata.normalize("NFD", "Quyết định công bố"))
    assert composed and [h.target for h in composed] == [h.target for h in decomposed]


def test_ctrl_f_goes_to_the_search_box(qtbot: Any, window: GuideWindow) -> None:
    window.activateWindow()
    window.browser.setFocus()
    qtbot.keyClick(window.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_box.hasFocus)


def test_show_guide_reuses_its_window(qtbot: Any) -> None:
    first = show_guide(None, "03-mau-excel.md")
    assert first is not None
    qtbot.addWidget(first)
    assert first.current_file() == "03-mau-excel.md" and first.isVisible()
    again = show_guide(None, "07-dong-lenh-khit")
    assert again is first and again.current_file() == "07-dong-lenh-khit.md"


def test_a_missing_guide_is_told(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    told: list[str] = []
    monkeypatch.setattr(guide, "guide_dir", lambda: tmp_path / "khong-co")
    monkeypatch.setattr(guide, "show_refusal", lambda _parent, text: told.append(text))
    assert show_guide(None) is None
    assert "Không tìm thấy hướng dẫn sử dụng" in told[0]


# -- in step with the program --------------------------------------------------------------


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("&", "").replace("…", "")
    text = text.replace("*", "").replace("`", "")
    return " ".join(text.split()).casefold()


def test_the_guide_names_every_menu_item(
    qtbot: Any, workspace: Workspace, settings: AppSettings
) -> None:
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    everything = normalised(" ".join(p.read_text(encoding="utf-8") for p in markdown_files()))
    missing = []
    count = 0
    for menu in window.menuBar().findChildren(QMenu):
        for action in [menu.menuAction(), *menu.actions()]:
            if action.isSeparator() or not action.text():
                continue
            count += 1
            if normalised(action.text()) not in everything:
                missing.append(action.text())
    assert count > 30
    assert missing == [], f"the guide does not mention: {missing}"


def test_f1_opens_the_guide_from_the_main_window(qtbot, workspace, settings, monkeypatch):
    from khit_desktop.ui import help as help_package
    from khit_desktop.ui.main_window import MainWindow

    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    opened: list[object] = []
    monkeypatch.setattr(help_package, "show_guide", lambda parent, section=None: opened.append(1))
    [guide] = [
        a
        for menu in window.menuBar().findChildren(QMenu)
        for a in menu.actions()
        if a.text() == "Hướng dẫn sử dụng"
    ]
    assert guide.shortcut().toString() == "F1"
    guide.trigger()
    assert opened == [1]
