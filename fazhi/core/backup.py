"""Backup and restore of the embedded deployment: one tar archive holding the SQLite database,
every stored file the database refers to, and a manifest of their SHA-256s.

Consistent while the platform runs: the database is copied first through SQLite's online backup
API (one step, so one read transaction: a snapshot), and the files to copy are read from that
snapshot, never from the live database. Stored files are never overwritten in place (blobs are
named by their SHA-256, filing files and report templates get a fresh name on every save), so
every file the snapshot names exists with the content it had then; a file an upload writes after
the snapshot is simply not named by it. A tar of the live folder instead catches rows whose
files were not yet copied, or files whose rows were not yet written.

The archive is plain tar, written and read member by member so that no file is ever held in
memory, under a temporary name that is renamed into place only when complete. The manifest is
its last member, since the hashes are computed while the members are written."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from fazhi.core.tempfiles import sweep_temp_area, temp_dir

FORMAT = "fazhi-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "db.sqlite3"
PG_DUMP = "db.dump"  # pg_dump's custom format, for the scale deployment
SECRET_KEY = "secret_key"
FILES = "files/"
CHUNK = 1024 * 1024


try:  # a missing object in object storage
    from botocore.exceptions import ClientError

    MISSING: tuple[type[Exception], ...] = (OSError, ClientError)
except ImportError:  # pragma: no cover - django-storages' S3 backend is always installed
    MISSING = (OSError,)


class BackupError(Exception):
    """A backup that cannot be taken, or an archive that fails its check; the message is for
    the operator, in Chinese."""


@dataclass
class BackupResult:
    path: Path
    members: int
    files: int
    total_bytes: int
    problems: list[str] = field(default_factory=list)


@dataclass
class StoredFile:
    """A stored file the database refers to, with the SHA-256 the database recorded, if any."""

    name: str
    sha256: str = ""
    table: str = ""


def referenced_files(rows) -> list[StoredFile]:
    """Every stored file a database snapshot refers to: evidence blobs, filing outputs (packages,
    volumes, reports) and the lead offices' report templates. The conversion cache is not
    referenced by any row and is rebuilt on demand, so it is left out. `rows(sql)` runs a query
    on the snapshot and returns its rows."""
    from fazhi.evidence.models import Blob
    from fazhi.filing.models import FilingFile, ReportTemplate

    found: dict[str, StoredFile] = {}
    queries = [
        (Blob._meta.db_table, "storage_name, sha256"),
        (FilingFile._meta.db_table, "storage_name, sha256"),
        (ReportTemplate._meta.db_table, "storage_name, ''"),
    ]
    for table, columns in queries:
        for name, sha256 in rows(f'SELECT {columns} FROM "{table}"'):  # noqa: S608
            found.setdefault(name, StoredFile(name=name, sha256=sha256, table=table))
    return sorted(found.values(), key=lambda stored: stored.name)


def safe_member_name(name: str) -> bool:
    """A member name that stays inside the folder it is extracted to."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


class _Hashing:
    """A file object that hashes what is read through it."""

    def __init__(self, raw):
        self.raw = raw
        self.hasher = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.hasher.update(chunk)
        self.size += len(chunk)
        return chunk


def _add(archive: tarfile.TarFile, name: str, source, size: int) -> dict:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    reader = _Hashing(source)
    archive.addfile(info, reader)
    return {"name": name, "size": size, "sha256": reader.hasher.hexdigest()}


def _sqlite_snapshot(work: Path) -> tuple[Path, list[StoredFile]]:
    """Copy the live database with SQLite's online backup API in one step: one read transaction,
    so the copy is the database at one moment, while writers go on (WAL)."""
    source_name = str(settings.DATABASES["default"]["NAME"])
    if not Path(source_name).is_file():
        raise BackupError(f"找不到数据库文件：{source_name}")
    target = work / DATABASE
    source = sqlite3.connect(source_name, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        stored = referenced_files(lambda sql: copy.execute(sql).fetchall())
    finally:
        copy.close()
        source.close()
    return target, stored


def backup_create(path: Path) -> BackupResult:
    """Write the archive to `path` (refusing to replace an existing one)."""
    from fazhi.core import backup_postgres

    path = Path(path).resolve()
    if path.exists():
        raise BackupError(f"备份文件已存在，不会覆盖：{path}")
    if not path.parent.is_dir():
        raise BackupError(f"备份文件所在的文件夹不存在：{path.parent}")
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份这种数据库：{vendor}")
    with temp_dir(".fazhi-backup-", near=path.parent) as work:
        if vendor == "sqlite":
            snapshot, stored = _sqlite_snapshot(Path(work))
        else:
            snapshot, stored = backup_postgres.snapshot(Path(work))
        partial = Path(work) / "archive.tar"
        members, problems = [], []
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            with snapshot.open("rb") as db_file:
                members.append(_add(archive, snapshot.name, db_file, snapshot.stat().st_size))
            key_file = Path(settings.DATA_DIR) / SECRET_KEY
            if (
                vendor == "sqlite" and key_file.is_file()
            ):  # signed links and sessions stay valid after a restore
                with key_file.open("rb") as key:
                    members.append(_add(archive, SECRET_KEY, key, key_file.stat().st_size))
            for item in stored:
                entry, problem = _add_stored(archive, item)
                if entry:
                    members.append(entry)
                if problem:
                    problems.append(problem)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "database": vendor,
                "members": members,
                "problems": problems,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(body))
            archive.fileobj.flush()
            os.fsync(archive.fileobj.fileno())
        partial.chmod(0o600)  # it holds every material and the secret key
        os.replace(partial, path)  # complete or absent, never half-written under its name
    return BackupResult(
        path=path,
        members=len(members) + 1,
        files=sum(1 for member in members if member["name"].startswith(FILES)),
        total_bytes=path.stat().st_size,
        problems=problems,
    )


