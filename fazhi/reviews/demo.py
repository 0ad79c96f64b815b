"""The demo campaign's materials and reviews, told in order. The units collected materials on
about two items in three and submitted their first items; 市中区's lead office opened round 1
(内部审核) seven weeks ago with its reviewer and the city's expert (for the first area); items
passed or came back with reasons and notes on files, and the round closed four weeks ago. The
units sent more materials and the office scored itself (自评). Round 2 opened ten days ago: units
answered the returns and resubmitted, submitted new items, and the reviewer has judged some of
them and scored the items passed; the rest wait for review today.

Each step goes through the evidence, campaigns and reviews services at the moment it happened
(see `fazhi.core.demo`); the plan of who meets which fate is campaigns.demo's."""

from __future__ import annotations

from decimal import Decimal

from fazhi.accounts.models import User
from fazhi.campaigns.demo import (
    ANSWERED,
    FIRST_ROUND,
    SECOND_ROUND,
    Fate,
    Leaf,
    Plan,
    collect_demo_materials,
    demo_plan,
    upload_material,
)
from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.campaigns.selectors import area_key, campaign_areas
from fazhi.campaigns.services import item_submit
from fazhi.core.demo import Calendar, happening_at, rng
from fazhi.reviews import services
from fazhi.reviews.models import Review, RoundScope, RoundStatus, Side, Verdict

D = services.DeductionEntry
FIRST = ("第一轮内部审核", -49, -28, -27)  # name; starts, ends and closed, in days from today
SECOND = ("第二轮筛查", -10, 11)
# (verdict, the reviewer's reason, the unit's answer when it resubmits)
RETURNS = [
    (
        Verdict.SUPPLEMENT,
        "请补充评估期内的工作总结及相关统计数据。",
        "已补充评估期内的年度工作总结和统计表，请审核。",
    ),
    (
        Verdict.REVISE,
        "会议纪要缺少参会人员签到表，请补充后重新提交。",
        "已补充会议签到表扫描件。",
    ),
    (
        Verdict.REVISE,
        "台账数据与年度报告中的数字不一致，请核对后重新上传。",
        "已逐项核对台账，数字已与年度报告一致。",
    ),
    (
        Verdict.SUPPLEMENT,
        "现有材料只有工作方案，缺少落实情况的佐证，请补充执行台账。",
        "已补充执行台账和典型案例材料。",
    ),
    (
        Verdict.REVISE,
        "文件未加盖公章，请上传盖章后的扫描件。",
        "已上传加盖公章的扫描件。",
    ),
    (
        Verdict.SUPPLEMENT,
        "请按评分标准逐项说明完成情况，并附相关截图。",
        "已按评分标准逐项补充说明并附截图。",
    ),
]
PERIOD_RETURN = "请补充评估期内的规范性文件备案审查情况报告。"
PERIOD_NOTE = "此件成文日期不在评估期内，请替换。"
AGAIN = "整改后的台账仍缺少第四季度数据，请补充完整后再提交。"
PASSES = ["材料齐全，符合要求。", "佐证充分，同意通过。", "材料完整，通过。"]
SELF_DEDUCTIONS = ["部分台账不完整", "个别制度未按时修订", "年度总结未体现量化成效"]
REVIEW_DEDUCTIONS = ["佐证材料未体现实施效果", "部分材料缺少盖章", "统计口径与年度报告不一致"]


