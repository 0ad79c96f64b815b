"""fazhi annual-report draft --region CODE --year YYYY -o PATH.docx — the first draft of a
region's 法治政府建设年度报告 in its five parts, through the region's template.
fazhi annual-report remind [--date 2026-02-25] [--days 7] — the deadline chain's reminders,
in the app, once per fact (safe to run daily)."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from fazhi.core.commands import ScopedCommand
from fazhi.monitoring import selectors
from fazhi.monitoring.annual import render_annual_report
from fazhi.monitoring.reminders import notify_annual_reports


class Command(ScopedCommand):
    help = "法治政府建设年度报告：按五个部分生成初稿（Word）。"

    def add_subcommands(self, sub):
        draft = sub.add_parser("draft", help="生成年度报告初稿（.docx）")
        draft.add_argument("--region", required=True, help="区划代码")
        draft.add_argument("--year", required=True, type=int, help="报告年度，如 2025")
        draft.add_argument("-o", "--output", required=True, help="输出文件（.docx）")
        remind = sub.add_parser("remind", help="按年度报告时间节点发送提醒（可每天运行）")
        remind.add_argument("--date", help="按该日期计算，默认今天（如 2026-02-25）")
        remind.add_argument("--days", type=int, default=7, help="提前几天提醒，默认 7")

    def _draft(self, actor, *, region, year, output, **_):
        if not 2000 <= year <= 2100:
            raise CommandError(f"报告年度 {year} 不正确。")
        found = selectors.region_in_reach(user=actor, code=region)
        target = Path(output)
        if target.suffix.lower() != ".docx":
            raise CommandError("输出文件应以 .docx 结尾。")
        if not target.parent.is_dir():
            raise CommandError(f"目录不存在：{target.parent}")
        with target.open("wb") as out:
            render_annual_report(region=found, year=year, out=out, today=timezone.localdate())
        self.stdout.write(f"已生成{found.name}{year}年度法治政府建设情况报告初稿：{target}")

    def _remind(self, actor, *, date: str | None, days: int, **_):
        today = _day(date) if date else timezone.localdate()
        if not 0 <= days <= 60:
            raise CommandError("--days 应在 0 至 60 之间。")
        told = notify_annual_reports(today=today, days=days)
        self.stdout.write(json.dumps({"date": today.isoformat(), "notified": told}))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期应为 2026-02-25 这样的格式：{text}") from exc
