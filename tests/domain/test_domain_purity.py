"""domain/ stays pure Python: no Qt, database, migration, Excel or PDF library, ever."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "khit_desktop" / "domain"
FORBIDDEN = {"PySide6", "shiboken6", "sqlalchemy", "alembic", "openpyxl", "reportlab"}
MODULES = sorted(p for p in DOMAIN.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """(top-level package, relative level) of every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name.split(".")[0], 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append(((node.module or "").split(".")[0], node.level))
    return found


def test_domain_modules_found() -> None:
    names = {p.stem for p in MODULES}
    assert {
        "numbers",
        "dates",
        "rules",
        "lateness",
        "criteria",
        "form_spec",
        "classification",
        "ranking",
        "collation",
    } <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_forbidden_import(path: Path) -> None:
    for top, level in imports_of(path):
        if level == 0:
            assert top not in FORBIDDEN, f"{path.name} imports {top}"
            assert top != "khit_desktop", f"{path.name}: use relative imports inside domain/"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_relative_import_out_of_the_domain(path: Path) -> None:
    depth = len(path.relative_to(DOMAIN).parts) - 1  # 0 for a module directly in domain/
    for top, level in imports_of(path):
        assert level <= 1 + depth, f"{path.name}: 'from {'.' * level}{top}' leaves domain/"


def test_the_checker_sees_forbidden_imports(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text(
        "import PySide6.QtCore\nfrom sqlalchemy import select\nfrom ..store import x\n",
        encoding="utf-8",
    )
    assert imports_of(sample) == [("PySide6", 0), ("sqlalchemy", 0), ("store", 2)]


def import_in_fresh_python(*names: str) -> subprocess.CompletedProcess[str]:
    """Import ``names`` in a new interpreter and fail if a forbidden package got loaded."""
    code = (
        "import importlib, sys\n"
        f"for name in {list(names)!r}:\n"
        "    importlib.import_module(name)\n"
        f"forbidden = {sorted(FORBIDDEN)!r}\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & set(forbidden))\n"
        "assert not loaded, loaded\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("name", [module_name(p) for p in MODULES])
def test_importing_pulls_no_forbidden_package(name: str) -> None:
    result = import_in_fresh_python(name)
    assert result.returncode == 0, result.stderr


def test_importing_the_whole_domain_pulls_no_forbidden_package() -> None:
    result = import_in_fresh_python(*(module_name(p) for p in MODULES))
    assert result.returncode == 0, result.stderr


def test_the_subprocess_check_catches_a_forbidden_import() -> None:
    result = import_in_fresh_python("sqlalchemy")
    assert result.returncode != 0
    assert "sqlalchemy" in result.stderr
