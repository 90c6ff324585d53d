"""The ranking screen: one group in the annex's order, its counts, and what is not final."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from khit_desktop.domain.classification import Classification
from khit_desktop.domain.numbers import format_points
from khit_desktop.services import results
from khit_desktop.ui.ranking.ranking_model import (
    COL_AGENCY,
    COL_CLASS,
    COL_FINAL,
    COL_MOVE,
    COL_RANK,
    COL_STATUS,
    RankingSortProxy,
    RankingTableModel,
)
from khit_desktop.ui.ranking.ranking_panel import PROVISIONAL, RankingPanel

pytestmark = pytest.mark.gui

SCREENSHOT = Path(__file__).resolve().parents[2] / "screenshots" / "ranking-panel.png"


@pytest.fixture
def panel(qtbot, workspace) -> RankingPanel:
    widget = RankingPanel(workspace)
    qtbot.addWidget(widget)
    widget.resize(1230, 640)
    widget.show()
    return widget


def column(panel: RankingPanel, col: int) -> list[str]:
    return [panel.proxy.index(r, col).data() for r in range(panel.proxy.rowCount())]


def expected(workspace, group: int) -> list[results.ResultRow]:
    rows = results.ranking(workspace.db, workspace.year, as_of=workspace.today())
    return [r for r in rows if r.group == group]


def test_group_one_follows_the_ranking(panel, workspace) -> None:
    rows = expected(workspace, 1)
    assert panel.current_group() == 1
    assert column(panel, COL_AGENCY) == [r.agency_name for r in rows]
    assert column(panel, COL_RANK) == ["" if r.rank is None else str(r.rank) for r in rows]
    assert column(panel, COL_CLASS) == [r.classification.value for r in rows]
    # numbers use the decimal comma and are right-aligned
    final = panel.proxy.index(0, COL_FINAL)
    assert final.data() == format_points(rows[0].final_score)
    assert "," in final.data()
    align = final.data(Qt.ItemDataRole.TextAlignmentRole)
    assert align & Qt.AlignmentFlag.AlignRight.value
    status = panel.proxy.index(0, COL_STATUS)
    assert status.data(Qt.ItemDataRole.ToolTipRole) == rows[0].explanation


def test_group_two_and_counts(panel, workspace) -> None:
    panel.set_group(2)
    assert panel.proxy.rowCount() == 8
    rows = expected(workspace, 2)
    assert column(panel, COL_AGENCY) == [r.agency_name for r in rows]
    counts = Counter(r.classification for r in rows)
    text = panel.counts_text()
    for cls in (Classification.GOOD, Classification.FAIR, Classification.WEAK):
        assert f"{cls.value}: {counts.get(cls, 0)}" in text
        assert f"{cls.value}: {counts.get(cls, 0)}" in panel.summary.text()
    assert PROVISIONAL in panel.summary.text()  # the demo round is not finalised
    # a missing form: no rank, classified Yếu
    khanh_son = next(r for r in range(8) if "Khánh Sơn" in panel.proxy.index(r, 1).data())
    assert panel.proxy.index(khanh_son, COL_RANK).data() == ""
    assert panel.proxy.index(khanh_son, COL_CLASS).data() == "Yếu"


def test_counts_of_group_one(panel, workspace) -> None:
    counts = Counter(r.classification for r in expected(workspace, 1))
    assert panel.counts_text().startswith(f"Tốt: {counts[Classification.GOOD]} · Khá: ")


def test_warnings_say_what_is_not_final(panel) -> None:
    texts = [panel.warnings.item(i).text() for i in range(panel.warnings.count())]
    assert any("Khánh Sơn" in t and "Chưa gửi phiếu" in t for t in texts)
    assert any("Cam Ranh" in t and "đang chờ giải trình" in t and "3.3" in t for t in texts)
    assert any("đã nhập, chưa thẩm định" in t for t in texts)


def test_sorting_a_column_then_back_to_the_annex_order(panel, workspace) -> None:
    names = [r.agency_name for r in expected(workspace, 1)]
    panel.table.sortByColumn(COL_AGENCY, Qt.SortOrder.AscendingOrder)
    assert column(panel, COL_AGENCY) != names
    panel.proxy.sort(-1)
    assert column(panel, COL_AGENCY) == names


def test_reload_keeps_the_group(panel) -> None:
    panel.set_group(3)
    panel.reload()
    assert panel.current_group() == 3


def test_models_pass_the_model_tester(qtmodeltester, workspace) -> None:
    rows = results.ranking(workspace.db, workspace.year, as_of=workspace.today())
    model = RankingTableModel()
    model.set_rows([r for r in rows if r.group == 1])
    qtmodeltester.check(model)
    proxy = RankingSortProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_FINAL)
    qtmodeltester.check(proxy)


def test_the_columns_fit_and_a_grab_is_saved(panel, qtbot) -> None:
    qtbot.wait(10)
    table = panel.table
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width()  # no horizontal scrolling
    assert not table.horizontalScrollBar().isVisible()
    metrics = table.fontMetrics()
    for group in (1, 2, 3):
        panel.set_group(group)
        # no status, class, movement or number is cut, in any group (names may be elided:
        # the tooltip holds the whole name)
        for col in range(panel.proxy.columnCount()):
            if col == COL_AGENCY:
                continue
            for text in column(panel, col):
                assert metrics.horizontalAdvance(text) + 8 <= table.columnWidth(col), (col, text)
    assert not panel.warnings.horizontalScrollBar().isVisible()
    panel.set_group(1)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert panel.grab().save(str(SCREENSHOT))


def test_movement_since_last_year_is_shown(panel, workspace) -> None:
    from khit_desktop.services import movement

    moves = movement.movement(workspace.db, workspace.year, as_of=workspace.today())
    for group in (1, 2, 3):
        panel.set_group(group)
        rows = expected(workspace, group)
        assert column(panel, COL_MOVE) == [
            moves[r.agency_code].text if r.agency_code in moves else "" for r in rows
        ]
    panel.set_group(1)
    texts = set(column(panel, COL_MOVE))
    assert any(t.startswith("tăng ") for t in texts) and any(t.startswith("giảm ") for t in texts)
    row = column(panel, COL_MOVE).index(next(t for t in texts if t.startswith("tăng ")))
    tip = panel.proxy.index(row, COL_MOVE).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Năm 2019: hạng ")
    # sorting by the column puts the biggest rise first
    panel.table.sortByColumn(COL_MOVE, Qt.SortOrder.AscendingOrder)
    ups = [int(t.split()[1]) for t in column(panel, COL_MOVE) if t.startswith("tăng ")]
    assert ups == sorted(ups, reverse=True)
    assert column(panel, COL_MOVE)[0].startswith("tăng ")


def test_a_published_year_lists_its_differences_not_a_to_do_list(panel, workspace) -> None:
    from khit_desktop.services import history

    workspace.year = 2019
    panel.reload()
    found = history.differences(workspace.db, 2019)
    texts = [panel.warnings.item(i).text() for i in range(panel.warnings.count())]
    assert texts == [d.describe() for d in found] and found
    assert "bản đã công bố" in panel.warnings_title.text()
    assert "đã chốt" in panel.summary.text()
    assert set(column(panel, COL_MOVE)) == {""}  # no 2018 to compare with
