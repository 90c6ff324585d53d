"""Where a SQLite database may live: never on a network share.

SQLite's locking relies on the file system; over SMB/CIFS and NFS the locks are unreliable
and a database written from two machines (or even one, through a share) can be corrupted
(https://www.sqlite.org/useovernet.html, https://www.sqlite.org/howtocorrupt.html §2.1).
So the program refuses to open a SQLite file on a share: a UNC path on any system, a mapped
network drive on Windows, a path on an nfs/cifs/smb/sshfs mount on Linux.

The decision is made by ``network_share_reason`` from what it is given (the path text, the
platform, a mount table or a drive-type function), so it is tested without a real share.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import DatabaseError

DRIVE_REMOTE = 4  # GetDriveTypeW: "the drive is a remote (network) drive"

# File systems reached over a network (Linux mount types). 9p is left out on purpose: WSL
# mounts the PC's own disks (/mnt/c) with it.
NETWORK_FS_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "sshfs",
        "fuse.sshfs",
        "fuse.smbnetfs",
        "afs",
        "ncpfs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
    }
)


class NetworkShareError(DatabaseError):
    """A SQLite database on a network share: refused before anything is written."""


@dataclass(frozen=True)
class Mount:
    mount_point: str
    fs_type: str


def is_unc(text: str) -> bool:
    r"""``\\server\share\…`` or ``//server/share/…`` (either slash, on any system); the local
    forms ``\\?\C:\…`` and ``\\.\…`` are not shares, ``\\?\UNC\server\…`` is."""
    normal = text.replace("/", "\\")
    if not normal.startswith("\\\\") or normal.startswith("\\\\\\"):
        return False
    if normal[2:4] in ("?\\", ".\\"):
        return normal[4:].upper().startswith("UNC\\")
    parts = [p for p in normal[2:].split("\\") if p]
    return len(parts) >= 2  # a server and a share


def _unescape(field: str) -> str:
    # /proc/self/mountinfo writes space, tab, newline and backslash as octal escapes
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def parse_mountinfo(text: str) -> list[Mount]:
    """The mounts listed in Linux's ``/proc/self/mountinfo`` (mount point, file system)."""
    mounts = []
    for line in text.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        mounts.append(Mount(_unescape(fields[4]), right.split()[0]))
    return mounts


def read_mounts() -> list[Mount]:
    try:
        return parse_mountinfo(Path("/proc/self/mountinfo").read_text(encoding="utf-8"))
    except OSError:
        return []


def mount_of(path: str, mounts: Iterable[Mount]) -> Mount | None:
    """The mount holding ``path`` (absolute, resolved): the longest matching mount point;
    of equal ones the last listed (it is mounted over the earlier)."""
    target = PurePosixPath(path)
    best: Mount | None = None
    for mount in mounts:
        point = PurePosixPath(mount.mount_point)
        if (target == point or point in target.parents) and (
            best is None or len(point.parts) >= len(PurePosixPath(best.mount_point).parts)
        ):
            best = mount
    return best


def windows_drive_type(root: str) -> int:
    """GetDriveTypeW of a drive root such as ``Z:\\`` (Windows only)."""
    import ctypes

    windll = getattr(ctypes, "windll")  # noqa: B009 - absent on other systems
    return int(windll.kernel32.GetDriveTypeW(root))


def network_share_reason(
    path: str | os.PathLike[str],
    *,
    platform: str = sys.platform,
    mounts: Iterable[Mount] | None = None,
    drive_type: Callable[[str], int] | None = None,
) -> str | None:
    """Why ``path`` is on a network share (a Vietnamese phrase), or None for a local disk."""
    text = os.fspath(path)
    if is_unc(text):
        return "đường dẫn mạng (UNC)"
    if platform.startswith("win"):
        drive = PureWindowsPath(text).drive
        if len(drive) == 2 and drive[1] == ":":
            kind = (drive_type or windows_drive_type)(drive.upper() + "\\")
            if kind == DRIVE_REMOTE:
                return f"ổ đĩa mạng {drive.upper()}"
        return None
    if platform.startswith("linux"):
        if mounts is None:
            mounts = read_mounts()
        found = mount_of(_existing_real(text), mounts)
        if found is not None and found.fs_type.lower() in NETWORK_FS_TYPES:
            return f"thư mục mạng ({found.fs_type}, gắn tại {found.mount_point})"
    return None


def _existing_real(text: str) -> str:
    """The real path of ``text``; a file not created yet is judged by its nearest folder."""
    path = Path(os.path.abspath(text))
    for candidate in (path, *path.parents):
        if candidate.exists():
            real = Path(os.path.realpath(candidate))
            return str(real / path.relative_to(candidate))
    return str(path)


def refuse_network_share(
    path: str | os.PathLike[str],
    *,
    platform: str = sys.platform,
    mounts: Iterable[Mount] | None = None,
    drive_type: Callable[[str], int] | None = None,
) -> None:
    """Raise NetworkShareError for a SQLite database on a network share (see the module)."""
    reason = network_share_reason(path, platform=platform, mounts=mounts, drive_type=drive_type)
    if reason is None:
        return
    raise NetworkShareError(
        f"Không mở cơ sở dữ liệu {os.fspath(path)} vì tệp nằm trên {reason}. Cơ sở dữ liệu "
        "SQLite đặt trên thư mục chia sẻ qua mạng có thể bị hỏng khi ghi (khóa tệp qua mạng "
        "không tin cậy — xem tài liệu SQLite: https://www.sqlite.org/useovernet.html). "
        "Hãy chép tệp về ổ đĩa của máy này rồi mở bản đó; nếu nhiều cán bộ cần cùng làm việc "
        "trên một cơ sở dữ liệu, hãy dùng chế độ máy chủ PostgreSQL."
    )
