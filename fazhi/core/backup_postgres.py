"""The same backup for the scale deployment: PostgreSQL through pg_dump, files from object
storage. Consistency comes from one exported snapshot: the list of files is read in a
REPEATABLE READ transaction whose snapshot pg_dump is told to use (--snapshot), so the dump and
the list are the database at the same moment while uploads go on. As on SQLite, stored files
are never overwritten, so every file the snapshot names is there to be copied afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import psycopg
from django.core.files import File
from django.db import connection, transaction

from fazhi.core.backup import (
    FILES,
    PG_DUMP,
    BackupError,
    StoredFile,
    backup_verify,
    referenced_files,
)
from fazhi.core.tempfiles import temp_dir

TOOLS_MISSING = (
    "找不到 PostgreSQL 客户端程序 {tool}，请安装与服务器同一主版本或更新的 postgresql-client。"
)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(TOOLS_MISSING.format(tool=name))
    return found


def _client_env(database: dict) -> tuple[list[str], dict]:
    """pg_dump / pg_restore arguments and environment for a Django database setting; the
    password travels in the environment, never on a command line others can read."""
    args = ["--dbname", database["NAME"]]
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", database["USER"]]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "30"}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    sslmode = (database.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


def _run(command: list[str], env: dict, what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what}失败：{detail[-1] if detail else done.returncode}")


def snapshot(work: Path) -> tuple[Path, list[StoredFile]]:
    """pg_dump (custom format) of the database and the files it refers to, at one moment."""
    pg_dump = _tool("pg_dump")
    if connection.in_atomic_block:
        raise BackupError("不能在事务中备份：数据库快照需要单独的事务。")
    target = work / PG_DUMP
    args, env = _client_env(connection.settings_dict)
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()

        def rows(sql: str):
            cursor.execute(sql)
            return cursor.fetchall()

        stored = referenced_files(rows)
        # The exported snapshot lives as long as this transaction: pg_dump runs inside it.
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot_id}", "--file", str(target), *args],
            env,
            "pg_dump 备份数据库",
        )
    return target, stored


def _database_is_empty(database: dict) -> bool:
    params = {
        "dbname": database["NAME"],
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as db:
        (tables,) = db.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return tables == 0


def restore(path: Path, *, database: dict, storage) -> dict:
    """Restore a PostgreSQL archive into an empty database and an empty storage: files first,
    then the database, so that no row is ever restored before its file."""
    pg_restore = _tool("pg_restore")
    if not _database_is_empty(database):
        raise BackupError(
            f"目标数据库 {database['NAME']} 不是空的，为免覆盖现有数据，拒绝恢复。"
            "请新建一个空数据库并让 DATABASE_URL 指向它。"
        )
    try:
        folders, files = storage.listdir("")
    except FileNotFoundError:  # files on local disk, folder not made yet
        folders, files = [], []
    if folders or files:
        raise BackupError(
            "目标对象存储（桶或前缀）中已有文件，为免覆盖，拒绝恢复。请换一个空的桶或前缀。"
        )
    manifest = backup_verify(path)
    if manifest["database"] != "postgresql":
        raise BackupError(
            "这是嵌入式部署（SQLite）的备份，请用 fazhi restore PATH --data-dir 空文件夹 恢复。"
        )
    with temp_dir("restore-") as work:
        dump = Path(work) / PG_DUMP
        with tarfile.open(path, "r:") as archive:
            for member in archive:
                if member.name.startswith(FILES):
                    name = member.name[len(FILES) :]
                    saved = storage.save(name, File(archive.extractfile(member), name=name))
                    if saved != name:
                        raise BackupError(f"文件恢复后的名字与备份不同：{name} → {saved}")
                elif member.name == PG_DUMP:
                    with archive.extractfile(member) as source, dump.open("wb") as out:
                        shutil.copyfileobj(source, out, 1024 * 1024)
        args, env = _client_env(database)
        _run(
            [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", *args, str(dump)],
            env,
            "pg_restore 恢复数据库",
        )
    return manifest
