"""The typing helper itself: Vietnamese reaches a line edit, composed or decomposed."""

from __future__ import annotations

import unicodedata

from PySide6.QtWidgets import QLineEdit

from tests.qt_typing import type_text


def test_type_text_commits_vietnamese(qtbot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    type_text(edit, "Sở Tài chính")
    assert edit.text() == "Sở Tài chính"


def test_type_text_can_send_decomposed_text(qtbot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    type_text(edit, "Đông", decomposed=True)
    assert edit.text() == unicodedata.normalize("NFD", "Đông")
    assert edit.text() != "Đông"
