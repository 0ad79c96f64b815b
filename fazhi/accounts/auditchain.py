"""The audit log as a hash chain, and the database's refusal to change it.

Each row stores the hash of the row before it (`prev_hash`) and a SHA-256 over its own content
and that hash (`row_hash`); the chain head (`AuditChainHead`, one row) holds the last row's id and
hash. A row edited in the database file no longer matches its hash; a removed row leaves the next
row pointing at a hash that is gone; a row slipped in breaks the link to the row after it or sits
past the head. `verify_chain` walks the rows in id order and names the first such row.

The chain is plain SHA-256, without a key: someone who can write the database file and who
rewrites every hash from the edited row to the end, head included, is not caught by the chain
alone. `fazhi audit verify` prints the last hash so that it can be written down elsewhere (a
ticket, a report) and compared later.

Appends are serialised by locking the head row: on PostgreSQL `SELECT … FOR UPDATE` makes every
other writer (gunicorn workers, the task worker) wait until this transaction commits, so two
rows never chain from the same predecessor and ids grow in chain order; on SQLite the IMMEDIATE
transaction (settings) already holds the database's write lock."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC

from django.db import IntegrityError, transaction
from django.utils import timezone

from fazhi.accounts.models import AuditChainHead, AuditEntry

logger = logging.getLogger(__name__)

HEAD = 1
# How far back a broken link is looked for among earlier rows, to tell rows slipped in (the link
# skips them to an earlier row) from rows removed (the link points at a hash no row has).
RECENT = 10_000
HASHED = (
    "created_at",
    "actor_id",
    "actor_name",
    "region_id",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "summary",
    "before",
    "after",
    "ip_address",
    "prev_hash",
)


def row_hash(entry) -> str:
    """SHA-256 over a canonical JSON of the row's content (anything with HASHED attributes)."""
    content = {name: getattr(entry, name) for name in HASHED}
    content["v"] = 1
    content["created_at"] = entry.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    content["ip_address"] = _canonical_ip(entry.ip_address)
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical_ip(value: str | None) -> str | None:
    # PostgreSQL's inet and Django's cleaning may spell one IPv6 address differently.
    return ipaddress.ip_address(value).compressed if value else None


def append(**fields) -> AuditEntry:
    """Insert one audit row at the end of the chain."""
    with transaction.atomic():
        head = _locked_head()
        fields.setdefault("created_at", timezone.now())
        entry = AuditEntry(**fields, prev_hash=head.last_hash)
        entry.row_hash = row_hash(entry)
        entry.save()
        AuditChainHead.objects.filter(pk=HEAD).update(last_id=entry.pk, last_hash=entry.row_hash)
    return entry


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD).first()
    if head is not None:
        return head
    # The migration creates the head; only an emptied database (`fazhi flush`, the test suite's
    # flush) or tampering lacks it. It is made again from the last row so writes go on.
    last = AuditEntry.objects.order_by("-id").values("id", "row_hash").first()
    if last is not None:
        logger.error(
            "审计链头记录缺失，已按第 %s 条记录重建；请运行 fazhi audit verify", last["id"]
        )
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(
                pk=HEAD,
                last_id=last["id"] if last else None,
                last_hash=last["row_hash"] if last else "",
            )
    except IntegrityError:
        pass  # another writer made it first
    return AuditChainHead.objects.select_for_update().get(pk=HEAD)


def rebuild_chain(entries, heads, *, batch: int = 2000) -> None:
    """Hash every row in id order and set the head: for the migration that brings the chain to
    rows written before it (so it runs before the triggers exist). Rows are read a page at a
    time by id, not through one open cursor over the table being written."""
    previous, last_id, rows = "", 0, entries._base_manager
    while page := list(rows.filter(id__gt=last_id).order_by("id")[:batch]):
        for entry in page:
            entry.prev_hash = previous
            entry.row_hash = previous = row_hash(entry)
        rows.bulk_update(page, ["prev_hash", "row_hash"])
        last_id = page[-1].pk
    heads.objects.update_or_create(
        pk=HEAD, defaults={"last_id": last_id or None, "last_hash": previous}
    )


# -- the database's refusal -------------------------------------------------------------------

TABLE = AuditEntry._meta.db_table
REFUSED_UPDATE = "审计日志只能追加，不能修改。"
REFUSED_DELETE = "审计日志只能追加，不能删除。"
# RAISE(ABORT) is a constraint failure in SQLite, and SQLSTATE 23000 one in PostgreSQL: both reach
# Django as IntegrityError.
SQLITE_GUARD = [
    f"CREATE TRIGGER IF NOT EXISTS fazhi_audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED_UPDATE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS fazhi_audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED_DELETE}'); END",
]
SQLITE_UNGUARD = [
    "DROP TRIGGER IF EXISTS fazhi_audit_no_update",
    "DROP TRIGGER IF EXISTS fazhi_audit_no_delete",
]
# Row-level triggers: TRUNCATE, which only `fazhi flush` (and the test suite's flush) issues on
# PostgreSQL, empties the whole database, not one row.
POSTGRES_GUARD = [
    "CREATE OR REPLACE FUNCTION fazhi_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION '{REFUSED_UPDATE}' USING ERRCODE = '23000'; "
    f"END IF; RAISE EXCEPTION '{REFUSED_DELETE}' USING ERRCODE = '23000'; END $$",
    f"DROP TRIGGER IF EXISTS fazhi_audit_append_only ON {TABLE}",
    f"CREATE TRIGGER fazhi_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION fazhi_audit_append_only()",
]
POSTGRES_UNGUARD = [
    f"DROP TRIGGER IF EXISTS fazhi_audit_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS fazhi_audit_append_only()",
]


