"""fazhi annual-report draft --region CODE --year YYYY -o PATH.docx — the first draft of a
region's 法治政府建设年度报告 in its five parts, through the region's template."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from fazhi.core.commands import ScopedCommand
from fazhi.monitoring import selectors
from fazhi.monitoring.annual import render_annual_report


class Command(ScopedCommand):
    help = "法治政府建设年度报告：按五个部分生成初稿（Word）。"

    def add_subcommands(self, sub):
        draft = sub.add_parser("draft", help="生成年度报告初稿（.docx）")
        draft.add_argument("--region", required=True, help="区划代码")
        draft.add_argument("--year", required=True, type=int, help="报告年度，如 2025")
        draft.add_argument("-o", "--output", required=True, help="输出文件（.docx）")

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
