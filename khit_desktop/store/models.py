"""SQLAlchemy models: rounds and their rules, groups, agencies, forms, receipts, scores, audit.

Scores are kept exact (``ExactDecimal``); self-assessed and appraised values are separate
columns of one row per (round, agency, criterion). The audit table is append-only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import ExactDecimal

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """Key/value facts about the database itself (e.g. ``demo`` = '1')."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class GroupCatalog(Base):
    """Nhóm (Điều 2): the default names of the groups; each round keeps its own copy."""

    __tablename__ = "group_catalog"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))


class Round(Base):
    """Kỳ đánh giá (one year) with its rules."""

    __tablename__ = "round"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    deadline: Mapped[date] = mapped_column(Date)
    grace_days: Mapped[int] = mapped_column(Integer, default=5)
    late_penalty: Mapped[Decimal] = mapped_column(ExactDecimal)
    threshold_good: Mapped[Decimal] = mapped_column(ExactDecimal)
    threshold_fair: Mapped[Decimal] = mapped_column(ExactDecimal)
    threshold_average: Mapped[Decimal] = mapped_column(ExactDecimal)
    shift_to_working_day: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(20), default="receiving")
    # "appraised": the council's work in this program; "published": results the province
    # already published, imported from a sheet (PublishedResult rows, no forms or scores)
    kind: Mapped[str] = mapped_column(String(20), default="appraised", server_default="appraised")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # the chairman's decision the annex is attached to: blank until it is numbered at signing
    decision_number: Mapped[str] = mapped_column(String(60), default="", server_default="")
    decision_date: Mapped[date | None] = mapped_column(Date)
    signer_title: Mapped[str] = mapped_column(String(120), default="", server_default="")
    signer_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # set when the chair finalises (state "finalized"); a reopening is an audit event
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime)
    finalized_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # optimistic concurrency (issue 9): +1 on every UPDATE; a stale one refuses the save
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    holidays: Mapped[list[RoundHoliday]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundHoliday.day"
    )
    groups: Mapped[list[RoundGroup]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundGroup.number"
    )
    members: Mapped[list[RoundAgency]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )


