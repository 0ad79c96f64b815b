"""Review rounds, verdicts, comments and scores of one synthetic campaign, consistent with the
item states already chosen, as `round_open`, `review_decide`, `review_resubmitted`,
`round_close` and `assessment_save` would leave them.

Every campaign has an open round whose reviewers are b{region}_r1 (all areas), r2 and r3 (half
of the areas each). Half of the campaigns also have a closed first round (内部审核) and an open
second one (第二轮筛查) over the items the first returned."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from fazhi.campaigns.models import ItemStatus
from fazhi.campaigns.selectors import area_key
from fazhi.reviews.models import (
    Assessment,
    Comment,
    Deduction,
    Review,
    Round,
    RoundReviewer,
    RoundScope,
    RoundStatus,
    Side,
    Verdict,
)

PASS_NOTES = ["材料齐全，符合要求。", "通过。", "佐证材料充分，同意通过。", "符合评分标准要求。"]
RETURN_NOTES = [
    "请补充评估期内的制度文件及执行台账。",
    "佐证材料与指标要求不对应，请重新梳理。",
    "缺少年度工作总结及统计数据，请补充。",
    "部分材料成文日期不在评估期内，请替换。",
    "请补充典型案例及媒体宣传报道材料。",
    "会议纪要未体现主要负责人研究部署情况，请补充。",
]
FILE_NOTES = [
    "此件成文日期不在评估期内，请替换。",
    "此件未加盖公章，请重新上传。",
    "此件内容与本项无关。",
]
ANSWERS = ["已按意见整改，重新提交。", "已补充相关材料，请审核。", "已替换为评估期内的文件。"]
DEDUCTION_REASONS = [
    "部分台账不完整",
    "佐证材料未体现实施效果",
    "制度执行情况材料不足",
    "统计数据与年度报告不一致",
    "缺少评估期内的会议纪要",
]
_CLAUSE_POINTS = re.compile(r"扣(\d+(?:\.\d+)?)分")
SIDE_SHARES = {Side.SELF: 0.85, Side.REVIEW: 0.55, Side.WRITTEN: 0.4}


def plan_reviews(ctx, rng, place, built) -> list:
    """The rows to insert after the items: rounds, seats, reviews, comments, scores."""
    plan = _Plan(ctx, rng, place, built)
    plan.rounds_and_reviews()
    plan.scores()
    return [
        (Round, plan.rounds),
        (RoundReviewer, plan.seats),
        (RoundReviewer.areas.through, plan.seat_areas),
        (Review, plan.reviews),
        (Comment, plan.comments),
        (Assessment, plan.assessments),
        (Deduction, plan.deductions),
    ]


class _Plan:
    def __init__(self, ctx, rng, place, built):
        self.ctx, self.rng, self.place, self.built = ctx, rng, place, built
        self.rounds, self.seats, self.seat_areas = [], [], []
        self.reviews, self.comments, self.assessments, self.deductions = [], [], [], []
        half = (len(ctx.areas) + 1) // 2
        first, second = ctx.areas[:half], ctx.areas[half:]
        self.judge = {area_key(a.sort_key): place.reviewers[1] for a in first}
        self.judge |= {area_key(a.sort_key): place.reviewers[2] for a in second}
        self.seat_plan = [(place.reviewers[0], []), (place.reviewers[1], first)]
        self.seat_plan.append((place.reviewers[2], second))

    # -- rounds ------------------------------------------------------------------------------

    def _round(self, number, name, scope, status, days_ago) -> Round:
        today = self.ctx.now.date()
        round_ = Round(
            pk=self.ctx.ids.take(Round),
            campaign=self.built.campaign,
            number=number,
            name=name,
            scope=scope,
            starts_on=today - timedelta(days=days_ago),
            ends_on=today - timedelta(days=days_ago - 30),
            status=status,
            opened_by=self.place.lead,
        )
        if status == RoundStatus.CLOSED:
            round_.closed_by = self.place.lead
            round_.closed_at = self.ctx.now - timedelta(days=days_ago - 28)
        self.rounds.append(round_)
        for user, areas in self.seat_plan:
            seat = RoundReviewer(pk=self.ctx.ids.take(RoundReviewer), round=round_, user=user)
            self.seats.append(seat)
            Through = RoundReviewer.areas.through
            self.seat_areas += [Through(roundreviewer_id=seat.pk, node_id=a.pk) for a in areas]
        return round_

    def _review(self, round_, item, verdict=Verdict.PENDING, version=0) -> Review:
        review = Review(
            pk=self.ctx.ids.take(Review), round=round_, item=item, verdict=verdict, version=version
        )
        self.reviews.append(review)
        return review

    def _decide(self, review: Review, leaf, verdict: str) -> str:
        """A decision and its comments; returns the comment (the return reason)."""
        reviewer = (
            self.judge[area_key(leaf.item.sort_key)]
            if self.rng.random() < 0.7
            else self.place.reviewers[0]
        )
        review.verdict, review.reviewer = verdict, reviewer
        review.decided_at = self.ctx.now - timedelta(days=self.rng.randint(1, 20))
        text = self.rng.choice(PASS_NOTES if verdict == Verdict.PASS else RETURN_NOTES)
        self._comment(review, reviewer, text, verdict=verdict)
        if verdict != Verdict.PASS and leaf.evidence and self.rng.random() < 0.3:
            evidence = self.rng.choice(leaf.evidence)
            self._comment(review, reviewer, self.rng.choice(FILE_NOTES), evidence=evidence)
        return text

    def _comment(self, review, author, text, *, verdict="", evidence=None) -> None:
        self.comments.append(
            Comment(
                pk=self.ctx.ids.take(Comment),
                review=review,
                author=author,
                author_name=str(author),
                verdict=verdict,
                evidence=evidence,
                text=text,
            )
        )

    def _answer(self, review: Review, leaf) -> None:
        """The unit resubmits: the review waits again, with the unit's answer."""
        review.resubmitted_at = self.ctx.now - timedelta(days=self.rng.randint(0, 5))
        liaison = self.place.liaisons[leaf.units[0][0].pk]
        self._comment(review, liaison, self.rng.choice(ANSWERS))

    @staticmethod
    def _reason(verdict: str, comment: str) -> str:
        return comment if verdict == Verdict.REVISE else f"【补充材料】{comment}"

    def _return_verdict(self) -> str:
        return Verdict.REVISE if self.rng.random() < 0.6 else Verdict.SUPPLEMENT

    def rounds_and_reviews(self) -> None:
        leaves = self.built.leaves
        if self.rng.random() < 0.5:
            self._one_round(leaves)
        else:
            self._two_rounds(leaves)

    def _one_round(self, leaves) -> None:
        round_ = self._round(1, "内部审核", RoundScope.ALL, RoundStatus.OPEN, 25)
        for leaf in leaves:
            item = leaf.item
            review = self._review(round_, item)
            if item.status == ItemStatus.APPROVED:
                review.version = 1
                self._decide(review, leaf, Verdict.PASS)
            elif item.status == ItemStatus.RETURNED:
                verdict = self._return_verdict()
                review.version = 1
                item.return_reason = self._reason(verdict, self._decide(review, leaf, verdict))
            elif item.status == ItemStatus.SUBMITTED and self.rng.random() < 0.25:
                verdict = self._return_verdict()
                item.return_reason = self._reason(verdict, self._decide(review, leaf, verdict))
                review.verdict, review.version = Verdict.PENDING, 2
                self._answer(review, leaf)

    def _two_rounds(self, leaves) -> None:
        first = self._round(1, "内部审核", RoundScope.ALL, RoundStatus.CLOSED, 70)
        returned = []
        for leaf in leaves:
            item = leaf.item
            review = self._review(first, item)
            again = (
                item.status == ItemStatus.RETURNED
                or (item.status == ItemStatus.SUBMITTED and self.rng.random() < 0.5)
                or (item.status == ItemStatus.APPROVED and self.rng.random() < 0.25)
            )
            if again:
                verdict = self._return_verdict()
                review.version = 1
                item.return_reason = self._reason(verdict, self._decide(review, leaf, verdict))
                returned.append(leaf)
            elif item.status == ItemStatus.APPROVED:
                review.version = 1
                self._decide(review, leaf, Verdict.PASS)
        counts = Counter(r.verdict for r in self.reviews if r.round is first)
        first.summary = {verdict: counts.get(verdict, 0) for verdict in Verdict.values}
        second = self._round(2, "第二轮筛查", RoundScope.RETURNED, RoundStatus.OPEN, 20)
        for leaf in returned:
            item = leaf.item
            review = self._review(second, item, version=1)
            self._answer(review, leaf)
            if item.status == ItemStatus.APPROVED:
                review.version = 2
                self._decide(review, leaf, Verdict.PASS)
                item.return_reason = ""
            elif item.status == ItemStatus.RETURNED:
                verdict = self._return_verdict()
                review.version = 2
                item.return_reason = self._reason(verdict, self._decide(review, leaf, verdict))

    # -- scores ------------------------------------------------------------------------------

    def scores(self) -> None:
        scorers = {
            Side.SELF: self.place.lead,
            Side.REVIEW: self.place.reviewers[0],
            Side.WRITTEN: self.ctx.experts[0] if self.ctx.experts else None,
        }
        for item in self.built.indicators:
            if item.points is None:
                continue
            for side, share in SIDE_SHARES.items():
                if scorers[side] is None or self.rng.random() >= share:
                    continue
                self._assessment(item, side, scorers[side])

    def _assessment(self, item, side, scorer) -> None:
        clauses = [c for c in re.split(r"[；;。]", item.scoring_rules or "") if c.strip()]
        wanted = self.rng.choices((0, 1, 2), (55, 33, 12) if side == Side.SELF else (35, 45, 20))[0]
        assessment = Assessment(
            pk=self.ctx.ids.take(Assessment),
            item=item,
            side=side,
            max_points=item.points,
            assessed_by=scorer,
        )
        left, total = item.points, Decimal(0)
        for position in range(wanted):
            clause = self.rng.choice(clauses) if clauses else "评分标准"
            found = _CLAUSE_POINTS.search(clause)
            points = Decimal(found.group(1)) if found else Decimal("1")
            points = min(points, self.rng.choice((Decimal("0.5"), Decimal("1"), points)))
            if points <= 0 or total + points > left:
                break
            total += points
            self.deductions.append(
                Deduction(
                    pk=self.ctx.ids.take(Deduction),
                    assessment=assessment,
                    position=position,
                    rule=clause[:500],
                    reason=self.rng.choice(DEDUCTION_REASONS),
                    points=points,
                )
            )
        assessment.score = item.points - total
        self.assessments.append(assessment)
