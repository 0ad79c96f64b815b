"""One temp area for everything temporary, and a sweep that removes what a killed process left.

Temporary files used to go to the system's temp folder, and a process killed with SIGKILL (the
out-of-memory killer, `kill -9`, a power cut) left its upload, build or import folder there for
good: 21 interrupted uploads left 1.76 GB. Now every temporary file lives under the data folder's
temp area (FAZHI_TEMP_DIR, by default DATA_DIR/tmp; a local folder on the scale deployment too),
in a folder of the process that wrote it, named so that a sweeper can tell whether that process
still lives:

    <host>-<realm>-<pid>-<start>

`start` is the process's start time in clock ticks since boot (/proc/<pid>/stat), so a pid that
the system gave to a new process does not keep a dead owner's folder alive; `realm` stands for
the host name and the PID namespace, since a pid means something only inside its namespace (two
containers sharing the data folder and the host name see different processes under one pid).
A folder of this realm whose process is gone, or another process now, is removed at once. A
folder the sweeper cannot check (another machine or container, a system without /proc, a process
of another user hidden from /proc) is removed only when nothing in it changed for a day, which
never catches a file being written.

`temp_dir()` and `temp_file()` are the only ways code here makes temporary files; both remove
what they made when their block ends, on success and on failure. `sweep_temp_area()` runs when
`fazhi serve` starts, daily from its clock (fazhi/plans/clock.py), at the start of each worker,
and as `fazhi temp sweep`."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile

logger = logging.getLogger(__name__)

# What the sweep waits before removing what it cannot tell the owner of.
UNKNOWN_OWNER_MAX_AGE_SECONDS = 24 * 60 * 60
# A folder made outside the temp area (see temp_dir's `near`) is recorded in its owner's folder
# by a file of this prefix holding its path.
ELSEWHERE = ".elsewhere-"
OWNER = re.compile(
    r"^(?P<host>[A-Za-z0-9_.]+)-(?P<realm>[0-9a-f]{8})-(?P<pid>\d+)-(?P<start>\d+|na)$"
)
# Work folders of backup and restore runs from before the temp area, found in the data folder.
LEGACY_PREFIXES = (".restore-", ".fazhi-backup-")

_owner_by_pid: dict[int, str] = {}
_roots_used: set[Path] = set()


def temp_root() -> Path:
    return Path(settings.FAZHI_TEMP_DIR)


# --- who owns a folder -------------------------------------------------------------------------


def _proc_start(pid: int) -> tuple[str, str] | None:
    """(state, start time in ticks) of a process from /proc, or None when it cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count from its last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], fields[19]


def _realm() -> str:
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return hashlib.sha256(f"{socket.gethostname()}|{namespace}".encode()).hexdigest()[:8]


def owner_name(pid: int | None = None) -> str:
    """The name of the folder of process `pid` (this process by default) in the temp area."""
    pid = os.getpid() if pid is None else pid
    if pid not in _owner_by_pid:
        host = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:40] or "host"
        started = _proc_start(pid)
        _owner_by_pid[pid] = f"{host}-{_realm()}-{pid}-{started[1] if started else 'na'}"
    return _owner_by_pid[pid]


def owner_alive(name: str) -> bool | None:
    """True when the process named by a temp-area folder runs, False when it is gone for sure,
    None when this process cannot tell (another host or namespace, no /proc, hidden pid)."""
    match = OWNER.match(name)
    if match is None or match["start"] == "na" or match["realm"] != _realm():
        return None
    pid = int(match["pid"])
    current = _proc_start(pid)
    if current is None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return None  # it exists but belongs to someone /proc hides from us
        return None
    state, start = current
    # A killed child not yet reaped by its parent is a zombie: it will never write again.
    return start == match["start"] and state not in ("Z", "X")


# --- making temporary files ----------------------------------------------------------------------


def process_dir() -> Path:
    """This process's own folder in the temp area, made on first use. Resolved on every call,
    not once at start-up: gunicorn forks its workers from a master that imported everything, and
    each worker must write under its own pid."""
    root = temp_root()
    folder = root / owner_name()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _roots_used.add(root)
    return folder


@atexit.register
def _remove_own_empty_folder() -> None:
    """A process that ends normally leaves no empty folder behind (a killed one does; the sweep
    removes it)."""
    for root in _roots_used:
        with contextlib.suppress(OSError):
            (root / owner_name()).rmdir()


