"""Accounts: password hashing, the policy, logging in, the lockout, the last administrator,
and an audit trail that never holds a secret."""

from __future__ import annotations

import math
import unicodedata
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from khit_desktop.services import accounts, credentials
from khit_desktop.services.accounts import AccountLocked, AuthFailed
from khit_desktop.services.audit import Actor
from khit_desktop.services.credentials import ScryptParams
from khit_desktop.services.errors import InputRefused, NotFound
from khit_desktop.services.permissions import Role
from khit_desktop.store.database import Database
from khit_desktop.store.models import AuditEvent
from khit_desktop.store.models_accounts import AppUser

PASSWORD = "Mật khẩu của An 2024"
T0 = datetime(2026, 11, 20, 8, 0, 0)
ADMIN = Actor(user="admin", machine="test", role=Role.ADMIN)


@pytest.fixture
def db(fresh_db: Database, fast_hashing: None) -> Database:
    """A new database with the administrator 'admin' and the clerk 'an'."""
    accounts.create_first_admin(fresh_db, "admin", "Quản trị", "mat-khau-quan-tri")
    accounts.create_user(fresh_db, "an", "Nguyễn Văn An", Role.CLERK, PASSWORD, actor=ADMIN)
    return fresh_db


def _user(db: Database, name: str) -> AppUser:
    with db.session() as s:
        user = s.scalar(select(AppUser).where(AppUser.username == name))
        assert user is not None
        return user


def _actions(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# ---- hashing ---------------------------------------------------------------------------------


def test_stored_hash_names_strong_parameters_and_a_random_salt() -> None:
    assert credentials.PARAMS == ScryptParams(n=2**15, r=8, p=1)
    first, second = credentials.hash_password(PASSWORD), credentials.hash_password(PASSWORD)
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", "32768", "8", "1")
    assert len(salt) == 24 and len(digest) == 44  # 16 and 32 bytes in base64
    assert first != second  # a fresh salt each time
    assert credentials.verify_password(PASSWORD, first)
    assert credentials.verify_password(PASSWORD, second)
    assert not credentials.verify_password(PASSWORD + " ", first)
    assert not credentials.needs_rehash(first)


def test_nfc_and_nfd_passwords_are_the_same_password(db: Database) -> None:
    nfd = unicodedata.normalize("NFD", PASSWORD)
    assert nfd != PASSWORD
    assert credentials.verify_password(nfd, credentials.hash_password(PASSWORD))
    assert accounts.authenticate(db, "an", nfd, now=T0).user == "an"
    accounts.create_user(db, "binh", "Bình", Role.MEMBER, nfd, actor=ADMIN)
    assert accounts.authenticate(db, "binh", PASSWORD, now=T0).role is Role.MEMBER


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "bcrypt$12$abc",
        "scrypt$32768$8$1$$",
        "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,  # n not a power of two
        "scrypt$1048576$32$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,  # far too much memory
        "scrypt$16$8$1$not base64!$" + "A" * 44,
    ],
)
def test_a_damaged_stored_hash_never_matches(stored: str) -> None:
    assert not credentials.verify_password(PASSWORD, stored)


def test_a_login_with_older_parameters_stores_a_new_hash(db: Database) -> None:
    with db.session() as s:
        user = s.scalar(select(AppUser).where(AppUser.username == "an"))
        assert user is not None
        user.password_hash = credentials.hash_password(PASSWORD, ScryptParams(n=2**2, r=8, p=1))
    accounts.authenticate(db, "an", PASSWORD, now=T0)
    assert _user(db, "an").password_hash.startswith(f"scrypt${credentials.PARAMS.n}$8$1$")
    assert accounts.authenticate(db, "an", PASSWORD, now=T0).user == "an"


# ---- names and the policy --------------------------------------------------------------------


