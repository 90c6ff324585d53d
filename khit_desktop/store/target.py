"""Which database to open: a SQLite file or a PostgreSQL server, and how it is named.

Precedence (``database_target``): ``--db`` on the command line, then the environment
variable ``KHIT_DATABASE_URL``, then the window's setting, then ``khit.db`` in the user's data
folder. A target is a URL when it holds ``://``; ``postgresql://`` and ``postgres://`` are
read as the psycopg 3 driver (``postgresql+psycopg://``), the only one the program ships for.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from ..paths import default_database_path
from .errors import DatabaseError

ENV_DATABASE_URL = "KHIT_DATABASE_URL"
POSTGRES_DRIVER = "postgresql+psycopg"


def is_url(target: str | Path) -> bool:
    return "://" in str(target)


def database_target(command_line: str | None = None, setting: str | None = None) -> str | Path:
    """The database to open: ``--db``, else ``KHIT_DATABASE_URL``, else the window's setting
    (a path or a URL), else the default file in the data folder."""
    for candidate in (command_line, os.environ.get(ENV_DATABASE_URL), setting):
        if candidate and candidate.strip():
            return candidate.strip()
    return default_database_path()


def normalise_url(text: str) -> URL:
    """A SQLAlchemy URL; PostgreSQL URLs get the psycopg 3 driver."""
    try:
        url = make_url(text)
    except Exception:
        raise DatabaseError(
            f"Địa chỉ cơ sở dữ liệu '{hide_password(text)}' không hợp lệ. Ví dụ đúng: "
            "postgresql://nguoidung@may-chu:5432/khit"
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if url.drivername not in (POSTGRES_DRIVER,):
            url = url.set(drivername=POSTGRES_DRIVER)
        return url
    if backend == "sqlite":
        return url
    raise DatabaseError(
        f"Loại cơ sở dữ liệu '{backend}' không được hỗ trợ: chỉ dùng tệp SQLite hoặc máy chủ "
        "PostgreSQL (postgresql://…)."
    )


def is_postgres(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def hide_password(text: str) -> str:
    """A URL as it may be shown or logged: the password replaced by ***."""
    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:
        return text.split("@")[-1] if "@" in text else text


def driver_missing_message() -> str:
    return (
        "Chưa cài trình điều khiển PostgreSQL (psycopg). Hãy cài: "
        "pip install 'khit-desktop[postgres]'."
    )
