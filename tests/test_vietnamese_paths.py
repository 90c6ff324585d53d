"""Folders with Vietnamese letters and spaces (``C:\\Users\\Nguyễn Văn A\\Tài liệu``), in NFC
and in NFD (macOS writes decomposed names, and USB sticks carry them to Windows): the
database, its lock, attachments, every export (annex PDF, results Excel, register Excel,
blank forms, notices, survey minutes), backups and restore — through the command line and the
services, each file checked to exist and to open (pypdf, openpyxl, sqlite3)."""

from __future__ import annotations

import shutil
import sqlite3
import unicodedata
from datetime import date
from pathlib import Path
from typing import Literal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from khit_desktop.cli import main as khit
from khit_desktop.services import accounts, backups, catalog, receipts
from khit_desktop.services.attachments import add_attachment, attachments_dir, stored_path
from khit_desktop.store.database import open_database
from khit_desktop.store.lock import acquire, is_locked, lock_path

Form = Literal["NFC", "NFD"]
FORMS: list[Form] = ["NFC", "NFD"]


def name(form: Form, text: str) -> str:
    return unicodedata.normalize(form, text)


@pytest.fixture(params=FORMS)
def form(request: pytest.FixtureRequest) -> Form:
    form: Form = request.param
    return form


@pytest.fixture
def folder(tmp_path: Path, form: Form) -> Path:
    path = tmp_path / name(form, "Nguyễn Văn A") / name(form, "Tài liệu")
    path.mkdir(parents=True)
    assert unicodedata.is_normalized(form, str(path.relative_to(tmp_path)))
    return path


@pytest.fixture
def database(demo_template: Path, folder: Path, form: Form) -> Path:
    path = folder / name(form, "Dữ liệu KHIT năm 2020.db")
    shutil.copy(demo_template, path)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: object) -> str:
    code = khit([str(a) for a in args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def pdf_text(path: Path) -> str:
    assert path.is_file() and path.stat().st_size > 1000
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def workbook_cells(path: Path) -> str:
    assert path.is_file()
    book = load_workbook(path, read_only=True)
    try:
        return " ".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    finally:
        book.close()


def test_a_new_database_and_its_lock(folder: Path, form: Form, monkeypatch, capsys) -> None:
    from khit_desktop.services import credentials

    monkeypatch.setattr(credentials, "PARAMS", credentials.ScryptParams(n=2**4, r=8, p=1))
    monkeypatch.setenv("KHIT_PASSWORD", "mật khẩu quản trị dài")
    path = folder / name(form, "Cơ sở dữ liệu mới.db")
    assert khit(["init", "--db", str(path)]) == 0
    capsys.readouterr()
    assert path.is_file()
    db = open_database(path)
    try:
        assert db.path == path.resolve()
        assert catalog.is_initialised(db) and accounts.has_users(db)
    finally:
        db.dispose()
    with acquire(path):
        assert lock_path(path.resolve()).is_file()
        assert lock_path(path.resolve()).parent == folder.resolve()
        assert is_locked(path)
    assert not is_locked(path)


def test_attachments_beside_the_database(database: Path, folder: Path, form: Form) -> None:
    source = folder / name(form, "Công văn số 12 của Sở Tư pháp.pdf")
    source.write_bytes(b"%PDF-1.4 ban scan")
    db = open_database(database)
    try:
        with db.session() as s:
            stored = add_attachment(db, s, source, accounts.demo_actor())
            target = stored_path(db, stored)
        assert attachments_dir(db).parent == folder.resolve()
        assert target.read_bytes() == source.read_bytes()
        assert unicodedata.is_normalized("NFC", stored.original_name)
    finally:
        db.dispose()


def test_exports(database: Path, folder: Path, form: Form, capsys) -> None:
    annex = folder / name(form, "Phụ lục kết quả 2020.pdf")
    assert run(capsys, "annex", "--db", database, "--year", 2020, "--out", annex).strip()
    assert "KHÁNH HÒA" in pdf_text(annex)

    results = folder / name(form, "Kết quả xếp hạng 2020.xlsx")
    run(capsys, "export", "--db", database, "--year", 2020, "--out", results)
    assert "Sở Tư pháp" in workbook_cells(results)

    notice_pdf = folder / name(form, "Kết quả Sở Tư pháp.pdf")
    notice_xlsx = folder / name(form, "Kết quả Sở Tư pháp.xlsx")
    for out in (notice_pdf, notice_xlsx):
        run(capsys, "notice", "--db", database, "--year", 2020, "--agency", "STP", "--out", out)
    assert "Sở Tư pháp" in pdf_text(notice_pdf)
    assert "Sở Tư pháp" in workbook_cells(notice_xlsx)

    minutes = folder / name(form, "Biên bản khảo sát.pdf")
    run(capsys, "survey", "minutes", "--db", database, "--survey", 1, "--out", minutes)
    assert "BIÊN BẢN" in pdf_text(minutes).upper()

    blank = folder / name(form, "Phiếu trắng gửi cơ quan")
    run(
        capsys,
        "forms",
        "blank",
        "--db",
        database,
        "--year",
        2020,
        "--agency",
        "STP",
        "--out",
        blank,
    )
    written = list(blank.iterdir())
    assert len(written) == 1 and written[0].suffix == ".xlsx"
    assert "Sở Tư pháp" in workbook_cells(written[0])

    from khit_desktop.exchange.register_xlsx import export_register

    db = open_database(database)
    try:
        lines = receipts.register(db, 2020, as_of=date(2020, 12, 1))
    finally:
        db.dispose()
    register = folder / name(form, "Sổ tiếp nhận phiếu 2020.xlsx")
    assert export_register(lines, register, year=2020, demo=True, generated_on=date(2020, 12, 1))
    assert "Sở Tư pháp" in workbook_cells(register)


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_backups_and_restore(database: Path, folder: Path, form: Form, capsys) -> None:
    automatic = Path(run(capsys, "backup", "--db", database).strip())
    assert automatic.parent == backups.backups_dir(database.resolve())
    assert [b.path for b in backups.list_backups(database)] == [automatic]
    assert backups.integrity_ok(automatic)

    usb = folder / name(form, "USB của chị Lan") / name(form, "Sao lưu KHIT.db")
    usb.parent.mkdir()
    assert Path(run(capsys, "backup", "--db", database, "--out", usb).strip()) == usb
    receipts_before = count(database, "receipt")
    assert count(usb, "receipt") == receipts_before

    run(
        capsys,
        "receipt",
        "invalidate",
        "--db",
        database,
        "--id",
        1,
        "--reason",
        "Phiếu chưa ký số",
    )
    assert count(database, "audit_event") > count(usb, "audit_event")
    restored = run(capsys, "restore", "--db", database, usb, "--yes")
    assert Path(restored.strip()) == database.resolve()
    assert count(database, "audit_event") == count(usb, "audit_event") + 1  # + the restore
    kept = [b for b in backups.list_backups(database) if b.reason == "truoc-phuc-hoi"]
    assert len(kept) == 1 and backups.integrity_ok(kept[0].path)
