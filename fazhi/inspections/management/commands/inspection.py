"""fazhi inspection create|import-findings|report|findings — inspections from the command line."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from fazhi.core.commands import ScopedCommand
from fazhi.core.spreadsheets import ImportFailure
from fazhi.inspections import selectors, services
from fazhi.inspections.importing import (
    check_importable,
    findings_import,
    matched_rows,
    read_findings_file,
    row_problems,
)
from fazhi.inspections.models import InspectionKind
from fazhi.orgs.selectors import region_by_code

KINDS = {**{k: k for k in InspectionKind.values}, **{c.label: c.value for c in InspectionKind}}


def _date(text: str | None, label: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{label}应为 2025-03-31 这样的日期：{text}") from exc


class Command(ScopedCommand):
    help = "法治督察：新建督察、导入问题清单（不经预览）、整改情况统计、问题列表。"

    def add_subcommands(self, sub):
        create = sub.add_parser("create", help="新建督察，在标准输出打印其编号")
        create.add_argument("--region", required=True, help="组织督察的地区的区划代码")
        create.add_argument("--name", required=True, help="督察名称")
        create.add_argument("--kind", default="comprehensive", help="督察类型：" + "、".join(KINDS))
        create.add_argument("--start", help="开始日期，如 2025-03-01")
        create.add_argument("--end", help="结束日期")
        importing = sub.add_parser("import-findings", help="导入问题清单（.xlsx/.xls/.csv）")
        importing.add_argument("inspection", help="督察编号或名称")
        importing.add_argument("path")
        importing.add_argument("--json", action="store_true", help="以 JSON 输出导入结果")
        report = sub.add_parser("report", help="整改情况统计")
        report.add_argument("inspection", help="督察编号或名称")
        report.add_argument("--date", help="统计日期（判断逾期），默认今天")
        report.add_argument("--json", action="store_true", help="以 JSON 输出（默认即 JSON）")
        findings = sub.add_parser("findings", help="列出督察发现的问题")
        findings.add_argument("inspection", help="督察编号或名称")
        findings.add_argument("--json", action="store_true", help="以 JSON 输出（默认即 JSON）")

    def _create(self, actor, *, region, name, kind, start, end, **_):
        if kind not in KINDS:
            raise CommandError(f"督察类型“{kind}”不存在，可选：{'、'.join(KINDS)}")
        inspection = services.inspection_create(
            acting_user=actor,
            region=region_by_code(region),
            name=name,
            kind=KINDS[kind],
            starts_on=_date(start, "开始日期"),
            ends_on=_date(end, "结束日期"),
        )
        self.stderr.write(f"已新建督察“{inspection.name}”（{inspection.region}）。")
        self.stdout.write(str(inspection.pk))

    def _import_findings(self, actor, *, inspection, path, json: bool, **_):
        found = selectors.inspection_by_ref(user=actor, ref=inspection)
        check_importable(actor, found)
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"文件不存在：{path}")
        year = (found.starts_on or timezone.localdate()).year
        try:
            reading = read_findings_file(source, filename=source.name, year=year)
        except ImportFailure as exc:
            raise CommandError(str(exc)) from exc
        rows = matched_rows(found, reading)
        problems = [str(p) for p in reading.problems] + row_problems(rows)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{source.name} 有 {len(problems)} 处问题，未导入。")
        created = findings_import(
            acting_user=actor, inspection=found, rows=rows, source_name=source.name
        )
        unresolved = [f for f in created if f.responsible_unit_id is None]
        for finding in unresolved:
            self.stderr.write(
                f"问题 {finding.number}：责任单位“{finding.responsible_text}”未能确定，"
                "已按原文保存，请在问题页面上确定责任单位。"
            )
        result = {"findings": len(created), "unresolved": len(unresolved)}
        if json:
            self._json(result)
        else:
            self.stdout.write(f"已导入 {len(created)} 个问题，{len(unresolved)} 个责任单位待确定。")

    def _report(self, actor, *, inspection, date, **_):
        found = selectors.inspection_by_ref(user=actor, ref=inspection)
        today = _date(date, "统计日期") or timezone.localdate()
        self._json(selectors.inspection_report(user=actor, inspection=found, today=today))

    def _findings(self, actor, *, inspection, **_):
        found = selectors.inspection_by_ref(user=actor, ref=inspection)
        rows = selectors.findings_of(user=actor, inspection=found)
        self._json([selectors.finding_as_json(f) for f in rows])

    def _json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