def _statements(connection, *, guard: bool) -> list[str]:
    if connection.vendor == "sqlite":
        return SQLITE_GUARD if guard else SQLITE_UNGUARD
    if connection.vendor == "postgresql":
        return POSTGRES_GUARD if guard else POSTGRES_UNGUARD
    return []


def install_guard(connection) -> None:
    """Make the database refuse UPDATE and DELETE on the audit table."""
    with connection.cursor() as cursor:
        for statement in _statements(connection, guard=True):
            cursor.execute(statement)


def remove_guard(connection) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, guard=False):
            cursor.execute(statement)


# -- checking ---------------------------------------------------------------------------------


CHANGED, REMOVED, INSERTED = "changed", "removed", "inserted"
KIND_LABELS = {CHANGED: "内容被修改", REMOVED: "被删除", INSERTED: "被插入"}


@dataclass
class ChainReport:
    checked: int
    last_hash: str
    row_id: int | None = None  # the first row found wrong (for a removal: the row after the gap)
    kind: str = ""
    message: str = ""

    @property
    def intact(self) -> bool:
        return not self.kind


class _Row:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def _head():
    return AuditChainHead.objects.filter(pk=HEAD).values("last_id", "last_hash").first()


def verify_chain() -> ChainReport:
    """Walk the chain in id order and report the first row changed, removed or inserted.

    The head is read before the walk (the row it names must be there: otherwise rows at the end
    were removed) and again after it (rows past it were not appended by Fazhi): rows that
    writers append while the walk runs are thereby neither missed nor blamed."""
    head_before = _head()
    rows = AuditEntry.objects.order_by("id").values("id", *HASHED, "row_hash")
    recent: OrderedDict[str, int] = OrderedDict()
    previous_hash, previous_id, checked = "", None, 0
    pending: _Row | None = None  # a row whose link is broken, judged once the next row is seen
    for values in rows.iterator(chunk_size=2000):
        row = _Row(values)
        if pending is not None:
            return _broken_link(pending, row, previous_id, checked)
        if row_hash(row) != row.row_hash:
            return ChainReport(
                checked,
                previous_hash,
                row.id,
                CHANGED,
                f"第 {row.id} 条记录内容被修改（与其哈希不符）。",
            )
        if row.prev_hash != previous_hash:
            earlier = recent.get(row.prev_hash)
            if earlier is not None:
                first = _first_after(earlier)
                return ChainReport(
                    checked,
                    previous_hash,
                    first,
                    INSERTED,
                    f"第 {first} 条记录被插入（第 {earlier} 条与第 {row.id} 条之间本无记录）。",
                )
            pending = row
            continue
        if (
            head_before
            and row.id == head_before["last_id"]
            and row.row_hash != head_before["last_hash"]
        ):
            return ChainReport(
                checked, previous_hash, row.id, CHANGED, f"第 {row.id} 条记录与链头记录不符。"
            )
        checked += 1
        recent[row.row_hash] = row.id
        if len(recent) > RECENT:
            recent.popitem(last=False)
        previous_hash, previous_id = row.row_hash, row.id
    if pending is not None:
        return _broken_link(pending, None, previous_id, checked)
    return _check_tail(head_before, _head(), previous_hash, previous_id, checked)


def _broken_link(row: _Row, following: _Row | None, previous_id, checked) -> ChainReport:
    """`row` does not point at the row before it. If the row after it points there instead, `row`
    was slipped in; otherwise rows between the two were removed (or the one before was
    rewritten together with its hash)."""
    previous_hash = row.prev_hash
    if following is not None and following.prev_hash != row.row_hash:
        return ChainReport(
            checked, previous_hash, row.id, INSERTED, f"第 {row.id} 条记录被插入（不在链中）。"
        )
    where = f"第 {previous_id} 条与第 {row.id} 条之间" if previous_id else f"第 {row.id} 条之前"
    return ChainReport(
        checked,
        previous_hash,
        row.id,
        REMOVED,
        f"{where}的记录被删除（或第 {previous_id or row.id} 条连同哈希被改写）。",
    )


def _first_after(row_id: int) -> int:
    return AuditEntry.objects.filter(id__gt=row_id).order_by("id").values_list("id", flat=True)[0]


def _check_tail(head_before, head_after, last_hash, last_id, checked) -> ChainReport:
    if head_after is None:
        if last_id is None:
            return ChainReport(0, "")
        return ChainReport(checked, last_hash, None, REMOVED, "链头记录被删除。")
    if head_before and head_before["last_id"] and (last_id or 0) < head_before["last_id"]:
        after = f"第 {last_id} 条之后" if last_id else "全部"
        return ChainReport(
            checked,
            last_hash,
            head_before["last_id"],
            REMOVED,
            f"{after}的记录被删除（链头记录最后一条为第 {head_before['last_id']} 条）。",
        )
    if last_id and (head_after["last_id"] or 0) < last_id:
        first = _first_after(head_after["last_id"] or 0)
        before = AuditEntry.objects.filter(id__lt=first).count()
        return ChainReport(
            before,
            head_after["last_hash"],
            first,
            INSERTED,
            f"第 {first} 条记录被插入（在链头记录之后）。",
        )
    return ChainReport(checked, last_hash)
