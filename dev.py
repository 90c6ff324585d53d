"""Developer entry point: needs only Python 3.11+ on the machine.

    python dev.py demo   # make .venv, install KHIT Desktop, open the window on a demo database
    python dev.py test   # make .venv, install with the test tools, run ruff, mypy and the tests

The virtual environment is reused; it is reinstalled only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".khit-installed"


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older Python
        sys.exit("KHIT Desktop cần Python 3.11 trở lên.")
    if not PYTHON.exists():
        print("Tạo môi trường ảo .venv …", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Cài đặt KHIT Desktop và công cụ kiểm thử …", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command not in {"demo", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    if command == "demo":
        return subprocess.call([str(PYTHON), "-m", "khit_desktop.app", "--demo", *argv[1:]])
    env = dict(os.environ)  # tests/conftest.py puts Qt offscreen on a 1366×768 screen
    lint = subprocess.call([str(PYTHON), "-m", "ruff", "check", str(ROOT)], cwd=ROOT, env=env)
    types = subprocess.call([str(PYTHON), "-m", "mypy"], cwd=ROOT, env=env)
    tests = subprocess.call([str(PYTHON), "-m", "pytest", *argv[1:]], cwd=ROOT, env=env)
    return tests or lint or types


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
