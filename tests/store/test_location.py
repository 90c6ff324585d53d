"""Refusing a SQLite database on a network share: UNC paths, mapped drives, network mounts.
The decision is fed mount tables and drive types, so no real share is needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from khit_desktop.store import location
from khit_desktop.store.database import open_database
from khit_desktop.store.errors import DatabaseError
from khit_desktop.store.location import (
    DRIVE_REMOTE,
    Mount,
    NetworkShareError,
    is_unc,
    mount_of,
    network_share_reason,
    parse_mountinfo,
    refuse_network_share,
)

MOUNTINFO = r"""22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
40 27 0:40 / /home rw,relatime - ext4 /dev/vdb1 rw
41 40 0:41 / /home/nva/Ổ\040chung rw,relatime - cifs //may-chu/chung rw,vers=3.0
42 27 0:42 / /mnt/nfs rw,relatime - nfs4 may-chu:/xuat rw
43 42 0:43 / /mnt/nfs/cuc\040bo rw,relatime - ext4 /dev/vdc1 rw
44 27 0:44 / /mnt/ssh rw,relatime - fuse.sshfs nva@may-chu:/du-lieu rw
45 27 0:45 / /mnt/c rw,relatime - 9p C:\134 rw
"""
MOUNTS = parse_mountinfo(MOUNTINFO)


@pytest.mark.parametrize(
    ("text", "unc"),
    [
        (r"\\may-chu\chung\khit.db", True),
        ("//may-chu/chung/Dữ liệu của Nguyễn Văn A/khit.db", True),
        (r"\\?\UNC\may-chu\chung\khit.db", True),
        (r"\\?\C:\Dữ liệu\khit.db", False),
        (r"\\.\C:\khit.db", False),
        (r"C:\Dữ liệu của Nguyễn Văn A\khit.db", False),
        ("/home/nva/khit.db", False),
        (r"\\may-chu", False),  # a server without a share is no path at all
        ("khit.db", False),
    ],
)
def test_unc_paths_on_any_system(text: str, unc: bool) -> None:
    assert is_unc(text) is unc
    for platform in ("linux", "win32", "darwin"):
        reason = network_share_reason(
            text, platform=platform, mounts=[], drive_type=lambda _root: 3
        )
        assert (reason is not None) is unc
        if unc:
            assert reason is not None and "UNC" in reason


def test_mountinfo_is_parsed_with_escapes() -> None:
    points = {m.mount_point: m.fs_type for m in MOUNTS}
    assert points["/home/nva/Ổ chung"] == "cifs"
    assert points["/mnt/nfs/cuc bo"] == "ext4"
    assert points["/"] == "ext4"
    assert len(MOUNTS) == 8


@pytest.mark.parametrize(
    ("path", "network"),
    [
        ("/home/nva/Ổ chung/Dữ liệu của Nguyễn Văn A/khit.db", True),  # cifs
        ("/home/nva/Ổ chung", True),
        ("/home/nva/Ổ chungx/khit.db", False),  # a sibling whose name starts the same
        ("/home/nva/Dữ liệu/khit.db", False),  # ext4
        ("/mnt/nfs/khit.db", True),
        ("/mnt/nfs/cuc bo/khit.db", False),  # a local disk mounted inside the nfs mount
        ("/mnt/ssh/khit.db", True),
        ("/mnt/c/Users/nva/khit.db", False),  # WSL's 9p: the PC's own disk
        ("/tmp/khit.db", False),
    ],
)
def test_linux_network_mounts(path: str, network: bool) -> None:
    reason = network_share_reason(path, platform="linux", mounts=MOUNTS)
    assert (reason is not None) is network
    if network:
        assert reason is not None and "thư mục mạng" in reason


def test_the_longest_mount_point_wins() -> None:
    found = mount_of("/mnt/nfs/cuc bo/a.db", MOUNTS)
    assert found == Mount("/mnt/nfs/cuc bo", "ext4")
    assert mount_of("/proc/self", MOUNTS) == Mount("/proc", "proc")


def test_windows_mapped_drives() -> None:
    kinds = {"Z:\\": DRIVE_REMOTE, "C:\\": 3, "E:\\": 2}
    seen: list[str] = []

    def drive_type(root: str) -> int:
        seen.append(root)
        return kinds.get(root, 1)

    reason = network_share_reason(
        r"z:\Dữ liệu của Nguyễn Văn A\khit.db", platform="win32", drive_type=drive_type
    )
    assert reason == "ổ đĩa mạng Z:"
    assert seen == ["Z:\\"]
    for local in (r"C:\Dữ liệu\khit.db", r"E:\khit.db"):
        assert network_share_reason(local, platform="win32", drive_type=drive_type) is None
    assert network_share_reason("khit.db", platform="win32", drive_type=drive_type) is None


def test_the_refusal_says_why_and_what_to_do() -> None:
    with pytest.raises(NetworkShareError) as refused:
        refuse_network_share("//may-chu/chung/khit.db", platform="linux", mounts=[])
    message = str(refused.value)
    assert isinstance(refused.value, DatabaseError)
    assert "//may-chu/chung/khit.db" in message
    assert "bị hỏng" in message and "sqlite.org" in message
    assert "chép tệp về ổ đĩa của máy này" in message
    assert "PostgreSQL" in message


def test_open_database_refuses_a_share_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "Ổ chung của Nguyễn Văn A"
    folder.mkdir()
    fake = [Mount("/", "ext4"), Mount(str(folder.resolve()), "cifs")]
    monkeypatch.setattr(location, "read_mounts", lambda: fake)
    with pytest.raises(NetworkShareError, match="cifs"):
        open_database(folder / "khit.db")
    assert list(folder.iterdir()) == []  # not even an empty file
    with pytest.raises(NetworkShareError, match="UNC"):
        open_database(r"\\may-chu\chung\khit.db")
    with pytest.raises(NetworkShareError, match="UNC"):
        open_database("sqlite://///may-chu/chung/khit.db")


def test_a_local_database_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "Dữ liệu của Nguyễn Văn A" / "khit.db"
    db = open_database(path)
    db.dispose()
    assert path.exists()
    assert network_share_reason(path) is None  # this machine's real mount table
