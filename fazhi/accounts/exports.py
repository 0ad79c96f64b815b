from itertools import islice

from django.utils import timezone

from fazhi.accounts.audit_display import describe
from fazhi.core.xlsx import write_table

CHUNK = 2000


def audit_xlsx(entries, stream, *, user) -> None:
    """The audit page's rows as a workbook, read in chunks: the names of related rows are
    looked up once per chunk, not per row."""
    write_table(
        stream,
        title="审计日志",
        headers=["时间", "操作人", "操作", "对象", "说明", "修改内容", "IP 地址"],
        rows=(_row(e) for chunk in _chunks(entries, user) for e in chunk),
        widths=[20, 20, 18, 30, 30, 60, 16],
    )


def _chunks(entries, user):
    rows = entries.iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        yield describe(chunk, user=user)


def _row(entry) -> tuple:
    return (
        timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_name,
        entry.action_label,
        entry.target_repr,
        entry.summary,
        "\n".join(str(change) for change in entry.changes),
        entry.ip_address or "",
    )
