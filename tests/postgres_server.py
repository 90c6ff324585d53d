"""A PostgreSQL server for the tests (``KHIT_TEST_POSTGRES_URL``, e.g.
``postgresql://postgres@127.0.0.1:55432/khit_test``; ``.ci/run`` starts one).

Each test gets a database of its own, made with ``CREATE DATABASE … TEMPLATE …`` from a
template built once per session (an empty migrated schema, the catalogue, the demo…), which
is as fast as copying a SQLite file. Every database this process makes is named
``khit_t<pid>_<n>_…`` and dropped at the end.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine

from khit_desktop.store.database import Database, open_database
from khit_desktop.store.target import normalise_url

ENV = "KHIT_TEST_POSTGRES_URL"
SKIPPED = (
    f"{ENV} chưa đặt: các bài kiểm thử dịch vụ chỉ chạy trên SQLite "
    "(.ci/run chạy thêm trên PostgreSQL)."
)


_INSTANCES = itertools.count(1)


def server_url() -> str | None:
    value = os.environ.get(ENV, "").strip()
    return value or None


class PostgresServer:
    """Databases made and dropped on the test server."""

    def __init__(self, url: str) -> None:
        self.base: URL = normalise_url(url)
        self.admin: Engine = create_engine(self.base, isolation_level="AUTOCOMMIT")
        # unique per server object, so that one object's close() drops only its own
        self.prefix = f"khit_t{os.getpid()}_{next(_INSTANCES)}_"
        self._counter = itertools.count(1)
        self.templates: dict[str, str] = {}
        with self.admin.connect() as conn:
            self.version = int(conn.execute(text("SHOW server_version_num")).scalar() or 0)

    def url(self, name: str) -> URL:
        return self.base.set(database=name)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}{next(self._counter)}"
        # template0 needs no connection-free source; a session template is copied as is
        source = template or "template0"
        # FILE_COPY (PostgreSQL 15+) copies a small template's files at once, several times
        # faster than the default WAL_LOG on a fresh test server
        strategy = " STRATEGY FILE_COPY" if self.version >= 150000 else ""
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"{strategy}')
        return name

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def open_new(self, template: str | None = None) -> tuple[str, Database]:
        name = self.create(template)
        return name, open_database(self.url(name).render_as_string(hide_password=False))

    def template(self, key: str, build: Callable[[Database], None]) -> str:
        """A template database built once per session by ``build`` on an empty schema."""
        if key not in self.templates:
            name, db = self.open_new()
            try:
                build(db)
            finally:
                db.dispose()  # no connection may stay on a template
            self.templates[key] = name
        return self.templates[key]

    def close(self) -> None:
        with self.admin.connect() as conn:
            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE left(datname, length(:p)) = :p"),
                {"p": self.prefix},
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@contextmanager
def scratch_database() -> Iterator[str]:
    """The URL (password included) of an empty database on the test server, dropped
    afterwards; the test is skipped when there is no server."""
    import pytest

    url = server_url()
    if url is None:
        pytest.skip(SKIPPED)
    server = PostgresServer(url)
    try:
        yield server.url(server.create()).render_as_string(hide_password=False)
    finally:
        server.close()
