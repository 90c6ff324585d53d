"""The survey screen and its dialogs fit a 1366×768 laptop without cut text; offscreen grabs
are written to $KHIT_SCREENSHOTS (e.g. screenshots/) when set, to look at."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QHeaderView, QLabel, QPushButton, QTableView, QWidget

from khit_desktop.services import council, surveys
from khit_desktop.services.audit import Actor
from khit_desktop.ui.surveys.council_forms import DecisionForm, RequestForm
from khit_desktop.ui.surveys.decision_dialog import DecisionDialog
from khit_desktop.ui.surveys.explanation_dialog import RequestDialog
from khit_desktop.ui.surveys.findings_dialog import FindingsDialog
from khit_desktop.ui.surveys.plan_dialog import PlanDialog
from khit_desktop.ui.surveys.roster_dialog import RosterDialog
from khit_desktop.ui.surveys.survey_forms import PlanForm, findings_form
from khit_desktop.ui.surveys.surveys_panel import TAB_COUNCIL, SurveysPanel
from khit_desktop.ui.workspace import Workspace

pytestmark = pytest.mark.gui
# what the main window leaves to a screen at 1366×768 (navigation, menus, status bar)
PANEL_SIZE = (1230, 640)
SCREEN = (1366, 740)


def save(widget: QWidget, name: str, tmp_path: Path) -> None:
    QApplication.processEvents()
    image = widget.grab()
    image.save(str(tmp_path / name))
    folder = os.environ.get("KHIT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        image.save(str(Path(folder) / name))


def cut_texts(root: QWidget) -> list[str]:
    """Buttons, one-line labels and header sections narrower than their text."""
    cut = []
    for button in root.findChildren(QPushButton):
        if button.isVisible() and button.width() < button.sizeHint().width():
            cut.append(f"button {button.text()!r}: {button.width()} < {button.sizeHint().width()}")
    for label in root.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap() and label.text():
            if label.width() < label.minimumSizeHint().width():
                cut.append(f"label {label.text()[:40]!r}")
    for view in root.findChildren(QTableView):
        header = view.horizontalHeader()
        for section in range(header.count()):
            if header.sectionResizeMode(section) == QHeaderView.ResizeMode.Stretch:
                continue
            need = header.sectionSizeFromContents(section).width()
            if not header.isSectionHidden(section) and header.sectionSize(section) < need:
                text = view.model().headerData(section, header.orientation())
                cut.append(f"{view.objectName()} header {text!r}")
    return cut


@pytest.fixture
def later(demo_db) -> Workspace:
    return Workspace(demo_db, 2020, True, Actor("can-bo-a", "may-1"), lambda: date(2020, 12, 10))


def test_panel_fits_a_laptop_screen(qtbot, later, tmp_path: Path) -> None:
    panel = SurveysPanel(later)
    qtbot.addWidget(panel)
    panel.resize(*PANEL_SIZE)
    panel.show()
    QApplication.processEvents()
    assert panel.minimumSizeHint().width() <= PANEL_SIZE[0]
    assert panel.minimumSizeHint().height() <= PANEL_SIZE[1]
    assert cut_texts(panel) == []
    save(panel, "surveys-panel.png", tmp_path)
    panel.tabs.setCurrentIndex(TAB_COUNCIL)
    QApplication.processEvents()
    assert cut_texts(panel) == []
    save(panel, "surveys-explanations.png", tmp_path)


def test_dialogs_fit_a_laptop_screen(qtbot, later, tmp_path: Path) -> None:
    panel = SurveysPanel(later)
    qtbot.addWidget(panel)
    view = surveys.list_surveys(later.db, 2020)[0]  # the demo's visit, one finding applied
    data = panel.data
    leaves = data.leaves(view.agency_code)
    current = {r.code: r.appraised for r in data.rows(view.agency_code)}
    findings = FindingsDialog(
        findings_form(view, leaves), view, leaves, current, lambda d: None, later.today, panel
    )
    plan = PlanDialog(
        PlanForm(2020, "SNV"),
        data.agencies(),
        council.roster(later.db, 2020),
        data.rows,
        lambda d: None,
        panel,
    )
    request = RequestDialog(
        RequestForm(2020, "CR"), data.agencies(), data.rows, lambda d: None, later.today, panel
    )
    decision = DecisionDialog(
        DecisionForm(2020, "CR", "3.3"),
        data.agencies(),
        data.rows,
        {"CR": {"3.3"}},
        {},
        lambda d: None,
        later.today,
        panel,
    )
    roster = RosterDialog(later, panel)
    for dialog in (findings, plan, request, decision, roster):
        dialog.show()
        dialog.adjustSize()
        QApplication.processEvents()
        size = dialog.size()
        assert size.width() <= SCREEN[0] and size.height() <= SCREEN[1], type(dialog).__name__
        assert cut_texts(dialog) == [], type(dialog).__name__
    line = findings.line("1.6.1")
    line.seen.setPlainText("Có phòng máy chủ riêng tại tầng 2 nhà hiệu bộ.")
    line.figure.setText("1 phòng")
    line.points.setText("25")  # over the maximum: the error shows next to the line
    save(findings, "findings-dialog.png", tmp_path)
    assert "ngoài khoảng 0 đến 20,00" in line.error.text()
    for dialog in (findings, plan, request, decision, roster):
        dialog.close()
