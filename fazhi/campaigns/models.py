"""Campaigns (创建活动): a region's effort against one framework edition, its refined items and
who must do each (两张清单)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy

LEAD_ROLES = frozenset({"admin", "lead_admin"})


class CampaignLevel(models.TextChoices):
    NATIONAL = "national", "全国法治政府建设示范"
    PROVINCIAL = "provincial", "省级法治政府建设示范"
    MUNICIPAL = "municipal", "市级法治政府建设示范"


class Campaign(models.Model):
    """Readable by the owning region's subtree and by every unit given one of its items."""

    name = models.CharField("名称", max_length=200)
    level = models.CharField(
        "创建级别", max_length=12, choices=CampaignLevel.choices, default=CampaignLevel.NATIONAL
    )
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="campaigns", verbose_name="创建地区"
    )
    framework = models.ForeignKey(
        "frameworks.Framework",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name="指标体系",
    )
    description = models.TextField("说明", blank=True)
    period_start = models.DateField("评估期起")
    period_end = models.DateField("评估期止")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="region",
        unit="items__assignments__unit",
        grant="grants__user",
        write_roles=LEAD_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "创建活动"
        verbose_name_plural = "创建活动"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="campaign_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StageKind(models.TextChoices):
    PREPARE = "prepare", "准备"
    SELF_CHECK = "self_check", "自查"
    FILING = "filing", "申报"
    EVALUATION = "evaluation", "评估"
    NAMING = "naming", "命名"


STAGE_ORDER = {kind: index for index, kind in enumerate(StageKind.values)}


class Stage(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField("阶段", max_length=12, choices=StageKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)

    scope_policy = ScopePolicy(
        region="campaign__region",
        unit="campaign__items__assignments__unit",
        grant="campaign__grants__user",
        write_roles=LEAD_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="stage_kind_unique"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"


class CurrentItemManager(models.Manager.from_queryset(ScopedQuerySet)):
    """Items still in the campaign. An item withdrawn by a new edition of the framework is
    archived, never deleted: it keeps its materials, reviews and scores, and is read through
    `Item.with_archived`; every list, total and package goes through this manager (and the
    related managers built on it, `campaign.items`, `item.children`), so none of them shows it."""

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)


class Item(models.Model):
    """A task of the campaign: one per framework indicator, plus the refined items (细化指标) the
    lead office adds under an indicator. Evidence is uploaded to items that have no children."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    node = models.ForeignKey(
        "frameworks.Node", on_delete=models.PROTECT, related_name="+", verbose_name="所属指标"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField("编码", max_length=80)
    sort_key = models.CharField(max_length=255)
    title = models.TextField("标题")
    points = models.DecimalField("分值", max_digits=8, decimal_places=2, null=True, blank=True)
    scoring_rules = models.TextField("评分标准", blank=True)
    required_evidence = models.TextField("佐证材料要求", blank=True)
    is_refined = models.BooleanField("细化项", default=False)
    deadline = models.DateField("完成时限", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED
    )
    evidence_count = models.PositiveIntegerField("材料数", default=0)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    # Unit names from the framework table that could not be matched with certainty, waiting for
    # the lead office to confirm: [{"text", "role", "candidates": [unit ids]}].
    unresolved_units = models.JSONField(default=list, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Set when a new edition of the framework withdrew the indicator (see campaigns.editions).
    archived_at = models.DateTimeField("撤销时间", null=True, blank=True)
    archive_note = models.CharField("撤销说明", max_length=300, blank=True)
    # Why the scores need another look: the new edition changed the points or the rules.
    recheck_note = models.TextField("评分待复核", blank=True)
    # Reopened by the lead office past the stage that closed uploads and resubmissions, until
    # the item is approved (see campaigns.stages).
    reopen_reason = models.TextField("重新开放原因", blank=True)
    reopened_at = models.DateTimeField("重新开放时间", null=True, blank=True)

    scope_policy = ScopePolicy(
        region="campaign__region",
        unit="assignments__unit",
        grant="campaign__grants__user",
        write_roles=LEAD_ROLES,
    )
    objects = CurrentItemManager()
    with_archived = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "任务项"
        verbose_name_plural = "任务项"
        ordering = ["campaign", "sort_key"]
        # A withdrawn item keeps its old code, which the new edition may give to another one.
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"],
                condition=Q(archived_at__isnull=True),
                name="item_code_unique",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "sort_key"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "牵头单位"
    RESPONSIBLE = "responsible", "责任单位"


class Assignment(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="assignments", verbose_name="单位"
    )
    role = models.CharField("职责", max_length=12, choices=AssignmentRole.choices)

    scope_policy = ScopePolicy(
        region="item__campaign__region",
        unit="unit",
        grant="item__campaign__grants__user",
        write_roles=LEAD_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item", "role", "unit__sort_order", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["item", "unit"], name="assignment_unit_once"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(role="lead"), name="assignment_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.unit} ({self.get_role_display()})"


class TaskListImport(models.Model):
    """An uploaded task list (任务清单) waiting for the user to confirm its unit matches; nothing
    reaches the items before the user confirms."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        COMMITTED = "committed", "已导入"
        CANCELLED = "cancelled", "已取消"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    source_filename = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="campaign__region", write_roles=LEAD_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.source_filename


class Explanation(models.Model):
    """The 自评说明 of one leaf item: what was done, the results and figures, and the materials
    that prove it — drafted by the lead unit's liaison, edited by the lead office, read by the
    reviewers beside the materials. `version` is the optimistic lock, as for scores."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="explanation")
    text = models.TextField("自评说明", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    version = models.PositiveIntegerField(default=0)

    scope_policy = ScopePolicy(
        region="item__campaign__region",
        unit="item__assignments__unit",
        grant="item__campaign__grants__user",
        write_roles=LEAD_ROLES | {"liaison"},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "自评说明"
        verbose_name_plural = "自评说明"
        ordering = ["item__sort_key"]

    def __str__(self) -> str:
        return f"{self.item.code} 自评说明"


class SelfAssessment(models.Model):
    """The lead office's part of the written self-assessment: the indicators it holds up as
    亮点 (item ids, in the order chosen) with a free text, the 不足 and the 下一步."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="self_assessment"
    )
    highlight_item_ids = models.JSONField("亮点指标", default=list, blank=True)
    highlights_text = models.TextField("工作亮点", blank=True)
    shortfalls = models.TextField("存在的不足", blank=True)
    next_steps = models.TextField("下一步工作打算", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    scope_policy = ScopePolicy(
        region="campaign__region", grant="campaign__grants__user", write_roles=LEAD_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "自评报告"
        verbose_name_plural = "自评报告"

    def __str__(self) -> str:
        return f"{self.campaign} 自评报告"
