"""``khit`` logs in: the first administrator at ``init``, every other command as a user
(``--user``/KHIT_USER, KHIT_PASSWORD or a prompt), the demo database as its demo user; the
services' permission refusals exit 3 naming the role needed; ``khit user …``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import khit_desktop
from khit_desktop import cli_auth
from khit_desktop.cli import main
from khit_desktop.services import catalog
from khit_desktop.store.database import open_database
from tests.cli.conftest import ADMIN, ADMIN_PASSWORD, CLERK, CLERK_PASSWORD

ROOT = Path(khit_desktop.__file__).resolve().parent.parent
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
RECEIPT = ["receipt", "add", "--year", "2020", "--agency", "KS", "--channel", "post",
           "--sent-date", "12/11/2020", "--doc-number", "12/KS-VP"]  # fmt: skip


def khit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def no_login_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KHIT_USER", "KHIT_PASSWORD", "KHIT_NEW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """``typed(*answers)``: a terminal where a person types these answers (passwords through
    getpass, the user name through input); returns the prompts that were shown."""

    def terminal(*answers: str) -> list[str]:
        queue: Iterator[str] = iter(answers)
        prompts: list[str] = []

        def answer(prompt: str = "") -> str:
            prompts.append(prompt)
            return next(queue)

        monkeypatch.setattr(cli_auth, "interactive", lambda: True)
        monkeypatch.setattr(cli_auth.getpass, "getpass", answer)
        monkeypatch.setattr("builtins.input", answer)
        return prompts

    return terminal


def audit_users(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT user, action FROM audit_event ORDER BY id").fetchall()
    finally:
        conn.close()


# ---- khit init -------------------------------------------------------------------------------


def test_init_without_a_password_and_without_a_terminal_is_refused(tmp_path: Path, capsys):
    path = tmp_path / "khit.db"
    code, _, err = khit(capsys, "init", "--db", path)
    assert code == 3
    assert "KHIT_PASSWORD" in err
    assert not path.exists()  # asked before anything is written


def test_init_refuses_a_weak_password_before_writing(tmp_path: Path, capsys, login):
    path = tmp_path / "khit.db"
    login(ADMIN, "quantri.lan")
    code, _, err = khit(capsys, "init", "--db", path, "--admin", "QuanTri.Lan")
    assert code == 3 and "trùng tên đăng nhập" in err
    assert not path.exists()


def test_init_creates_the_first_admin(tmp_path: Path, capsys, fast_hashing, monkeypatch):
    path = tmp_path / "khit.db"
    monkeypatch.setenv("KHIT_PASSWORD", "mật khẩu quản trị")
    code, _, err = khit(capsys, "init", "--db", path, "--admin", "Lan.Quản.Trị",
                        "--admin-name", "Bùi Thị Lan")  # fmt: skip
    assert code == 0, err
    assert "tài khoản quản trị 'lan.quản.trị'" in err
    monkeypatch.setenv("KHIT_USER", "LAN.QUẢN.TRỊ")
    code, out, err = khit(capsys, "user", "list", "--db", path, "--json")
    assert code == 0, err
    (user,) = json.loads(out)
    assert (user["username"], user["display_name"], user["role"]) == (
        "lan.quản.trị", "Bùi Thị Lan", "admin",
    )  # fmt: skip
    assert "password" not in out.replace("password_changed_at", "")


def test_init_asks_twice_in_a_terminal(tmp_path: Path, capsys, fast_hashing, typed):
    path = tmp_path / "khit.db"
    prompts = typed("mật khẩu một", "mật khẩu hai")
    code, _, err = khit(capsys, "init", "--db", path)
    assert code == 3 and "không giống nhau" in err
    assert len(prompts) == 2 and not path.exists()
    typed("mật khẩu quản trị", "mật khẩu quản trị")
    assert khit(capsys, "init", "--db", path)[0] == 0


def test_a_database_without_accounts_names_how_to_make_one(tmp_path: Path, capsys, login):
    path = tmp_path / "cu.db"
    db = open_database(path)  # made before accounts existed: a catalogue, nobody to log in
    catalog.initialise(db)
    db.dispose()
    login(ADMIN, ADMIN_PASSWORD)
    code, out, err = khit(capsys, "round", "list", "--db", path)
    assert (code, out) == (3, "")
    assert "chưa có tài khoản nào" in err and "khit init --db" in err and "--admin" in err
    code, _, err = khit(capsys, "init", "--db", path)  # only the administrator is made
    assert code == 0 and "đã có; đã tạo tài khoản quản trị 'admin'" in err
    assert khit(capsys, "round", "list", "--db", path)[0] == 0
    code, _, err = khit(capsys, "init", "--db", path)
    assert code == 3 and "không khởi tạo lại" in err


# ---- logging in ------------------------------------------------------------------------------


def test_variables_log_in_and_the_audit_names_the_user(staffed_path: Path, capsys, login):
    login(ADMIN, ADMIN_PASSWORD)
    assert khit(capsys, "round", "create", "--db", staffed_path, "--year", "2020")[0] == 0
    login(CLERK, CLERK_PASSWORD)
    code, _, err = khit(capsys, *RECEIPT, "--db", staffed_path)
    assert code == 0, err
    assert audit_users(staffed_path)[-2:] == [(CLERK, "user.login"), (CLERK, "receipt.add")]


def test_user_option_wins_over_the_variable(staffed_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("KHIT_USER", "khong-co-ai")
    code, _, err = khit(capsys, "round", "list", "--db", staffed_path, "--user", CLERK)
    assert code == 0, err


def test_wrong_password_and_unknown_user_exit_3_alike(staffed_path: Path, capsys, login):
    login(CLERK, "sai mật khẩu")
    code, out, err = khit(capsys, "round", "list", "--db", staffed_path)
    assert (code, out, err) == (3, "", f"Từ chối: {WRONG}\n")
    login("khong-co-ai", CLERK_PASSWORD)
    assert khit(capsys, "round", "list", "--db", staffed_path) == (3, "", f"Từ chối: {WRONG}\n")


def test_lockout_after_five_failures(staffed_path: Path, capsys, login, row_counts):
    before = row_counts(staffed_path)
    login(CLERK, "sai mật khẩu")
    for _ in range(5):
        code, _, err = khit(capsys, *RECEIPT, "--db", staffed_path)
        assert code == 3 and WRONG in err
    assert "tạm khóa 30 giây" in err
    login(CLERK, CLERK_PASSWORD)  # the right password, too early
    code, _, err = khit(capsys, *RECEIPT, "--db", staffed_path)
    assert code == 3
    assert "đang tạm khóa" in err and "thử lại sau" in err and "giây" in err
    assert row_counts(staffed_path) == before


def test_missing_user_without_a_terminal_is_refused(staffed_path: Path, capsys, monkeypatch):
    monkeypatch.delenv("KHIT_USER")
    code, _, err = khit(capsys, "round", "list", "--db", staffed_path)
    assert code == 3 and "--user" in err and "KHIT_USER" in err
    monkeypatch.setenv("KHIT_USER", CLERK)
    monkeypatch.delenv("KHIT_PASSWORD")
    code, _, err = khit(capsys, "round", "list", "--db", staffed_path)
    assert code == 3 and "KHIT_PASSWORD" in err


def test_a_terminal_asks_name_and_password(staffed_path: Path, capsys, monkeypatch, typed):
    monkeypatch.delenv("KHIT_USER")
    monkeypatch.delenv("KHIT_PASSWORD")
    prompts = typed(CLERK, CLERK_PASSWORD)
    assert khit(capsys, "round", "list", "--db", staffed_path)[0] == 0
    assert prompts == ["Tên đăng nhập: ", f"Mật khẩu của '{CLERK}': "]


# ---- permissions -----------------------------------------------------------------------------


def test_permission_refusals_exit_3_naming_the_role(
    staffed_path: Path, capsys, login, row_counts
) -> None:
    before = row_counts(staffed_path)
    code, _, err = khit(capsys, "round", "create", "--db", staffed_path, "--year", "2021")
    assert code == 3
    assert err == (
        f"Từ chối: Tài khoản {CLERK} (Cán bộ Tổ giúp việc) không được tạo kỳ đánh giá. "
        "Việc này cần vai trò Quản trị.\n"
    )
    login(ADMIN, ADMIN_PASSWORD)
    assert khit(capsys, "round", "create", "--db", staffed_path, "--year", "2021")[0] == 0
    after = row_counts(staffed_path)
    code, _, err = khit(capsys, *RECEIPT[:3], "2021", *RECEIPT[4:9], "12/11/2021",
                        *RECEIPT[10:], "--db", staffed_path)  # fmt: skip
    assert code == 3 and "không được tiếp nhận phiếu" in err
    assert "cần vai trò Cán bộ Tổ giúp việc" in err
    assert row_counts(staffed_path) == after != before


# ---- the demo database -----------------------------------------------------------------------


def test_the_demo_logs_in_by_itself(demo_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("KHIT_USER", "ai-do")  # ignored: the demo has no accounts
    code, _, err = khit(capsys, "rank", "--db", demo_path, "--year", "2020", "--json")
    assert code == 0
    assert cli_auth.DEMO_LOGIN in err and "minh-hoa" in err
    code, _, err = khit(capsys, *RECEIPT, "--db", demo_path)
    assert code == 0, err
    assert audit_users(demo_path)[-1] == ("minh-hoa", "receipt.add")


# ---- khit user -------------------------------------------------------------------------------


def test_user_commands(staffed_path: Path, capsys, login, monkeypatch) -> None:
    monkeypatch.setenv("KHIT_NEW_PASSWORD", "mật khẩu của Hà")
    code, _, err = khit(capsys, "user", "add", "ha", "--role", "member", "--db", staffed_path)
    assert code == 3 and "cần vai trò Quản trị" in err  # a clerk, refused before anything
    login(ADMIN, ADMIN_PASSWORD)
    code, _, err = khit(capsys, "user", "add", "Hà", "--role", "member", "--name",
                        "Nguyễn Thị Thu Hà", "--db", staffed_path)  # fmt: skip
    assert code == 0, err
    assert "Đã tạo tài khoản 'hà' (Thành viên Hội đồng)" in err
    assert khit(capsys, "user", "role", "hà", "chair", "--db", staffed_path)[0] == 0
    code, _, err = khit(capsys, "user", "disable", "admin", "--db", staffed_path)
    assert code == 3 and "quản trị cuối cùng" in err
    assert khit(capsys, "user", "disable", CLERK, "--db", staffed_path)[0] == 0
    code, out, _ = khit(capsys, "user", "list", "--db", staffed_path)
    assert out.splitlines()[1].startswith(f"{CLERK}\tCán bộ Tổ giúp việc\tCán bộ Tổ giúp việc")
    assert "(đã ngừng)" in out and "hà\tNguyễn Thị Thu Hà\tChủ tịch Hội đồng" in out
    login(CLERK, CLERK_PASSWORD)
    code, _, err = khit(capsys, "round", "list", "--db", staffed_path)
    assert code == 3 and "ngừng hoạt động" in err
    login(ADMIN, ADMIN_PASSWORD)
    assert khit(capsys, "user", "enable", CLERK, "--db", staffed_path)[0] == 0
    monkeypatch.setenv("KHIT_NEW_PASSWORD", "mật khẩu mới của cán bộ")
    assert khit(capsys, "user", "reset-password", CLERK, "--db", staffed_path)[0] == 0
    login(CLERK, "mật khẩu mới của cán bộ")
    assert khit(capsys, "round", "list", "--db", staffed_path)[0] == 0
    monkeypatch.setenv("KHIT_NEW_PASSWORD", CLERK_PASSWORD)
    assert khit(capsys, "user", "password", "--db", staffed_path)[0] == 0  # one's own
    login(CLERK, CLERK_PASSWORD)
    assert khit(capsys, "round", "list", "--db", staffed_path)[0] == 0


def test_a_shell_sees_exit_3_for_a_wrong_password(tmp_path: Path) -> None:
    path = tmp_path / "khit.db"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(KHIT_DATA_DIR=str(tmp_path / "data"), PYTHONIOENCODING="utf-8")
    env.update(KHIT_USER="admin", KHIT_PASSWORD="mật khẩu quản trị")

    def run(*args: str | Path, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "khit_desktop.cli", *[str(a) for a in args]],
            cwd=ROOT, env={**env, **extra}, capture_output=True, text=True,
            encoding="utf-8", stdin=subprocess.DEVNULL, timeout=120, check=False,
        )  # fmt: skip

    assert run("init", "--db", path).returncode == 0
    assert run("round", "list", "--db", path).returncode == 0
    done = run("round", "list", "--db", path, KHIT_PASSWORD="sai mật khẩu")
    assert (done.returncode, done.stderr) == (3, f"Từ chối: {WRONG}\n")