class RoundHoliday(Base):
    """Ngày nghỉ lễ/nghỉ bù that the working-day rule skips."""

    __tablename__ = "round_holiday"
    __table_args__ = (UniqueConstraint("round_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    round: Mapped[Round] = relationship(back_populates="holidays")


class RoundGroup(Base):
    """A group as it stands in one round, with the form its agencies use."""

    __tablename__ = "round_group"
    __table_args__ = (UniqueConstraint("round_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    form_id: Mapped[int | None] = mapped_column(ForeignKey("form.id"))
    round: Mapped[Round] = relationship(back_populates="groups")
    form: Mapped[Form | None] = relationship()


class Agency(Base):
    """Cơ quan, đơn vị: the code stays across renames; names per year live on RoundAgency."""

    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    default_group: Mapped[int] = mapped_column(ForeignKey("group_catalog.number"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class RoundAgency(Base):
    """Membership of an agency in one round: its name and group that year."""

    __tablename__ = "round_agency"
    __table_args__ = (UniqueConstraint("round_id", "agency_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("round_group.id"))
    name: Mapped[str] = mapped_column(String(300))
    exempt_reason: Mapped[str | None] = mapped_column(Text)
    appraisal_done: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # optimistic concurrency (issue 9): +1 on every UPDATE; a stale one refuses the save
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    round: Mapped[Round] = relationship(back_populates="members")
    agency: Mapped[Agency] = relationship()
    group: Mapped[RoundGroup] = relationship()


class Form(Base):
    """Phiếu đánh giá: a versioned criteria set."""

    __tablename__ = "form"
    __table_args__ = (UniqueConstraint("name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)
    year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    general_json: Mapped[str | None] = mapped_column(Text)  # số liệu chung: [{code, label}]
    criteria: Mapped[list[CriterionRow]] = relationship(
        back_populates="form", cascade="all, delete-orphan", order_by="CriterionRow.position"
    )


class CriterionRow(Base):
    """Tiêu chí of a form; ``rule_json`` is None for a parent."""

    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("form_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("criterion.id"))
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    max_points: Mapped[Decimal] = mapped_column(ExactDecimal)
    rule_json: Mapped[str | None] = mapped_column(Text)
    gate_code: Mapped[str | None] = mapped_column(String(40))
    evidence: Mapped[str] = mapped_column(Text, default="")
    verifier: Mapped[str] = mapped_column(Text, default="")
    input_label: Mapped[str] = mapped_column(Text, default="")
    form: Mapped[Form] = relationship(back_populates="criteria")


class ReceiptRow(Base):
    """Tiếp nhận phiếu: one received copy of an agency's form (corrections are new rows)."""

    __tablename__ = "receipt"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    channel: Mapped[str] = mapped_column(String(20))
    sent_date: Mapped[date] = mapped_column(Date)
    received_date: Mapped[date | None] = mapped_column(Date)
    doc_number: Mapped[str] = mapped_column(String(120), default="")
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    invalid_reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    # optimistic concurrency (issue 9): +1 on every UPDATE; a stale one refuses the save
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    attachment: Mapped[Attachment | None] = relationship()


class Attachment(Base):
    """Tệp đính kèm (a scan, an e-mail file): copied into the attachments folder beside the
    database, named by its SHA-256 so the same file is stored once; never moved from the
    user's folder."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(400))
    size: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(String(120))


class ScoreRow(Base):
    """Điểm of one criterion for one agency in one round: self-assessed and appraised apart."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("round_id", "agency_id", "criterion_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    self_answer: Mapped[str | None] = mapped_column(Text)  # JSON, see domain.criteria
    self_points: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    appraised_answer: Mapped[str | None] = mapped_column(Text)
    appraised_points: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="form")
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    # optimistic concurrency (issue 9): +1 on every UPDATE; a stale one refuses the save
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    criterion: Mapped[CriterionRow] = relationship()


class AuditEvent(Base):
    """Nhật ký thay đổi: append-only (triggers forbid UPDATE and DELETE on SQLite), and a hash
    chain: ``hash`` covers the fields and ``prev_hash`` (``domain.audit_chain``)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)  # migration 0009
    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[int | None] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    at_utc: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(120))
    machine: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    round_year: Mapped[int | None] = mapped_column(Integer)
    old_json: Mapped[str | None] = mapped_column(Text)
    new_json: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")


class FormImport(Base):
    """Một lần nhập phiếu tự đánh giá từ Excel: kept even when a later import replaces it."""

    __tablename__ = "form_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    file_name: Mapped[str] = mapped_column(String(400))
    file_sha256: Mapped[str] = mapped_column(String(64))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    general_json: Mapped[str] = mapped_column(Text, default="{}")  # số liệu chung typed
    values_json: Mapped[str] = mapped_column(Text, default="{}")  # per criterion, as imported
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(120))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("form_import.id"))


class CrossCheck(Base):
    """Đối chiếu số liệu (Điều 7.2.b): a figure from a specialised agency, with its source."""

    __tablename__ = "cross_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    source_agency: Mapped[str] = mapped_column(String(300))
    figure: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))


class GeneralValue(Base):
    """Số liệu chung of one agency in one round (e.g. CB = total staff): the agency's figure
    and the appraised one; ratio rules named 'tỷ lệ trên CB' take their denominator here."""

    __tablename__ = "general_value"
    __table_args__ = (UniqueConstraint("round_id", "agency_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    code: Mapped[str] = mapped_column(String(40))
    self_value: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    appraised_value: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    # optimistic concurrency (issue 9): +1 on every UPDATE; a stale one refuses the save
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CouncilMember(Base):
    """Thành viên Hội đồng thẩm định or Tổ giúp việc of one round (Điều 7.1)."""

    __tablename__ = "council_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(String(20))  # council / team
    role: Mapped[str] = mapped_column(String(40))  # chair / vice_chair / member / lead / clerk
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    agency: Mapped[str] = mapped_column(String(300), default="")
    position_order: Mapped[int] = mapped_column(Integer, default=0)


class Survey(Base):
    """Khảo sát thực tế: a visit planned, then recorded, then its findings applied."""

    __tablename__ = "survey"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    planned_date: Mapped[date] = mapped_column(Date)
    visit_date: Mapped[date | None] = mapped_column(Date)
    member_ids_json: Mapped[str] = mapped_column(Text, default="[]")  # council_member ids
    criteria_json: Mapped[str] = mapped_column(Text, default="[]")  # codes to check
    remarks: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="planned")  # planned/done/applied
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    # optimistic concurrency (issue 9): +1 on every UPDATE; a stale one refuses the save
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SurveyFinding(Base):
    """Kết quả khảo sát for one criterion: what was seen, the figure, the proposed points."""

    __tablename__ = "survey_finding"
    __table_args__ = (UniqueConstraint("survey_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    seen: Mapped[str] = mapped_column(Text, default="")
    figure: Mapped[str] = mapped_column(Text, default="")
    proposed_points: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)
    applied_by: Mapped[str] = mapped_column(String(120), default="")
    dismissed_reason: Mapped[str] = mapped_column(Text, default="")


class SurveyAttachment(Base):
    __tablename__ = "survey_attachment"
    __table_args__ = (UniqueConstraint("survey_id", "attachment_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id"))
    caption: Mapped[str] = mapped_column(Text, default="")


class Explanation(Base):
    """Giải trình: a request to an agency on chosen criteria, and its answer."""

    __tablename__ = "explanation"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    criteria_json: Mapped[str] = mapped_column(Text, default="[]")
    letter_number: Mapped[str] = mapped_column(String(120))
    letter_date: Mapped[date] = mapped_column(Date)
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    answer_date: Mapped[date | None] = mapped_column(Date)
    answer_number: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    # optimistic concurrency (issue 9): +1 on every UPDATE; a stale one refuses the save
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CouncilDecision(Base):
    """Quyết định của Hội đồng on a disputed criterion: the last word on its score."""

    __tablename__ = "council_decision"
    __table_args__ = (UniqueConstraint("round_id", "agency_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    code: Mapped[str] = mapped_column(String(40))
    meeting_date: Mapped[date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(Text)
    points: Mapped[Decimal] = mapped_column(ExactDecimal)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))
    # optimistic concurrency (issue 9): +1 on every UPDATE; a stale one refuses the save
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PublishedResult(Base):
    """Kết quả đã công bố of one agency in a past round, as read from the province's sheet."""

    __tablename__ = "published_result"
    __table_args__ = (UniqueConstraint("round_id", "agency_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    published_name: Mapped[str] = mapped_column(String(300))  # as written in the sheet
    total: Mapped[Decimal] = mapped_column(ExactDecimal)
    max_points: Mapped[Decimal] = mapped_column(ExactDecimal)
    published_rank: Mapped[int | None] = mapped_column(Integer)
    published_class: Mapped[str | None] = mapped_column(String(20))  # Classification value
    source_file: Mapped[str] = mapped_column(String(400))
    source_sheet: Mapped[str] = mapped_column(String(100), default="")
    source_row: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(120))


from .models_accounts import AppUser, Comment  # noqa: E402,F401  (same metadata)
