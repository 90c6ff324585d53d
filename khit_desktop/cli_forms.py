"""``khit criteria …`` and ``khit forms …``: criteria sets and agency forms in Excel."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from .cli_parser import EXIT_OK, EXIT_REFUSED, Parser
from .services.audit import Actor
from .store.database import Database


def add_commands(commands: Any, with_db: Any) -> None:
    criteria = commands.add_parser("criteria", help="bộ tiêu chí (phiếu đánh giá) trong Excel")
    sub = criteria.add_subparsers(dest="criteria_command", metavar="LỆNH", parser_class=Parser)
    sub.required = True
    imp = with_db(sub.add_parser("import", help="nhập bộ tiêu chí từ tệp Excel"))
    imp.add_argument("file", metavar="TỆP")
    imp.add_argument("--name", metavar="TÊN", help="tên bộ tiêu chí (bắt buộc, trừ khi --check)")
    imp.add_argument("--year", type=int, metavar="NĂM", help="năm áp dụng")
    imp.add_argument("--check", action="store_true", help="chỉ kiểm tra, không lưu")
    exp = with_db(sub.add_parser("export", help="xuất bộ tiêu chí ra tệp Excel"))
    exp.add_argument("--form", type=int, required=True, metavar="SỐ")
    exp.add_argument("--out", required=True, metavar="TỆP")
    with_db(sub.add_parser("list", help="liệt kê các bộ tiêu chí và phiên bản"))
    use = with_db(sub.add_parser("use", help="chọn bộ tiêu chí cho một nhóm của một năm"))
    use.add_argument("--year", type=int, required=True, metavar="NĂM")
    use.add_argument("--group", type=int, required=True, metavar="NHÓM")
    use.add_argument("--form", type=int, required=True, metavar="SỐ")

    forms = commands.add_parser("forms", help="phiếu đánh giá của các cơ quan (Excel)")
    fsub = forms.add_subparsers(dest="forms_command", metavar="LỆNH", parser_class=Parser)
    fsub.required = True
    blank = with_db(fsub.add_parser("blank", help="xuất phiếu trắng cho cơ quan điền"))
    blank.add_argument("--year", type=int, required=True, metavar="NĂM")
    blank.add_argument("--out", required=True, metavar="THƯ_MỤC")
    which = blank.add_mutually_exclusive_group()
    which.add_argument("--group", type=int, metavar="NHÓM")
    which.add_argument("--agency", metavar="MÃ")
    fimp = with_db(fsub.add_parser("import", help="nhập phiếu đã điền (tệp hoặc thư mục)"))
    fimp.add_argument("--year", type=int, required=True, metavar="NĂM")
    fimp.add_argument(
        "--replace",
        action="store_true",
        help="thay phiếu đã nhập trước (lần nhập cũ vẫn lưu trong lịch sử)",
    )
    fimp.add_argument("--summary", metavar="TỆP", help="lưu bảng kết quả nhập vào tệp này")
    fimp.add_argument("paths", nargs="+", metavar="TỆP_HOẶC_THƯ_MỤC")


def run(ns: Any, db: Database, actor: Actor) -> int:
    from .services import form_exchange, form_versions

    if ns.command == "criteria":
        if ns.criteria_command == "import":
            path = Path(ns.file)
            if ns.check:
                preview = form_versions.preview_criteria_file(path)
                for problem in preview.errors:
                    print(f"Lỗi {problem.ref}: {problem.message}", file=sys.stderr)
                for problem in preview.warnings:
                    print(f"Lưu ý {problem.ref}: {problem.message}", file=sys.stderr)
                print(
                    f"{len(preview.rows)} tiêu chí, tổng {preview.total} điểm; "
                    f"{len(preview.errors)} lỗi, {len(preview.warnings)} lưu ý."
                )
                return EXIT_REFUSED if preview.errors else EXIT_OK
            if not ns.name:
                from .services.errors import InputRefused

                raise InputRefused("Cần --name: tên của bộ tiêu chí (ví dụ 'Phiếu năm 2021').")
            form_id, created, preview = form_versions.import_criteria_file(
                db, path, name=ns.name, year=ns.year, actor=actor
            )
            for problem in preview.warnings:
                print(f"Lưu ý {problem.ref}: {problem.message}", file=sys.stderr)
            state = "Đã lưu" if created else "Không đổi (giống phiên bản mới nhất)"
            print(f"{state}: bộ tiêu chí số {form_id}, tổng {preview.total} điểm.", file=sys.stderr)
            print(form_id)
        elif ns.criteria_command == "export":
            out = form_versions.export_criteria_file(db, ns.form, Path(ns.out))
            print(f"Đã xuất {out}.", file=sys.stderr)
        elif ns.criteria_command == "use":
            form_versions.use_form(db, ns.year, ns.group, ns.form, actor=actor)
            print(f"Nhóm {ns.group} năm {ns.year} dùng bộ tiêu chí số {ns.form}.", file=sys.stderr)
        else:
            for f in form_versions.list_forms(db):
                flags = (" (mẫu)" if f.is_sample else "") + (" [đã có điểm]" if f.frozen else "")
                uses = ", ".join(f.used_by) or "chưa dùng"
                print(
                    f"{f.id}\t{f.name} — phiên bản {f.version}{flags}\t{f.max_points} điểm"
                    f"\t{f.criteria} tiêu chí\t{uses}"
                )
        return EXIT_OK

    if ns.forms_command == "blank":
        paths = form_exchange.write_blank_forms(
            db, ns.year, Path(ns.out), group=ns.group, agency=ns.agency
        )
        for path in paths:
            print(path)
        print(f"Đã xuất {len(paths)} phiếu trắng.", file=sys.stderr)
        return EXIT_OK
    results = form_exchange.import_paths(
        db, ns.year, [Path(p) for p in ns.paths], replace=ns.replace, actor=actor
    )
    text = form_exchange.summary_text(results, ns.year, date.today())
    if ns.summary:
        Path(ns.summary).write_text(text, encoding="utf-8")
    print(text, end="")
    return EXIT_REFUSED if any(r.state == "refused" for r in results) else EXIT_OK
