"""fazhi exam import-bank|export-bank|paper — question banks and papers from the command line.

fazhi exam import-bank PATH --name NAME [--region CODE] [--json]
    no preview: prints counts by type, difficulty and category; exit 1 with the row/paragraph
    errors, nothing stored
fazhi exam export-bank NAME --format json|xlsx [-o PATH]
fazhi exam paper BANK --blueprint "single:20,multiple:10,judge:10" --seed S --examinee KEY --json
"""

import io
import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from fazhi.core.commands import ScopedCommand
from fazhi.core.spreadsheets import ImportFailure
from fazhi.exams import exports, selectors, services
from fazhi.exams.papers import BlueprintError, arrange, compose, parse_blueprint
from fazhi.orgs.models import Region
from fazhi.orgs.selectors import region_by_code

TYPE_LABELS = {
    "single": "单选",
    "multiple": "多选",
    "judge": "判断",
    "blank": "填空",
    "essay": "简答",
}
LEVEL_LABELS = {"easy": "易", "medium": "中", "hard": "难"}


class Command(ScopedCommand):
    help = "法治能力测试：导入、导出题库，按组卷规则和随机种子生成考生试卷。"

    def add_subcommands(self, sub):
        importing = sub.add_parser("import-bank", help="导入题库（Excel 或 Word，不经预览）")
        importing.add_argument("path")
        importing.add_argument("--name", required=True, help="题库名称（已有则追加）")
        importing.add_argument("--region", help="题库所属地区的区划代码，默认本人所在地区")
        importing.add_argument("--json", action="store_true", help="以 JSON 输出结果或问题")
        export = sub.add_parser("export-bank", help="导出题库")
        export.add_argument("name", help="题库名称或编号")
        export.add_argument("--format", choices=["json", "xlsx"], required=True)
        export.add_argument(
            "-o", "--output", help="输出文件，默认 JSON 输出到屏幕、xlsx 写到“题库名称.xlsx”"
        )
        paper = sub.add_parser("paper", help="按组卷规则生成某考生的试卷")
        paper.add_argument("bank", help="题库名称或编号")
        paper.add_argument("--blueprint", required=True, help='如 "single:20,multiple:10,judge:10"')
        paper.add_argument("--seed", required=True, help="随机种子")
        paper.add_argument("--examinee", required=True, help="考生标识（决定题目和选项的顺序）")
        paper.add_argument("--fixed", action="store_true", help="统一试卷：不打乱顺序")
        paper.add_argument("--json", action="store_true", help="以 JSON 输出")

    def _import_bank(self, actor, *, path, name, region, json: bool, **_):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"文件不存在：{path}")
        place = _region(actor, region)
        try:
            bank, count = services.bank_import_file(
                acting_user=actor, region=place, name=name, path=source, filename=source.name
            )
        except services.ImportRefused as exc:
            self._refuse(source, exc.problems, json)
        except ImportFailure as exc:
            self._refuse(source, [str(exc)], json)
        counts = selectors.bank_counts(bank.questions.order_by("-id")[:count])
        if json:
            self.stdout.write(
                _dumps({"imported": True, "bank": bank.name, "bank_id": bank.pk, **counts})
            )
            return
        self.stdout.write(f"题库“{bank.name}”（编号 {bank.pk}）导入 {counts['total']} 题")
        for title, key, labels in (
            ("题型", "by_type", TYPE_LABELS),
            ("难度", "by_difficulty", LEVEL_LABELS),
            ("分类", "by_category", {}),
        ):
            parts = "，".join(f"{labels.get(k, k)} {v}" for k, v in counts[key].items())
            self.stdout.write(f"  {title}：{parts}")

    def _refuse(self, source: Path, problems: list[str], as_json: bool):
        if as_json:
            self.stdout.write(_dumps({"imported": False, "problems": problems}))
        else:
            for problem in problems:
                self.stderr.write(problem)
        raise CommandError(f"{source.name} 有 {len(problems)} 处问题，未导入任何试题。")

    def _export_bank(self, actor, *, name, format, output, **_):
        bank = selectors.bank_by_name(user=actor, name=name)
        questions = bank.questions.order_by("position", "id")
        if format == "json":
            text = _dumps(exports.bank_json(questions))
            if output:
                Path(output).write_text(text + "\n", encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        target = Path(output or f"{bank.name}.xlsx")
        buffer = io.BytesIO()
        exports.write_bank_xlsx(buffer, bank, questions)
        target.write_bytes(buffer.getvalue())
        self.stdout.write(str(target))

    def _paper(self, actor, *, bank, blueprint, seed, examinee, fixed, json: bool, **_):
        bank = selectors.bank_by_name(user=actor, name=bank)
        try:
            rules = parse_blueprint(blueprint)
            chosen = compose(services.active_questions(bank, timezone.localdate()), rules, seed)
        except BlueprintError as exc:
            raise CommandError(str(exc)) from exc
        by_id = {q.pk: q for q in chosen}
        paper = arrange(chosen, seed=seed, examinee=examinee, fixed=fixed)
        questions = [
            {
                "stem": by_id[e["q"]].stem,
                "type": by_id[e["q"]].kind,
                "options": [by_id[e["q"]].options[i] for i in e["order"]],
            }
            for e in paper
        ]
        if json:
            self.stdout.write(_dumps({"questions": questions}))
            return
        for number, q in enumerate(questions, start=1):
            self.stdout.write(f"{number}. [{TYPE_LABELS[q['type']]}] {q['stem']}")
            for letter, option in zip("ABCDEFGH", q["options"], strict=False):
                self.stdout.write(f"   {letter}. {option}")


def _region(actor, code: str | None) -> Region:
    if code:
        return region_by_code(code)
    if getattr(actor, "region", None) is not None:
        return actor.region
    roots = list(Region.objects.filter(parent=None)[:2])
    if len(roots) != 1:
        raise CommandError("请用 --region 指定题库所属地区的区划代码。")
    return roots[0]


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
