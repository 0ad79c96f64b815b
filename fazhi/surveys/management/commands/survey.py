"""fazhi survey create|import|report — satisfaction survey waves from the command line.

fazhi survey create --region CODE --name NAME --year YYYY [--per-stratum N]   (id on stdout)
fazhi survey import WAVE PATH [--json]     (no preview; exit 1 with row errors, nothing stored)
fazhi survey report WAVE --json
"""

import json
from pathlib import Path

from django.core.management.base import CommandError

from fazhi.core.commands import ScopedCommand
from fazhi.core.spreadsheets import ImportFailure
from fazhi.orgs.selectors import region_by_code
from fazhi.surveys import selectors, services
from fazhi.surveys.calls import calls_import


def _year(text: str) -> int:
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise CommandError(f"年度应为四位数字，如 2025：{text}")
    return int(text)


class Command(ScopedCommand):
    help = "群众满意度测评：新建测评、导入第三方结果表（不经预览）、输出测评结果。"

    def add_subcommands(self, sub):
        create = sub.add_parser("create", help="新建测评（本地区每个镇街一个样本单元）")
        create.add_argument("--region", required=True, help="地区的区划代码")
        create.add_argument("--name", required=True, help="测评名称")
        create.add_argument("--year", required=True, help="年度，如 2025")
        create.add_argument("--per-stratum", type=int, default=100, help="每个镇街的目标样本数")
        create.add_argument(
            "--item", action="append", default=[], help="测评题目，可重复；不填则取导入表格的题目"
        )
        importing = sub.add_parser("import", help="导入第三方测评结果表（逐份问卷或汇总表）")
        importing.add_argument("wave", help="测评编号")
        importing.add_argument("path")
        importing.add_argument("--json", action="store_true", help="以 JSON 输出结果或问题")
        importing.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="词=选项",
            help="表中答案对应的选项，如 --map 还行=基本满意（保存为本次测评的答案别名），可重复",
        )
        calls = sub.add_parser("calls", help="导入电话调查拨打记录（样本号、镇街、拨打结果…）")
        calls.add_argument("wave", help="测评编号")
        calls.add_argument("path")
        report = sub.add_parser("report", help="测评结果")
        report.add_argument("wave", help="测评编号")
        report.add_argument("--json", action="store_true", help="以 JSON 输出")

    def _create(self, actor, *, region, name, year, per_stratum, item, **_):
        wave = services.wave_create(
            acting_user=actor,
            region=region_by_code(region),
            name=name,
            year=_year(year),
            per_stratum=per_stratum,
            items=item,
        )
        self.stdout.write(str(wave.pk))

    def _import(self, actor, *, wave, path, json: bool, map: list[str], **_):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"文件不存在：{path}")
        wave = selectors.wave_by_ref(user=actor, ref=wave)
        if map:
            pairs = [item.partition("=") for item in map]
            if any(not word.strip() or not label.strip() for word, _, label in pairs):
                raise CommandError("--map 的格式应为 词=选项，如 还行=基本满意")
            mapping = {word.strip(): label.strip() for word, _, label in pairs}
            services.aliases_add(acting_user=actor, wave=wave, mapping=mapping)
        problems = []
        try:
            imported = services.survey_import(
                acting_user=actor, wave=wave, path=source, filename=source.name
            )
        except services.ImportRefused as exc:
            problems = exc.problems
        except ImportFailure as exc:
            problems = [str(exc)]
        if problems:
            if json:
                self.stdout.write(_dumps({"imported": False, "problems": problems}))
            else:
                for problem in problems:
                    self.stderr.write(problem)
            raise CommandError(f"{source.name} 有 {len(problems)} 处问题，未导入。")
        summary = {
            "imported": True,
            "layout": imported.survey_import.layout,
            "respondents": imported.respondents,
            "answers": imported.counts,
            "new_strata": imported.new_strata,
            "new_items": imported.new_items,
        }
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self.stdout.write(
                f"wave {wave.pk}: {imported.respondents} respondents, {imported.counts} answers, "
                f"{imported.new_strata} new strata, {imported.new_items} new items"
            )

    def _calls(self, actor, *, wave, path, **_):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"文件不存在：{path}")
        wave = selectors.wave_by_ref(user=actor, ref=wave)
        try:
            count = calls_import(acting_user=actor, wave=wave, path=source, filename=source.name)
        except services.ImportRefused as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(f"{source.name} 有 {len(exc.problems)} 处问题，未导入。") from exc
        except ImportFailure as exc:
            raise CommandError(str(exc)) from exc
        rows = selectors.call_summary(wave)[-1]
        self.stdout.write(
            f"wave {wave.pk}: {count} calls imported; {rows.calls} calls, {rows.completes} completes"
        )

    def _report(self, actor, *, wave, json: bool, **_):
        wave = selectors.wave_by_ref(user=actor, ref=wave)
        report = selectors.wave_report(wave)
        data = selectors.report_json(report)
        if json:
            self.stdout.write(_dumps(data))
            return
        overall = data["overall"]
        self.stdout.write(
            f"{wave.name}: n={overall['n']} 满意率 {overall['satisfaction_rate']}% "
            f"(±{overall['moe']}) 分值 {overall['score']}"
        )
        for row in data["strata"]:
            self.stdout.write(f"  {row['name']}: n={row['n']} {row['satisfaction_rate']}%")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
