"""Council members' comments (ý kiến): kept with their author, audited, never on a finalised
round, and refusals write nothing."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable

import pytest
from sqlalchemy import select

from khit_desktop.services import accounts, comments
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused, NotFound
from khit_desktop.services.permissions import PermissionDenied, Role
from khit_desktop.store.database import Database
from khit_desktop.store.models import AuditEvent

MEMBER = Actor(user="ha", machine="may-2", role=Role.MEMBER)
TEXT = "Đề nghị Tổ giúp việc kiểm tra lại số máy tính kết nối mạng."


def test_comments_are_listed_with_their_author(demo_db: Database, fast_hashing: None) -> None:
    admin = accounts.create_first_admin(demo_db, "quantri", "Quản trị", "mat-khau-quan-tri")
    accounts.create_user(
        demo_db, "ha", "Nguyễn Thị Thu Hà", Role.MEMBER, "mat-khau-ha", actor=admin
    )
    first = comments.add_comment(
        demo_db, 2020, "STP", unicodedata.normalize("NFD", f"  {TEXT} "), criterion_code="3.3",
        actor=MEMBER,
    )  # fmt: skip
    chair = Actor(user="quang", machine="may-3", role=Role.CHAIR)
    second = comments.add_comment(demo_db, 2020, "CR", "Đồng ý với đề xuất.", actor=chair)
    lines = comments.comments(demo_db, 2020)
    assert [(c.id, c.agency_code, c.criterion_code, c.author, c.author_name) for c in lines] == [
        (first, "STP", "3.3", "ha", "Nguyễn Thị Thu Hà"),
        (second, "CR", None, "quang", "quang"),  # no account by that name: the name as is
    ]
    assert lines[0].text == TEXT and lines[0].agency_name
    assert [c.id for c in comments.comments(demo_db, 2020, "CR")] == [second]
    with demo_db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)).all()[-1]
        assert (event.action, event.entity, event.entity_id, event.user) == (
            "comment.add", "comment", first, "ha",
        )  # fmt: skip
        assert json.loads(event.new_json or "{}") == {
            "agency": "STP", "criterion": "3.3", "text": TEXT,
        }  # fmt: skip


@pytest.mark.parametrize(
    ("year", "code", "text", "criterion", "error", "match"),
    [
        (2020, "STP", "   ", None, InputRefused, "Cần ghi nội dung"),
        (2020, "STP", "x" * 4001, None, InputRefused, "dài quá"),
        (2020, "STP", TEXT, "9.9", NotFound, "không có tiêu chí mã '9.9'"),
        (2020, "KHONG-CO", TEXT, None, NotFound, "KHONG-CO"),
        (2019, "STP", TEXT, None, InputRefused, "đã chốt"),  # the published year is final
        (2031, "STP", TEXT, None, NotFound, "2031"),
    ],
)
def test_refusals_write_nothing(
    demo_db: Database,
    counts: Callable[[Database], dict[str, int]],
    year: int,
    code: str,
    text: str,
    criterion: str | None,
    error: type[Exception],
    match: str,
) -> None:
    before = counts(demo_db)
    with pytest.raises(error, match=match):
        comments.add_comment(demo_db, year, code, text, criterion_code=criterion, actor=MEMBER)
    assert counts(demo_db) == before
    assert comments.comments(demo_db, 2020) == []


def test_a_clerk_may_not_comment(demo_db: Database) -> None:
    clerk = Actor(user="an", machine="may-1", role=Role.CLERK)
    with pytest.raises(PermissionDenied, match="Thành viên Hội đồng hoặc Chủ tịch Hội đồng"):
        comments.add_comment(demo_db, 2020, "STP", TEXT, actor=clerk)
