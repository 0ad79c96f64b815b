"""The temp area: everything temporary lives under the data folder, in a folder per process; the
helpers remove what they made however their block ends, and the sweep removes what a killed
process left, never what a living one is writing. Before, uploads, builds and imports wrote to the
system's temp folder and a `kill -9` left them there for good (1.76 GB after 21 uploads)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import RequestFactory

from fazhi.core import tempfiles
from fazhi.core.tempfiles import (
    owner_alive,
    owner_name,
    process_dir,
    sweep_temp_area,
    temp_dir,
    temp_file,
)

ROOT = Path(__file__).resolve().parents[3]
DAY = 24 * 60 * 60

# A process receiving an upload through Django's multipart parser and the platform's upload
# handler, reading the request body from its standard input as a web worker reads its socket.
RECEIVER = """
import os, sys
import django
django.setup()
from django.http.multipartparser import MultiPartParser
from fazhi.evidence.uploads import HashingUploadHandler
meta = {"CONTENT_TYPE": "multipart/form-data; boundary=BOUNDARY", "CONTENT_LENGTH": sys.argv[1]}
MultiPartParser(meta, sys.stdin.buffer, [HashingUploadHandler()], "utf-8").parse()
"""
# A living process holding a temporary file of its own until told to end.
HOLDER = """
import sys
import django
django.setup()
from fazhi.core.tempfiles import temp_file
with temp_file(suffix=".part") as held:
    held.write(b"still being written")
    held.flush()
    print(held.name, flush=True)
    sys.stdin.read()
"""

# A process like a gunicorn master forking a worker: a library in the worker makes a temporary
# file of its own through Python's tempfile module, and the worker dies without cleaning up.
FORKING = """
import os, tempfile
import django
django.setup()
child = os.fork()
if child == 0:
    with tempfile.NamedTemporaryFile(delete=False) as made:
        made.write(b"a library's spill file")
    print(made.name, flush=True)
    os._exit(0)
