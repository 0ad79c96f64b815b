from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Q

from fazhi.campaigns.demo import load_demo_campaign, load_demo_revision
from fazhi.campaigns.demo_self_assessment import load_demo_self_assessment
from fazhi.campaigns.models import Campaign, ItemStatus
from fazhi.campaigns.self_assessment import explanation_progress
from fazhi.casereviews.demo import load_demo_casereview
from fazhi.core.demo import Calendar
from fazhi.evidence.models import Evidence
from fazhi.exams.demo import load_demo_exams
from fazhi.fieldwork.demo import load_demo_evaluation
from fazhi.fieldwork.selectors import ranking
from fazhi.filing.demo import load_demo_filing
from fazhi.frameworks.demo import load_demo_framework
from fazhi.frameworks.tree import format_points
from fazhi.inspections.demo import load_demo_inspection
from fazhi.monitoring.demo import load_demo_monitoring
from fazhi.orgs.demo import load_demo_orgs
from fazhi.plans.demo import load_demo_plan
from fazhi.reviews.demo import load_demo_reviews
from fazhi.surveys.demo import load_demo_surveys
from fazhi.surveys.selectors import wave_report

# What each demo account is for: where to look first after logging in.
TRY = {
    "sys_admin": "管理账号与角色、查看审计日志，所有地区的数据都可见",
    "zz_admin": "市级评估：录入实地评估和满意度测评得分、看综合排名；全市各区的创建进度",
    "szq_admin": "市中区创建活动：进度看板、细化分解、第二轮审核、自评打分、材料检查（重复、评估期外）；工作计划与工作台账",
    "dcf_admin": "聊城市东昌府区：看不到枣庄市的任何数据（跨地区隔离）",
    "szq_sfj_liaison": "我的任务：已退回待整改、临近截止和已逾期的任务项；上传材料、回复审核意见后提交",
    "szq_scjg_liaison": "本单位任务项：上传材料并提交审核",
    "szq_spj_liaison": "本单位任务项：上传材料并提交审核",
    "szq_zxj_liaison": "镇街联络员：本街道承担的责任事项",
    "xc_sfj_liaison": "薛城区司法局：只看到本单位在薛城区创建活动中的任务项",
    "szq_reviewer": "第二轮筛查：审核待审核的任务项（通过、退回、补充材料），给通过的指标评分",
    "zz_expert": "评审专家：只审核市中区第一个一级指标下的任务项",
    "zz_evaluator": "市级评估的第三方评估专家：书面评审各申报区，查看综合排名",
    "szq_leader": "领导：只读查看进度看板和得分",
    "zz_inspector": "督察员：法治督察与整改台账，审核销号申请、督办逾期问题；查看全市创建进度",
}