def load_demo_reviews(campaign: Campaign, cal: Calendar | None = None) -> None:
    """Tell the story of the units' work and its reviews on a new demo campaign; on a later
    run, move the open round's dates to the new today."""
    cal = cal or Calendar.from_clock()
    if campaign.rounds.exists():
        refresh_open_round(campaign, cal)
        return
    plan = demo_plan(campaign, cal)
    people = _people()
    collect_demo_materials(plan)
    _submit(plan, plan.with_fate(*FIRST_ROUND), days=(-58, -50))
    first = _round(plan, people, *FIRST[:3])
    _first_verdicts(plan, people, first)
    with happening_at(cal.moment(FIRST[3], 17)):
        services.round_close(acting_user=people["lead"], round_=first)
    _follow_up_materials(plan)
    _scores(plan, people["lead"], Side.SELF, days=(-20, -14), deductions=SELF_DEDUCTIONS)
    second = _round(plan, people, *SECOND)
    _answers(plan)
    _submit(plan, plan.with_fate(*SECOND_ROUND), days=(-9, -3))
    _second_verdicts(plan, people, second)
    _scores(plan, people["reviewer"], Side.REVIEW, days=(-6, -1), deductions=REVIEW_DEDUCTIONS)


def refresh_open_round(campaign: Campaign, cal: Calendar) -> None:
    """The open round runs from ten days ago to eleven days ahead, whenever the demo is loaded.
    Rounds have no service to move their dates: they are set once when a round opens."""
    _name, starts, ends = SECOND
    campaign.rounds.filter(status=RoundStatus.OPEN).exclude(
        starts_on=cal.day(starts), ends_on=cal.day(ends)
    ).update(starts_on=cal.day(starts), ends_on=cal.day(ends))


def _people() -> dict[str, User]:
    names = {"lead": "szq_admin", "reviewer": "szq_reviewer", "expert": "zz_expert"}
    return {key: User.objects.get(username=username) for key, username in names.items()}


def _spread(index: int, count: int, days: tuple[int, int]) -> int:
    first, last = days
    return first + (index * (last - first + 1)) // max(count, 1)


def _submit(plan: Plan, leaves: list[Leaf], *, days: tuple[int, int]) -> None:
    for index, leaf in enumerate(leaves):
        leaf.item.refresh_from_db()
        with happening_at(plan.cal.moment(_spread(index, len(leaves), days), 9 + index % 8)):
            item_submit(acting_user=plan.submitter(leaf), item=leaf.item)


def _round(plan: Plan, people, name: str, starts: int, ends: int):
    first_area = campaign_areas(plan.campaign)[:1]
    with happening_at(plan.cal.moment(starts, 9)):
        return services.round_open(
            acting_user=people["lead"],
            campaign=plan.campaign,
            name=name,
            scope=RoundScope.ALL,
            starts_on=plan.cal.day(starts),
            ends_on=plan.cal.day(ends),
            reviewers=[
                services.ReviewerSeat(people["reviewer"]),
                services.ReviewerSeat(people["expert"], tuple(first_area)),
            ],
        )


def _decide(leaf: Leaf, round_, by: User, verdict: str, comment: str, notes=None) -> None:
    review = Review.objects.select_related("round").get(round=round_, item=leaf.item)
    services.review_decide(
        acting_user=by,
        review=review,
        verdict=verdict,
        comment=comment,
        version=review.version,
        file_notes=notes or {},
    )


def _decider(plan: Plan, people, leaf: Leaf) -> User:
    """The city's expert judges the first area, the office's reviewer the rest."""
    first_area = area_key(campaign_areas(plan.campaign)[0].sort_key)
    return people["expert"] if area_key(leaf.item.sort_key) == first_area else people["reviewer"]


def _first_verdicts(plan: Plan, people, round_) -> None:
    leaves = plan.with_fate(*FIRST_ROUND)
    returned = 0
    for index, leaf in enumerate(leaves):
        moment = plan.cal.moment(_spread(index, len(leaves), (-46, -30)), 9 + index % 8, 20)
        with happening_at(moment):
            by = _decider(plan, people, leaf)
            if leaf.fate == Fate.PASSED_FIRST:
                _decide(leaf, round_, by, Verdict.PASS, PASSES[index % len(PASSES)])
                continue
            files = list(leaf.item.evidence.order_by("created_at", "pk"))
            old = _out_of_period(files, plan) if leaf.fate == Fate.RETURNED_OPEN else None
            if old is not None:  # the report from before the period: replace it
                _decide(leaf, round_, by, Verdict.SUPPLEMENT, PERIOD_RETURN, {old.pk: PERIOD_NOTE})
                continue
            verdict, reason, _answer = RETURNS[returned % len(RETURNS)]
            notes = {files[0].pk: "此件内容与本项要求不符。"} if returned % 3 == 1 else {}
            _decide(leaf, round_, by, verdict, reason, notes)
            returned += 1


