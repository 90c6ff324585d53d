"""A new database's catalogue: the groups, the seed agency list and the sample form."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select

from ..domain.collation import nfc
from ..domain.rules import DEFAULT_GROUP_NAMES
from ..paths import resources_dir
from ..store.database import Database
from ..store.models import Agency, Form, GroupCatalog, Meta
from .errors import InputRefused
from .forms import install_sample_form

SEED_AGENCIES_FILE = "agencies/khanh-hoa-2020.csv"


def read_agency_file(path: Path) -> list[tuple[str, str, int]]:
    """(code, name, group) rows of a seed list (CSV, UTF-8, columns ma, ten, nhom)."""
    rows: list[tuple[str, str, int]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            try:
                code = record["ma"].strip()
                name = nfc(record["ten"]).strip()
                group = int(record["nhom"])
            except (KeyError, ValueError, AttributeError):
                raise InputRefused(
                    f"Dòng {line} của {path.name} không đúng dạng ma,ten,nhom."
                ) from None
            if not code or not name or group not in DEFAULT_GROUP_NAMES:
                raise InputRefused(f"Dòng {line} của {path.name}: thiếu mã, tên hoặc nhóm sai.")
            rows.append((code, name, group))
    return rows


def is_initialised(db: Database) -> bool:
    with db.session() as s:
        return bool(s.scalar(select(func.count()).select_from(GroupCatalog)))


def initialise(db: Database) -> None:
    """Fill an empty database with the catalogue; a database already filled is refused."""
    if is_initialised(db):
        raise InputRefused(
            f"Cơ sở dữ liệu {db.display_name} đã được khởi tạo; không khởi tạo lại để tránh "
            "ghi đè dữ liệu."
        )
    agencies = read_agency_file(resources_dir() / SEED_AGENCIES_FILE)
    with db.session() as s:
        for number, name in DEFAULT_GROUP_NAMES.items():
            s.add(GroupCatalog(number=number, name=name))
        s.flush()
        for code, name, group in agencies:
            s.add(Agency(code=code, name=name, default_group=group, active=True, note=""))
        install_sample_form(s)
        s.add(Meta(key="seed_agencies", value=SEED_AGENCIES_FILE))


def latest_form_id(db: Database) -> int:
    with db.session() as s:
        form_id = s.scalar(select(Form.id).order_by(Form.created_at.desc(), Form.id.desc()))
    if form_id is None:
        raise InputRefused("Chưa có phiếu đánh giá nào trong cơ sở dữ liệu.")
    return form_id


def is_demo(db: Database) -> bool:
    with db.session() as s:
        return s.get(Meta, "demo") is not None
