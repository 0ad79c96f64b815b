"""The demo's city evaluation (市级评估): 枣庄市's lead office evaluates the districts that applied
for the city-level title. Each submitted its filing at the end of 申报; 薛城区, 峄城区 and 台儿庄区
have been reviewed in writing (书面评审) by the third-party evaluator the city took on, and their
field and survey scores are in, so the composite ranking shows; 山亭区's written review is still
under way.

The applicants' own campaigns are lighter than 市中区's: materials on a few dozen items, passed.
They were set up by the system (their offices have no demo accounts),
except what 薛城区's liaison uploaded himself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fazhi.accounts.models import User
from fazhi.accounts.system import SYSTEM
from fazhi.campaigns import services as campaigns
from fazhi.campaigns.demo import demo_period, set_deadlines, set_period
from fazhi.campaigns.models import AssignmentRole, Campaign, CampaignLevel, Item, StageKind
from fazhi.core.demo import Calendar, happening_at, rng
from fazhi.evidence import demo as files
from fazhi.fieldwork import parts, services
from fazhi.fieldwork.models import Evaluation
from fazhi.filing import demo as filing
from fazhi.frameworks.models import Framework
from fazhi.orgs.models import Region
from fazhi.reviews import services as reviews
from fazhi.reviews.models import Side

CITY = "370400"
ORGANISER = "zz_admin"
EVALUATOR = "zz_evaluator"
SUFFIX = "（演示）"
WRITTEN_DEDUCTIONS = [
    "未提供评估期内的佐证材料",
    "制度执行情况佐证不足",
    "台账记录不完整",
    "量化指标未达到评分标准要求",
    "部分文件未加盖公章",
    "年度报告未按时公开",
]
MATERIALS_PER_APPLICANT = 8
FIELD_PARTS = [("法治能力测试", 30), ("案卷评查", 30), ("实地核查", 40)]
FIELD_SOURCES = ["领导干部法治能力测试平均分", "行政执法案卷评查平均分", "实地核查组评分"]


@dataclass(frozen=True)
class Applicant:
    region: str
    share: float  # of indicators the evaluator took points off
    field: str | None
    survey: str | None
    areas_reviewed: int | None = None  # None: the written review is complete


APPLICANTS = [
    Applicant("370403", 0.30, "88.50", "91.20"),
    Applicant("370404", 0.40, "85.00", "93.40"),
    Applicant("370405", 0.25, "90.20", "87.60"),
    Applicant("370406", 0.35, "83.00", None, areas_reviewed=5),
]


def applicant_name(region: Region) -> str:
    return f"{region.name}创建市级法治政府建设示范区{SUFFIX}"


def applicant_stages(cal: Calendar, period_end: date) -> dict[str, tuple[date, date]]:
    """Filed two months ago; the city's evaluation runs now."""
    start, _ = demo_period(cal)
    return {
        StageKind.PREPARE: (start, cal.day(-301)),
        StageKind.SELF_CHECK: (cal.day(-300), cal.day(-121)),
        StageKind.FILING: (cal.day(-120), cal.day(-61)),
        StageKind.EVALUATION: (cal.day(-60), cal.day(30)),
        StageKind.NAMING: (cal.day(31), period_end),
    }


def load_demo_evaluation(framework: Framework, cal: Calendar | None = None) -> Evaluation:
    """The applicants' campaigns and the city's evaluation of them; on a later run only the
    applicants' dates move to the new today."""
    cal = cal or Calendar.from_clock()
    existing = Evaluation.objects.filter(region__code=CITY, name__endswith=SUFFIX).first()
    if existing is not None:
        for campaign in Campaign.objects.filter(applications__evaluation=existing):
            _dates(campaign, cal, acting_user=SYSTEM)
        return existing
    applicants = [_applicant_campaign(framework, spec, cal) for spec in APPLICANTS]
    organiser = User.objects.get(username=ORGANISER)
    evaluator = User.objects.get(username=EVALUATOR)
    with happening_at(cal.moment(-60, 9)):
        evaluation = services.evaluation_create(
            acting_user=organiser,
            region=Region.objects.get(code=CITY),
            name=f"{cal.day(-60).year}年度枣庄市法治政府建设示范创建评估{SUFFIX}",
            description="书面评审由第三方评估机构承担；实地评估和满意度测评得分由市依法治市办录入。",
        )
        services.applicants_add(acting_user=organiser, evaluation=evaluation, campaigns=applicants)
    with happening_at(cal.moment(-58, 10)):
        services.evaluator_grant(acting_user=organiser, evaluation=evaluation, user=evaluator)
    for index, (spec, campaign) in enumerate(zip(APPLICANTS, applicants, strict=True)):
        _written_review(campaign, spec, evaluator, cal, index)
    with happening_at(cal.moment(-57, 10)):
        field_parts = parts.field_parts_save(
            acting_user=organiser, evaluation=evaluation, parts=FIELD_PARTS
        )
    for index, (spec, campaign) in enumerate(zip(APPLICANTS, applicants, strict=True)):
        applicant = evaluation.applicants.get(campaign=campaign)
        with happening_at(cal.moment(-8 + index, 16)):
            _field_part_scores(applicant, spec, field_parts, organiser)
            applicant.refresh_from_db()
            services.applicant_scores_save(
                acting_user=organiser,
                applicant=applicant,
                field_score="",
                survey_score=spec.survey or "",
                version=applicant.version,
            )
    return evaluation