class Command(BaseCommand):
    help = (
        "载入演示数据：枣庄市及其区县、市中区 42 个单位、各角色演示账号、104 项示例指标体系、"
        "市中区演示创建活动（材料、两轮审核、自评与审核评分）和市级评估（4 个申报区的书面评审与"
        "综合排名）。日期按运行当天计算；可重复运行，再次运行只把日期移到当天。"
    )

    def handle(self, *args, **options):
        cal = Calendar.from_clock()
        with transaction.atomic():  # a run that fails leaves no half-told story behind
            orgs = load_demo_orgs()
            framework = load_demo_framework()
            campaign = load_demo_campaign(framework, cal)
            load_demo_revision(framework)  # a revised edition to move the campaign to
            load_demo_reviews(campaign, cal)
            load_demo_self_assessment(campaign, cal)  # before the filing, whose report has it
            filing = load_demo_filing(campaign, cal)
            evaluation = load_demo_evaluation(framework, cal)
            survey = load_demo_surveys(cal)
            inspection = load_demo_inspection(cal)
            plan = load_demo_plan(cal)
            monitoring = load_demo_monitoring(cal)
            exam = load_demo_exams(cal)
            casereview = load_demo_casereview(cal)
        write = self.stdout.write
        write(self.style.SUCCESS(f"演示数据已就绪（日期以今天 {cal.today:%Y-%m-%d} 为准）："))
        write(
            f"  {orgs['regions']} 个区划，{orgs['units']} 个单位，{len(orgs['users'])} 个账号；"
            f"指标体系“{framework}”：{framework.leaf_count} 项指标，总分 "
            f"{format_points(framework.total_points)}。"
        )
        write(f"  {self._campaign_line(campaign)}")
        rounds = "、".join(
            f"{round_}（{round_.get_status_display()}）"
            for round_ in campaign.rounds.order_by("number")
        )
        write(f"  审核轮次：{rounds}。")
        write(f"  {self._self_assessment_line(campaign)}")
        write(
            f"  申报：第{filing.number}版已提交（{len(filing.manifest)} 份材料），"
            f"{'仍然有效' if filing.is_open else '已重新打开：' + filing.reopen_reason}。"
        )
        write(f"  {self._evaluation_line(evaluation)}")
        write(f"  {self._survey_line(survey)}")
        write(f"  {self._inspection_line(inspection)}")
        write(f"  {self._plan_line(plan)}")
        write(
            f"  动态监测：各区（市）近四个季度 {monitoring['figures']} 条监测数据，"
            f"最近一季为 {monitoring['quarter']}。"
        )
        write(
            f"  法治能力测试“{exam}”：抽中 {exam.candidates.exclude(code=None).count()} 人；模拟练习考试码 DEMO2025。"
        )
        write(f"  {self._casereview_line(casereview)}")
        write(f"演示账号（密码均为 {orgs['password']}）：")
        for account in orgs["users"]:
            write(
                f"  {account['username']:<18} {account['display_name']:<6} "
                f"{'、'.join(account['roles'])}　{account['place']}"
            )
            if account["username"] in TRY:
                write(f"  {'':<18} → {TRY[account['username']]}")

    def _plan_line(self, plan) -> str:
        measures = plan.measures.count()
        done = plan.measures.filter(status="completed").count()
        return (
            f"工作计划“{plan}”（{plan.doc_number}）：{plan.areas.count()} 个领域 {measures} 项措施，"
            f"已完成 {done} 项，{plan.periods.filter(reports__isnull=False).distinct().count()} "
            "个季度的进展报告。"
        )

    def _casereview_line(self, review) -> str:
        drawn = review.cases.filter(sampled=True).count()
        scored = review.cases.filter(sampled=True, sheets__status="scored").distinct().count()
        return (
            f"案卷评查“{review}”：案件 {review.cases.count()} 件，抽查 {drawn} 件，"
            f"已评查 {scored} 件。"
        )

    def _inspection_line(self, inspection) -> str:
        counts = inspection.findings.values_list("status", flat=True)
        closed = sum(1 for status in counts if status == "closed")
        return f"法治督察“{inspection}”：{len(counts)} 个问题，已销号 {closed} 个。"

    def _survey_line(self, wave) -> str:
        overall = wave_report(wave).overall
        return (
            f"满意度测评“{wave}”：{wave.strata.count()} 个镇街，{overall.respondents} 名受访者，"
            f"满意率 {overall.rate.rate * 100:.2f}%（±{overall.rate.moe * 100:.2f}）。"
        )

    def _self_assessment_line(self, campaign: Campaign) -> str:
        progress = explanation_progress(campaign)
        record = getattr(campaign, "self_assessment", None)
        chosen = len(record.highlight_item_ids) if record else 0
        return (
            f"自评说明：{progress['done']}/{progress['total']} 项指标已填写；"
            f"牵头科室已选定 {chosen} 项亮点，写明不足和下一步工作打算。"
        )

    def _campaign_line(self, campaign: Campaign) -> str:
        leaves = campaign.items.filter(children__isnull=True).aggregate(
            total=Count("pk"),
            with_materials=Count("pk", filter=Q(evidence_count__gt=0)),
            submitted=Count("pk", filter=Q(status=ItemStatus.SUBMITTED)),
            approved=Count("pk", filter=Q(status=ItemStatus.APPROVED)),
            returned=Count("pk", filter=Q(status=ItemStatus.RETURNED)),
        )
        materials = Evidence.objects.filter(item__campaign=campaign, deleted_at__isnull=True)
        return (
            f"创建活动“{campaign}”：{leaves['total']} 个任务项，{leaves['with_materials']} 项已有"
            f"材料（共 {materials.count()} 份），已通过 {leaves['approved']} 项，已提交待审核 "
            f"{leaves['submitted']} 项，已退回 {leaves['returned']} 项。"
        )

    def _evaluation_line(self, evaluation) -> str:
        rows = ranking(evaluation)
        ranked = [row for row in rows if row.rank is not None]
        shown = "，".join(
            f"{row.rank}. {row.label} {format_points(row.composite)}" for row in ranked
        )
        waiting = len(rows) - len(ranked)
        tail = f"；另有 {waiting} 个区评审中" if waiting else ""
        return f"市级评估“{evaluation}”：{len(rows)} 个申报区，综合排名 {shown}{tail}。"