def _out_of_period(files, plan: Plan):
    start = plan.campaign.period_start
    return next((f for f in files if f.issued_on and f.issued_on < start), None)


def _follow_up_materials(plan: Plan) -> None:
    """What the units sent after round 1 to answer its returns."""
    leaves = plan.with_fate(*ANSWERED)
    for index, leaf in enumerate(leaves):
        offset = _spread(index, len(leaves), (-22, -12))
        upload_material(plan, leaf, number=5, offset=offset, serial=9000 + index)


def _answers(plan: Plan) -> None:
    """The units resubmit the returned items with their answer to the reviewer's reason."""
    leaves = plan.with_fate(*ANSWERED)
    for index, leaf in enumerate(leaves):
        leaf.item.refresh_from_db()
        answer = _answer_to(leaf)
        with happening_at(plan.cal.moment(_spread(index, len(leaves), (-9, -5)), 10 + index % 6)):
            item_submit(acting_user=plan.submitter(leaf), item=leaf.item, note=answer)


def _answer_to(leaf: Leaf) -> str:
    reason = leaf.item.return_reason.removeprefix("【补充材料】")
    return next((answer for _v, text, answer in RETURNS if text == reason), "已按意见整改。")


def _second_verdicts(plan: Plan, people, round_) -> None:
    """Some of the resubmitted and new items judged; the others wait for review today."""
    verdicts = {
        Fate.ANSWERED_PASSED: (Verdict.PASS, "已按意见补充，同意通过。"),
        Fate.RETURNED_AGAIN: (Verdict.REVISE, AGAIN),
        Fate.PASSED_SECOND: (Verdict.PASS, None),
        Fate.RETURNED_SECOND: (Verdict.SUPPLEMENT, None),
    }
    leaves = plan.with_fate(*verdicts)
    for index, leaf in enumerate(leaves):
        verdict, comment = verdicts[leaf.fate]
        if comment is None:
            pool = PASSES if verdict == Verdict.PASS else [text for _v, text, _a in RETURNS]
            comment = pool[index % len(pool)]
        moment = plan.cal.moment(_spread(index, len(leaves), (-4, -1)), 9 + index % 8, 40)
        with happening_at(moment):
            _decide(leaf, round_, _decider(plan, people, leaf), verdict, comment)


def _scores(plan: Plan, by: User, side: str, *, days, deductions: list[str]) -> None:
    """Self-assessment of every indicator with materials (the lead office); the reviewer's
    score of every indicator whose items have all passed."""
    indicators = _indicators_to_score(plan.campaign, side)
    for index, item in enumerate(indicators):
        draw = rng("score", side, item.code)
        taken = []
        if draw.random() < (0.35 if side == Side.SELF else 0.5):
            points = min(item.points, Decimal(draw.choice(["0.5", "1", "1.5", "2"])))
            taken = [D("评分标准", draw.choice(deductions), str(points))]
        with happening_at(plan.cal.moment(_spread(index, len(indicators), days), 14 + index % 4)):
            services.assessment_save(
                acting_user=by, item=item, side=side, deductions=taken, version=None
            )


def _indicators_to_score(campaign: Campaign, side: str) -> list[Item]:
    indicators = campaign.items.filter(is_refined=False, points__isnull=False).order_by("sort_key")
    if side == Side.SELF:
        return list(indicators.filter(evidence_count__gt=0))
    return list(indicators.filter(status=ItemStatus.APPROVED))
