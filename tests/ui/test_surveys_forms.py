"""The survey and council dialogs' logic without widgets, and their table models."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from khit_desktop.services import council, explanations, surveys
from khit_desktop.services.surveys import FindingView
from khit_desktop.ui.surveys.check_list import CheckItem, CheckListModel
from khit_desktop.ui.surveys.council_forms import (
    AnswerForm,
    DecisionForm,
    MemberForm,
    RequestForm,
)
from khit_desktop.ui.surveys.council_models import (
    D_POINTS,
    E_LETTER,
    E_STATE,
    DecisionTableModel,
    ExplanationTableModel,
    RosterTableModel,
)
from khit_desktop.ui.surveys.form_checks import read_date, read_points
from khit_desktop.ui.surveys.survey_forms import (
    FIELD_FINDINGS,
    FIELD_VISIT,
    FindingLine,
    FindingsForm,
    PlanForm,
    findings_form,
    line_key,
)
from khit_desktop.ui.surveys.survey_model import (
    COL_STATE,
    COL_TEAM,
    COL_VISIT,
    F_PROPOSED,
    F_STATE,
    FindingTableModel,
    SurveyTableModel,
    finding_state_text,
)
from khit_desktop.ui.surveys.table_base import KeyedSortProxy

TODAY = date(2020, 12, 10)


# -- field checks ----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [("12,5", "12.50"), ("12.5", "12.50"), (" 4 ", "4.00")])
def test_points_read_with_comma_or_dot(text: str, value: str) -> None:
    errors: dict[str, str] = {}
    assert read_points(text, "p", Decimal(30), errors, required=True) == Decimal(value)
    assert errors == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Nhập số điểm (từ 0 đến 30,00"),
        ("abc", "không phải là số hợp lệ"),
        ("31", "Điểm 31,00 ngoài khoảng 0 đến 30,00"),
        ("-1", "ngoài khoảng"),
        ("2,555", "tối đa 2 chữ số thập phân"),
    ],
)
def test_bad_points_say_why(text: str, message: str) -> None:
    errors: dict[str, str] = {}
    assert read_points(text, "p", Decimal(30), errors, required=True) is None
    assert message in errors["p"]


def test_dates_typed_dd_mm_yyyy_within_the_round_and_not_in_the_future() -> None:
    errors: dict[str, str] = {}
    assert read_date("9/12/2020", "d", "ngày khảo sát", errors, year=2020, today=TODAY) == date(
        2020, 12, 9
    )
    for text, message in (
        ("", "Nhập ngày khảo sát (dd/MM/yyyy)."),
        ("31/11/2020", "không có thật"),
        ("2020-12-01", "dd/MM/yyyy"),
        ("11/12/2020", "Ngày khảo sát 11/12/2020 ở sau ngày hôm nay (10/12/2020)."),
        ("30/12/2019", "trước năm 2020"),
    ):
        errors = {}
        assert read_date(text, "d", "ngày khảo sát", errors, year=2020, today=TODAY) is None
        assert message in errors["d"], text


# -- plan and findings forms -----------------------------------------------------------------
def test_plan_form_names_every_missing_field() -> None:
    state = PlanForm(2020).check()
    assert set(state.errors) == {"agency", "date", "members", "criteria"}
    assert not state.valid
    good = PlanForm(2020, "SNV", "14/12/2020", [3, 1], ["1.3"]).check()
    assert good.valid and good.data is not None
    assert good.data.planned_date == date(2020, 12, 14) and good.data.member_ids == [3, 1]


def _findings(*lines: FindingLine) -> FindingsForm:
    return FindingsForm(2020, list(lines), visit_text="09/12/2020")


def test_findings_form_reads_lines_and_skips_blank_ones() -> None:
    form = _findings(
        FindingLine("1.3", "Kết nối mạng", Decimal(30), "Đã kết nối", "1 đường", "12,5"),
        FindingLine("3.3", "Hồ sơ trực tuyến", Decimal(50)),
    )
    state = form.check(TODAY)
    assert state.valid and state.data is not None
    (finding,) = state.data.findings
    assert finding.code == "1.3" and finding.proposed_points == Decimal("12.50")
    assert finding.figure == "1 đường"


def test_findings_form_errors_are_per_line() -> None:
    form = _findings(
        FindingLine("1.3", "Kết nối mạng", Decimal(30), "", "", "45"),
        FindingLine("3.3", "Hồ sơ", Decimal(50), "", "", "", recorded=True),
        FindingLine("3.8", "CSDL", Decimal(20), "x", "", "", locked="đã áp dụng"),
    )
    form.visit_text = "11/12/2020"
    state = form.check(TODAY)
    assert "Ghi điều đoàn khảo sát ghi nhận." in state.errors[line_key("1.3")]
    assert "ngoài khoảng 0 đến 30,00" in state.errors[line_key("1.3")]
    assert line_key("3.3") not in state.errors  # emptied: to be deleted, said as a note
    assert "sẽ bị xóa" in state.notes[line_key("3.3")]
    assert line_key("3.8") not in state.errors  # applied: read-only, never sent again
    assert "sau ngày hôm nay" in state.errors[FIELD_VISIT]


def test_dismissed_findings_kept_unless_corrected() -> None:
    recorded = ("CSDL thứ 3 chưa dùng", "2", "10,00")
    line = FindingLine("3.8", "CSDL", Decimal(20), *recorded, recorded=True)
    line.dismissed, line.original = "Hội đồng giữ điểm", recorded
    state = _findings(line).check(TODAY)
    assert state.data.keep_dismissed == {"3.8": "Hội đồng giữ điểm"}
    line.points_text = "12"
    state = _findings(line).check(TODAY)
    assert state.data.keep_dismissed == {}
    assert "“chờ áp dụng”" in state.notes[line_key("3.8")]


def test_findings_form_needs_one_finding_and_existing_files(tmp_path: Path) -> None:
    form = _findings(FindingLine("1.3", "Kết nối mạng", Decimal(30)))
    assert FIELD_FINDINGS in form.check(TODAY).errors
    form.lines[0].seen = "Có kết nối"
    form.attachments = [tmp_path / "không có.pdf"]
    assert "không có.pdf" in form.check(TODAY).errors["attachments"]


def test_findings_form_of_the_demo_survey(workspace) -> None:
    view = surveys.list_surveys(workspace.db, 2020)[0]
    leaves = {"1.6.1": ("Có phòng máy chủ riêng", Decimal(20))}
    form = findings_form(view, leaves)
    assert [line.code for line in form.lines] == ["1.6.1", "1.6.2", "3.8"]
    assert form.line("1.6.2").locked and form.line("3.8").points_text == "10,00"
    assert form.visit_text == "03/12/2020" and form.remarks.startswith("Đơn vị bố trí")


# -- council forms ---------------------------------------------------------------------------
def test_request_answer_decision_and_member_forms() -> None:
    request = RequestForm(2020, "STC", ["3.3"], "", "02/12/2020").check(date(2020, 12, 1))
    assert set(request.errors) == {"number", "date"}
    answer = AnswerForm(date(2020, 11, 30), "Đã giải trình", "29/11/2020").check(TODAY)
    assert "trước ngày văn bản đề nghị 30/11/2020" in answer.errors["date"]
    assert AnswerForm(date(2020, 11, 30), "Đã giải trình", "01/12/2020").check(TODAY).valid
    decision = DecisionForm(2020, "SNV", "1.3", Decimal(30), "01/12/2020", "Giữ", "30,5")
    assert "ngoài khoảng 0 đến 30,00" in decision.check(TODAY).errors["points"]
    decision.points_text = "12,5"
    assert decision.check(TODAY).data.points == Decimal("12.50")
    assert "đã có Chủ tịch" in MemberForm("chair", "A", has_chair=True).check().errors["role"]
    assert MemberForm("clerk", "  Trần Thị Bích ").check().data.name == "Trần Thị Bích"


# -- models ----------------------------------------------------------------------------------
def test_models_pass_the_model_tester(qtmodeltester, workspace) -> None:
    views = surveys.list_surveys(workspace.db, 2020)
    survey_model = SurveyTableModel()
    survey_model.set_rows(views)
    qtmodeltester.check(survey_model)
    proxy = KeyedSortProxy()
    proxy.setSourceModel(survey_model)
    proxy.sort(COL_VISIT, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    findings = FindingTableModel()
    findings.set_rows(list(views[0].findings))
    qtmodeltester.check(findings)
    asked = ExplanationTableModel()
    asked.set_rows(explanations.explanations(workspace.db, 2020))
    qtmodeltester.check(asked)
    decided = DecisionTableModel()
    decided.set_rows(explanations.decisions(workspace.db, 2020))
    qtmodeltester.check(decided)
    roster = RosterTableModel()
    roster.set_rows(council.roster(workspace.db, 2020))
    qtmodeltester.check(roster)
    ticks = CheckListModel()
    ticks.set_items([CheckItem(1, "Một"), CheckItem(2, "Hai")], checked=[2])
    qtmodeltester.check(ticks)
    for model in (SurveyTableModel(), FindingTableModel(), CheckListModel()):
        qtmodeltester.check(model)


def test_survey_and_finding_rows_read_as_a_clerk_reads_them(workspace) -> None:
    done, planned = surveys.list_surveys(workspace.db, 2020)
    model = SurveyTableModel()
    model.set_rows([done, planned])
    assert model.index(0, COL_TEAM).data() == "Trần Minh Quang, Hoàng Văn Long, Bùi Thị Lan"
    assert model.index(1, COL_VISIT).data() == "—"
    assert model.index(1, COL_STATE).data() == "Đã lên kế hoạch"
    assert model.index(0, COL_STATE).data(Qt.ItemDataRole.BackgroundRole).name() == "#ffeb9c"
    findings = FindingTableModel()
    findings.set_rows(list(done.findings))
    assert findings.index(1, F_PROPOSED).data() == "10,00"
    assert findings.index(0, F_STATE).data() == "đã áp dụng"
    assert findings.index(1, F_STATE).data() == "chờ áp dụng"
    dismissed = FindingView(9, "3.8", "CSDL", Decimal(20), "x", "", None, False, "Hội đồng giữ")
    assert finding_state_text(dismissed) == "không áp dụng: Hội đồng giữ"


def test_explanation_and_decision_rows(workspace) -> None:
    asked = ExplanationTableModel()
    asked.set_context({"CR": "UBND thành phố Cam Ranh"})
    asked.set_rows(explanations.explanations(workspace.db, 2020))
    assert asked.index(0, E_LETTER).data() == "1520/STTTT-CNTT ngày 30/11/2020"
    assert asked.index(0, E_STATE).data() == "đang chờ giải trình"
    assert asked.index(1, E_STATE).data() == "đã giải trình ngày 07/12/2020"
    decided = DecisionTableModel()
    decided.set_rows(explanations.decisions(workspace.db, 2020))
    assert decided.index(0, D_POINTS).data() == "24,00"
