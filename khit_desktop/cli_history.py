"""``khit history import …``: a past year's published results (kết quả đã công bố) from Excel."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .cli_parser import EXIT_OK, Parser
from .services.audit import Actor
from .store.database import Database

COMMANDS = ("history",)


def add_commands(commands: Any, with_db: Any) -> None:
    history = commands.add_parser("history", help="kết quả các năm trước (đã công bố)")
    sub = history.add_subparsers(dest="history_command", metavar="LỆNH", parser_class=Parser)
    sub.required = True
    imp = with_db(
        sub.add_parser(
            "import",
            help="nhập kết quả đã công bố của một năm từ tệp Excel (.xlsx)",
            description="Tệp cần một dòng tiêu đề có các cột 'Cơ quan, đơn vị', 'Nhóm', "
            "'Tổng điểm', 'Điểm tối đa' (có thể thêm 'Xếp hạng', 'Xếp loại'). Chương trình "
            "tính lại xếp loại, xếp hạng và liệt kê các dòng khác với bản đã công bố.",
        )
    )
    imp.add_argument("--year", type=int, required=True, metavar="NĂM")
    imp.add_argument("file", metavar="TỆP", help="tệp kết quả đã công bố (.xlsx)")
    imp.add_argument(
        "--create-missing",
        action="store_true",
        help="tạo cơ quan mới (không còn hoạt động) cho tên không nhận ra",
    )
    imp.add_argument(
        "--replace", action="store_true", help="thay kết quả đã nhập trước đó của năm này"
    )


def run(ns: Any, db: Database, actor: Actor) -> int:
    from .services.history import import_history, read_history

    book = read_history(Path(ns.file))
    report = import_history(
        db, ns.year, book, create_missing=ns.create_missing, replace=ns.replace, actor=actor
    )
    verb = "Đã thay" if report.replaced else "Đã nhập"
    print(
        f"{verb} kết quả đã công bố năm {report.year} từ tệp '{report.file_name}'.",
        file=sys.stderr,
    )
    print(f"KẾT QUẢ ĐÃ CÔNG BỐ NĂM {report.year} — tệp {report.file_name}")
    print(f"Số cơ quan: {report.imported}")
    print(
        f"Khớp tên: {report.exact} trùng tên, {report.tolerant} gần đúng"
        + (f", {report.chosen} do người dùng chọn" if report.chosen else "")
    )
    if report.created:
        print(f"Cơ quan tạo mới (không còn hoạt động): {len(report.created)}")
        for option in report.created:
            print(f"  [{option.code}] {option.name} (Nhóm {option.group})")
    if report.skipped:
        print("Bỏ qua các dòng: " + ", ".join(str(r) for r in report.skipped))
    if report.differences:
        print(f"Khác với bản đã công bố khi tính lại: {len(report.differences)} dòng")
        for difference in report.differences:
            print(f"  {difference.describe()}")
    else:
        print("Xếp loại, xếp hạng tính lại khớp với bản đã công bố.")
    print(f"Xem kết quả: khit rank --year {report.year}")
    return EXIT_OK
