"""fazhi evidence import-dir|search|extract|requeue|reindex|ocr — materials from the command
line."""

import html
import json
import re
from pathlib import Path

from django.core.management.base import CommandError

from fazhi.campaigns.selectors import campaign_by_ref
from fazhi.core.commands import ScopedCommand
from fazhi.evidence import indexing, intake, recovery, selectors
from fazhi.evidence.models import Blob, ExtractStatus
from fazhi.evidence.services import blob_extract, requeue_unread_scans
from fazhi.orgs.models import Unit

SEARCH_LIMIT = 50


class Command(ScopedCommand):
    help = "佐证材料：从文件夹批量导入、全文搜索、补做文字提取。"

    def add_subcommands(self, sub):
        imp = sub.add_parser(
            "import-dir", help="按文件夹名中的指标编号导入材料（ZIP 压缩包解压后导入）"
        )
        imp.add_argument("campaign", help="创建活动编号")
        imp.add_argument("directory")
        imp.add_argument("--unit", default="", help="上传单位编码；默认各任务项的牵头单位")
        imp.add_argument("--json", action="store_true", dest="as_json")
        find = sub.add_parser("search", help="全文搜索材料")
        find.add_argument("campaign")
        find.add_argument("query")
        find.add_argument("--json", action="store_true", dest="as_json")
        find.add_argument("--limit", type=int, default=SEARCH_LIMIT)
        sub.add_parser("extract", help="立即提取所有等待中的材料文字（不经后台任务）")
        sub.add_parser("requeue", help="把等待提取文字过久、又没有任务在处理的文件重新交给后台任务")
        rebuild = sub.add_parser("reindex", help="检查搜索索引，重建与材料文字不一致的索引")
        rebuild.add_argument("--campaign", default="", help="只检查该创建活动（编号）的材料")
        rebuild.add_argument("--json", action="store_true", dest="as_json")
        scans = sub.add_parser(
            "ocr", help="把记录为“无可读文字”的扫描件和图片交给后台任务识别文字（OCR）"
        )
        scans.add_argument("--campaign", default="", help="只处理该创建活动（编号）的材料")
        scans.add_argument("--json", action="store_true", dest="as_json")

    def _import_dir(self, actor, *, campaign, directory, unit, as_json, **_):
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(f"文件夹不存在：{directory}")
        unit_row = Unit.objects.get(code=unit) if unit else None
        outcomes = intake.import_directory(
            acting_user=actor,
            campaign=campaign_by_ref(user=actor, ref=campaign),
            root=root,
            unit=unit_row,
        )
        if as_json:
            rows = [
                {
                    "path": o.path,
                    "item": o.item_code,
                    "evidence_id": o.evidence_id,
                    "error": o.error,
                    "archive": o.archive,
                }
                for o in outcomes
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for o in outcomes:
                result = (
                    f"OK\t{o.item_code}\t#{o.evidence_id}"
                    if o.ok
                    else f"失败\t{o.item_code or '-'}\t{o.error}"
                )
                self.stdout.write(f"{o.path}\t{result}")
        stored = sum(1 for o in outcomes if o.ok)
        self.stderr.write(
            f"共 {len(outcomes)} 个文件：导入 {stored} 个，失败 {len(outcomes) - stored} 个。"
        )
        if outcomes and not stored:
            # One file refused (an empty or damaged ZIP, say): its reason is the whole story.
            reason = outcomes[0].error if len(outcomes) == 1 else ""
            raise CommandError(f"没有导入任何文件。{reason}")

    def _search(self, actor, *, campaign, query, as_json, limit, **_):
        found = selectors.search_evidence(
            campaign=campaign_by_ref(user=actor, ref=campaign), user=actor, query=query
        )[:limit]
        hits = [
            {
                "evidence_id": hit.evidence.pk,
                "item_code": hit.evidence.item.code,
                "title": hit.evidence.title,
                "unit": hit.evidence.unit.name,
                "snippet": _plain(hit.snippet),
                "recognised": hit.recognised,
            }
            for hit in selectors.hits(found, query)
        ]
        if as_json:
            self.stdout.write(json.dumps(hits, ensure_ascii=False, indent=2))
            return
        for hit in hits:
            self.stdout.write(f"{hit['item_code']}\t{hit['title']}\t{hit['snippet']}")

    def _extract(self, actor, **_):
        pending = Blob.objects.filter(extract_status=ExtractStatus.PENDING).values_list(
            "pk", flat=True
        )
        for blob_id in list(pending):
            outcome = blob_extract(blob_id=blob_id)
            self.stdout.write(f"{blob_id}\t{outcome.status}\t{outcome.message}")

    def _requeue(self, actor, **_):
        count = recovery.requeue_waiting_extractions()
        self.stdout.write(f"重新安排 {count} 个等待提取文字的文件。")

    def _reindex(self, actor, *, campaign, as_json, **_):
        chosen = campaign_by_ref(user=actor, ref=campaign) if campaign else None
        outcome = indexing.reindex(user=actor, campaign=chosen)
        if as_json:
            payload = {"checked": outcome.checked, "rebuilt": outcome.rebuilt}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        within = f"创建活动 {chosen.pk}（{chosen}）" if chosen else "全部"
        self.stdout.write(
            f"{within}：检查 {outcome.checked} 份材料的搜索索引，重建 {outcome.rebuilt} 份。"
        )

    def _ocr(self, actor, *, campaign, as_json, **_):
        chosen = campaign_by_ref(user=actor, ref=campaign) if campaign else None
        count = requeue_unread_scans(user=actor, campaign=chosen)
        if as_json:
            self.stdout.write(json.dumps({"queued": count}, ensure_ascii=False))
            return
        self.stdout.write(f"已安排 {count} 个没有文字的扫描件或图片在后台识别文字（OCR）。")


def _plain(snippet: str) -> str:
    """The snippet without its <mark> tags, HTML entities decoded, for the terminal and JSON."""
    return html.unescape(re.sub(r"</?mark>", "", str(snippet)))
