"""fazhi campaign create|list|report — campaigns from the command line."""

import json
from datetime import date

from django.core.management.base import CommandError

from fazhi.campaigns import selectors, services
from fazhi.campaigns.models import CampaignLevel
from fazhi.core.commands import ScopedCommand
from fazhi.dashboards.report import campaign_report, report_lines
from fazhi.frameworks.selectors import framework_by_ref
from fazhi.orgs.selectors import region_by_code


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


class Command(ScopedCommand):
    help = "创建活动：新建（从指标体系生成任务项）、列出。"

    def add_subcommands(self, sub):
        create = sub.add_parser("create", help="新建创建活动，输出其编号")
        create.add_argument("--framework", required=True, help="指标体系编号或名称")
        create.add_argument("--region", required=True, help="创建地区的区划代码")
        create.add_argument("--name", required=True)
        create.add_argument("--level", choices=CampaignLevel.values, default="national")
        create.add_argument("--period-start", help="评估期起，默认今年 1 月 1 日")
        create.add_argument("--period-end", help="评估期止，默认今年 12 月 31 日")
        listing = sub.add_parser("list", help="列出可查看的创建活动")
        listing.add_argument("--json", action="store_true", dest="as_json")
        report = sub.add_parser("report", help="看板数据：分领域得分、任务项状态、逾期项、当前轮次")
        report.add_argument("campaign", help="创建活动编号")
        report.add_argument("--json", action="store_true", dest="as_json")

    def _create(self, actor, *, framework, region, name, level, period_start, period_end, **_):
        this_year = date.today().year  # noqa: DTZ011 - a calendar year, no time involved
        campaign = services.campaign_create(
            acting_user=actor,
            framework=framework_by_ref(user=actor, ref=framework),
            region=region_by_code(region),
            name=name,
            level=level,
            period_start=_date(period_start) if period_start else date(this_year, 1, 1),
            period_end=_date(period_end) if period_end else date(this_year, 12, 31),
        )
        unresolved = campaign.items.exclude(unresolved_units=[]).count()
        self.stderr.write(
            f"已创建“{campaign}”：{campaign.items.count()} 个任务项"
            + (f"，{unresolved} 个任务项的单位名称待确认" if unresolved else "")
        )
        self.stdout.write(str(campaign.pk))

    def _list(self, actor, *, as_json, **_):
        rows = [
            {
                "id": c.pk,
                "name": c.name,
                "region": c.region.code,
                "framework": str(c.framework),
                "items": c.item_count,
            }
            for c in selectors.campaign_list(user=actor)
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['id']}\t{row['name']}\t{row['region']}\t{row['items']} 项")

    def _report(self, actor, *, campaign, as_json, **_):
        report = campaign_report(
            user=actor, campaign=selectors.campaign_by_ref(user=actor, ref=campaign)
        )
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        for line in report_lines(report):
            self.stdout.write(line)
