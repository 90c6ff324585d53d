"""The concurrency test runs on SQLite and, when ``KHIT_TEST_POSTGRES_URL`` is set, on
PostgreSQL (the service tests' fixtures)."""

from tests.services.conftest import (  # noqa: F401  (fixtures shared with the service tests)
    _build_round,
    backend,
    postgres,
    pytest_configure,
    pytest_generate_tests,
    round_template,
)
