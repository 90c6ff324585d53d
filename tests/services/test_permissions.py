"""Every role on every service that changes something: the roles the matrix allows succeed
(and leave an audit event), the others are refused with a message naming the role needed,
and the database is left exactly as it was. Table-driven on a copy of the demo database."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect as sa_inspect

from khit_desktop.domain.lateness import Channel
from khit_desktop.services import (
    accounts,
    appraisal,
    comments,
    council,
    explanations,
    form_exchange,
    form_versions,
    history,
    receipt_edits,
    receipts,
    round_decision,
    rounds,
    scores,
    surveys,
)
from khit_desktop.services.audit import Actor
from khit_desktop.services.permissions import (
    ACCOUNT_ROLES,
    GRANTS,
    Permission,
    PermissionDenied,
    Role,
    roles_allowed,
)
from khit_desktop.store.database import Database
from tests.services.test_form_exchange import fill

YEAR = 2020
ROLES = (*ACCOUNT_ROLES, Role.DEMO)
SYSTEM = Actor(user="he-thong", machine="test")
REASON = "Kiểm tra quyền (dữ liệu thử)."
SAMPLE_HISTORY = Path(__file__).resolve().parents[2] / "resources/samples/ket-qua-2019-mau.xlsx"

Call = Callable[[Database, Actor, Path], object]
Setup = Callable[[Database, Path], None]


@dataclass(frozen=True)
class Case:
    function: Callable[..., object]
    permission: Permission
    call: Call
    setup: Setup | None = None
    variant: str = ""  # one function, several permissions (the agency's figure, the appraisal)

    @property
    def name(self) -> str:
        return f"{self.function.__module__.rsplit('.', 1)[-1]}.{self.function.__name__}"

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


# ---- set-ups the cases need (run as the system, before the counts are taken) -----------------


def _accounts(db: Database, _: Path) -> None:
    accounts.create_first_admin(db, "quantri", "Quản trị", "mat-khau-quan-tri")
    accounts.create_user(db, "an", "Nguyễn Văn An", Role.CLERK, "mat-khau-can-bo", actor=SYSTEM)


def _round_2021(db: Database, _: Path) -> None:
    """Round 2021 (no scores yet) and a second criteria set for it to switch to."""
    rounds.create_round(db, 2021, copy_from=YEAR, actor=SYSTEM)
    tree = form_versions.tree_of(db, 1)
    form_versions.add_form_version(db, tree, name="Bộ năm 2021", actor=SYSTEM)


def _use_newest(db: Database, actor: Actor, _: Path) -> None:
    newest = max(f.id for f in form_versions.list_forms(db))
    form_versions.use_form(db, 2021, 1, newest, actor=actor)


def _criteria_file(db: Database, tmp: Path) -> None:
    form_versions.export_criteria_file(db, 1, tmp / "bo-tieu-chi.xlsx")


def _filled_form(db: Database, tmp: Path) -> None:
    (path,) = form_exchange.write_blank_forms(db, YEAR, tmp / "phieu", agency="KS")
    fill(path, figures={}, points={"1.8": 10}, general={"CB": 50, "MT": 45})


def _filled(tmp: Path) -> Path:
    (path,) = (tmp / "phieu").glob("*.xlsx")
    return path


def _moved_appraisal(db: Database, _: Path) -> None:
    appraisal.set_appraised_points(db, YEAR, "STP", "1.8", Decimal(7), reason=REASON, actor=SYSTEM)


def _restore(db: Database, actor: Actor, _: Path) -> None:
    state = appraisal.AppraisalState(None, Decimal(12), REASON, "cross_check")
    appraisal.restore_appraisal(db, YEAR, "STP", "1.8", state, reason="Hoàn tác", actor=actor)


def _update_receipt(db: Database, actor: Actor, _: Path) -> None:
    data = receipts.ReceiptInput(Channel.HAND, date(2020, 11, 4), None, "734/BDT-VP", "đã sửa")
    receipt_edits.update_receipt(db, 1, data, reason=REASON, actor=actor)


def _rules(db: Database, actor: Actor, _: Path) -> None:
    rules = rounds.round_rules(db, YEAR)
    rounds.update_rules(
        db, YEAR, replace(rules, grace_days=rules.grace_days + 1), reason=REASON, actor=actor
    )


def _history(db: Database, actor: Actor, _: Path) -> None:
    book = history.read_history(SAMPLE_HISTORY)
    history.import_history(db, 2018, book, create_missing=True, actor=actor)


CASES = [
    # Quản trị
    Case(rounds.create_round, Permission.CREATE_ROUND,
         lambda db, a, _: rounds.create_round(db, 2022, actor=a)),
    Case(rounds.update_rules, Permission.EDIT_RULES, _rules),
    Case(form_versions.add_form_version, Permission.MANAGE_CRITERIA,
         lambda db, a, _: form_versions.add_form_version(
             db, form_versions.tree_of(db, 1), name="Bộ thử quyền", actor=a)),
    Case(form_versions.import_criteria_file, Permission.MANAGE_CRITERIA,
         lambda db, a, tmp: form_versions.import_criteria_file(
             db, tmp / "bo-tieu-chi.xlsx", name="Bộ nhập thử", actor=a), _criteria_file),
    Case(form_versions.use_form, Permission.MANAGE_CRITERIA, _use_newest, _round_2021),
    Case(accounts.create_user, Permission.MANAGE_USERS,
         lambda db, a, _: accounts.create_user(
             db, "binh", "Trần Bình", Role.MEMBER, "mat-khau-binh", actor=a), _accounts),
    Case(accounts.reset_password, Permission.MANAGE_USERS,
         lambda db, a, _: accounts.reset_password(db, "an", "mat-khau-moi-1", actor=a), _accounts),
    Case(accounts.set_role, Permission.MANAGE_USERS,
         lambda db, a, _: accounts.set_role(db, "an", Role.CHAIR, actor=a), _accounts),
    Case(accounts.set_active, Permission.MANAGE_USERS,
         lambda db, a, _: accounts.set_active(db, "an", False, actor=a), _accounts),
    Case(accounts.set_display_name, Permission.MANAGE_USERS,
         lambda db, a, _: accounts.set_display_name(db, "an", "Nguyễn An", actor=a), _accounts),
    # Cán bộ Tổ giúp việc
    Case(receipts.add_receipt, Permission.RECEIPTS,
         lambda db, a, _: receipts.add_receipt(
             db, YEAR, "KS", Channel.POST, date(2020, 11, 12), doc_number="1/KS", actor=a)),
    Case(receipts.add_receipt_input, Permission.RECEIPTS,
         lambda db, a, _: receipts.add_receipt_input(
             db, YEAR, "KS", receipts.ReceiptInput(Channel.EMAIL, date(2020, 11, 13)), actor=a)),
    Case(receipt_edits.update_receipt, Permission.RECEIPTS, _update_receipt),
    Case(receipt_edits.invalidate_receipt, Permission.RECEIPTS,
         lambda db, a, _: receipt_edits.invalidate_receipt(db, 1, REASON, actor=a)),
    Case(receipt_edits.set_exempt, Permission.RECEIPTS,
         lambda db, a, _: receipt_edits.set_exempt(db, YEAR, "STP", REASON, actor=a)),
    Case(scores.set_self_score, Permission.IMPORT_FORMS,
         lambda db, a, _: scores.set_self_score(
             db, YEAR, "STP", "1.8", answer={"points": "12"}, actor=a)),
    Case(scores.set_appraised_score, Permission.EDIT_SCORES,
         lambda db, a, _: scores.set_appraised_score(
             db, YEAR, "STP", "1.8", points_value=Decimal(11), reason=REASON, actor=a)),
    Case(appraisal.set_appraised_points, Permission.EDIT_SCORES,
         lambda db, a, _: appraisal.set_appraised_points(
             db, YEAR, "STP", "1.8", Decimal(9), reason=REASON, actor=a)),
    Case(appraisal.restore_appraisal, Permission.EDIT_SCORES, _restore, _moved_appraisal),
    Case(appraisal.set_done, Permission.EDIT_SCORES,
         lambda db, a, _: appraisal.set_done(db, YEAR, "STP", True, actor=a)),
    Case(appraisal.set_general_value, Permission.EDIT_SCORES,
         lambda db, a, _: appraisal.set_general_value(
             db, YEAR, "STP", "CB", Decimal(1000), appraised=True, reason=REASON, actor=a),
         variant="appraised"),
    Case(appraisal.set_general_value, Permission.IMPORT_FORMS,
         lambda db, a, _: appraisal.set_general_value(
             db, YEAR, "STP", "CB", Decimal(1000), appraised=False, actor=a),
         variant="self"),
    Case(appraisal.add_cross_check, Permission.EDIT_SCORES,
         lambda db, a, _: appraisal.add_cross_check(
             db, YEAR, "STP", "3.3", source_agency="Sở Nội vụ", figure="61", actor=a)),
    Case(form_exchange.import_filled_form, Permission.IMPORT_FORMS,
         lambda db, a, tmp: form_exchange.import_filled_form(db, YEAR, _filled(tmp), actor=a),
         _filled_form),
    Case(form_exchange.import_paths, Permission.IMPORT_FORMS,
         lambda db, a, tmp: form_exchange.import_paths(db, YEAR, [tmp / "phieu"], actor=a),
         _filled_form),
    Case(surveys.plan_survey, Permission.SURVEYS,
         lambda db, a, _: surveys.plan_survey(
             db, YEAR, "NH", date(2020, 12, 10), member_ids=[1, 8], criteria=["3.8"], actor=a)),
    Case(surveys.record_survey, Permission.SURVEYS,
         lambda db, a, _: surveys.record_survey(
             db, 2, visit_date=date(2020, 12, 8),
             findings=[surveys.FindingInput("1.3", "Có văn bản", "", Decimal(30))],
             today=date(2020, 12, 31), actor=a)),
    Case(surveys.apply_finding, Permission.SURVEYS,
         lambda db, a, _: surveys.apply_finding(db, 2, actor=a)),
    Case(surveys.dismiss_finding, Permission.SURVEYS,
         lambda db, a, _: surveys.dismiss_finding(db, 2, REASON, actor=a)),
    Case(explanations.request_explanation, Permission.EXPLANATIONS,
         lambda db, a, _: explanations.request_explanation(
             db, YEAR, "STP", criteria=["3.5"], letter_number="9/STTTT",
             letter_date=date(2020, 12, 4), actor=a)),
    Case(explanations.record_answer, Permission.EXPLANATIONS,
         lambda db, a, _: explanations.record_answer(
             db, 1, answer="Đã bổ sung số liệu.", answer_date=date(2020, 12, 10), actor=a)),
    Case(council.add_member, Permission.ROSTER,
         lambda db, a, _: council.add_member(db, YEAR, role="member", name="Lý Văn Sơn", actor=a)),
    Case(council.remove_member, Permission.ROSTER,
         lambda db, a, _: council.remove_member(db, 9, actor=a)),
    Case(round_decision.set_decision, Permission.SET_DECISION,
         lambda db, a, _: round_decision.set_decision(
             db, YEAR, round_decision.DecisionInfo("3456", date(2021, 1, 15)), actor=a)),
    Case(history.import_history, Permission.IMPORT_HISTORY, _history),
    Case(explanations.record_decision, Permission.COUNCIL_DECISIONS,
         lambda db, a, _: explanations.record_decision(
             db, YEAR, "STP", "1.8", meeting_date=date(2020, 12, 22),
             decision="Hội đồng thống nhất.", points_value=Decimal(15), actor=a)),
    # Thành viên, Chủ tịch Hội đồng
    Case(comments.add_comment, Permission.COMMENT,
         lambda db, a, _: comments.add_comment(
             db, YEAR, "STP", "Đề nghị xem lại tiêu chí 1.8.", criterion_code="1.8", actor=a)),
]  # fmt: skip

# Take an actor but change nothing themselves (their callers are checked above), or build
# the demo as the system.
NOT_ACTIONS = {"scores.open_sheet", "attachments.add_attachment"}
CHECKED_MODULES = (
    accounts, appraisal, comments, council, explanations, form_exchange, form_versions,
    history, receipt_edits, receipts, round_decision, rounds, scores, surveys,
)  # fmt: skip


def _digest(db: Database) -> tuple[dict[str, int], str]:
    """Row counts of every table and a digest of every row: 'unchanged' means unchanged."""
    with db.engine.connect() as conn:
        tables = sorted(sa_inspect(conn).get_table_names())
        counts = {t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar() for t in tables}
        digest = hashlib.sha256()
        for t in tables:
            for row in conn.exec_driver_sql(f'SELECT * FROM "{t}" ORDER BY 1'):
                digest.update(repr(tuple(row)).encode())
        conn.rollback()
    return counts, digest.hexdigest()


def test_every_action_with_an_actor_is_in_the_table() -> None:
    found = {
        f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
        for module in CHECKED_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and "actor" in inspect.signature(function).parameters
    }
    assert found - NOT_ACTIONS == {case.name for case in CASES}


def test_every_permission_of_the_table_is_granted_to_some_account_role() -> None:
    for case in CASES:
        assert roles_allowed(case.permission), case.name


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_role_on_service(
    demo_db: Database, tmp_path: Path, fast_hashing: None, case: Case, role: Role
) -> None:
    if case.setup is not None:
        case.setup(demo_db, tmp_path)
    actor = Actor(user=f"thu-{role.value}", machine="test", role=role)
    before = _digest(demo_db)
    if case.permission in GRANTS[role]:
        case.call(demo_db, actor, tmp_path)
        counts, _ = _digest(demo_db)
        assert counts["audit_event"] > before[0]["audit_event"]  # it did something, audited
        return
    with pytest.raises(PermissionDenied) as refused:
        case.call(demo_db, actor, tmp_path)
    message = str(refused.value)
    assert f"thu-{role.value} ({role.label})" in message
    assert case.permission.value in message
    needed = roles_allowed(case.permission)
    assert message.endswith(f"cần vai trò {' hoặc '.join(r.label for r in needed)}.")
    assert _digest(demo_db) == before
    assert not any(tmp_path.glob("*.tep-dinh-kem/*/*"))  # no attachment copied either


def test_the_system_actor_may_do_everything() -> None:
    assert GRANTS[Role.SYSTEM] == frozenset(Permission)
    assert Actor().role is Role.SYSTEM