def test_user_names_are_nfc_and_case_folded(db: Database) -> None:
    made = accounts.create_user(
        db, unicodedata.normalize("NFD", " Nguyễn.Thu "), "Nguyễn Thu", Role.CHAIR, PASSWORD,
        actor=ADMIN,
    )  # fmt: skip
    assert made.username == "nguyễn.thu"
    assert accounts.authenticate(db, "NGUYỄN.THU", PASSWORD, now=T0).role is Role.CHAIR
    with pytest.raises(InputRefused, match="đã có"):
        accounts.create_user(db, "Nguyễn.THU", "Khác", Role.CLERK, PASSWORD, actor=ADMIN)


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("thu", "ngắn-7c", "ít nhất 8"),
        ("nguyen.van.a", "Nguyen.Van.A", "trùng tên"),
        ("có khoảng", PASSWORD, "khoảng trắng"),
        ("", PASSWORD, "tên đăng nhập"),
        (credentials.DEMO_USERNAME, PASSWORD, "minh họa"),
        ("dai", "x" * 257, "dài quá"),
    ],
)
def test_policy_refusals_write_nothing(
    db: Database, username: str, password: str, message: str
) -> None:
    before = accounts.list_users(db)
    with pytest.raises(InputRefused, match=message):
        accounts.create_user(db, username, "Ai đó", Role.CLERK, password, actor=ADMIN)
    assert accounts.list_users(db) == before


def test_eight_characters_are_enough_even_with_marks() -> None:
    assert credentials.password_problem("an", "ẩẩẩẩẩẩẩẩ") is None  # 8 letters, 16 code points NFD
    assert credentials.password_problem("an", unicodedata.normalize("NFD", "ẩẩẩẩẩẩẩ")) is not None


def test_first_admin_only_while_no_account_exists(fresh_db: Database, fast_hashing: None) -> None:
    assert not accounts.has_users(fresh_db)
    admin = accounts.create_first_admin(fresh_db, "QuanTri", "Quản trị", "mat-khau-quan-tri")
    assert (admin.user, admin.role) == ("quantri", Role.ADMIN)
    assert accounts.has_users(fresh_db)
    with pytest.raises(InputRefused, match="Đã có tài khoản"):
        accounts.create_first_admin(fresh_db, "khac", "Khác", "mat-khau-khac-1")
    assert [u.username for u in accounts.list_users(fresh_db)] == ["quantri"]


def test_accounts_have_account_roles_only(db: Database) -> None:
    for role in (Role.DEMO, Role.SYSTEM):
        with pytest.raises(InputRefused, match="không dùng cho tài khoản"):
            accounts.create_user(db, "x-" + role.value, "X", role, PASSWORD, actor=ADMIN)
        with pytest.raises(InputRefused):
            accounts.set_role(db, "an", role, actor=ADMIN)


def test_list_users_shows_no_hash(db: Database) -> None:
    users = accounts.list_users(db)
    assert [(u.username, u.role, u.active) for u in users] == [
        ("admin", Role.ADMIN, True),
        ("an", Role.CLERK, True),
    ]
    assert not any("scrypt" in str(value) for u in users for value in vars(u).values())


def test_demo_actor() -> None:
    demo = accounts.demo_actor(machine="may")
    assert (demo.user, demo.machine, demo.role) == ("minh-hoa", "may", Role.DEMO)


# ---- logging in ------------------------------------------------------------------------------


def test_wrong_user_and_wrong_password_read_the_same(db: Database) -> None:
    with pytest.raises(AuthFailed) as unknown:
        accounts.authenticate(db, "khong-co-ai", PASSWORD, now=T0)
    with pytest.raises(AuthFailed) as wrong:
        accounts.authenticate(db, "an", "sai mật khẩu rồi", now=T0)
    assert type(unknown.value) is type(wrong.value) is AuthFailed
    assert str(unknown.value) == str(wrong.value) == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_success_is_audited_and_resets_the_counter(db: Database) -> None:
    for _ in range(4):
        with pytest.raises(AuthFailed):
            accounts.authenticate(db, "an", "sai mật khẩu", now=T0)
    assert _user(db, "an").failed_attempts == 4
    actor = accounts.authenticate(db, "an", PASSWORD, now=T0, machine="may-1")
    assert (actor.user, actor.machine, actor.role) == ("an", "may-1", Role.CLERK)
    assert _user(db, "an").failed_attempts == 0
    assert _actions(db)[-5:] == ["user.login_failed"] * 4 + ["user.login"]


def model_delay(failures: int) -> timedelta | None:
    return timedelta(seconds=min(30 * 2 ** (failures - 5), 900)) if failures >= 5 else None


def test_delay_doubles_from_the_fifth_failure_up_to_fifteen_minutes() -> None:
    delays = [accounts.lock_delay(n) for n in range(0, 14)]
    assert delays[:5] == [None] * 5
    seconds = [d.total_seconds() for d in delays[5:] if d]
    assert seconds == [30, 60, 120, 240, 480, 900, 900, 900, 900]
    assert accounts.lock_delay(10_000) == timedelta(minutes=15)


