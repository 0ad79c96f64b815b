"""fazhi plan import|export — annual work plans from the command line."""

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from fazhi.core.commands import ScopedCommand
from fazhi.core.spreadsheets import ImportFailure
from fazhi.orgs.selectors import region_by_code
from fazhi.plans import selectors
from fazhi.plans.exports import plan_as_json, plan_progress_json, write_plan_ledger
from fazhi.plans.importing import check_plan_creatable, plan_import
from fazhi.plans.planfiles import read_plan_file


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def _year(text: str) -> int:
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise CommandError(f"年度应为四位数字，如 2025：{text}")
    return int(text)


class Command(ScopedCommand):
    help = "工作计划：从 Word 或表格导入（不经预览），导出为 JSON 或工作台账 Excel。"

    def add_subcommands(self, sub):
        importing = sub.add_parser(
            "import", help="导入工作计划文件（.docx/.doc/.wps/.xlsx/.xls/.csv）"
        )
        importing.add_argument("path")
        importing.add_argument("--region", required=True, help="地区的区划代码")
        importing.add_argument("--year", required=True, help="年度，如 2025")
        importing.add_argument("--name", default="", help="计划名称，默认取文件标题")
        export = sub.add_parser("export", help="导出工作计划")
        export.add_argument("ref", help="工作计划编号或名称")
        export.add_argument("--format", choices=["json", "xlsx"], default="json")
        export.add_argument("-o", "--output", help="输出文件（xlsx 必填；json 默认输出到屏幕）")
        report = sub.add_parser("progress", help="各项措施的完成状态和最近一次进展报告")
        report.add_argument("ref", help="工作计划编号或名称")
        report.add_argument("--date", help="截至日期 YYYY-MM-DD，默认今天")
        report.add_argument("--json", action="store_true", dest="as_json")

    def _import(self, actor, *, path, region, year, name, **_):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"文件不存在：{path}")
        region = region_by_code(region)
        check_plan_creatable(actor, region)
        try:
            reading = read_plan_file(source, filename=source.name, year=_year(year))
        except ImportFailure as exc:
            raise CommandError(str(exc)) from exc
        if reading.problems:
            for problem in reading.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{source.name} 有 {len(reading.problems)} 处问题，未导入。")
        imported = plan_import(
            acting_user=actor,
            region=region,
            year=int(year),
            name=name,
            reading=reading,
            source_name=source.name,
        )
        self.stdout.write(
            f"plan {imported.plan.pk}: {imported.areas} areas, {imported.measures} measures, "
            f"{imported.matched} unit names matched, {imported.unresolved} unresolved"
        )

    def _export(self, actor, *, ref, format, output, **_):
        plan = selectors.plan_by_ref(user=actor, ref=ref)
        measures = selectors.plan_measures(user=actor, plan=plan)
        if format == "json":
            text = json.dumps(plan_as_json(plan, measures), ensure_ascii=False, indent=2)
            if output:
                Path(output).write_text(text + "\n", encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        if not output:
            raise CommandError("导出 Excel 时请用 -o 指定输出文件。")
        with open(output, "wb") as stream:
            write_plan_ledger(stream, plan, measures)
        sys.stderr.write(f"已导出 {output}\n")

    def _progress(self, actor, *, ref, date, as_json, **_):
        plan = selectors.plan_by_ref(user=actor, ref=ref)
        on = _date(date) if date else timezone.localdate()
        data = plan_progress_json(plan, selectors.plan_measures(user=actor, plan=plan), on=on)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for row in data["measures"]:
            last = row["last_report"]
            self.stdout.write(
                f"{row['code']}\t{row['status_label']}{'（已逾期）' if row['overdue'] else ''}\t"
                f"{row['title']}\t{last['period'] + '：' + last['text'] if last else '—'}"
            )
