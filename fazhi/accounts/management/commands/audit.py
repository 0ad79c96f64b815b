"""fazhi audit verify — check that nobody changed, removed or slipped in audit rows."""

import json

from django.core.management.base import CommandError

from fazhi.accounts.auditchain import KIND_LABELS, verify_chain
from fazhi.core.commands import ScopedCommand


class Command(ScopedCommand):
    help = "审计日志：校验哈希链，找出被修改、删除或插入的记录。"

    def add_subcommands(self, sub):
        check = sub.add_parser("verify", help="逐条校验审计日志的哈希链")
        check.add_argument("--json", action="store_true", dest="as_json")

    def _verify(self, actor, *, as_json, **_):
        # The whole log, whoever asks: the chain cannot be checked in part.
        report = verify_chain()
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "intact": report.intact,
                        "checked": report.checked,
                        "last_hash": report.last_hash,
                        "row_id": report.row_id,
                        "problem": report.kind or None,
                        "problem_label": KIND_LABELS.get(report.kind, ""),
                        "message": report.message,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            if not report.intact:
                raise SystemExit(1)
            return
        if not report.intact:
            raise CommandError(
                f"审计日志哈希链断裂：{report.message}此前 {report.checked} 条记录完好。"
            )
        self.stdout.write(
            f"审计日志完好：已校验 {report.checked} 条记录，链尾哈希 {report.last_hash or '（空）'}。"
        )
