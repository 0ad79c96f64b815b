"""fazhi filing build CAMPAIGN -o DIR — the package, the bound volumes and the report."""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied

from fazhi.campaigns.selectors import campaign_by_ref
from fazhi.core.commands import ScopedCommand
from fazhi.filing.models import Split
from fazhi.filing.selectors import may_read_filings
from fazhi.filing.services import (
    MAX_PAGE_BUDGET,
    MIN_PAGE_BUDGET,
    filing_build_to_folder,
    unbound_notice,
)


class Command(ScopedCommand):
    help = "申报材料：生成材料包（ZIP）、汇编（PDF）和自评报告（Word）。"

    def add_subcommands(self, sub):
        build = sub.add_parser("build", help="生成申报材料到指定文件夹")
        build.add_argument("campaign", help="创建活动编号")
        build.add_argument("-o", "--output", required=True, type=Path, help="输出文件夹")
        build.add_argument("--split", choices=Split.values, default=Split.PAGES)
        build.add_argument(
            "--page-budget",
            type=int,
            default=400,
            help=f"按页数分册时每册页数上限（{MIN_PAGE_BUDGET}–{MAX_PAGE_BUDGET}）",
        )
        build.add_argument("--approved-only", action="store_true", help="只收录已通过的任务项")
        build.add_argument(
            "--json", action="store_true", dest="as_json", help="以 JSON 输出文件和占位页清单"
        )

    def _build(self, actor, *, campaign, output, split, page_budget, approved_only, as_json, **_):
        if not may_read_filings(actor):
            raise PermissionDenied("您的角色无权生成申报材料。")
        campaign = campaign_by_ref(user=actor, ref=campaign)
        built = filing_build_to_folder(
            campaign=campaign,
            folder=output,
            echo=self.stderr.write,
            split=split,
            page_budget=page_budget,
            approved_only=approved_only,
        )
        if as_json:
            out = {"files": [str(path) for path in built.files], "placeholders": built.placeholders}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        for path in built.files:
            self.stdout.write(str(path))
        if built.placeholders:
            self.stderr.write(unbound_notice(built.placeholders))
