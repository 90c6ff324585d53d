"""Criteria sets as versions: adding one, listing them, choosing the one a round's group uses,
the freeze of a set that has scores, and the Excel round trip."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from khit_desktop.domain.criteria import Criterion, FormTree, GeneralField, Rule, RuleKind
from khit_desktop.domain.form_spec import form_checksum
from khit_desktop.services import form_versions, rounds
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused, NotFound
from khit_desktop.store.database import Database
from khit_desktop.store.errors import FormFrozenError
from khit_desktop.store.models import AuditEvent, CriterionRow, Form, Round, RoundGroup
from tests.db_state import db_state

SAMPLE_ID = 1
SAMPLE_NAME = "Bộ tiêu chí mẫu"
NEW_NAME = "Phiếu đánh giá năm 2021"


def with_max(tree: FormTree, changes: dict[str, Decimal]) -> FormTree:
    """``tree`` with new maxima for some codes (at any depth)."""

    def change(c: Criterion) -> Criterion:
        children = tuple(change(ch) for ch in c.children)
        return replace(c, max_points=changes.get(c.code, c.max_points), children=children)

    return FormTree(tuple(change(a) for a in tree.areas), tree.general)


def with_title(tree: FormTree, code: str, title: str) -> FormTree:
    def change(c: Criterion) -> Criterion:
        children = tuple(change(ch) for ch in c.children)
        return replace(c, title=title if c.code == code else c.title, children=children)

    return FormTree(tuple(change(a) for a in tree.areas), tree.general)


def state(db: Database) -> tuple[object, ...]:
    """What a refused call must leave alone: db_state, the forms and their criteria, the form
    of every group, the audit trail."""
    with db.session() as s:
        forms = s.execute(select(Form.id, Form.name, Form.version).order_by(Form.id)).all()
        criteria = s.execute(
            select(CriterionRow.id, CriterionRow.max_points).order_by(CriterionRow.id)
        ).all()
        groups = s.execute(select(RoundGroup.id, RoundGroup.form_id).order_by(RoundGroup.id)).all()
        audit = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    return db_state(db), forms, criteria, groups, audit


@pytest.fixture
def sample(catalog_db: Database) -> FormTree:
    return form_versions.tree_of(catalog_db, SAMPLE_ID)


# ---- add_form_version -----------------------------------------------------------------------


def test_an_unsound_tree_or_an_empty_name_is_refused(
    catalog_db: Database, sample: FormTree
) -> None:
    before = state(catalog_db)
    short = with_max(sample, {"1.1": Decimal(10)})  # area 1: children add up to 180 < 200
    with pytest.raises(InputRefused, match=r"Bộ tiêu chí có lỗi: .*Tiêu chí 1: tổng điểm"):
        form_versions.add_form_version(catalog_db, short, name=NEW_NAME)
    ratio = Criterion("1", "Một", Decimal(10), Rule(RuleKind.RATIO, denominator="CB"))
    no_datum = FormTree((ratio,), ())
    with pytest.raises(InputRefused, match="mẫu số 'CB'"):
        form_versions.add_form_version(catalog_db, no_datum, name=NEW_NAME)
    zero = with_max(sample, {"1.8": Decimal(0)})
    with pytest.raises(InputRefused, match="lớn hơn 0"):
        form_versions.add_form_version(catalog_db, zero, name=NEW_NAME)
    for name in ("", "   ", "\u00a0\t"):
        with pytest.raises(InputRefused, match="Cần đặt tên"):
            form_versions.add_form_version(catalog_db, sample, name=name)
    assert state(catalog_db) == before


def test_a_version_is_stored_only_when_the_checksum_differs(
    catalog_db: Database, sample: FormTree, actor: Actor
) -> None:
    # identical to the sample, under the sample's name: nothing stored
    before = state(catalog_db)
    assert form_versions.add_form_version(catalog_db, sample, name=SAMPLE_NAME) == (
        SAMPLE_ID,
        False,
    )
    assert state(catalog_db) == before

    first, created = form_versions.add_form_version(
        catalog_db, sample, name=NEW_NAME, year=2021, source="thử", actor=actor
    )
    assert created and first != SAMPLE_ID
    # same tree, same name (NFD, with spaces around): the same version
    same_name = "  " + unicodedata.normalize("NFD", NEW_NAME) + " "
    assert form_versions.add_form_version(catalog_db, sample, name=same_name) == (first, False)

    swapped = with_max(sample, {"1.1": Decimal(35), "1.2": Decimal(15)})
    assert form_checksum(swapped) != form_checksum(sample)
    second, created = form_versions.add_form_version(
        catalog_db, swapped, name=NEW_NAME, actor=actor
    )
    assert created and second not in (first, SAMPLE_ID)
    assert form_versions.add_form_version(catalog_db, swapped, name=NEW_NAME) == (second, False)
    # back to the first tree: it differs from the latest version, so it is a third version
    third, created = form_versions.add_form_version(catalog_db, sample, name=NEW_NAME)
    assert created

    with catalog_db.session() as s:
        stored = {f.id: (f.name, f.version, f.year) for f in s.scalars(select(Form))}
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "form.add").order_by(AuditEvent.id)
        ).all()
        assert [(e.user, e.entity, e.entity_id) for e in events[:2]] == [
            ("tester", "form", first),
            ("tester", "form", second),
        ]
        added = json.loads(events[1].new_json or "{}")
    assert stored[first] == (NEW_NAME, 1, 2021)
    assert stored[second][:2] == (NEW_NAME, 2) and stored[third][:2] == (NEW_NAME, 3)
    assert added["checksum"] == form_checksum(swapped) and added["version"] == 2
    assert form_versions.tree_of(catalog_db, second) == swapped


def test_a_reworded_set_is_a_new_version(catalog_db: Database, sample: FormTree) -> None:
    """The checksum covers the wording too: a published set whose titles changed is another
    version (and forms filled from the old wording are recognised as such)."""
    form_id, _ = form_versions.add_form_version(catalog_db, sample, name=NEW_NAME)
    reworded = with_title(sample, "1.1", "Tỷ lệ CBCCVC có máy tính (cách diễn đạt mới)")
    new_id, created = form_versions.add_form_version(catalog_db, reworded, name=NEW_NAME)
    assert created and new_id != form_id
    assert form_versions.tree_of(catalog_db, form_id).get("1.1").title == sample.get("1.1").title
    assert form_versions.tree_of(catalog_db, new_id).get("1.1").title.endswith("diễn đạt mới)")


# ---- list_forms -----------------------------------------------------------------------------


def test_list_forms_on_the_demo(demo_db: Database, actor: Actor) -> None:
    (only,) = form_versions.list_forms(demo_db)
    tree = form_versions.tree_of(demo_db, SAMPLE_ID)
    assert only.id == SAMPLE_ID and only.name == SAMPLE_NAME and only.version == 1
    assert only.is_sample and only.frozen and only.year is None
    assert only.used_by == ("2020 · Nhóm 1", "2020 · Nhóm 2", "2020 · Nhóm 3")
    assert only.max_points == "1000.00" and only.criteria == 50
    assert only.checksum == form_checksum(tree)

    new_id, _ = form_versions.add_form_version(
        demo_db, with_max(tree, {"1.1": Decimal(35), "1.2": Decimal(15)}), name=NEW_NAME, year=2021
    )
    rounds.create_round(demo_db, 2021, copy_from=2020, actor=actor)
    form_versions.use_form(demo_db, 2021, 3, new_id, actor=actor)
    listed = {f.id: f for f in form_versions.list_forms(demo_db)}
    assert listed[SAMPLE_ID].used_by == (
        "2020 · Nhóm 1",
        "2020 · Nhóm 2",
        "2020 · Nhóm 3",
        "2021 · Nhóm 1",
        "2021 · Nhóm 2",
    )
    new = listed[new_id]
    assert (new.name, new.version, new.year, new.is_sample, new.frozen) == (
        NEW_NAME,
        1,
        2021,
        False,
        False,
    )
    assert new.used_by == ("2021 · Nhóm 3",)


def test_list_forms_of_a_fresh_catalogue_is_not_frozen(catalog_db: Database) -> None:
    (only,) = form_versions.list_forms(catalog_db)
    assert only.is_sample and not only.frozen and only.used_by == ()


# ---- use_form -------------------------------------------------------------------------------


def test_use_form_is_refused_while_the_group_has_scores(demo_db: Database) -> None:
    tree = form_versions.tree_of(demo_db, SAMPLE_ID)
    new_id, _ = form_versions.add_form_version(
        demo_db, with_max(tree, {"1.1": Decimal(35), "1.2": Decimal(15)}), name=NEW_NAME
    )
    before = state(demo_db)
    for group in (1, 2, 3):
        with pytest.raises(InputRefused, match=f"Nhóm {group} năm 2020 đã có .* điểm chấm"):
            form_versions.use_form(demo_db, 2020, group, new_id)
    with pytest.raises(NotFound, match="không có nhóm 9"):
        form_versions.use_form(demo_db, 2020, 9, new_id)
    with pytest.raises(NotFound, match="Không có bộ tiêu chí số 999"):
        form_versions.use_form(demo_db, 2020, 1, 999)
    with pytest.raises(NotFound, match="Không có kỳ đánh giá năm 2031"):
        form_versions.use_form(demo_db, 2031, 1, new_id)
    assert state(demo_db) == before
    # the form the group already uses: accepted, nothing written
    form_versions.use_form(demo_db, 2020, 1, SAMPLE_ID)
    assert state(demo_db) == before


def test_use_form_without_scores_is_accepted_and_audited(demo_db: Database) -> None:
    actor = Actor(user="to-giup-viec", machine="may-1")
    tree = form_versions.tree_of(demo_db, SAMPLE_ID)
    new_id, _ = form_versions.add_form_version(
        demo_db, with_max(tree, {"1.1": Decimal(35), "1.2": Decimal(15)}), name=NEW_NAME
    )
    rounds.create_round(demo_db, 2021, copy_from=2020, actor=actor)  # no scores yet
    form_versions.use_form(demo_db, 2021, 1, new_id, actor=actor)
    with demo_db.session() as s:
        rnd = s.scalar(select(Round).where(Round.year == 2021))
        assert rnd is not None
        assert {g.number: g.form_id for g in rnd.groups} == {1: new_id, 2: SAMPLE_ID, 3: SAMPLE_ID}
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "round.form")).all()
        group_id = next(g.id for g in rnd.groups if g.number == 1)
    assert (event.user, event.machine, event.entity, event.entity_id, event.round_year) == (
        "to-giup-viec",
        "may-1",
        "round_group",
        group_id,
        2021,
    )
    assert json.loads(event.old_json or "{}") == {"group": 1, "form_id": SAMPLE_ID}
    assert json.loads(event.new_json or "{}") == {
        "group": 1,
        "form_id": new_id,
        "name": NEW_NAME,
        "version": 1,
    }
    # choosing it again writes nothing; switching back is another audited change
    before = state(demo_db)
    form_versions.use_form(demo_db, 2021, 1, new_id, actor=actor)
    assert state(demo_db) == before
    form_versions.use_form(demo_db, 2021, 1, SAMPLE_ID, actor=actor)
    with demo_db.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.round_year == 2021)).all()
    assert actions.count("round.form") == 2


def test_use_form_of_a_finalized_round_is_refused(round_db: Database) -> None:
    sample = form_versions.tree_of(round_db, SAMPLE_ID)
    new_id, _ = form_versions.add_form_version(
        round_db, with_max(sample, {"1.1": Decimal(35), "1.2": Decimal(15)}), name=NEW_NAME
    )
    with round_db.session() as s:
        rnd = s.scalar(select(Round).where(Round.year == 2020))
        assert rnd is not None
        rnd.state = "finalized"
    before = state(round_db)
    with pytest.raises(InputRefused, match="đã chốt"):
        form_versions.use_form(round_db, 2020, 1, new_id)
    assert state(round_db) == before


# ---- the freeze ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        lambda row, form: setattr(row, "max_points", Decimal(25)),
        lambda row, form: setattr(row, "title", "Sửa tiêu đề"),
        lambda row, form: setattr(row, "rule_json", json.dumps({"kind": "typed"})),
        lambda row, form: setattr(form, "name", "Đổi tên"),
    ],
    ids=["max_points", "title", "rule", "form-name"],
)
def test_editing_a_frozen_form_through_the_store_is_refused(
    demo_db: Database, edit: Callable[[CriterionRow, Form], None]
) -> None:
    before = state(demo_db)
    with pytest.raises(FormFrozenError, match="đã có điểm chấm"), demo_db.session() as s:
        row = s.scalar(
            select(CriterionRow).where(
                CriterionRow.form_id == SAMPLE_ID, CriterionRow.code == "1.1"
            )
        )
        form = s.get(Form, SAMPLE_ID)
        assert row is not None and form is not None
        edit(row, form)
    assert state(demo_db) == before
    assert form_versions.tree_of(demo_db, SAMPLE_ID).get("1.1").max_points == Decimal(30)


def test_adding_or_deleting_a_criterion_of_a_frozen_form_is_refused(demo_db: Database) -> None:
    before = state(demo_db)
    with pytest.raises(FormFrozenError), demo_db.session() as s:
        s.add(
            CriterionRow(
                form_id=SAMPLE_ID, code="6.8", position=999, title="Mới", max_points=Decimal(5),
                rule_json=json.dumps({"kind": "typed"}), evidence="", verifier="", input_label="",
            )
        )  # fmt: skip
    with pytest.raises(FormFrozenError), demo_db.session() as s:
        row = s.scalar(
            select(CriterionRow).where(
                CriterionRow.form_id == SAMPLE_ID, CriterionRow.code == "6.7"
            )
        )
        s.delete(row)
    assert state(demo_db) == before


def test_a_form_without_scores_can_still_be_edited(catalog_db: Database) -> None:
    with catalog_db.session() as s:
        row = s.scalar(
            select(CriterionRow).where(
                CriterionRow.form_id == SAMPLE_ID, CriterionRow.code == "1.8"
            )
        )
        assert row is not None
        row.title = "IPv6"
    assert form_versions.tree_of(catalog_db, SAMPLE_ID).get("1.8").title == "IPv6"


# ---- Excel both ways --------------------------------------------------------------------------


def test_export_then_import_gives_the_same_tree(demo_db: Database, tmp_path: Path) -> None:
    original = form_versions.tree_of(demo_db, SAMPLE_ID)
    path = form_versions.export_criteria_file(demo_db, SAMPLE_ID, tmp_path / "Bộ tiêu chí.xlsx")
    assert path.exists()
    title = load_workbook(path)["Tiêu chí"]["A1"].value
    assert title == "Bộ tiêu chí mẫu (phiên bản 1)"

    # under the sample's own name: identical to its latest version, nothing stored
    before = state(demo_db)
    form_id, created, preview = form_versions.import_criteria_file(demo_db, path, name=SAMPLE_NAME)
    assert (form_id, created) == (SAMPLE_ID, False) and preview.errors == []
    assert state(demo_db) == before

    form_id, created, preview = form_versions.import_criteria_file(
        demo_db, path, name="Khứ hồi", year=2021
    )
    assert created and form_id != SAMPLE_ID
    back = form_versions.tree_of(demo_db, form_id)
    assert form_checksum(back) == form_checksum(original)
    assert back == original  # titles, evidence, verifiers and labels too
    assert preview.total == original.max_points == Decimal(1000)
    assert back.general == (
        GeneralField("CB", "Tổng số cán bộ, công chức, viên chức của cơ quan"),
        GeneralField("MT", "Tổng số máy tính đang sử dụng"),
    )
    with demo_db.session() as s:
        stored = s.get(Form, form_id)
        assert stored is not None
        assert (stored.name, stored.version, stored.year, stored.is_sample) == (
            "Khứ hồi",
            1,
            2021,
            False,
        )
        assert stored.source == "Nhập từ tệp Bộ tiêu chí.xlsx"


def test_import_of_a_damaged_or_foreign_file_stores_nothing(
    demo_db: Database, tmp_path: Path
) -> None:
    path = form_versions.export_criteria_file(demo_db, SAMPLE_ID, tmp_path / "bo.xlsx")
    workbook = load_workbook(path)
    sheet = workbook["Tiêu chí"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=5) if r[0].value == "2.5")
    sheet.cell(row, 3).value = -5
    damaged = tmp_path / "bo-hong.xlsx"
    workbook.save(damaged)
    before = state(demo_db)
    with pytest.raises(InputRefused, match=rf"'bo-hong.xlsx' có lỗi, chưa lưu gì: Tiêu chí!C{row}"):
        form_versions.import_criteria_file(demo_db, damaged, name=NEW_NAME)
    legacy = tmp_path / "cu.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(InputRefused, match=r"\.xls"):
        form_versions.import_criteria_file(demo_db, legacy, name=NEW_NAME)
    with pytest.raises(InputRefused, match="Không tìm thấy tệp"):
        form_versions.preview_criteria_file(tmp_path / "khong-co.xlsx")
    assert state(demo_db) == before
    with pytest.raises(NotFound):
        form_versions.export_criteria_file(demo_db, 999, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