def test_correct_password_while_locked_is_refused_with_the_time_left(db: Database) -> None:
    for _ in range(5):
        with pytest.raises(AuthFailed) as failed:
            accounts.authenticate(db, "an", "sai mật khẩu", now=T0)
    assert "tạm khóa 30 giây" in str(failed.value)
    with pytest.raises(AccountLocked) as locked:
        accounts.authenticate(db, "an", PASSWORD, now=T0 + timedelta(seconds=12, milliseconds=5))
    assert locked.value.seconds_left == 18
    assert "thử lại sau 18 giây" in str(locked.value)
    assert _user(db, "an").failed_attempts == 5  # attempts while locked change nothing
    # exactly at the end of the lock the password is checked again
    assert accounts.authenticate(db, "an", PASSWORD, now=T0 + timedelta(seconds=30)).user == "an"


def test_long_lock_reads_in_minutes(db: Database) -> None:
    now = T0
    for _ in range(9):  # the 9th failure locks for 8 minutes
        with pytest.raises(AuthFailed):
            accounts.authenticate(db, "an", "sai mật khẩu", now=now)
        now += timedelta(minutes=20)
    with pytest.raises(AccountLocked, match="thử lại sau 7 phút 30 giây"):
        accounts.authenticate(db, "an", PASSWORD, now=now - timedelta(minutes=20, seconds=-30))


WAITS = st.one_of(
    st.sampled_from([0, 1, 29, 30, 31, 59, 60, 61, 119, 120, 479, 480, 899, 900, 901]),
    st.integers(min_value=0, max_value=1000),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.booleans(), WAITS), min_size=1, max_size=16))
def test_locked_iff_five_failures_and_before_the_end(
    db: Database, attempts: list[tuple[bool, int]]
) -> None:
    with db.session() as s:  # every example starts from a clean account
        user = s.scalar(select(AppUser).where(AppUser.username == "an"))
        assert user is not None
        user.failed_attempts, user.locked_until = 0, None
    failures, until, now = 0, None, T0
    for correct, wait in attempts:
        now += timedelta(seconds=wait)
        locked = failures >= 5 and until is not None and now < until
        assert accounts.is_locked(_user(db, "an"), now) is locked
        try:
            accounts.authenticate(db, "an", PASSWORD if correct else "sai mật khẩu", now=now)
        except AccountLocked as refused:
            assert locked and until is not None
            assert refused.seconds_left == math.ceil((until - now).total_seconds())
        except AuthFailed:
            assert not locked and not correct
            failures += 1
            delay = model_delay(failures)
            until = now + delay if delay else None
        else:
            assert not locked and correct
            failures, until = 0, None
        stored = _user(db, "an")
        assert (stored.failed_attempts, stored.locked_until) == (failures, until)


def test_inactive_account_is_refused_even_with_the_right_password(db: Database) -> None:
    assert accounts.set_active(db, "an", False, actor=ADMIN)
    with pytest.raises(AuthFailed, match="ngừng hoạt động"):
        accounts.authenticate(db, "an", PASSWORD, now=T0)
    with pytest.raises(AuthFailed, match="không đúng"):  # a wrong password tells nothing more
        accounts.authenticate(db, "an", "sai mật khẩu", now=T0)
    assert accounts.set_active(db, "an", True, actor=ADMIN)
    assert not accounts.set_active(db, "an", True, actor=ADMIN)
    assert accounts.authenticate(db, "an", PASSWORD, now=T0).user == "an"


# ---- changing accounts -----------------------------------------------------------------------


def test_admin_reset_sets_a_new_password_and_lifts_the_lock(db: Database) -> None:
    for _ in range(6):
        with pytest.raises(AuthFailed):
            accounts.authenticate(db, "an", "sai mật khẩu", now=T0)
    accounts.reset_password(db, "An", "mật khẩu mới 2025", actor=ADMIN)
    assert (_user(db, "an").failed_attempts, _user(db, "an").locked_until) == (0, None)
    with pytest.raises(AuthFailed):
        accounts.authenticate(db, "an", PASSWORD, now=T0)
    assert accounts.authenticate(db, "an", "mật khẩu mới 2025", now=T0).user == "an"
    with pytest.raises(NotFound):
        accounts.reset_password(db, "khong-co", "mật khẩu mới 2025", actor=ADMIN)
    with pytest.raises(InputRefused, match="ít nhất"):
        accounts.reset_password(db, "an", "ngắn", actor=ADMIN)


