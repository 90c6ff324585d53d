"""The register's table model and filter proxy, without the window."""

from __future__ import annotations

from datetime import date

import pytest

from khit_desktop.domain.lateness import Channel, LatenessStatus, Receipt, decide_lateness
from khit_desktop.domain.rules import RoundRules
from khit_desktop.services.receipts import ReceiptView, RegisterLine
from khit_desktop.ui.receipts.agency_picker import AgencyChoice, AgencyListModel
from khit_desktop.ui.receipts.register_model import (
    COL_AGENCY,
    COL_SENT,
    COL_STATUS,
    RegisterFilterProxy,
    RegisterTableModel,
)

RULES = RoundRules.defaults(2020)


def line(code: str, name: str, group: int, sent: date | None) -> RegisterLine:
    receipts = [Receipt(Channel.POST, sent, None, True, "", 1)] if sent else []
    decision = decide_lateness(RULES, receipts, as_of=date(2021, 1, 1))
    views = tuple(
        ReceiptView(1, Channel.POST, r.sent_date, None, "", True, "", True) for r in receipts
    )
    return RegisterLine(code, name, group, views, decision, f"Nhóm {group}")


LINES = [
    line("STC", "Sở Tài chính", 1, date(2020, 11, 10)),
    line("STP", "Sở Tư pháp", 1, date(2020, 11, 20)),
    line("SDL", "Sở Du lịch", 1, date(2020, 11, 24)),
    line("DH", "UBND huyện Đông Hòa", 2, None),
    line("DK", "UBND huyện Diên Khánh", 2, date(2020, 11, 2)),
]


@pytest.fixture
def proxy(qtmodeltester) -> RegisterFilterProxy:
    model = RegisterTableModel()
    model.set_lines(LINES)
    qtmodeltester.check(model)
    proxy = RegisterFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    return proxy


def names(proxy: RegisterFilterProxy) -> list[str]:
    return [proxy.index(r, COL_AGENCY).data() for r in range(proxy.rowCount())]


def test_search_ignores_diacritics_and_case(proxy: RegisterFilterProxy) -> None:
    proxy.set_search("so tai chinh")
    assert names(proxy) == ["Sở Tài chính"]
    proxy.set_search("dong")
    assert names(proxy) == ["UBND huyện Đông Hòa"]
    proxy.set_search("ĐÔNG hoa")
    assert names(proxy) == ["UBND huyện Đông Hòa"]
    proxy.set_search("stp")  # by code too
    assert names(proxy) == ["Sở Tư pháp"]
    proxy.set_search("")
    assert len(names(proxy)) == 5


def test_filters_by_group_and_status(proxy: RegisterFilterProxy) -> None:
    proxy.set_group(2)
    assert set(names(proxy)) == {"UBND huyện Đông Hòa", "UBND huyện Diên Khánh"}
    proxy.set_status(LatenessStatus.MISSING)
    assert names(proxy) == ["UBND huyện Đông Hòa"]
    proxy.set_group(None)
    proxy.set_status(LatenessStatus.LATE)
    assert names(proxy) == ["Sở Tư pháp"]


def test_sorting_by_name_is_vietnamese(proxy: RegisterFilterProxy) -> None:
    proxy.sort(COL_AGENCY)
    assert names(proxy) == [
        "Sở Du lịch",
        "Sở Tài chính",
        "Sở Tư pháp",
        "UBND huyện Diên Khánh",
        "UBND huyện Đông Hòa",
    ]


def test_sorting_by_sent_date_puts_missing_last(proxy: RegisterFilterProxy) -> None:
    proxy.sort(COL_SENT)
    assert names(proxy)[0] == "UBND huyện Diên Khánh"
    assert names(proxy)[-1] == "UBND huyện Đông Hòa"


def test_status_cell_has_text_and_colour(proxy: RegisterFilterProxy) -> None:
    from PySide6.QtCore import Qt

    proxy.set_search("tu phap")
    index = proxy.index(0, COL_STATUS)
    assert index.data() == "Trễ ≤ 5 ngày (−100 điểm)"
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "Điều 8.3" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_agency_list_model(qtmodeltester) -> None:
    model = AgencyListModel([AgencyChoice("STP", "Sở Tư pháp", 1)])
    qtmodeltester.check(model)
