"""Which backends the service tests ran on (one line in the summary says so)."""

from __future__ import annotations

import pytest

from khit_desktop.store.database import Database
from tests.postgres_server import SKIPPED, server_url


def test_postgresql_run_of_the_service_tests() -> None:
    if server_url() is None:
        pytest.skip(SKIPPED)


def test_each_backend_opens(fresh_db: Database, backend: str) -> None:
    assert fresh_db.url.get_backend_name() == backend
    assert fresh_db.is_postgres == (backend == "postgresql")
