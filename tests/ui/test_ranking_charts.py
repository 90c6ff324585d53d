"""The ranking screen's charts: what they draw is what the ranking says."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QValueAxis
from PySide6.QtGui import QImage

from khit_desktop.services import chart_data, results
from khit_desktop.ui.ranking import charts
from khit_desktop.ui.ranking.charts import CHART_AREAS, CHART_CLASSES, CHART_SELF, CHART_YEARS
from khit_desktop.ui.ranking.ranking_model import CLASS_ORDER
from khit_desktop.ui.ranking.ranking_panel import RankingPanel

pytestmark = pytest.mark.gui

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def panel(qtbot, workspace) -> RankingPanel:
    widget = RankingPanel(workspace)
    qtbot.addWidget(widget)
    widget.resize(1230, 640)
    widget.show()
    return widget


def show(panel: RankingPanel, key: str) -> None:
    panel.tabs.setCurrentWidget(panel.charts)
    panel.charts.choice.setCurrentIndex(panel.charts.choice.findData(key))


def rows(workspace) -> list[results.ResultRow]:
    return results.ranking(workspace.db, workspace.year, as_of=workspace.today())


def test_charts_are_drawn_only_when_their_tab_is_shown(panel) -> None:
    assert panel._charts_stale
    assert panel.charts.view.chart().series() == []
    show(panel, CHART_CLASSES)
    assert not panel._charts_stale
    assert panel.charts.view.chart().series()


def test_class_counts_per_group(panel, workspace) -> None:
    show(panel, CHART_CLASSES)
    counts = chart_data.class_counts(rows(workspace))
    drawn = dict(panel.charts.chart_numbers())
    for cls in CLASS_ORDER:
        if cls.value in drawn:
            assert drawn[cls.value] == [Decimal(counts[g].get(cls, 0)) for g in (1, 2, 3)]
    assert sum(sum(v) for v in drawn.values()) == len(rows(workspace))
    axis = panel.charts.view.chart().axes()[0]
    assert isinstance(axis, QBarCategoryAxis)
    assert [c.split("<br>")[0] for c in axis.categories()] == ["Nhóm 1", "Nhóm 2", "Nhóm 3"]
    panel.grab().save(str(SCREENSHOTS / "ranking-chart-classes.png"))


def test_self_against_appraised_follows_the_group(panel, workspace) -> None:
    show(panel, CHART_SELF)
    for group in (1, 2):
        panel.set_group(group)
        data = chart_data.self_vs_appraised(rows(workspace), group)
        drawn = dict(panel.charts.chart_numbers())
        # bottom-up in the chart: the first-ranked agency is drawn last (at the top)
        assert drawn["Tự đánh giá"] == [Decimal(str(float(s))) for _, s, _ in reversed(data)]
        assert drawn["Thẩm định"] == [Decimal(str(float(a))) for _, _, a in reversed(data)]
        axis = next(a for a in panel.charts.view.chart().axes() if isinstance(a, QBarCategoryAxis))
        assert axis.categories()[-1] == charts._short(data[0][0], 34)
        # every agency gets a row high enough for its label
        assert panel.charts.view.minimumHeight() >= charts.ROW_HEIGHT * len(data)
    panel.set_group(1)
    panel.grab().save(str(SCREENSHOTS / "ranking-chart-self.png"))


def test_area_averages_are_percentages_of_the_maximum(panel, workspace) -> None:
    show(panel, CHART_AREAS)
    averages = chart_data.area_averages(workspace.db, workspace.year, rows(workspace))
    drawn = dict(panel.charts.chart_numbers())
    for group in (1, 2, 3):
        mine = [a for a in averages if a.group == group]
        assert drawn[f"Nhóm {group}"] == [Decimal(str(float(a.percent))) for a in mine]
    value_axis = next(a for a in panel.charts.view.chart().axes() if isinstance(a, QValueAxis))
    assert value_axis.max() >= 100
    panel.grab().save(str(SCREENSHOTS / "ranking-chart-areas.png"))


def test_rank_over_the_years(panel, workspace) -> None:
    show(panel, CHART_YEARS)
    history = chart_data.rank_history(workspace.db, rows(workspace), workspace.year)[1]
    drawn = dict(panel.charts.chart_numbers())
    assert len(drawn) == len(history)
    for name, line in history.items():
        assert drawn[charts._short(name, 28)] == [Decimal(r) for _, r in sorted(line)]
    y_axis = next(
        a for a in panel.charts.view.chart().axes() if isinstance(a, QValueAxis) and a.isReverse()
    )
    assert y_axis.min() < 1  # rank 1 at the top, inside the plot
    years = {y for line in history.values() for y, _ in line}
    assert years == {2019, 2020}  # the demo holds the published year 2019
    assert not panel.charts.note.isVisible()
    panel.grab().save(str(SCREENSHOTS / "ranking-chart-years.png"))


def test_the_charts_follow_a_new_ranking(panel, workspace) -> None:
    show(panel, CHART_CLASSES)
    before = panel.charts.chart_numbers()
    panel.reload()
    assert panel.charts.chart_numbers() == before


def test_save_chart_as_image(panel, monkeypatch, tmp_path) -> None:
    show(panel, CHART_CLASSES)
    target = tmp_path / "biểu đồ"
    monkeypatch.setattr(
        charts.QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(target), ""))
    )
    saved = panel.charts.save_image()
    assert saved == target.with_suffix(".png")
    image = QImage(str(saved))
    assert not image.isNull() and image.width() > 400
