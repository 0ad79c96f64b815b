"""fazhi framework import|export|diff — the framework's command line."""

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from fazhi.core.commands import ScopedCommand
from fazhi.frameworks import exports, formats, selectors, services
from fazhi.frameworks.tree import TreeError, points_label
from fazhi.orgs.selectors import region_by_code


def this_years_edition() -> str:
    """A table imported without an edition is taken as this year's, as editions are named."""
    return f"{timezone.localdate().year}版"


class Command(ScopedCommand):
    help = "指标体系：导入（Excel/CSV/YAML/JSON）、导出（yaml/xlsx/json）、版本对比。"

    def add_subcommands(self, sub):
        imp = sub.add_parser("import", help="导入指标体系")
        imp.add_argument("path")
        imp.add_argument("--name", default="")
        imp.add_argument(
            "--edition", default="", help="版本，如 2025版；表格导入时不填则记为今年，如 2026版"
        )
        imp.add_argument("--region", default="", help="适用区划代码；不填为全国通用")
        exp = sub.add_parser("export", help="导出指标体系")
        exp.add_argument("ref", help="编号或名称")
        exp.add_argument("--format", choices=["yaml", "xlsx", "json"], default="yaml")
        exp.add_argument("-o", "--output")
        diff = sub.add_parser("diff", help="对比两个版本")
        diff.add_argument("old")
        diff.add_argument("new")
        diff.add_argument("--json", action="store_true", dest="as_json")
        diff.add_argument("-o", "--output", help="导出 Excel 到该文件")

    def handle(self, *args, **options):
        try:
            return super().handle(*args, **options)
        except TreeError as exc:
            raise CommandError("\n".join(exc.errors)) from exc

    def _import(self, actor, *, path, name, edition, region, **_):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"文件不存在：{path}")
        owner_region = region_by_code(region) if region else None
        note = ""
        if source.suffix.lower() in formats.DOCUMENT_SUFFIXES:
            framework = services.framework_import_document(
                acting_user=actor,
                text=source.read_text(encoding="utf-8-sig"),
                name=name,
                edition=edition,
                owner_region=owner_region,
                source_filename=source.name,
            )
        else:
            if not name:
                raise CommandError("从表格导入时请用 --name 指定指标体系的名称。")
            if not edition:
                edition = this_years_edition()
                note = f"；未指定 --edition，版本按今年记为 “{edition}”"
            draft = services.framework_import_preview_path(
                acting_user=actor,
                path=source,
                name=name,
                edition=edition,
                owner_region=owner_region,
            )
            result = draft.result
            self._report_issues(result)
            if result["errors"] or not result["nodes"]:
                services.framework_import_cancel(acting_user=actor, draft=draft)
                raise CommandError(f"导入失败：{len(result['errors'])} 个错误，没有保存任何内容。")
            framework = services.framework_import_commit(acting_user=actor, draft=draft)
        areas = framework.nodes.filter(level=1).count()
        self.stdout.write(
            f"已导入 id={framework.pk} “{framework}”：一级指标 {areas} 个，末级指标 {framework.leaf_count} 个，"
            f"节点 {framework.node_count} 个，总分 {points_label(framework.total_points)}{note}"
        )

    def _report_issues(self, result: dict) -> None:
        for issue in result["errors"] + result["warnings"]:
            label = "错误" if issue["level"] == "error" else "提示"
            self.stderr.write(f"{label}：{issue['message']}")

    def _export(self, actor, *, ref, format, output, **_):  # noqa: A002 - the option is called --format
        framework = selectors.framework_by_ref(user=actor, ref=ref)
        body, _, _ = exports.export_framework(
            framework, selectors.framework_rows(framework=framework), format
        )
        if output:
            Path(output).write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
            self.stderr.write(f"已导出到 {output}")
        elif isinstance(body, bytes):
            sys.stdout.buffer.write(body)
        else:
            self.stdout.write(body, ending="" if body.endswith("\n") else "\n")

    def _diff(self, actor, *, old, new, as_json: bool, output, **_):
        old_fw = selectors.framework_by_ref(user=actor, ref=old)
        new_fw = selectors.framework_by_ref(user=actor, ref=new)
        diff = exports.compare(old_fw, new_fw)
        if output:
            with open(output, "wb") as stream:
                exports.diff_xlsx(diff, stream, old=old_fw, new=new_fw)
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "summary": diff.summary(),
                        "unchanged": diff.unchanged_count,
                        "entries": [exports.diff_entry_json(e) for e in diff.entries],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        summary = diff.summary()
        self.stdout.write(
            f"{old_fw} → {new_fw}：新增 {summary['added']}，删除 {summary['removed']}，"
            f"修改 {summary['changed']}，调整编号 {summary['moved']}，未变 {diff.unchanged_count}"
        )
        for entry in diff.entries:
            node = entry.new or entry.old
            codes = f"{entry.old['code'] if entry.old else '—'} → {entry.new['code'] if entry.new else '—'}"
            changed = "、".join(c.label for c in entry.changes)
            self.stdout.write(
                f"  [{entry.kind_label}] {codes} {node['title']}{'（' + changed + '）' if changed else ''}"
            )
