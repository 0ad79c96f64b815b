"""fazhi backup / backup verify / restore of the embedded deployment. The platform runs in
separate processes on its own data folder (SQLite in WAL mode, files on disk), as deployed: one
process uploads materials while another takes the backup."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from fazhi.core.backup import BackupError, backup_restore, backup_verify

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="embedded deployment: SQLite pass only"
)
ROOT = Path(__file__).resolve().parents[3]


def fazhi(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "fazhi.cli", *args],
        cwd=ROOT,
        env=embedded_env(data_dir),
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def embedded_env(data_dir: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DATABASE_URL" and not key.startswith("FAZHI_S3_")
    }
    return {**env, "FAZHI_DATA_DIR": str(data_dir)}


def world(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "fazhi.core.tests.backup_world", *args],
        cwd=ROOT,
        env=embedded_env(data_dir),
    )


def sha256_of(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


@pytest.fixture(scope="module")
def taken(tmp_path_factory):
    """A live data folder, and the backup taken of it while a liaison kept uploading."""
    live = tmp_path_factory.mktemp("live")
    assert world(live, "setup").wait(timeout=300) == 0
    uploader = world(live, "upload", str(live))
    try:
        deadline = time.monotonic() + 120
        while not (live / "ready").exists():
            assert uploader.poll() is None, "the uploader stopped early"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        archive = tmp_path_factory.mktemp("backups") / "fazhi.tar"
        result = fazhi(live, "backup", str(archive), "--json")
        (live / "stop").touch()
        assert uploader.wait(timeout=120) == 0
    finally:
        if uploader.poll() is None:
            uploader.kill()
    return live, archive, json.loads(result.stdout)


def materials(db_path: Path) -> list[tuple[str, str, int]]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute(
            "SELECT b.storage_name, b.sha256, b.size FROM evidence_evidence e "
            "JOIN evidence_evidenceversion v ON v.evidence_id = e.id "
            "JOIN evidence_blob b ON b.id = v.blob_id"
        ).fetchall()
    finally:
        db.close()


def test_a_backup_taken_during_uploads_restores_every_material_byte_identical(taken, tmp_path):
    live, archive, summary = taken
    assert summary["problems"] == []
    assert archive.stat().st_mode & 0o077 == 0  # only its owner reads every material
    uploaded_while_running = int((live / "uploaded").read_text())
    restored = tmp_path / "restored"
    # Run as an operator would, configured for the new folder: starting Fazhi there writes a
    # secret key into it first, which the restore replaces with the backed-up one.
    out = fazhi(restored, "restore", str(archive), "--data-dir", str(restored))
    assert "已恢复" in out.stdout

    rows = materials(restored / "fazhi.sqlite3")
    assert 5 <= len(rows) <= uploaded_while_running
    for storage_name, sha256, size in rows:
        copy = restored / "files" / storage_name
        assert copy.is_file(), f"{storage_name} missing after restore"
        assert copy.stat().st_size == size
        assert sha256_of(copy) == sha256
        assert copy.read_bytes() == (live / "files" / storage_name).read_bytes()
    assert (restored / "secret_key").read_text() == (live / "secret_key").read_text()
    # …and the platform itself, started on the restored folder, reads every one of them.
    read = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "fazhi.core.tests.backup_world", "check"],
        cwd=ROOT,
        env=embedded_env(restored),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert json.loads(read.stdout.strip().splitlines()[-1]) == {"read": len(rows), "wrong": []}
    # The restored folder is a working deployment: the platform starts on it.
    check = fazhi(restored, "migrate", "--check")
    assert check.returncode == 0


def test_verify_accepts_the_backup_and_names_a_flipped_byte(taken, tmp_path):
    _, archive, _ = taken
    assert backup_verify(archive)["database"] == "sqlite"

    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(archive.read_bytes())
    with tarfile.open(damaged) as tar:
        member = next(m for m in tar if m.name.startswith("files/blobs/"))
    with damaged.open("r+b") as handle:
        handle.seek(member.offset_data + member.size // 2)
        byte = handle.read(1)
        handle.seek(-1, io.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0x01]))

    bad = fazhi(tmp_path, "backup", "verify", str(damaged), check=False)
    assert bad.returncode == 1
    assert f"成员已损坏（SHA-256 或大小与清单不符）：{member.name}" in bad.stderr


def rewrite_without(archive: Path, target: Path, dropped: str) -> None:
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source:
            if member.name != dropped:
                out.addfile(member, source.extractfile(member))


def test_verify_names_a_missing_member(taken, tmp_path):
    _, archive, _ = taken
    with tarfile.open(archive) as tar:
        dropped = next(m.name for m in tar if m.name.startswith("files/blobs/"))
    incomplete = tmp_path / "incomplete.tar"
    rewrite_without(archive, incomplete, dropped)
    with pytest.raises(BackupError, match=f"备份缺少成员：{dropped}"):
        backup_verify(incomplete)


def test_restore_refuses_a_damaged_archive_and_leaves_the_folder_empty(taken, tmp_path):
    _, archive, _ = taken
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = tmp_path / "restored"
    out = fazhi(tmp_path, "restore", str(truncated), "--data-dir", str(target), check=False)
    assert out.returncode == 1
    assert "未恢复" in out.stderr
    assert not target.exists() or not any(target.iterdir())


def test_restore_refuses_a_folder_that_holds_data(taken, tmp_path):
    _, archive, _ = taken
    target = tmp_path / "inuse"
    (target / "files").mkdir(parents=True)
    (target / "fazhi.sqlite3").write_bytes(b"existing")
    with pytest.raises(BackupError, match="恢复目标文件夹不是空的"):
        backup_restore(archive, target)
    assert (target / "fazhi.sqlite3").read_bytes() == b"existing"


def test_restore_refuses_a_member_escaping_the_folder(taken, tmp_path):
    _, archive, _ = taken
    hostile = tmp_path / "hostile.tar"
    with tarfile.open(archive) as source, tarfile.open(hostile, "w") as out:
        for member in source:
            out.addfile(member, source.extractfile(member))
        evil = tarfile.TarInfo("files/../../escaped")
        evil.size = 4
        out.addfile(evil, io.BytesIO(b"evil"))
    with pytest.raises(BackupError, match="不安全的成员"):
        backup_restore(hostile, tmp_path / "target")
    assert not (tmp_path / "escaped").exists()
