"""fazhi monitoring import|report — figures tables in and rolled-up rates out.

`import PATH [--period 2025Q2] [--json]` stores a table's figures as confirmed, with no
preview: any row error exits non-zero with every problem named and nothing stored.
`report --region CODE --period 2025Q2 --json` prints the region's rates rolled up from
everything below it, and each child region's beside them."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from fazhi.core.commands import ScopedCommand
from fazhi.core.spreadsheets import ImportFailure
from fazhi.monitoring import importing, selectors
from fazhi.monitoring.periods import parse_period


class Command(ScopedCommand):
    help = "动态监测：导入监测数据表、输出地区监测指标（分子、分母、比率）。"

    def add_subcommands(self, sub):
        load = sub.add_parser("import", help="导入监测数据表（.xlsx/.xls/.csv，长表或宽表）")
        load.add_argument("path")
        load.add_argument("--period", help="统计期，如 2025Q2 或 2025；不填则从表格标题或列中读取")
        load.add_argument("--json", action="store_true", help="以 JSON 输出导入结果")
        report = sub.add_parser("report", help="地区监测指标（逐级汇总）")
        report.add_argument("--region", required=True, help="区划代码")
        report.add_argument("--period", required=True, help="统计期，如 2025Q2 或 2025")
        report.add_argument("--json", action="store_true", help="以 JSON 输出（默认即 JSON）")

    def _import(self, actor, *, path, period, json: bool, **_):
        period = parse_period(period) if period else None
        region = selectors.home_region(actor) if getattr(actor, "pk", None) else None
        if region is not None:
            importing.check_importer(actor, region)
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            reading = importing.read_figures_file(
                source, filename=source.name, region=region, period=period
            )
        except ImportFailure as exc:
            raise CommandError(str(exc)) from exc
        result = importing.draft_result(reading, region)
        if result["problems"]:
            if json:
                self._json({"figures": 0, "corrected": 0, "problems": result["problems"]})
            for problem in result["problems"]:
                self.stderr.write(problem)
            raise CommandError(f"{source.name} 有 {len(result['problems'])} 处问题，未导入。")
        if not result["rows"]:
            raise CommandError(f"{source.name} 中没有监测数据，未导入。")
        stored, corrected = importing.figures_store(
            acting_user=actor, region=region, rows=result["rows"], source_name=source.name
        )
        summary = {
            "figures": stored,
            "corrected": corrected,
            "layout": result["layout"],
            "periods": result["periods"],
            "problems": [],
        }
        if json:
            self._json(summary)
        else:
            self.stdout.write(
                f"已导入 {stored} 条监测数据（{'、'.join(result['periods'])}），"
                f"其中更正 {corrected} 条。"
            )

    def _report(self, actor, *, region, period, **_):
        try:
            period = parse_period(period)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        found = selectors.region_in_reach(user=actor, code=region)
        report = selectors.region_report(
            region=found, period=period, figures=selectors.figures_seen_by(actor)
        )
        self._json(report.as_json())

    def _json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
