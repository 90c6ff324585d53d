"""The PyInstaller bundle built from installer/khit.spec (the spec the Windows installer uses)
runs by itself: its ``khit`` writes the annex on a fresh demo database, and its window opens
offscreen. This proves the spec carries every module, data file, migration, font and Qt
plugin that those paths need.

The bundle is built once per test session into a temporary folder (about a minute), or taken
from ``KHIT_BUNDLE_DIR`` (the folder holding ``khit`` and ``KHIT Desktop``, or the dist folder
above it) when ``.ci/run`` has built it already. Without PyInstaller (``pip install -e
.[build]``) and without ``KHIT_BUNDLE_DIR`` the tests are skipped, saying so.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.bundle

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "khit.spec"
APP_NAME = "KHIT Desktop"
EXE = ".exe" if sys.platform == "win32" else ""

# A folder name a clerk may well have: Vietnamese letters and spaces.
VIETNAMESE_FOLDER = "Tài liệu của Nguyễn Văn A"

# Qt's own log (category qt.widgets.showhide) when the main window's native window is shown:
# proof that the window opened, without any hook in the program.
MAIN_WINDOW_SHOWN = re.compile(
    r'QWidgetWindow\([^)]*name="MainWindowClassWindow"\) to true via '
    r"QWidgetWindow::setNativeWindowVisibility"
)
# The self-test hook (env KHIT_SELFTEST=1), once app.py has it: open the window, print this,
# exit 0.
SELFTEST_OK = re.compile(r"^KHIT_SELFTEST ok\b", re.MULTILINE)
WINDOW_TIMEOUT_S = 120
ALIVE_AFTER_SHOWN_S = 4


def _app_folder(given: Path) -> Path:
    for folder in (given, given / APP_NAME):
        if (folder / f"khit{EXE}").is_file() and (folder / f"{APP_NAME}{EXE}").is_file():
            return folder
    pytest.fail(f"KHIT_BUNDLE_DIR={given} holds no 'khit' and '{APP_NAME}' programs")


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


_BEFORE: dict[Path, dict[str, tuple[int, int]]] = {}


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-folder bundle: the folder with ``khit`` and ``KHIT Desktop`` in it."""
    folder = _built_bundle(tmp_path_factory)
    _BEFORE.setdefault(folder, _snapshot(folder))
    return folder


def _built_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("KHIT_BUNDLE_DIR")
    if given:
        return _app_folder(Path(given))
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip(
            "PyInstaller is not installed (pip install -e .[build]) and KHIT_BUNDLE_DIR is not "
            "set: the bundle cannot be built"
        )
    work = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(SPEC),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert built.returncode == 0, f"PyInstaller failed:\n{built.stdout}\n{built.stderr}"
    print(f"bundle built in {time.monotonic() - started:.0f} s")
    return _app_folder(work / "dist")


def _env(tmp_path: Path) -> dict[str, str]:
    """The bundle's environment: a private data folder and temp folder, Qt offscreen, and
    nothing of this checkout or virtual environment on its path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["KHIT_DATA_DIR"] = str(tmp_path / "data")
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    env["TMPDIR"] = env["TEMP"] = env["TMP"] = str(scratch)
    env["QT_QPA_PLATFORM"] = "offscreen"
    for name in ("KHIT_USER", "KHIT_PASSWORD", "KHIT_NEW_PASSWORD", "KHIT_SELFTEST"):
        env.pop(name, None)
    return env


def _khit(bundle: Path, tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle / f"khit{EXE}"), *[str(a) for a in args]],
        cwd=tmp_path,  # not the checkout: nothing may be found there by accident
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=180,
        check=False,
    )


def test_bundle_holds_both_programs_resources_and_migrations(bundle: Path) -> None:
    internal = bundle / "_internal"
    assert os.access(bundle / f"khit{EXE}", os.X_OK)
    assert os.access(bundle / f"{APP_NAME}{EXE}", os.X_OK)
    for relative in (
        "resources/fonts/LiberationSerif-Regular.ttf",
        "resources/fonts/LiberationSerif-Bold.ttf",
        "resources/fonts/LICENSE-LiberationSerif.txt",
        "resources/criteria/bo-tieu-chi-mau.json",
        "resources/agencies/khanh-hoa-2020.csv",
        "resources/icons/khit.ico",
        "database/migrations/env.py",
        "database/migrations/script.py.mako",
    ):
        assert (internal / relative).is_file(), relative
    shipped = {p.name for p in (internal / "database/migrations/versions").glob("*.py")}
    source = {p.name for p in (ROOT / "database/migrations/versions").glob("*.py")}
    assert shipped == source


def test_bundled_khit_works_on_a_postgresql_server(bundle: Path, tmp_path: Path) -> None:
    """PostgreSQL mode from the bundle: the driver and its libpq are inside. ``khit init
    --demo`` builds the demo on an empty server database (every migration, from the bundle's
    files) and ``khit verify`` checks it."""
    from tests.postgres_server import scratch_database

    with scratch_database() as target:
        made = _khit(bundle, tmp_path, "init", "--db", target, "--demo")
        assert made.returncode == 0, made.stderr
        checked = _khit(bundle, tmp_path, "verify", "--db", target)
        assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.fixture(scope="session")
def bundled_demo(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database made by the bundle's own ``khit init --demo`` (every migration run
    from the bundle's files), in a folder with Vietnamese letters and spaces."""
    home = tmp_path_factory.mktemp("bundled-demo")
    target = home / VIETNAMESE_FOLDER / "khit minh họa.db"
    target.parent.mkdir()
    done = _khit(bundle, home, "init", "--db", target, "--demo")
    assert done.returncode == 0, done.stderr
    assert target.is_file()
    return target