def _field_part_scores(applicant, spec: Applicant, field_parts, organiser) -> None:
    """Part scores around the applicant's field score whose weighted sum is that score; an
    applicant still without one has its test score alone."""
    if spec.field is None:
        scores = [Decimal("84")]
    else:
        field = Decimal(spec.field)
        scores = [field + 3, field - 2, field - Decimal("0.75")]  # 0.3·3 − 0.3·2 − 0.4·0.75 = 0
    for part, score, source in zip(field_parts, scores, FIELD_SOURCES, strict=False):
        parts.field_part_score_save(
            acting_user=organiser, applicant=applicant, part=part, score=score, source=source
        )


def _dates(campaign: Campaign, cal: Calendar, *, acting_user) -> None:
    """The applicant's period, stages and the deadlines its table gave, counted from today."""
    start, end = demo_period(cal)
    set_period(campaign, cal, acting_user=acting_user, stages=applicant_stages(cal, end))
    dated = campaign.items.filter(node__deadline__gt="").order_by("sort_key")
    wanted = {item.pk: cal.day(30 + 15 * n) for n, item in enumerate(dated)}
    set_deadlines(campaign, wanted, acting_user=acting_user)


def _applicant_campaign(framework: Framework, spec: Applicant, cal: Calendar) -> Campaign:
    region = Region.objects.get(code=spec.region)
    start, end = demo_period(cal)
    with happening_at(cal.moment(-320, 9)):
        campaign = campaigns.campaign_create(
            acting_user=SYSTEM,
            framework=framework,
            region=region,
            name=applicant_name(region),
            level=CampaignLevel.MUNICIPAL,
            period_start=start,
            period_end=end,
            description="演示数据：申报市级示范的区，材料从简。",
        )
        _dates(campaign, cal, acting_user=SYSTEM)
    items = _items_with_materials(campaign, spec)
    liaisons = {
        user.unit_id: user
        for user in User.objects.filter(roles__code="liaison", unit__region=region)
    }
    for serial, item in enumerate(items, start=1):
        lead = item.assignments.get(role=AssignmentRole.LEAD).unit
        acting_user = liaisons.get(lead.pk, SYSTEM)
        draw = rng("applicant", spec.region, item.code)
        day = -240 + (serial * 100) // len(items)
        pieces = files.required_pieces(item)
        file = files.material_file(
            draw,
            piece=draw.choice(pieces),
            item=item,
            unit=lead,
            issued_on=max(cal.day(day - draw.randint(5, 60)), start),
            serial=serial,
            place=region.name,
        )
        with happening_at(cal.moment(day, draw.randint(8, 17), draw.randint(0, 59))):
            files.upload(acting_user=acting_user, item=item, file=file)
        with happening_at(cal.moment(-130 + serial % 7, 10)):
            campaigns.item_submit(acting_user=acting_user, item=item)
        with happening_at(cal.moment(-125 + serial % 5, 15)):
            campaigns.item_approve(acting_user=SYSTEM, item=item)
    with happening_at(cal.moment(-62, 16)):  # the last days of 申报: what the review reads
        filing.submit_as_built(campaign, SYSTEM, note="报送市依法治市办参加市级评估")
    return campaign


def _items_with_materials(campaign: Campaign, spec: Applicant) -> list[Item]:
    """Items the applicant's matched units lead (units the demo does not have stay unassigned,
    waiting for the office to confirm), a few dozen of them."""
    led = list(campaign.items.filter(assignments__role=AssignmentRole.LEAD).order_by("sort_key"))
    chosen = rng("applicant-items", spec.region).sample(led, min(MATERIALS_PER_APPLICANT, len(led)))
    return sorted(chosen, key=lambda item: item.sort_key)


def _indicators(campaign: Campaign) -> list[Item]:
    return list(campaign.items.filter(is_refined=False, points__isnull=False).order_by("sort_key"))


def _written_review(campaign: Campaign, spec: Applicant, evaluator, cal: Calendar, index: int):
    """The evaluator's written score of every indicator (of the first areas only while the
    review is under way), taking points off about `share` of them."""
    indicators = _indicators(campaign)
    if spec.areas_reviewed is not None:
        areas = sorted({item.sort_key.split(".", 1)[0] for item in indicators})
        kept = set(areas[: spec.areas_reviewed])
        indicators = [item for item in indicators if item.sort_key.split(".", 1)[0] in kept]
    for number, item in enumerate(indicators):
        draw = rng("written", spec.region, item.code)
        taken = []
        if draw.random() < spec.share:
            points = min(item.points, Decimal(draw.choice(["1", "2", "3", "4", "5"])))
            taken = [reviews.DeductionEntry("", draw.choice(WRITTEN_DEDUCTIONS), str(points))]
        day = -45 + index * 8 + (number * 7) // len(indicators)
        with happening_at(cal.moment(day, 9 + number % 8, number % 60)):
            reviews.assessment_save(
                acting_user=evaluator, item=item, side=Side.WRITTEN, deductions=taken, version=None
            )
