"""Typing Vietnamese into real widgets in tests.

``qtbot.keyClicks`` aborts the test process on non-ASCII text (Qt's qasciikey assertion), so
text is committed the way a Vietnamese input method (Unikey, EVKey, IBus) really delivers it:
a ``QInputMethodEvent`` whose commit string is the text.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(widget: QWidget, text: str, *, decomposed: bool = False) -> None:
    """Commit ``text`` into the focused editor ``widget`` as an input method would.

    ``decomposed=True`` sends NFD text (some input methods and pasted text do), so tests can
    check that what is stored is NFC."""
    widget.setFocus()
    payload = unicodedata.normalize("NFD", text) if decomposed else text
    event = QInputMethodEvent()
    event.setCommitString(payload)
    QApplication.sendEvent(widget, event)