def test_bundled_khit_writes_the_annex(bundle: Path, bundled_demo: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    db = tmp_path / VIETNAMESE_FOLDER / bundled_demo.name
    db.parent.mkdir()
    shutil.copy(bundled_demo, db)
    out = tmp_path / VIETNAMESE_FOLDER / "Phụ lục 2020.pdf"

    done = _khit(bundle, tmp_path, "annex", "--db", db, "--year", "2020", "--out", out)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    reader = PdfReader(out)
    assert len(reader.pages) == 3
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        assert fonts
        for font in fonts.values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            assert "LiberationSerif" in str(font["/BaseFont"])
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "UBND TỈNH KHÁNH HÒA",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN",
        "Sở Thông tin và Truyền thông",
        "Xếp loại",
        "DỮ LIỆU MINH HỌA",
    ):
        assert expected in text, expected


def test_bundled_annex_equals_the_source_program(
    bundle: Path, bundled_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The frozen program writes, page for page, the text the program run from source does."""
    from pypdf import PdfReader

    from khit_desktop.cli import main

    frozen_db, source_db = tmp_path / "frozen.db", tmp_path / "source.db"
    shutil.copy(bundled_demo, frozen_db)
    shutil.copy(bundled_demo, source_db)
    frozen_pdf, source_pdf = tmp_path / "frozen.pdf", tmp_path / "source.pdf"
    done = _khit(
        bundle, tmp_path, "annex", "--db", frozen_db, "--year", "2020", "--out", frozen_pdf
    )
    assert done.returncode == 0, done.stderr
    assert main(["annex", "--db", str(source_db), "--year", "2020", "--out", str(source_pdf)]) == 0
    capsys.readouterr()

    def pages(path: Path) -> list[str]:
        return [page.extract_text() for page in PdfReader(path).pages]

    assert pages(frozen_pdf) == pages(source_pdf)


def _run_window(bundle: Path, tmp_path: Path) -> tuple[str, int | None, str, str]:
    """Start the bundled window on the demo and watch it. Returns (how it was judged, exit
    code or None if it was still running and was stopped, stdout, stderr)."""
    env = _env(tmp_path)
    env["KHIT_SELFTEST"] = "1"  # used by app.py once it has the hook; harmless before
    env["QT_LOGGING_RULES"] = "qt.widgets.showhide.debug=true"
    out_path, err_path = tmp_path / "window.out", tmp_path / "window.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [str(bundle / f"{APP_NAME}{EXE}"), "--demo"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + WINDOW_TIMEOUT_S
            shown_at: float | None = None
            while process.poll() is None and time.monotonic() < deadline:
                if shown_at is None and MAIN_WINDOW_SHOWN.search(_read(err_path)):
                    shown_at = time.monotonic()
                if shown_at is not None and time.monotonic() - shown_at > ALIVE_AFTER_SHOWN_S:
                    break  # shown and still running: the program has no self-test hook
                time.sleep(0.2)
            code = process.poll()
            how = "self-test hook" if code is not None else "window shown, still running"
            if code is None:
                if shown_at is None:
                    how = "timed out before the main window was shown"
                if sys.platform == "win32":
                    process.terminate()
                else:
                    process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
    return how, code, _read(out_path), _read(err_path)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="a windowed program has no stderr on Windows: build.ps1 checks it with KHIT_SELFTEST",
)
def test_bundled_window_opens_offscreen_on_the_demo(bundle: Path, tmp_path: Path) -> None:
    how, code, out, err = _run_window(bundle, tmp_path)
    tail = "\n".join(err.splitlines()[-40:])
    assert "Traceback" not in err, tail
    assert "[PYI-" not in err, tail  # the bootloader's own error report
    assert "Qt platform plugin" not in err, tail  # could not find / load / initialise
    assert how != "timed out before the main window was shown", tail
    assert MAIN_WINDOW_SHOWN.search(err), tail
    if code is not None:  # it stopped by itself: only the self-test hook may do that
        assert code == 0, f"the window exited with {code}\n{out}\n{tail}"
        assert SELFTEST_OK.search(out), f"the window exited without the self-test line\n{out}"
    assert (tmp_path / "data" / "settings.ini").is_file()  # it wrote its settings, not ours


def test_the_programs_wrote_nothing_into_their_own_folder(bundle: Path) -> None:
    """Runs after the tests above (file order): the install folder stays as installed (no
    database, settings, log or byte-code cache there), so a per-user install can be replaced
    or removed cleanly and the user's data lives only in the data folder."""
    assert _snapshot(bundle) == _BEFORE[bundle]