os.waitpid(child, 0)
print(tempfile.gettempdir(), flush=True)
"""


@pytest.fixture
def area(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.FAZHI_TEMP_DIR = tmp_path / "data" / "tmp"
    settings.FILE_UPLOAD_TEMP_DIR = str(settings.FAZHI_TEMP_DIR)
    settings.FAZHI_TEMP_DIR.mkdir(parents=True)
    return settings.FAZHI_TEMP_DIR


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def child_env(tmp_path) -> dict:
    system_temp = tmp_path / "system-tmp"
    system_temp.mkdir(exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fazhi.settings",
        "FAZHI_DATA_DIR": str(tmp_path / "data"),
        "TMPDIR": str(system_temp),  # where tempfile would have put things before
        "PYTHONPATH": str(ROOT),
    }


def wait_for(condition, *, within: float = 30.0):
    until = time.monotonic() + within
    while not (found := condition()):
        assert time.monotonic() < until, "timed out"
        time.sleep(0.05)
    return found


def test_an_upload_killed_mid_stream_leaves_its_file_only_in_the_temp_area_and_the_sweep_removes_it(
    area, tmp_path
):
    env = child_env(tmp_path)
    declared = 20 * 1024 * 1024
    receiver = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", RECEIVER, str(declared)], cwd=ROOT, env=env, stdin=subprocess.PIPE
    )
    holder = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLDER],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        head = (
            b'--BOUNDARY\r\nContent-Disposition: form-data; name="file"; '
            b'filename="\xe4\xbd\x90\xe8\xaf\x81.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        receiver.stdin.write(head + b"%PDF-1.7\n" + b"x" * (4 * 1024 * 1024))
        receiver.stdin.flush()
        # The upload is half-way: its temporary file holds megabytes when the worker is killed.
        partial = wait_for(
            lambda: [p for p in files_under(area) if p.stat().st_size > 3 * 1024 * 1024]
        )
        killed_owner = owner_name(receiver.pid)
        receiver.send_signal(signal.SIGKILL)
        receiver.wait()
        held = Path(holder.stdout.readline().strip())
        holder_owner = owner_name(holder.pid)

        assert [p.parent.name for p in partial] == [killed_owner]
        assert partial[0].name.endswith(".upload.pdf")
        assert files_under(tmp_path / "system-tmp") == []
        assert held.parent.name == holder_owner

        # What an operator or the chaos test runs, configured by FAZHI_DATA_DIR only.
        swept = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "fazhi.cli", "temp", "sweep"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        report = json.loads(swept.stdout)
        assert report["removed"] == 1
        assert report["bytes"] > 3 * 1024 * 1024
        assert files_under(area) == [held]  # the living process's file is left alone
        assert not (area / killed_owner).exists()
    finally:
        receiver.kill()
        receiver.wait()
        holder.communicate("")
    assert files_under(area) == []  # ended normally: its file went with its block


def test_a_real_multipart_upload_over_the_memory_limit_lands_in_the_processs_own_folder(
    area, settings
):
    size = settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1024
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.zip"\r\n'
        b"Content-Type: application/zip\r\n\r\n" + b"z" * size + b"\r\n--B--\r\n"
    )
    request = RequestFactory().generic(
        "POST", "/upload", data=body, content_type="multipart/form-data; boundary=B"
    )
    upload = request.FILES["file"]
    path = Path(upload.temporary_file_path())

    assert path.parent == area / owner_name()
    assert path.stat().st_size == size
    assert upload.sha256  # the platform's handler received it
    upload.close()
    assert not path.exists()


def test_the_helpers_remove_what_they_made_on_success_and_on_failure(area):
    with temp_dir("build-") as kept_until_the_end:
        (kept_until_the_end / "volume.pdf").write_bytes(b"%PDF")
    with pytest.raises(RuntimeError), temp_dir("import-") as failed:
        (failed / "upload.xlsx").write_bytes(b"PK")
        raise RuntimeError("the import failed")
    with pytest.raises(RuntimeError), temp_file(suffix=".zip") as spooled:
        spooled.write(b"PK")
        raise RuntimeError("the unpacking failed")

    for made in (kept_until_the_end, failed, Path(spooled.name)):
        assert made.parent == area / owner_name()
        assert not made.exists()


def test_a_folder_on_another_file_system_is_noted_so_the_sweep_finds_it_after_a_kill(
    area, tmp_path, monkeypatch
):
    """A backup archive written to another disk is assembled beside it (it is renamed into
    place); its work folder is noted in the process's folder while it exists."""
    monkeypatch.setattr(tempfiles, "_same_file_system", lambda a, b: False)
    usb = tmp_path / "usb"
    usb.mkdir()
    with pytest.raises(RuntimeError), temp_dir(".fazhi-backup-", near=usb) as work:
        assert work.parent == usb
        assert [note.read_text() for note in process_dir().glob(".elsewhere-*")] == [str(work)]
        raise RuntimeError("the disk is full")
    assert list(usb.iterdir()) == []
    assert list(process_dir().iterdir()) == []

    # The same left by a process that was killed: gone with its folder, nothing else touched.
    dead = dead_owner(area)
    left = usb / f".fazhi-backup-{dead.name}-0badf00d"
    (left / "db").mkdir(parents=True)
    (left / "db" / "db.sqlite3").write_bytes(b"x" * 1000)
    (dead / ".elsewhere-0badf00d").write_text(str(left))
    someone_elses = usb / "photos"
    someone_elses.mkdir()
    (dead / ".elsewhere-12345678").write_text(str(someone_elses))

    result = sweep_temp_area()

    assert not left.exists() and not dead.exists()
    assert someone_elses.is_dir()
    assert (result.removed, result.bytes) == (3, 1000 + len(str(left)) + len(str(someone_elses)))


def dead_owner(area: Path, *, start: str | None = None) -> Path:
    """The folder a process that no longer runs would have left."""
    child = subprocess.Popen(["true"])  # noqa: S607
    child.wait()
    name = owner_name().rsplit("-", 2)[0] + f"-{child.pid}-{start or '1'}"
    folder = area / name
    folder.mkdir(parents=True)
    return folder


def test_a_reused_pid_does_not_keep_a_dead_owners_folder(area):
    """Our own pid, but a start time that is not ours: the process that wrote it is gone and
    the system gave its pid to another."""
    mine = process_dir()
    prefix, pid, start = mine.name.rsplit("-", 2)
    reused = area / f"{prefix}-{pid}-{int(start) - 1}"
    reused.mkdir()
    (reused / "upload-1.upload").write_bytes(b"left over")
    (mine / "upload-2.upload").write_bytes(b"being written")

    assert owner_alive(mine.name) is True
    assert owner_alive(reused.name) is False
    result = sweep_temp_area()

    assert not reused.exists()
    assert (mine / "upload-2.upload").exists()
    assert (result.removed, result.folders, result.kept) == (1, 1, 1)


