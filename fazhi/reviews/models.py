"""Review rounds (审核轮次), verdicts and comments, scores against the scoring table (评分表), and
the grants that let outside experts into a campaign."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from fazhi.campaigns.models import ItemStatus
from fazhi.core.scoping import ScopedQuerySet, ScopePolicy

OWNER_ROLES = frozenset({"admin", "lead_admin"})
REVIEW_WRITE_ROLES = frozenset({"admin", "lead_admin", "reviewer", "expert"})


class GrantPurpose(models.TextChoices):
    ROUND = "round", "审核轮次"
    EVALUATION = "evaluation", "书面评审"


class CampaignGrant(models.Model):
    """Lets one user, usually an outside expert (评审专家) or a third-party evaluator, read one
    campaign that is not in their region. Made by opening a round that names them reviewer, or
    by a provincial evaluation that takes them on; the scoping mechanism follows `grants__user`."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="grants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_grants"
    )
    purpose = models.CharField("授权用途", max_length=12, choices=GrantPurpose.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="campaign__region", write_roles=OWNER_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "专家授权"
        verbose_name_plural = "专家授权"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user", "purpose"], name="grant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.campaign}"


class RoundScope(models.TextChoices):
    ALL = "all", "全部任务项"
    RETURNED = "returned", "仅已退回的任务项"


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class Round(models.Model):
    """One pass of review over a campaign (内部审核, 上级指导, 第N轮筛查…). Which items it covers
    is fixed when it opens; its reviews and comments stay after it closes."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField("轮次")
    name = models.CharField("名称", max_length=100)
    scope = models.CharField("审核范围", max_length=10, choices=RoundScope.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期")
    status = models.CharField(
        "状态", max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The verdict counts when the round closed, so that history reads without recounting.
    summary = models.JSONField(default=dict, blank=True)

    scope_policy = ScopePolicy(
        region="campaign__region",
        unit="campaign__items__assignments__unit",
        grant="campaign__grants__user",
        write_roles=OWNER_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "审核轮次"
        verbose_name_plural = "审核轮次"
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="round_number_unique"),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(status="open"), name="round_one_open"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="round_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.number}轮 {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class RoundReviewer(models.Model):
    """A reviewer of a round and the areas (一级指标) they judge; no areas means all of them."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="round_seats"
    )
    areas = models.ManyToManyField("frameworks.Node", blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="round_reviewer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.user}"


class Verdict(models.TextChoices):
    PENDING = "pending", "待审核"
    PASS = "pass", "通过"
    REVISE = "revise", "退回修改"
    SUPPLEMENT = "supplement", "补充材料"


RETURN_VERDICTS = frozenset({Verdict.REVISE, Verdict.SUPPLEMENT})


class Queue(models.TextChoices):
    """Where an item stands in a round's queue. A review without a verdict waits for the
    reviewer (待审核) only once its unit has submitted or resubmitted the item; until then it
    is the unit's turn (未提交), and it is never counted as waiting."""

    WAITING = "waiting", "待审核"
    PASS = "pass", "通过"
    REVISE = "revise", "退回修改"
    SUPPLEMENT = "supplement", "补充材料"
    UNSUBMITTED = "unsubmitted", "单位未提交"
    APPROVED_BEFORE = "approved_before", "此前已通过"  # approved before this round opened


def queue_q(queue: str, *, prefix: str = "") -> Q:
    """The reviews in one place of the queue, as a filter (the rule of `Review.queue`);
    `prefix` reaches the review from another model ("reviews__"). A resubmitted item is
    submitted again, and its review pending again, so it waits like a first submission."""
    # An item withdrawn by a revised edition keeps its review, but waits for nobody.
    pending = Q(**{f"{prefix}verdict": Verdict.PENDING, f"{prefix}item__archived_at__isnull": True})
    status = f"{prefix}item__status"
    if queue == Queue.WAITING:
        return pending & Q(**{status: ItemStatus.SUBMITTED})
    if queue == Queue.UNSUBMITTED:
        return pending & ~Q(**{f"{status}__in": [ItemStatus.SUBMITTED, ItemStatus.APPROVED]})
    if queue == Queue.APPROVED_BEFORE:
        return pending & Q(**{status: ItemStatus.APPROVED})
    return Q(**{f"{prefix}verdict": queue})


class Review(models.Model):
    """Where one item stands in one round. `version` is the optimistic lock: a decision names
    the version it was made on, and loses (with a message) if someone decided in between."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reviews")
    item = models.ForeignKey("campaigns.Item", on_delete=models.CASCADE, related_name="reviews")
    verdict = models.CharField(
        "审核意见", max_length=12, choices=Verdict.choices, default=Verdict.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    resubmitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    scope_policy = ScopePolicy(
        region="round__campaign__region",
        unit="item__assignments__unit",
        grant="round__campaign__grants__user",
        write_roles=REVIEW_WRITE_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["round", "item__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["round", "item"], name="review_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.item.code} {self.get_verdict_display()}"

    @property
    def queue(self) -> str:
        """The review's place in the round's queue (Queue); needs `item` loaded."""
        if self.verdict != Verdict.PENDING:
            return self.verdict
        if self.item.status == ItemStatus.SUBMITTED:
            return Queue.WAITING
        if self.item.status == ItemStatus.APPROVED:
            return Queue.APPROVED_BEFORE
        return Queue.UNSUBMITTED

    def get_queue_display(self) -> str:
        return Queue(self.queue).label


class Comment(models.Model):
    """A line of a review's history: a decision (with its verdict), a note on one file, or the
    unit's answer when it resubmits. Never edited, so the history reads as it happened."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True)
    verdict = models.CharField(max_length=12, choices=Verdict.choices, blank=True)
    evidence = models.ForeignKey(
        "evidence.Evidence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_comments",
    )
    text = models.TextField("意见")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(
        region="review__round__campaign__region",
        unit="review__item__assignments__unit",
        grant="review__round__campaign__grants__user",
        write_roles=REVIEW_WRITE_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Side(models.TextChoices):
    SELF = "self", "自评"
    REVIEW = "review", "审核评分"
    WRITTEN = "written", "书面评审"


class Assessment(models.Model):
    """One side's score of one indicator: its points less the deductions, kept within bounds by
    the service and by the database. `max_points` copies the item's points at scoring time so
    that the database itself can refuse a score above them."""

    item = models.ForeignKey("campaigns.Item", on_delete=models.CASCADE, related_name="assessments")
    side = models.CharField("评分方", max_length=8, choices=Side.choices)
    score = models.DecimalField("得分", max_digits=8, decimal_places=2)
    max_points = models.DecimalField("分值", max_digits=8, decimal_places=2)
    vetoed = models.BooleanField("触发否决", default=False)
    note = models.TextField("评分说明", blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)

    scope_policy = ScopePolicy(
        region="item__campaign__region",
        unit="item__assignments__unit",
        grant="item__campaign__grants__user",
        write_roles=REVIEW_WRITE_ROLES | {"liaison"},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        ordering = ["item__sort_key", "side"]
        constraints = [
            models.UniqueConstraint(fields=["item", "side"], name="assessment_side_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=F("max_points")),
                name="assessment_score_in_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_side_display()} {self.score}"


class Deduction(models.Model):
    """One entry of 扣分: which rule, why, how many points."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="deductions")
    position = models.PositiveSmallIntegerField(default=0)
    rule = models.CharField("扣分依据", max_length=500, blank=True)
    reason = models.TextField("扣分原因")
    points = models.DecimalField("扣分", max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["assessment", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="deduction_positive"),
        ]

    def __str__(self) -> str:
        return f"-{self.points} {self.reason[:30]}"
