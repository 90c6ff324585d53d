"""Fault tests: a worker process killed with SIGKILL at random (seeded) moments.

Marked ``faults`` (``-m "not faults"`` leaves them out; they take about half a minute)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.faults.filled_forms import build_round, write_filled_forms

FORM_AGENCIES = 12  # two filled forms each: 24 files the import worker goes through


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: kills a worker process with SIGKILL many times")


@pytest.fixture(scope="session")
def fault_round(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue and round 2020, built once; tests copy it."""
    path = tmp_path_factory.mktemp("faults") / "round.db"
    build_round(path)
    return path


@pytest.fixture(scope="session")
def filled_forms(fault_round: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("faults") / "Phiếu đã điền của các cơ quan"
    folder.mkdir()
    scratch = folder.parent / "scratch.db"
    shutil.copy(fault_round, scratch)
    write_filled_forms(scratch, folder, FORM_AGENCIES, seed=2020)
    shutil.rmtree(folder / "trang")
    return folder


@pytest.fixture
def fault_db(fault_round: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "Dữ liệu của Nguyễn Văn A"
    folder.mkdir()
    path = folder / "khit thử lỗi.db"
    shutil.copy(fault_round, path)
    return path