def _open_stored(name: str):
    """The stored file to read from start to end; from object storage the object's body as it
    arrives (django-storages' own file object would first download all of it)."""
    file = default_storage.open(name, "rb")
    obj = getattr(file, "obj", None)
    return file if obj is None else contextlib.closing(obj.get()["Body"])


def _add_stored(archive: tarfile.TarFile, item: StoredFile) -> tuple[dict | None, str]:
    if not safe_member_name(item.name):
        return None, f"存储名不安全，未备份：{item.name}"
    try:
        size = default_storage.size(item.name)
    except MISSING:
        return None, f"数据库引用的文件不存在：{item.name}（{item.table}）"
    with _open_stored(item.name) as source:
        try:
            entry = _add(archive, FILES + item.name, source, size)
        except OSError as exc:  # shorter than its size: changed or cut while being read
            raise BackupError(f"读取文件 {item.name} 时出错：{exc}") from exc
    if item.sha256 and entry["sha256"] != item.sha256:
        return entry, (
            f"文件内容与数据库记录的 SHA-256 不符（已按现状备份）：{item.name}，"
            f"记录 {item.sha256[:12]}…，实际 {entry['sha256'][:12]}…"
        )
    return entry, ""


def backup_verify(path: Path) -> dict:
    """Re-hash every member against the manifest. Returns the manifest; raises BackupError
    naming the first member that is damaged, missing, unexpected or unsafe."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    seen: dict[str, tuple[int, str]] = {}
    manifest = None
    try:
        with tarfile.open(path, "r:") as archive:
            for member in archive:
                if not member.isfile() or not safe_member_name(member.name):
                    raise BackupError(f"备份中有不安全的成员：{member.name}")
                if member.name in seen:
                    raise BackupError(f"备份中的成员重复：{member.name}")
                reader = archive.extractfile(member)
                if member.name == MANIFEST:
                    manifest = _read_manifest(reader.read())
                    seen[member.name] = (member.size, "")
                    continue
                hasher, size = hashlib.sha256(), 0
                for chunk in iter(lambda r=reader: r.read(CHUNK), b""):
                    hasher.update(chunk)
                    size += len(chunk)
                seen[member.name] = (size, hasher.hexdigest())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"备份文件已损坏，无法读取：{exc}") from exc
    if manifest is None:
        raise BackupError("备份中没有清单（manifest.json），文件不完整或不是 Fazhi 备份。")
    listed = {entry["name"]: entry for entry in manifest["members"]}
    for name, entry in listed.items():
        if name not in seen:
            raise BackupError(f"备份缺少成员：{name}")
        size, sha256 = seen[name]
        if size != entry["size"] or sha256 != entry["sha256"]:
            raise BackupError(f"成员已损坏（SHA-256 或大小与清单不符）：{name}")
    for name in seen:
        if name != MANIFEST and name not in listed:
            raise BackupError(f"备份中有清单之外的成员：{name}")
    if {"sqlite": DATABASE, "postgresql": PG_DUMP}.get(manifest.get("database")) not in listed:
        raise BackupError("备份中没有数据库（db.sqlite3 或 db.dump）。")
    return manifest


def _read_manifest(body: bytes) -> dict:
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise BackupError("备份清单（manifest.json）已损坏。") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("这不是 Fazhi 备份（清单格式不符）。")
    if manifest.get("version") != VERSION:
        raise BackupError(f"不支持的备份版本：{manifest.get('version')}")
    return manifest


def _is_empty(folder: Path) -> bool:
    """Nothing in the folder but what starting Fazhi with it creates before any use: a
    generated secret key and empty folders (the restore replaces the key with the archive's)."""
    for entry in folder.rglob("*"):
        if entry.is_file() and entry.relative_to(folder).as_posix() != SECRET_KEY:
            return False
    return True


def backup_restore(path: Path, data_dir: Path) -> dict:
    """Restore the archive into an empty data folder: check it whole first, extract into a
    temporary folder inside the target, then move everything into place."""
    data_dir = Path(data_dir).resolve()
    if data_dir.exists() and not data_dir.is_dir():
        raise BackupError(f"恢复目标不是文件夹：{data_dir}")
    if (data_dir / "tmp").is_dir():  # what a restore into it that was killed left there
        sweep_temp_area(root=data_dir / "tmp")
    if data_dir.is_dir() and not _is_empty(data_dir):
        raise BackupError(f"恢复目标文件夹不是空的，为免覆盖现有数据，拒绝恢复：{data_dir}")
    manifest = backup_verify(path)
    if manifest["database"] != "sqlite":
        raise BackupError(
            "这是 PostgreSQL 部署的备份：请让 DATABASE_URL 指向一个空数据库、对象存储指向空的桶，"
            "再运行 fazhi restore PATH（不带 --data-dir）。"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    listed = {entry["name"] for entry in manifest["members"]}
    with temp_dir(".restore-", near=data_dir) as work:
        with tarfile.open(path, "r:") as archive:
            for member in archive:
                if member.name not in listed:
                    continue  # the manifest; anything else was refused by the check
                target = work / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
        (work / DATABASE).rename(work / "fazhi.sqlite3")
        for entry in work.iterdir():
            os.replace(entry, data_dir / entry.name)
        if (data_dir / SECRET_KEY).exists():
            (data_dir / SECRET_KEY).chmod(0o600)
    return manifest