def test_what_nobody_can_vouch_for_stays_a_day_after_it_last_changed(area, tmp_path):
    """A folder of another host or container, and loose files, have no owner to ask."""
    elsewhere = area / "otherhost-0123abcd-4242-99"
    elsewhere.mkdir()
    (elsewhere / "upload.part").write_bytes(b"written on the other machine right now")
    loose_old, loose_new = area / "tmpold.upload", area / "tmpnew.upload"
    loose_old.write_bytes(b"old")
    loose_new.write_bytes(b"new")
    old = time.time() - DAY - 60
    os.utime(loose_old, (old, old))
    assert owner_alive(elsewhere.name) is None

    sweep_temp_area()
    assert sorted(p.name for p in area.iterdir()) == [elsewhere.name, "tmpnew.upload"]

    for path in (elsewhere / "upload.part", elsewhere):
        os.utime(path, (old, old))
    sweep_temp_area()
    assert sorted(p.name for p in area.iterdir()) == ["tmpnew.upload"]


def test_the_sweep_removes_links_never_what_they_point_to(area, tmp_path):
    """LibreOffice's work folder links to the stored file it converts."""
    stored = tmp_path / "files" / "blob.doc"
    stored.parent.mkdir()
    stored.write_bytes(b"a stored material")
    dead = dead_owner(area)
    (dead / "lo-x").mkdir()
    (dead / "lo-x" / "source.doc").symlink_to(stored)

    sweep_temp_area()

    assert not dead.exists()
    assert stored.read_bytes() == b"a stored material"


def test_backup_and_restore_leftovers_from_before_the_temp_area_go_once_a_day_old(area, settings):
    old_restore = settings.DATA_DIR / ".restore-abc123"
    recent_restore = settings.DATA_DIR / ".restore-def456"
    for folder in (old_restore, recent_restore):
        (folder / "files").mkdir(parents=True)
        (folder / "files" / "x.pdf").write_bytes(b"%PDF")
    old = time.time() - DAY - 60
    for path in (old_restore / "files" / "x.pdf", old_restore / "files", old_restore):
        os.utime(path, (old, old))

    sweep_temp_area()

    assert not old_restore.exists()
    assert recent_restore.exists()


def test_fazhi_serve_sweeps_at_start_and_its_clock_daily(area, monkeypatch):
    from fazhi.core.management.commands import serve
    from fazhi.plans.clock import DigestClock

    class Server:
        def __init__(self, *args, **kwargs):
            pass

        def wait(self):
            return 0

        def poll(self):
            return 0

    at_start = dead_owner(area)
    monkeypatch.setattr(serve.subprocess, "Popen", Server)
    monkeypatch.setattr(serve.signal, "signal", lambda *args: None)
    serve.Command().handle(host="127.0.0.1", port="0", workers=1, no_worker=True)
    assert not at_start.exists()
    monkeypatch.undo()

    clock = DigestClock(hour=8)
    next_day = dead_owner(area)
    assert clock.sweep_temp_files() is False  # serve has just swept
    assert next_day.exists()
    clock.last_sweep -= DAY
    assert clock.sweep_temp_files() is True
    assert not next_day.exists()


def test_libraries_temporary_files_go_to_the_area_per_forked_process_and_are_swept(area, tmp_path):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", FORKING],
        cwd=ROOT,
        env=child_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    spilled, parents = map(Path, done.stdout.split())

    assert spilled.parent.parent == area and parents.parent == area
    assert spilled.parent != parents  # the child's own folder, not its parent's
    assert files_under(tmp_path / "system-tmp") == []
    sweep_temp_area()
    assert not spilled.exists()


def test_fazhi_worker_sweeps_at_start(area, db, monkeypatch):
    from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

    from fazhi.core.management.commands.worker import Command

    left = dead_owner(area)
    monkeypatch.setattr(DBWorkerCommand, "handle", lambda *args, **options: None)
    Command().handle(worker_id="w1", reload=False, batch=True)
    assert not left.exists()


def test_a_restore_killed_half_way_does_not_leave_its_target_looking_in_use(area, tmp_path):
    """A restore run as an operator would, configured for the new folder, works in that
    folder's temp area; what a killed run left there is swept before the target's emptiness is
    judged, so the next run is not refused as "not empty"."""
    from fazhi.core.backup import BackupError, backup_restore

    target = tmp_path / "restored"
    left = dead_owner(target / "tmp") / ".restore-abc"
    (left / "files").mkdir(parents=True)
    (left / "files" / "x.pdf").write_bytes(b"%PDF half restored")

    with pytest.raises(BackupError, match="备份文件不存在"):
        backup_restore(tmp_path / "missing.tar", target)
    assert not left.exists()