def _same_file_system(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


@contextlib.contextmanager
def temp_dir(prefix: str = "fazhi-", *, near: Path | None = None) -> Iterator[Path]:
    """A fresh folder, removed with everything in it when the block ends, however it ends.

    `near`: the folder is to be moved (os.replace) into `near`, which only works within one file
    system. It is then made in the temp area when that is on `near`'s file system, else inside
    `near` itself under a name carrying this process's owner name, with a note in this
    process's folder naming it, so that the sweep finds it if the process is killed. The note
    rather than always working inside `near`: a backup archive may be written anywhere (a USB
    disk, a network share) where nothing would ever look for leftovers again."""
    own = process_dir()
    note = None
    if near is None or _same_file_system(Path(near), own):
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=own))
    else:
        token = secrets.token_hex(4)
        folder = Path(near) / f"{prefix}{owner_name()}-{token}"
        note = own / f"{ELSEWHERE}{token}"
        note.write_text(str(folder.resolve()))  # first: a kill in between leaves only the note
        folder.mkdir(mode=0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if note is not None:
            note.unlink(missing_ok=True)


_redirect_registered = False


def redirect_system_temp() -> None:
    """Make this process's folder the default of Python's tempfile module, which libraries use
    on their own (openpyxl writing a large workbook, the object-storage client spilling a large
    read to disk, LibreOffice's TMPDIR aside): what they leave when the process is killed is then
    swept too. Called when Django starts (fazhi/core/apps.py), and again in every child forked
    afterwards (gunicorn's workers), which must not write into their parent's folder."""
    global _redirect_registered
    try:
        tempfile.tempdir = str(process_dir())
    except OSError:  # an unwritable temp area: leave the system's in place, uploads will say it
        logger.exception("无法使用临时区 %s", temp_root())
        return
    if not _redirect_registered:
        _redirect_registered = True
        os.register_at_fork(after_in_child=redirect_system_temp)


def temp_file(*, suffix: str = "", prefix: str = "fazhi-", mode: str = "w+b"):
    """A named temporary file in this process's folder, removed when closed (use it in a with
    block: it is closed on failure too)."""
    return tempfile.NamedTemporaryFile(mode=mode, suffix=suffix, prefix=prefix, dir=process_dir())


class AreaUploadedFile(TemporaryUploadedFile):
    """Django's temporary upload file, made in this process's folder of the temp area. Django's
    own takes FILE_UPLOAD_TEMP_DIR, one folder for every process: a folder per process cannot be
    a setting, since gunicorn forks its workers from a master that read the settings."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        _, ext = os.path.splitext(name)
        file = temp_file(suffix=".upload" + ext, prefix="upload-")
        UploadedFile.__init__(self, file, name, content_type, size, charset, content_type_extra)


# --- the sweep -----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    removed: int = 0  # files (and links) removed
    bytes: int = 0  # their size
    folders: int = 0  # folders of dead processes removed, with everything in them
    kept: int = 0  # entries left alone: their owner lives, or may, and they are recent

    def as_dict(self) -> dict:
        return asdict(self)


def _measure(path: Path) -> tuple[int, int, float]:
    """(files, bytes, newest modification time) of a file or a folder tree, links not followed."""
    try:
        top = path.lstat()
    except OSError:
        return 0, 0, 0.0
    if not path.is_dir() or path.is_symlink():
        return 1, top.st_size, top.st_mtime
    files, size, newest = 0, 0, top.st_mtime
    for folder, dirs, names in os.walk(path):
        for name in (*dirs, *names):
            try:
                info = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            newest = max(newest, info.st_mtime)
            if name in names:
                files += 1
                size += info.st_size
    return files, size, newest


def _remove(path: Path, result: SweepResult) -> None:
    files, size, _ = _measure(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    if not path.exists() and not path.is_symlink():
        result.removed += files
        result.bytes += size


def _remove_owner(folder: Path, name: str, result: SweepResult) -> None:
    """A dead process's folder, and the folders outside the temp area its notes name."""
    for note in folder.glob(f"{ELSEWHERE}*"):
        try:
            elsewhere = Path(note.read_text().strip())
        except OSError:
            continue
        # Only a folder this owner made: its name carries the owner's name.
        if name in elsewhere.name and elsewhere.is_dir() and not elsewhere.is_symlink():
            _remove(elsewhere, result)
    _remove(folder, result)
    result.folders += 1


def _stale(path: Path, now: float, max_age: float) -> bool:
    return now - _measure(path)[2] > max_age


def sweep_temp_area(
    *, root: Path | None = None, max_age: float = UNKNOWN_OWNER_MAX_AGE_SECONDS
) -> SweepResult:
    """Remove from the temp area whatever a dead process left: the folder of every process that
    is gone, and what nobody can be asked about once untouched for `max_age` seconds. Never
    touches the folder of a living process. Also takes the work folders of backup and restore
    runs from before the temp area out of the data folder, once a day old."""
    root = temp_root() if root is None else Path(root)
    result, now = SweepResult(), time.time()
    try:
        entries = list(root.iterdir())
    except FileNotFoundError:
        entries = []
    for entry in entries:
        alive = owner_alive(entry.name) if entry.is_dir() and not entry.is_symlink() else None
        if alive is False or (alive is None and _stale(entry, now, max_age)):
            if OWNER.match(entry.name):
                _remove_owner(entry, entry.name, result)
            else:
                _remove(entry, result)
        else:
            result.kept += 1
    data_dir = Path(settings.DATA_DIR)
    if root == temp_root() and data_dir.is_dir():
        for entry in data_dir.iterdir():
            if entry.name.startswith(LEGACY_PREFIXES) and _stale(entry, now, max_age):
                _remove(entry, result)
    if result.removed or result.folders:
        logger.info(
            "临时文件清理：删除 %s 个文件（%s 字节），%s 个已结束进程的文件夹",
            result.removed,
            result.bytes,
            result.folders,
        )
    return result
