"""The demo's written self-assessment: four days ago the units' liaisons drafted the 自评说明 of
the indicators they had materials for (the lead office wrote those already locked in review),
and the day after the lead office chose its 亮点 and wrote the 不足 and 下一步 — before the
filing went in, so the demo's filed report carries them. Loaded once: a later run finds the
lead office's part and writes nothing."""

from __future__ import annotations

from django.db.models import Q

from fazhi.accounts.models import User
from fazhi.campaigns import self_assessment as sa
from fazhi.campaigns.models import Assignment, AssignmentRole, Campaign, Item, SelfAssessment
from fazhi.campaigns.services import LOCKED_STATES
from fazhi.core.demo import Calendar, happening_at, rng

LEAD_OFFICE = "szq_admin"
EXPLAINED = 10  # the first indicators with materials that get an explanation
TOPICAL = 8  # and those of a distinctive topic; the rest stay missing
HIGHLIGHTS = 3

# What a liaison writes, by what the indicator is about: (words in its title, the text), the
# text taking the year, the unit, the indicator's title and figures drawn for it.
TOPICS = (
    (
        ("复议", "应诉", "诉讼"),
        "{year}年，{unit}围绕“{title}”，共办理行政复议案件{a}件，依法纠错{b}件，"
        "按期办结率100%；行政机关负责人出庭应诉率保持100%。案件办理全程网上流转，"
        "复议决定书全部在区政府门户网站公开。",
    ),
    (
        ("执法", "处罚", "检查", "监管"),
        "{year}年，{unit}围绕“{title}”，全面落实行政执法公示、执法全过程记录和重大执法决定"
        "法制审核制度，全年办理行政执法案件{a}件，开展执法案卷评查{b}次，评查合格率100%。",
    ),
    (
        ("规范性文件", "合法性审查", "备案"),
        "{year}年，{unit}围绕“{title}”，对区政府及其部门制定的规范性文件全部进行合法性审查，"
        "共审查{a}件，提出修改意见{b}条；规范性文件全部按时报送备案，备案审查纠错率100%。",
    ),
    (
        ("决策", "听证", "专家"),
        "{year}年，{unit}围绕“{title}”，严格执行重大行政决策程序，全年{a}项重大行政决策"
        "全部履行公众参与、专家论证、风险评估、合法性审查和集体讨论决定程序，"
        "组织听证会{b}场。",
    ),
    (
        ("政务公开", "信息公开"),
        "{year}年，{unit}围绕“{title}”，主动公开政府信息{a}条，办理依申请公开{b}件，"
        "按期答复率100%，未发生因信息公开引发的行政复议纠错和诉讼败诉。",
    ),
    (
        ("政务服务", "一网通办", "审批", "好差评"),
        "{year}年，{unit}围绕“{title}”，推进政务服务标准化、规范化、便利化，"
        "全年办理政务服务事项{a}万件，网上可办率98%以上，收到“好差评”评价中差评{b}件，"
        "全部按期整改回访。",
    ),
    (
        ("学法", "培训", "普法", "宣传"),
        "{year}年，{unit}围绕“{title}”，组织领导干部集中学法{b}次、执法人员专题培训{a}"
        "人次，开展“法律进机关、进社区、进企业”活动，培训考试合格率100%。",
    ),
)
GENERAL = (
    "{year}年，{unit}围绕“{title}”，制定年度工作方案，明确责任分工和完成时限，"
    "全年召开专题推进会{b}次，形成制度文件{a}件，各项任务按期完成。"
)

HIGHLIGHTS_TEXT = (
    "创建工作坚持高位推动。区委、区政府主要负责同志亲自部署，区政府常务会议专题研究创建工作"
    "4次，建立“周调度、月通报、季考核”工作机制。\n"
    "坚持清单化推进。对照指标体系逐项细化任务，明确牵头单位和责任单位，"
    "做到任务、责任、时限“三明确”。"
)
SHORTFALLS = (
    "部分单位佐证材料整理不够规范，存在材料重复、成文日期超出评估期等问题。\n"
    "基层行政执法人员法治培训覆盖面还不够广，镇街综合执法规范化水平有待提高。\n"
    "个别指标进度偏慢，审核中多次退回整改。"
)
NEXT_STEPS = (
    "对照审核意见逐项整改，由区依法治区办每周调度，确保申报前全部通过审核。\n"
    "开展镇街综合执法人员轮训，年底前实现培训全覆盖。\n"
    "健全创建工作长效机制，把示范创建成果转化为法治政府建设的常态化举措。"
)


def load_demo_self_assessment(campaign: Campaign, cal: Calendar | None = None) -> None:
    cal = cal or Calendar.from_clock()
    if SelfAssessment.objects.filter(campaign=campaign).exists():
        return
    lead = User.objects.get(username=LEAD_OFFICE)
    with_materials = list(
        sa.leaf_items(campaign).filter(evidence_count__gt=0).select_related("campaign")
    )
    # Besides the first indicators, those of a distinctive topic (复议, 执法, 规范性文件...) are
    # explained, and the lead office holds up three of them as highlights.
    topical = [item for item in with_materials if _topic(item) is not None]
    chosen = {item.pk for item in topical[:TOPICAL] + with_materials[:EXPLAINED]}
    items = [item for item in with_materials if item.pk in chosen]
    year = cal.day(-60).year  # the year most of the work was done in
    with happening_at(cal.moment(-5, 15)):
        for item in items:
            sa.explanation_save(
                acting_user=_writer(item, lead), item=item, text=_text(item, year), version=None
            )
    with happening_at(cal.moment(-4, 11)):
        sa.self_assessment_save(
            acting_user=lead,
            campaign=campaign,
            highlight_item_ids=[item.pk for item in (topical or items)[:HIGHLIGHTS]],
            highlights_text=HIGHLIGHTS_TEXT,
            shortfalls=SHORTFALLS,
            next_steps=NEXT_STEPS,
        )


def _topic(item: Item) -> str | None:
    return next((text for keys, text in TOPICS if any(key in item.title for key in keys)), None)


def _writer(item: Item, lead: User) -> User:
    """The lead unit's liaison drafts it; an item already locked in review, the lead office."""
    if item.status in LOCKED_STATES:
        return lead
    unit = (
        Assignment.objects.filter(item=item, role=AssignmentRole.LEAD)
        .values_list("unit_id", flat=True)
        .first()
    )
    liaison = (
        User.objects.filter(Q(unit_id=unit), roles__code="liaison", is_active=True)
        .order_by("pk")
        .first()
    )
    return liaison or lead


def _text(item: Item, year: int) -> str:
    unit = (
        Assignment.objects.filter(item=item, role=AssignmentRole.LEAD)
        .select_related("unit")
        .first()
    )
    draw = rng("explanation", item.code)
    words = {
        "year": year,
        "unit": unit.unit.display_name if unit else "区依法治区办",
        "title": item.title.rstrip("。；; "),
        "a": draw.randint(12, 90),
        "b": draw.randint(2, 12),
    }
    template = _topic(item) or GENERAL
    titles = list(item.evidence.alive().order_by("created_at").values_list("title", flat=True)[:2])
    cited = "、".join(f"《{title}》" for title in titles)
    return template.format(**words) + (f"\n相关情况见{cited}等佐证材料。" if cited else "")
