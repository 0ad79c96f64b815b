import json

from django.utils import timezone

from fazhi.core.xlsx import write_table


def audit_xlsx(entries, stream) -> None:
    rows = (
        (
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            e.action,
            e.target_repr,
            e.summary,
            _json(e.before),
            _json(e.after),
            e.ip_address or "",
        )
        for e in entries.iterator(chunk_size=2000)
    )
    write_table(
        stream,
        title="审计日志",
        headers=["时间", "操作人", "操作", "对象", "说明", "修改前", "修改后", "IP 地址"],
        rows=rows,
        widths=[20, 20, 22, 30, 30, 40, 40, 16],
    )


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)