def test_change_password_needs_the_current_one(db: Database) -> None:
    with pytest.raises(AuthFailed):
        accounts.change_password(db, "an", "không phải", "mật khẩu mới 2025", now=T0)
    assert _user(db, "an").failed_attempts == 1  # counts like a failed login
    with pytest.raises(InputRefused, match="ít nhất"):
        accounts.change_password(db, "an", PASSWORD, "ngắn", now=T0)
    accounts.change_password(db, "an", PASSWORD, "mật khẩu mới 2025", now=T0)
    assert _user(db, "an").password_changed_at == T0
    assert accounts.authenticate(db, "an", "mật khẩu mới 2025", now=T0).user == "an"


def test_the_last_active_admin_is_kept(db: Database) -> None:
    with pytest.raises(InputRefused, match="quản trị cuối cùng"):
        accounts.set_role(db, "admin", Role.CLERK, actor=ADMIN)
    with pytest.raises(InputRefused, match="quản trị cuối cùng"):
        accounts.set_active(db, "admin", False, actor=ADMIN)
    assert accounts.set_role(db, "an", Role.ADMIN, actor=ADMIN)
    assert not accounts.set_role(db, "an", Role.ADMIN, actor=ADMIN)
    assert accounts.set_active(db, "admin", False, actor=ADMIN)  # "an" is still an admin
    with pytest.raises(InputRefused, match="quản trị cuối cùng"):  # a disabled one does not count
        accounts.set_role(db, "an", Role.MEMBER, actor=ADMIN)
    assert accounts.set_active(db, "admin", True, actor=ADMIN)
    assert accounts.set_role(db, "an", Role.MEMBER, actor=ADMIN)
    roles = {u.username: (u.role, u.active) for u in accounts.list_users(db)}
    assert roles == {"admin": (Role.ADMIN, True), "an": (Role.MEMBER, True)}


def test_display_name(db: Database) -> None:
    assert accounts.set_display_name(db, "an", " Nguyễn Văn An (Sở TT&TT) ", actor=ADMIN)
    assert not accounts.set_display_name(db, "an", "Nguyễn Văn An (Sở TT&TT)", actor=ADMIN)
    with pytest.raises(InputRefused):
        accounts.set_display_name(db, "an", "  ", actor=ADMIN)


# ---- the audit trail -------------------------------------------------------------------------


def test_every_change_is_audited_and_no_secret_is(db: Database) -> None:
    secrets = [PASSWORD, "mat-khau-quan-tri", "mật khẩu mới 2025", "đoán thử 123", "gõ nhầm 1"]
    accounts.authenticate(db, "an", PASSWORD, now=T0)
    with pytest.raises(AuthFailed):
        accounts.authenticate(db, "an", "đoán thử 123", now=T0)
    with pytest.raises(AuthFailed):
        accounts.authenticate(db, "gõ nhầm 1", PASSWORD, now=T0)  # a password in the name box
    accounts.reset_password(db, "an", "mật khẩu mới 2025", actor=ADMIN)
    accounts.change_password(db, "an", "mật khẩu mới 2025", PASSWORD, now=T0)
    accounts.set_role(db, "an", Role.MEMBER, actor=ADMIN)
    accounts.set_active(db, "an", False, actor=ADMIN)
    hashes = [u.password_hash for u in (_user(db, "admin"), _user(db, "an"))]
    secrets += hashes + [h.split("$")[4] for h in hashes] + [h.split("$")[5] for h in hashes]
    assert _actions(db) == [
        "user.create_first_admin",
        "user.create",
        "user.login",
        "user.login_failed",
        "user.login_failed",
        "user.password_reset",
        "user.password_change",
        "user.role",
        "user.disable",
    ]
    with db.engine.connect() as conn:  # the raw rows, as stored (SQLite or PostgreSQL)
        rows = conn.exec_driver_sql("SELECT * FROM audit_event").fetchall()
    text = "\n".join(str(value) for row in rows for value in row)
    for secret in secrets:
        assert secret not in text
        assert unicodedata.normalize("NFD", secret) not in text
    assert "password" not in text.replace("user.password_", "")
