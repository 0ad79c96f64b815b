"""fazhi campaign create|list|report|migrate — campaigns from the command line."""

import json
from datetime import date

from django.core.management.base import CommandError

from fazhi.campaigns import editions, selectors, services
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
        migrate = sub.add_parser(
            "migrate", help="把创建活动迁移到其指标体系的另一个版本（先预览，确认后执行）"
        )
        migrate.add_argument("campaign", help="创建活动编号")
        migrate.add_argument(
            "--framework", required=True, help="目标版本：指标体系编号，或“名称@版本”"
        )
        migrate.add_argument("--dry-run", action="store_true", help="只预览，不修改")
        migrate.add_argument("--json", action="store_true", dest="as_json")

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

    def _migrate(self, actor, *, campaign, framework, dry_run, as_json, **_):
        campaign = selectors.campaign_by_ref(user=actor, ref=campaign)
        target = framework_by_ref(user=actor, ref=framework)
        if dry_run:
            services.check_campaign_editable(actor, campaign)
            plan = editions.plan_migration(campaign=campaign, target=target)
        else:
            plan = services.campaign_migrate(acting_user=actor, campaign=campaign, framework=target)
        if as_json:
            payload = plan.as_json(applied=not dry_run)
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        counts = plan.counts()
        self.stdout.write(
            f"{'预览' if dry_run else '已迁移'}：{plan.campaign} 由“{plan.source}”改为“{plan.target}”"
        )
        for kind in editions.KINDS:
            self.stdout.write(f"{editions.KIND_LABELS[kind]}\t{counts[kind]}")
        for entry in plan.entries:
            if entry.kind == "carried" and not entry.renumbered and not entry.changes:
                continue
            codes = entry.old["code"] if entry.old else ""
            if entry.renumbered or not entry.old:
                codes = f"{codes} → {entry.new['code']}" if entry.old else f"→ {entry.new['code']}"
            note = f"（{entry.recheck_note}，评分待复核）" if entry.kind == "changed" else ""
            self.stdout.write(f"{entry.kind_label}\t{codes}\t{entry.title}{note}")
        if dry_run:
            self.stderr.write("这只是预览；去掉 --dry-run 执行迁移。")
