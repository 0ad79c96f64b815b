"""fazhi casereview import-standard|export-standard|create|import-cases|sample|score|report —
case-file review from the command line, under the same services and rules as the pages."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError

from fazhi.casereviews import exports, selectors, services, standards
from fazhi.casereviews.rules import number_out
from fazhi.core.commands import ScopedCommand
from fazhi.core.spreadsheets import ImportFailure
from fazhi.orgs.selectors import region_by_code


def _date(text: str, label: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{label}应为 2025-03-31 这样的日期：{text}") from exc


def _file(path: str) -> Path:
    source = Path(path)
    if not source.is_file():
        raise CommandError(f"文件不存在：{path}")
    return source


class Command(ScopedCommand):
    help = "行政执法案卷评查：评查标准导入导出、新建评查、导入案件清单、抽样、评分、评查结果通报。"

    def add_subcommands(self, sub):
        imp = sub.add_parser("import-standard", help="导入评查标准（.xlsx/.xls/.csv/.json）")
        imp.add_argument("path")
        imp.add_argument("--name", required=True, help="标准名称")
        imp.add_argument("--case-type", required=True, help="案件类型，如 行政处罚 或 penalty")
        imp.add_argument("--region", help="制定地区的区划代码（默认为操作人所在地区）")
        imp.add_argument("--json", action="store_true", help="以 JSON 输出导入结果")
        exp = sub.add_parser("export-standard", help="导出评查标准")
        exp.add_argument("name", help="标准名称或编号（名称取最新版本）")
        exp.add_argument("--format", choices=["json", "xlsx"], default="json")
        exp.add_argument("-o", "--output", help="输出文件（默认标准输出，xlsx 必须指定）")
        create = sub.add_parser("create", help="新建案卷评查，在标准输出打印其编号")
        create.add_argument("--region", required=True, help="组织评查的地区的区划代码")
        create.add_argument("--name", required=True, help="评查名称")
        create.add_argument(
            "--standard", required=True, action="append", help="评查标准名称（可多次指定）"
        )
        create.add_argument("--from", dest="closed_from", required=True, help="结案日期自")
        create.add_argument("--to", dest="closed_to", required=True, help="结案日期至")
        cases = sub.add_parser("import-cases", help="导入案件清单（不经预览）")
        cases.add_argument("review", help="评查编号或名称")
        cases.add_argument("path")
        cases.add_argument("--json", action="store_true")
        sample = sub.add_parser("sample", help="抽取案卷（同一随机种子结果相同）")
        sample.add_argument("review", help="评查编号或名称")
        size = sample.add_mutually_exclusive_group(required=True)
        size.add_argument("--per-unit", type=int, help="每个单位每类案件抽取件数")
        size.add_argument("--share", help="每个单位每类案件抽取比例，如 0.1 或 10%%")
        sample.add_argument("--seed", required=True, type=int, help="随机种子")
        sample.add_argument("--json", action="store_true", help="以 JSON 输出（默认即 JSON）")
        score = sub.add_parser("score", help="按评查表 JSON 为案卷评分")
        score.add_argument("review", help="评查编号或名称")
        score.add_argument("case", help="案件编号")
        score.add_argument("--sheet", required=True, help="评查表 JSON 文件")
        score.add_argument("--json", action="store_true", help="以 JSON 输出（默认即 JSON）")
        report = sub.add_parser("report", help="评查结果通报")
        report.add_argument("review", help="评查编号或名称")
        report.add_argument("--json", action="store_true", help="以 JSON 输出（默认即 JSON）")

    def _import_standard(self, actor, *, path, name, case_type, region, json, **_):
        where = region_by_code(region) if region else getattr(actor, "region", None)
        if where is None:
            raise CommandError("请用 --region 指定制定地区。")
        standards.check_standard_creatable(actor, where)
        source = _file(path)
        try:
            reading = standards.read_standard_file(source, filename=source.name)
        except ImportFailure as exc:
            raise CommandError(str(exc)) from exc
        if reading.problems:
            for problem in reading.problems:
                self.stderr.write(problem)
            raise CommandError(f"{source.name} 有 {len(reading.problems)} 处问题，未导入。")
        for flag in reading.flags:
            self.stderr.write(flag)
        standard = standards.standard_create(
            acting_user=actor,
            region=where,
            name=name,
            case_type=case_type,
            reading=reading.as_json(),
            source_name=source.name,
        )
        items = sum(len(s.items) for s in reading.sections)
        result = {
            "id": standard.pk,
            "name": standard.name,
            "version": standard.version,
            "sections": len(reading.sections),
            "items": items,
            "veto": sum(1 for s in reading.sections for i in s.items if i.veto),
            "flagged": reading.flags,
        }
        if json:
            self._json(result)
        else:
            self.stdout.write(
                f"已导入评查标准“{standard.name}”第 {standard.version} 版：{len(reading.sections)} 个部分，"
                f"{items} 项，{len(reading.flags)} 项扣分标准待核对。"
            )

    def _export_standard(self, actor, *, name, format, output, **_):
        standard = selectors.standard_by_ref(user=actor, ref=name)
        if format == "json":
            text = json.dumps(standards.standard_as_json(standard), ensure_ascii=False, indent=2)
            if output:
                Path(output).write_text(text + "\n", encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        if not output:
            raise CommandError("导出 xlsx 请用 -o 指定输出文件。")
        with Path(output).open("wb") as stream:
            exports.write_standard(stream, standard)
        self.stderr.write(f"已导出到 {output}")

    def _create(self, actor, *, region, name, standard, closed_from, closed_to, **_):
        chosen = [selectors.standard_by_ref(user=actor, ref=ref) for ref in standard]
        review = services.review_create(
            acting_user=actor,
            region=region_by_code(region),
            name=name,
            standards=chosen,
            closed_from=_date(closed_from, "结案日期自"),
            closed_to=_date(closed_to, "结案日期至"),
        )
        self.stderr.write(f"已新建案卷评查“{review.name}”（{review.region}）。")
        self.stdout.write(str(review.pk))

    def _import_cases(self, actor, *, review, path, json, **_):
        found = selectors.review_by_ref(user=actor, ref=review)
        services.check_manage(actor, found)
        source = _file(path)
        try:
            reading = services.read_case_file(source, filename=source.name)
        except ImportFailure as exc:
            raise CommandError(str(exc)) from exc
        checked = services.checked_rows(found, reading)
        if checked["problems"]:
            for problem in checked["problems"]:
                self.stderr.write(problem)
            raise CommandError(f"{source.name} 有 {len(checked['problems'])} 处问题，未导入。")
        for skipped in checked["skipped"]:
            self.stderr.write(skipped)
        created = services.cases_import(
            acting_user=actor, review=found, checked=checked, source_name=source.name
        )
        result = {"imported": len(created), "skipped": checked["skipped"]}
        if json:
            self._json(result)
        else:
            self.stdout.write(f"已导入案件 {len(created)} 件，跳过 {len(checked['skipped'])} 件。")

    def _sample(self, actor, *, review, per_unit, share, seed, **_):
        found = selectors.review_by_ref(user=actor, ref=review)
        draw = services.sample_draw(
            acting_user=actor, review=found, per_unit=per_unit, share=share, seed=seed
        )
        self._json(draw.numbers)

    def _score(self, actor, *, review, case, sheet, **_):
        found = selectors.review_by_ref(user=actor, ref=review)
        target = selectors.case_by_ref(user=actor, review=found, ref=case)
        try:
            data = json.loads(_file(sheet).read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"评查表不是有效的 JSON：{exc}") from exc
        if not isinstance(data, dict):
            raise CommandError('评查表应为 {"deductions": [...], "veto": [...]} 的形式。')
        scored = services.sheet_score(
            acting_user=actor,
            case=target,
            deductions=data.get("deductions", []),
            vetoes=data.get("veto", []),
            disputed=bool(data.get("disputed", False)),
            comment=str(data.get("comment", "")),
        )
        self._json({"total": number_out(scored.total), "grade": scored.grade})

    def _report(self, actor, *, review, **_):
        found = selectors.review_by_ref(user=actor, ref=review)
        self._json(selectors.review_report(user=actor, review=found))

    def _json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
