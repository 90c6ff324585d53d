"""What a person types to log in: user names and passwords.

Passwords are NFC-normalised (a password typed with a Vietnamese input method that sends
decomposed marks is the same password), then hashed with scrypt and a random salt. The stored
text carries its parameters (``scrypt$n$r$p$salt$hash``), so they can be raised later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from ..domain.collation import nfc
from .errors import InputRefused

MIN_PASSWORD = 8
MAX_PASSWORD = 256  # longer input is refused rather than hashed (scrypt's cost grows with it)
DEMO_USERNAME = "minh-hoa"
_NAME_CHARS = "._-"


@dataclass(frozen=True)
class ScryptParams:
    n: int
    r: int
    p: int


# ≈ 32 MiB and 0,2 s a hash on the clerks' laptops: slow for a guesser, unnoticed at login.
PARAMS = ScryptParams(n=2**15, r=8, p=1)
_MAXMEM = 64 * 1024 * 1024
_KEY_BYTES = 32


def _scrypt(password: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        nfc(password).encode("utf-8"),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=_MAXMEM,
        dklen=_KEY_BYTES,
    )


def hash_password(password: str, params: ScryptParams | None = None) -> str:
    """The stored form of ``password``: ``scrypt$n$r$p$salt_b64$hash_b64``."""
    params = params or PARAMS
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, params)
    b64 = base64.b64encode
    return f"scrypt${params.n}${params.r}${params.p}${b64(salt).decode()}${b64(digest).decode()}"


def _parse(stored: str) -> tuple[ScryptParams, bytes, bytes] | None:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        params = ScryptParams(int(n), int(r), int(p))
        raw_salt = base64.b64decode(salt, validate=True)
        raw_digest = base64.b64decode(digest, validate=True)
    except ValueError:
        return None
    sane = (
        scheme == "scrypt"
        and 2 <= params.n <= 2**20
        and params.n & (params.n - 1) == 0
        and 1 <= params.r <= 32
        and 1 <= params.p <= 16
        and 128 * params.n * params.r <= _MAXMEM // 2
        and raw_salt
        and len(raw_digest) == _KEY_BYTES
    )
    return (params, raw_salt, raw_digest) if sane else None


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` (NFC-normalised) matches ``stored``; compared in constant time."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    params, salt, digest = parsed
    return hmac.compare_digest(_scrypt(password, salt, params), digest)


def needs_rehash(stored: str) -> bool:
    parsed = _parse(stored)
    return parsed is None or parsed[0] != PARAMS


def dummy_hash() -> str:
    """A hash of nothing anyone knows, with the current parameters: checking a password
    against it takes as long as a real check (for names without an account)."""
    return _dummy_hash(PARAMS)


@lru_cache(maxsize=4)
def _dummy_hash(params: ScryptParams) -> str:
    return hash_password(secrets.token_hex(16), params)


def normalise_username(username: str) -> str:
    """How a name is stored and compared: NFC, case folded, without surrounding blanks."""
    return nfc(nfc(username).strip().casefold())


def username_problem(username: str) -> str | None:
    """Why ``username`` cannot name an account (None when it can)."""
    name = normalise_username(username)
    if not name:
        return "Cần nhập tên đăng nhập."
    if len(name) > 60:
        return "Tên đăng nhập dài quá 60 ký tự."
    if any(not (ch.isalnum() or ch in _NAME_CHARS) for ch in name):
        return "Tên đăng nhập chỉ gồm chữ, số và các dấu . _ - (không có khoảng trắng)."
    if name == DEMO_USERNAME:
        return f"Tên '{DEMO_USERNAME}' dành cho người dùng minh họa."
    return None


def password_problem(username: str, password: str) -> str | None:
    """Why ``password`` is refused for ``username`` (None when it is accepted). For dialogs to
    show while the user types; the services check it again."""
    text = nfc(password)
    if len(text) < MIN_PASSWORD:
        return f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."
    if len(text) > MAX_PASSWORD:
        return f"Mật khẩu dài quá {MAX_PASSWORD} ký tự."
    if normalise_username(text) == normalise_username(username):
        return "Mật khẩu không được trùng tên đăng nhập."
    return None


def check_password(username: str, password: str) -> None:
    problem = password_problem(username, password)
    if problem:
        raise InputRefused(problem)
