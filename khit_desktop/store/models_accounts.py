"""Models of the integrity issue: user accounts and council members' comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class AppUser(Base):
    """Tài khoản: a local account with one role; the password only as a salted hash."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)  # NFC, casefolded
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # permissions.Role value
    password_hash: Mapped[str] = mapped_column(Text)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime)


class Comment(Base):
    """Ý kiến of a council member on an agency (or one of its criteria) in a round."""

    __tablename__ = "comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    criterion_code: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    at_utc: Mapped[datetime] = mapped_column(DateTime)
    author: Mapped[str] = mapped_column(String(120))
