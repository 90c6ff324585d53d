"""The window's remembered state, in one typed place (an INI file in the data folder)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ..paths import data_dir

SETTINGS_VERSION = 1


class AppSettings:
    """Typed access to the settings file, with defaults; nothing else touches QSettings."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "settings.ini"
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        if self._qs.value("version") is None:
            self._qs.setValue("version", SETTINGS_VERSION)

    def _get_bytes(self, key: str) -> QByteArray | None:
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @property
    def window_geometry(self) -> QByteArray | None:
        return self._get_bytes("window/geometry")

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._qs.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._get_bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._qs.setValue("window/state", value)

    def last_year(self, database: str) -> int | None:
        """The round last open in ``database`` (each database remembers its own)."""
        value = self._qs.value(f"rounds/{_key(database)}")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    def set_last_year(self, database: str, year: int) -> None:
        self._qs.setValue(f"rounds/{_key(database)}", year)

    @property
    def database_path(self) -> Path | None:
        """The database chosen at the first run when it is not the default one (a folder
        chosen with "Chọn nơi khác…", or a file opened with "Mở cơ sở dữ liệu đã có…")."""
        value = self._qs.value("database/path")
        return Path(value) if isinstance(value, str) and value else None

    @database_path.setter
    def database_path(self, value: Path | None) -> None:
        if value is None:
            self._qs.remove("database/path")
        else:
            self._qs.setValue("database/path", str(value))

    @property
    def database_url(self) -> str | None:
        """A PostgreSQL server to open instead of a file (issue 9: several clerks), without
        its password: that comes from the login prompt or libpq's password file, never from
        the settings."""
        value = self._qs.value("database/url")
        return value if isinstance(value, str) and value.strip() else None

    @database_url.setter
    def database_url(self, value: str | None) -> None:
        if value is None or not value.strip():
            self._qs.remove("database/url")
        else:
            self._qs.setValue("database/url", without_password(value.strip()))

    def sync(self) -> None:
        self._qs.sync()


def _key(database: str) -> str:
    # QSettings keys cannot hold '/' or '\\' safely: use a stable digest of the path
    import hashlib

    return hashlib.sha1(database.encode("utf-8")).hexdigest()[:16]


def without_password(url: str) -> str:
    """The URL with any password left out (a password is never written to the settings)."""
    from sqlalchemy.engine import URL, make_url

    try:
        parsed = make_url(url)
    except Exception:
        return url
    if parsed.password is None:
        return url
    bare = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return bare.render_as_string(hide_password=False)
