"""The audit log cannot be changed through the database, and a change made behind its back (the
guard dropped, as an attacker with the database would) is found by `fazhi audit verify`."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction

from fazhi.accounts.audit import audit_record
from fazhi.accounts.auditchain import (
    install_guard,
    rebuild_chain,
    remove_guard,
    row_hash,
    verify_chain,
)
from fazhi.accounts.models import AuditChainHead, AuditEntry, User

TABLE = AuditEntry._meta.db_table
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's database file")


@pytest.fixture
def rows(people):
    """Five audit rows by the county's lead office, oldest first."""
    return [
        audit_record(acting_user=people.szq_lead, action="demo.step", summary=f"第{n}步")
        for n in range(5)
    ]


@pytest.fixture
def attacker():
    """Runs SQL on the audit table with the guard dropped first, as someone holding the database
    would; the guard is back afterwards."""

    def run(sql: str, params=()):
        remove_guard(connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        finally:
            install_guard(connection)

    return run


def verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as exc:
        return 1, str(exc)
    return 0, out.getvalue()


# -- the database refuses -----------------------------------------------------------------------


def test_raw_sql_cannot_update_or_delete_audit_rows(rows):
    target = rows[2].pk
    for sql in (
        f"UPDATE {TABLE} SET summary = 'x' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="审计日志只能追加"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [target])
    assert AuditEntry.objects.get(pk=target).summary == "第2步"


def test_the_orm_paths_around_the_model_guard_are_refused_by_the_database(rows):
    # The base manager's update and the collector's raw delete skip AuditQuerySet's refusal.
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry._base_manager.filter(pk=rows[0].pk).update(summary="篡改")
    with pytest.raises(IntegrityError), transaction.atomic():
        query = AuditEntry._base_manager.filter(pk=rows[0].pk)
        query._raw_delete(query.db)
    assert AuditEntry.objects.filter(summary="第0步").exists()


def test_deleting_a_user_leaves_their_audit_rows_as_written(tree):
    user = User.objects.create_user("temp_clerk", display_name="临时工", region=tree.szq)
    entry = audit_record(acting_user=user, action="demo.step", summary="做了一件事")

    user.delete()

    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.actor_id, kept.actor_name) == (entry.actor_id, "临时工（temp_clerk）")
    assert kept.row_hash == entry.row_hash
    assert verify_chain().intact


# -- the chain ---------------------------------------------------------------------------------


def test_each_row_carries_the_hash_of_the_row_before(rows):
    stored = list(AuditEntry.objects.order_by("id"))
    assert stored[0].prev_hash == ""
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_hash == before.row_hash
        assert after.row_hash == row_hash(after)
    head = AuditChainHead.objects.get()
    assert (head.last_id, head.last_hash) == (stored[-1].pk, stored[-1].row_hash)


def test_verify_counts_the_rows_of_an_intact_log(rows):
    status, output = verify()
    assert status == 0
    assert "已校验 5 条记录" in output


def test_verify_names_a_changed_row(rows, attacker):
    attacker(f"UPDATE {TABLE} SET actor_name = '别人' WHERE id = %s", [rows[2].pk])

    status, output = verify()

    assert status == 1
    assert f"第 {rows[2].pk} 条记录内容被修改" in output


def test_verify_names_a_removed_row(rows, attacker):
    attacker(f"DELETE FROM {TABLE} WHERE id = %s", [rows[2].pk])

    report = verify_chain()

    assert (report.kind, report.row_id) == ("removed", rows[3].pk)
    assert f"第 {rows[1].pk} 条与第 {rows[3].pk} 条之间的记录被删除" in report.message
    assert verify()[0] == 1


def test_verify_notices_rows_removed_at_the_end(rows, attacker):
    attacker(f"DELETE FROM {TABLE} WHERE id >= %s", [rows[3].pk])

    report = verify_chain()

    assert report.kind == "removed"
    assert f"第 {rows[2].pk} 条之后的记录被删除" in report.message


def _forge(*, pk: int, like: AuditEntry, after: AuditEntry, attacker) -> AuditEntry:
    """Insert a row copied from `like`, chained to `after` and hashed as Fazhi would."""
    forged = AuditEntry.objects.get(pk=like.pk)
    forged.pk, forged.summary, forged.prev_hash = pk, "伪造", after.row_hash
    forged.row_hash = row_hash(forged)
    columns = ["id", "created_at", "actor_id", "actor_name", "region_id", "action", "target_type"]
    columns += ["target_id", "target_repr", "summary", "prev_hash", "row_hash"]
    attacker(
        f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
        [getattr(forged, name) for name in columns],
    )
    return forged


def test_verify_names_a_row_appended_behind_the_chain_head(rows, attacker):
    forged = _forge(pk=rows[-1].pk + 1, like=rows[-1], after=rows[-1], attacker=attacker)

    report = verify_chain()

    assert (report.kind, report.row_id) == ("inserted", forged.pk)
    assert verify() == (1, f"审计日志哈希链断裂：{report.message}此前 5 条记录完好。")


def test_verify_names_a_row_slipped_in_between(rows, attacker):
    # The attacker moves the last two rows up by one id and puts a well-hashed row in the gap.
    for row in reversed(rows[3:]):
        attacker(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [row.pk + 1, row.pk])
    forged = _forge(pk=rows[3].pk, like=rows[2], after=rows[2], attacker=attacker)

    report = verify_chain()

    assert (report.kind, report.row_id) == ("inserted", forged.pk)
    assert f"第 {forged.pk} 条记录被插入" in report.message


# -- the database file -------------------------------------------------------------------------


@on_sqlite
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the browser tests
def test_fazhi_audit_verify_finds_a_row_edited_in_the_database_file(people, tmp_path):
    rows = [
        audit_record(acting_user=people.szq_lead, action="demo.step", summary=f"第{n}步")
        for n in range(3)
    ]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    database = data_dir / "fazhi.sqlite3"
    with sqlite3.connect(database) as copy:
        connection.connection.backup(copy)
    copy.close()

    tamper = sqlite3.connect(database)
    with pytest.raises(sqlite3.IntegrityError):
        tamper.execute(f"UPDATE {TABLE} SET summary = '改过' WHERE id = ?", [rows[1].pk])
    tamper.execute("DROP TRIGGER fazhi_audit_no_update")
    tamper.execute(f"UPDATE {TABLE} SET summary = '改过' WHERE id = ?", [rows[1].pk])
    tamper.commit()
    tamper.close()

    environment = {**os.environ, "FAZHI_DATA_DIR": str(data_dir)}
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "fazhi.cli", "audit", "verify", "--json"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["row_id"], report["problem_label"]) == (rows[1].pk, "内容被修改")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="writers in parallel: PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_in_parallel_append_one_chain(people):
    # Without the head's lock two writers read the same last hash and the chain forks.
    lead = people.szq_lead
    barrier = threading.Barrier(4)

    def write(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(25):
                audit_record(acting_user=lead, action="demo.step", summary=f"{worker}-{n}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    report = verify_chain()
    assert report.intact, report.message
    assert AuditEntry.objects.filter(action="demo.step").count() == 100


def test_the_migration_chains_rows_written_before_it(rows, attacker):
    # Rows as they were before the chain existed: no hashes, no head.
    attacker(f"UPDATE {TABLE} SET prev_hash = '', row_hash = ''")
    AuditChainHead.objects.all().delete()
    assert not verify_chain().intact

    remove_guard(connection)
    try:
        rebuild_chain(AuditEntry, AuditChainHead, batch=2)
    finally:
        install_guard(connection)

    report = verify_chain()
    assert report.intact and report.checked == 5
    assert AuditChainHead.objects.get().last_id == rows[-1].pk


@pytest.mark.parametrize("address", ["2001:DB8:0:0::1", "::ffff:10.0.0.1", "10.0.0.1"])
def test_a_row_reads_back_with_the_hash_it_was_written_with(people, address):
    # PostgreSQL stores jsonb and inet in its own spelling; the hash must not depend on it.
    audit_record(
        acting_user=people.szq_lead,
        action="demo.step",
        before={"分数": 1.5, "b": [1, None, True], "z": {"y": "甲"}},
        after={"分数": 0.1 + 0.2, "b": [], "z": {}},
        ip_address=address,
    )
    assert verify_chain().intact
