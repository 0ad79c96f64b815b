from django.core.management.base import BaseCommand

from fazhi.campaigns.demo import load_demo_campaign
from fazhi.frameworks.demo import load_demo_framework
from fazhi.frameworks.tree import format_points
from fazhi.orgs.demo import load_demo_orgs
from fazhi.reviews.demo import load_demo_reviews


class Command(BaseCommand):
    help = "载入演示数据：枣庄市及其区县、市中区 42 个单位、各角色演示账号、104 项示例指标体系、市中区演示创建活动。可重复运行。"

    def handle(self, *args, **options):
        orgs = load_demo_orgs()
        framework = load_demo_framework()
        campaign = load_demo_campaign(framework)
        load_demo_reviews(campaign)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪：{orgs['regions']} 个区划，{orgs['units']} 个单位，{len(orgs['users'])} 个账号；"
                f"指标体系 “{framework}”：{framework.leaf_count} 项指标，总分 {format_points(framework.total_points)}；"
                f"创建活动 “{campaign}”：{campaign.items.count()} 个任务项。"
            )
        )
        self.stdout.write(f"演示账号（密码均为 {orgs['password']}）：")
        for account in orgs["users"]:
            self.stdout.write(
                f"  {account['username']:<18} {account['display_name']:<6} "
                f"{'、'.join(account['roles'])}　{account['place']}"
            )
