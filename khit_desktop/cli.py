"""``khit``: the headless command line, a thin shell over the services.

Exit codes: 0 done; 1 unexpected error (logged to the data folder's khit.log); 2 wrong usage;
3 input refused (nothing written); 4 the database cannot be used (missing, newer than the
program, not a KHIT database); 5 ``khit verify`` found damage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from . import (
    cli_annex,
    cli_auth,
    cli_backup,
    cli_export,
    cli_finalise,
    cli_forms,
    cli_history,
    cli_notice,
    cli_overview,
    cli_server,
    cli_users,
    cli_verify,
)
from .cli_output import print_rank, print_receipts, rank_json, receipts_json
from .cli_parser import EXIT_DATABASE, EXIT_OK, EXIT_REFUSED, EXIT_UNEXPECTED, Parser
from .domain.dates import DateFormatError, parse_date
from .domain.lateness import Channel
from .services.audit import Actor
from .services.errors import InputRefused, ServiceError
from .store.database import Database, open_database
from .store.errors import DatabaseError, ReadOnlyDatabaseError
from .store.target import ENV_DATABASE_URL, database_target

DEMO_BANNER = "DỮ LIỆU MINH HỌA — không phải kết quả chính thức"
# Commands that run without logging in: `khit init` (nobody exists yet) and the integrity
# check `khit verify` (cli_verify: it only reads, and must work when the accounts themselves
# are in doubt). `khit restore` logs in against the database it replaces when it can
# (cli_auth.login_for_restore). Every other command logs in first (cli_auth.login).
NO_LOGIN = frozenset({"init", *cli_verify.COMMANDS})


def build_parser() -> Parser:
    parser = Parser(
        prog="khit",
        description="KHIT — thẩm định, xếp hạng mức độ ứng dụng CNTT (dòng lệnh).",
        epilog="Mã thoát: 0 xong; 1 lỗi không mong đợi (chi tiết ghi vào logs/khit.log trong "
        "thư mục dữ liệu); 2 sai cách dùng; 3 dữ liệu nhập bị từ chối (không ghi gì); "
        "4 không dùng được cơ sở dữ liệu; 5 kiểm tra toàn vẹn (verify) phát hiện hỏng.",
    )
    commands = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=Parser)
    commands.required = True

    def db_option(p: Parser) -> Parser:
        p.add_argument(
            "--db",
            metavar="TỆP|URL",
            help="tệp cơ sở dữ liệu, hoặc máy chủ postgresql://người_dùng@máy:5432/tên "
            f"(mặc định: biến {ENV_DATABASE_URL}, nếu không có thì khit.db trong thư mục dữ "
            "liệu của người dùng)",
        )
        return p

    def with_db(p: Parser) -> Parser:
        """--db and the login (--user) of a command that works on a database."""
        db_option(p)
        cli_auth.add_login_option(p)
        return p

    init = db_option(
        commands.add_parser(
            "init",
            help="tạo cơ sở dữ liệu mới và tài khoản quản trị đầu tiên",
            description="Mật khẩu của tài khoản quản trị lấy từ biến môi trường KHIT_PASSWORD "
            "hoặc được hỏi hai lần. Với một cơ sở dữ liệu đã có nhưng chưa có tài khoản nào, "
            "lệnh chỉ tạo tài khoản quản trị.",
        )
    )
    init.add_argument(
        "--demo",
        action="store_true",
        help="kèm kỳ đánh giá minh họa năm 2020 (và kết quả đã công bố năm 2019); cơ sở dữ "
        "liệu minh họa tự đăng nhập, không có tài khoản",
    )
    init.add_argument(
        "--admin",
        default=cli_auth.DEFAULT_ADMIN,
        metavar="TÊN",
        help=f"tên đăng nhập của quản trị (mặc định: {cli_auth.DEFAULT_ADMIN})",
    )
    init.add_argument(
        "--admin-name",
        default=cli_auth.DEFAULT_ADMIN_NAME,
        metavar="HỌ_TÊN",
        help=f"họ và tên của quản trị (mặc định: {cli_auth.DEFAULT_ADMIN_NAME})",
    )

    rnd = commands.add_parser("round", help="kỳ đánh giá")
    rnd_cmd = rnd.add_subparsers(dest="round_command", metavar="LỆNH", parser_class=Parser)
    rnd_cmd.required = True
    create = with_db(rnd_cmd.add_parser("create", help="tạo kỳ đánh giá cho một năm"))
    create.add_argument("--year", type=int, required=True, metavar="NĂM")
    create.add_argument(
        "--copy-from",
        type=int,
        metavar="NĂM",
        help="chép cơ quan, nhóm, quy tắc và phiếu của năm này",
    )
    with_db(rnd_cmd.add_parser("list", help="liệt kê các kỳ đánh giá"))
    decision = with_db(
        rnd_cmd.add_parser(
            "decision",
            help="số, ngày ký, cơ quan ban hành, người ký quyết định công bố kết quả",
            description="Không có tùy chọn nào ngoài --year: in thông tin đang lưu.",
        )
    )
    decision.add_argument("--year", type=int, required=True, metavar="NĂM")
    decision.add_argument("--number", metavar="SỐ", help="ví dụ 3456 hoặc 3456/QĐ-UBND")
    decision.add_argument("--date", metavar="dd/MM/yyyy", help="ngày ký")
    decision.add_argument("--authority", metavar="CHỨC_DANH", help="cơ quan, chức danh ban hành")
    decision.add_argument("--signer", metavar="NGƯỜI_KÝ", help="người ký (không in trên phụ lục)")
    decision.add_argument("--reason", default="", metavar="LÝ_DO", help="bắt buộc khi sửa số, ngày")
    cli_finalise.add_commands(rnd_cmd, with_db)

    receipt = commands.add_parser("receipt", help="tiếp nhận phiếu")
    receipt_cmd = receipt.add_subparsers(
        dest="receipt_command", metavar="LỆNH", parser_class=Parser
    )
    receipt_cmd.required = True
    add = with_db(receipt_cmd.add_parser("add", help="ghi nhận một phiếu nhận được"))
    add.add_argument("--year", type=int, required=True, metavar="NĂM")
    add.add_argument("--agency", required=True, metavar="MÃ", help="mã cơ quan (ví dụ STP)")
    add.add_argument(
        "--channel",
        required=True,
        choices=[c.value for c in Channel],
        help="post = bưu điện; eoffice = phần mềm QLVB&ĐH; email = thư điện tử "
        "công vụ; hand = nộp trực tiếp",
    )
    add.add_argument(
        "--sent-date",
        required=True,
        metavar="dd/MM/yyyy",
        help="ngày gửi: dấu bưu điện, ngày đến phần mềm QLVB&ĐH hoặc ngày gửi thư",
    )
    add.add_argument("--received-date", metavar="dd/MM/yyyy", help="ngày nhận thực tế")
    add.add_argument("--doc-number", default="", metavar="SỐ", help="số, ký hiệu văn bản")
    add.add_argument("--note", default="", metavar="GHI_CHÚ")
    invalid = with_db(receipt_cmd.add_parser("invalidate", help="đánh dấu phiếu không hợp lệ"))
    invalid.add_argument("--id", type=int, required=True, metavar="SỐ")
    invalid.add_argument("--reason", required=True, metavar="LÝ_DO")

    receipts = with_db(commands.add_parser("receipts", help="sổ tiếp nhận phiếu của một năm"))
    receipts.add_argument("--year", type=int, required=True, metavar="NĂM")
    receipts.add_argument("--json", action="store_true", help="in dạng JSON")

    cli_forms.add_commands(commands, with_db)
    cli_notice.add_commands(commands, with_db)
    cli_overview.add_commands(commands, with_db)
    cli_annex.add_commands(commands, with_db)
    cli_export.add_commands(commands, with_db)
    cli_history.add_commands(commands, with_db)
    cli_users.add_commands(commands, with_db)
    cli_backup.add_commands(commands, with_db)
    cli_verify.add_commands(commands, db_option)  # no login: no --user
    cli_server.add_commands(commands, with_db, cli_auth.add_login_option)

    rank = with_db(commands.add_parser("rank", help="kết quả xếp loại, xếp hạng của một năm"))
    rank.add_argument("--year", type=int, required=True, metavar="NĂM")
    rank.add_argument("--json", action="store_true", help="in dạng JSON")
    return parser


def _db_path(arg: str | None) -> Path | str:
    return database_target(arg)


def _open_existing(arg: str | None) -> Database:
    target = _db_path(arg)
    if "://" not in str(target) and not Path(target).exists():
        raise DatabaseError(
            f"Không tìm thấy cơ sở dữ liệu {target}. Hãy tạo bằng lệnh: khit init --db {target}"
        )
    return open_database(target)


def _date(text: str, what: str) -> date:
    try:
        return parse_date(text)
    except DateFormatError as exc:
        raise InputRefused(f"{what}: {exc}") from None


def _decision(ns: argparse.Namespace, db: Database, actor: Actor) -> int:
    from .exchange.annex_pdf import reference_line
    from .services import round_decision

    current = round_decision.decision_info(db, ns.year)
    typed = round_decision.DecisionInfo(
        current.number if ns.number is None else ns.number,
        current.day if ns.date is None else (_date(ns.date, "Ngày ký") if ns.date else None),
        current.authority if ns.authority is None else ns.authority,
        current.signer if ns.signer is None else ns.signer,
    )
    if typed != current:
        round_decision.set_decision(db, ns.year, typed, reason=ns.reason, actor=actor)
        print(f"Đã lưu quyết định công bố kết quả năm {ns.year}.", file=sys.stderr)
    info = round_decision.decision_info(db, ns.year)
    print(reference_line(info.number, info.day, info.authority))
    if info.signer:
        print(f"Người ký: {info.signer}")
    return EXIT_OK


def _init(ns: argparse.Namespace) -> int:
    """A new database with its first administrator (or a demo database, which has no
    accounts); on a database from before accounts, only the administrator."""
    from .services import accounts, catalog, demo

    target = _db_path(ns.db)
    if "://" in str(target) or (Path(target).exists() and Path(target).stat().st_size):
        db = open_database(target)
        if catalog.is_initialised(db):
            if ns.demo or catalog.is_demo(db) or accounts.has_users(db):
                raise InputRefused(f"Cơ sở dữ liệu {target} đã có; không khởi tạo lại.")
            password = cli_auth.read_new_password(ns.admin, cli_auth.ENV_PASSWORD)
            admin = accounts.create_first_admin(db, ns.admin, ns.admin_name, password)
            print(
                f"Cơ sở dữ liệu {db.display_name} đã có; đã tạo tài khoản quản trị '{admin.user}'.",
                file=sys.stderr,
            )
            return EXIT_OK
    # the password is asked (and checked) before anything is written
    password = "" if ns.demo else cli_auth.read_new_password(ns.admin, cli_auth.ENV_PASSWORD)
    db = open_database(target)
    if ns.demo:
        demo.build_demo(db)
        note = " kèm dữ liệu minh họa năm 2020 (và năm 2019 đã công bố)"
    else:
        catalog.initialise(db)
        admin = accounts.create_first_admin(db, ns.admin, ns.admin_name, password)
        note = f" và tài khoản quản trị '{admin.user}'"
    print(f"Đã tạo cơ sở dữ liệu {db.display_name}{note}.", file=sys.stderr)
    return EXIT_OK


def run(args: Sequence[str] | None = None) -> int:
    ns = build_parser().parse_args(args)
    from .services import catalog, receipt_edits, receipts, results, rounds

    if ns.command == "init":
        return _init(ns)
    if ns.command in cli_backup.WITHOUT_DB:  # restore: the database may be missing, damaged
        actor = cli_auth.login_for_restore(ns, lambda: _open_existing(ns.db))
        return cli_backup.run(ns, None, actor)

    if ns.command in cli_server.WITHOUT_DB:  # migrate-to: logs in against its source
        return cli_server.run_migrate(
            ns, lambda ns_, source: cli_auth.login(ns_, source, demo=catalog.is_demo(source))
        )

    db = _open_existing(ns.db)
    if ns.command in cli_verify.COMMANDS:  # in NO_LOGIN
        return cli_verify.run(ns, db)
    demo_data = catalog.is_demo(db)
    actor = cli_auth.login(ns, db, demo=demo_data)
    listing = ns.command in {"rank", "receipts"} or getattr(ns, "round_command", "") == "list"
    if demo_data and listing:
        print(DEMO_BANNER, file=sys.stderr)
        print(cli_auth.DEMO_LOGIN, file=sys.stderr)
    if ns.command in cli_users.COMMANDS:
        return cli_users.run(ns, db, actor)
    if ns.command in cli_backup.COMMANDS:
        return cli_backup.run(ns, db, actor)
    if ns.command in cli_server.COMMANDS:
        return cli_server.run_export(ns, db, actor)
    if ns.command == "round":
        if ns.round_command == "create":
            rounds.create_round(db, ns.year, copy_from=ns.copy_from, actor=actor)
            print(f"Đã tạo kỳ đánh giá năm {ns.year}.", file=sys.stderr)
        elif ns.round_command == "decision":
            return _decision(ns, db, actor)
        elif ns.round_command in cli_finalise.COMMANDS:
            return cli_finalise.run(ns, db, actor)
        else:
            for r in rounds.list_rounds(db):
                flag = " (minh họa)" if r.is_demo else ""
                print(f"{r.year}\t{r.agencies} cơ quan\t{r.state}{flag}")
        return EXIT_OK
    if ns.command == "receipt":
        if ns.receipt_command == "add":
            sent = _date(ns.sent_date, "Ngày gửi")
            received = _date(ns.received_date, "Ngày nhận") if ns.received_date else None
            rid = receipts.add_receipt(
                db,
                ns.year,
                ns.agency,
                Channel(ns.channel),
                sent,
                received_date=received,
                doc_number=ns.doc_number,
                note=ns.note,
                actor=actor,
            )
            print(f"Đã ghi nhận phiếu (số {rid}).", file=sys.stderr)
        else:
            receipt_edits.invalidate_receipt(db, ns.id, ns.reason, actor=actor)
            print(f"Đã đánh dấu lần tiếp nhận số {ns.id} không hợp lệ.", file=sys.stderr)
        return EXIT_OK
    if ns.command in ("criteria", "forms"):
        return cli_forms.run(ns, db, actor)
    if ns.command in cli_overview.COMMANDS:
        return cli_overview.run(ns, db, actor)
    if ns.command in cli_notice.COMMANDS:
        return cli_notice.run(ns, db)
    if ns.command in cli_annex.COMMANDS:
        return cli_annex.run(ns, db)
    if ns.command in cli_export.COMMANDS:
        return cli_export.run(ns, db)
    if ns.command in cli_history.COMMANDS:
        return cli_history.run(ns, db, actor)
    if ns.command == "receipts":
        lines = receipts.register(db, ns.year, as_of=date.today())
        if ns.json:
            print(json.dumps(receipts_json(lines), ensure_ascii=False, indent=2))
        else:
            print_receipts(lines, ns.year, demo_data)
        return EXIT_OK
    from .services.movement import movements_between, previous_ranking

    rows = results.ranking(db, ns.year, as_of=date.today())
    moves = movements_between(previous_ranking(db, ns.year), rows)
    if ns.json:
        print(json.dumps(rank_json(rows, moves), ensure_ascii=False, indent=2))
    else:
        print_rank(rows, ns.year, demo_data, moves)
    return EXIT_OK


def main(args: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    try:
        return run(args)
    except (InputRefused, ReadOnlyDatabaseError) as exc:  # an archive refuses every change
        print(f"Từ chối: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except DatabaseError as exc:
        print(f"Lỗi cơ sở dữ liệu: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except ServiceError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_DATABASE
    except BrokenPipeError:  # output piped into a program that stopped reading (head, less)
        sys.stderr.close()
        return EXIT_OK
    except (OSError, ValueError) as exc:  # a file that cannot be written where it was asked
        print(f"Từ chối: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return EXIT_REFUSED
    except Exception:  # unexpected: the traceback to the log file, a short line to stderr
        from . import crash

        crash.report_current(crash.print_to_stderr)
        return EXIT_UNEXPECTED


if __name__ == "__main__":
    sys.exit(main())
