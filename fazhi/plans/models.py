"""The year-round work of the lead office: reminders (the in-app notifications a user receives
about their unit's items, and the log of daily digest e-mails that keeps a liaison from getting
more than one a day) and annual work plans (工作计划: areas, measures, the units given them)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", "临近截止"
    OVERDUE = "overdue", "已逾期"
    RETURNED = "returned", "被退回"
    REVIEW = "review", "审核消息"


# The kinds the daily digest e-mail reports; other news stays in the app.
DIGEST_KINDS = (NotificationKind.DUE_SOON, NotificationKind.OVERDUE, NotificationKind.RETURNED)


class NotificationQuerySet(ScopedQuerySet):
    """A notification belongs to one person, not to a place in the org tree: no role reaches
    another user's notifications, not even the administrator's (an inbox is not a record of the
    region). The two scoping questions are therefore answered by ownership here, so that views
    still load through `visible_to` and `get_visible_or_404` like every other scoped model and a
    guessed id of someone else's notification is a 404."""

    def visible_to(self, user) -> "NotificationQuerySet":
        if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
            return self.none()
        return self.filter(user_id=user.pk)

    def editable_by(self, user) -> "NotificationQuerySet":
        return self.visible_to(user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    kind = models.CharField("类型", max_length=10, choices=NotificationKind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建活动",
    )
    item = models.ForeignKey(
        "campaigns.Item",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="任务项",
    )
    # The deadline a due-soon or overdue notice is about: a notice about a deadline that has
    # since been moved is no longer put in the digest.
    due_on = models.DateField("完成时限", null=True, blank=True)
    text = models.TextField("内容")
    # Where the notice opens when it is about neither an item nor a campaign (a plan measure, a
    # finding): a path inside the site.
    link = models.CharField("链接", max_length=200, blank=True)
    # What makes one fact one notification: "kind:item:event", the event being the deadline
    # for due-soon and overdue notices and the moment of the return for returns. Unique per
    # user, so that a fact found again tomorrow (or by a second run today) is not notified
    # twice, while a moved deadline or a second return is a new fact.
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    digest = models.ForeignKey(
        "DigestLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="随邮件发送",
    )

    scope_policy = ScopePolicy()  # no region, no unit: see NotificationQuerySet
    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_fact"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["user", "-created_at"], name="notification_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text[:40]}"


class DigestLog(models.Model):
    """One row per user and day a digest e-mail went out. It is written in the same transaction
    that decides to send, so a second run the same day (or a second process) finds it and sends
    nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="接收人"
    )
    date = models.DateField("日期")
    email = models.EmailField("发送地址")
    item_count = models.PositiveIntegerField("事项数", default=0)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "提醒邮件记录"
        verbose_name_plural = "提醒邮件记录"
        ordering = ["-date", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.email}"


# -- annual work plans (工作计划) -------------------------------------------------------------

PLAN_WRITE_ROLES = frozenset({"admin", "lead_admin"})


class PlanStatus(models.TextChoices):
    """The drafting steps of a plan, in order; an issued plan changes only by recorded
    adjustments."""

    DRAFT = "draft", "起草"
    CONSULTING = "consulting", "征求意见"
    LEGAL_REVIEW = "legal_review", "合法性审查"
    ADOPTED = "adopted", "审议通过"
    ISSUED = "issued", "已印发"


class ReportCycle(models.TextChoices):
    QUARTERLY = "quarterly", "每季度"
    MONTHLY = "monthly", "每月"


class Plan(models.Model):
    """A region's work plan for one year (工作要点 / 工作计划): areas of measures, each measure given
    to units. Readable by the region's subtree and by every unit given one of its measures."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="plans", verbose_name="地区"
    )
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=200)
    status = models.CharField(
        "状态", max_length=14, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    doc_number = models.CharField("文号", max_length=100, blank=True)
    source_name = models.CharField("导入文件", max_length=255, blank=True)
    # The drafting steps' records (see plans.drafting).
    consultation_until = models.DateField("征求意见截止", null=True, blank=True)
    legal_reviewer = models.CharField("审查机构（人员）", max_length=100, blank=True)
    legal_opinion = models.TextField("合法性审查意见", blank=True)
    legal_reviewed_on = models.DateField("审查日期", null=True, blank=True)
    adopted_meeting = models.CharField("审议会议", max_length=200, blank=True)
    adopted_on = models.DateField("审议通过日期", null=True, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    report_cycle = models.CharField(
        "进展报送周期", max_length=10, choices=ReportCycle.choices, default=ReportCycle.QUARTERLY
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="region", unit="areas__measures__units__unit", write_roles=PLAN_WRITE_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "工作计划"
        verbose_name_plural = "工作计划"
        ordering = ["-year", "region__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "name"], name="plan_name_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanArea(models.Model):
    """One area of a plan (`一、…`)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField("编号", max_length=20)
    title = models.CharField("领域", max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    scope_policy = ScopePolicy(
        region="plan__region", unit="measures__units__unit", write_roles=PLAN_WRITE_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "计划领域"
        verbose_name_plural = "计划领域"
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_area_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "推进中"
    COMPLETED = "completed", "已完成"
    BEHIND = "behind", "滞后"


class Measure(models.Model):
    """A measure of a plan (`（一）…` or `1.`): what is to be done, by whom, by when."""

    area = models.ForeignKey(PlanArea, on_delete=models.CASCADE, related_name="measures")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    code = models.CharField("编号", max_length=20)
    title = models.TextField("工作任务")
    detail = models.TextField("具体内容", blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    # As written ("2024年6月底前", "每季度", "持续推进"); the date above is what it names, if any.
    deadline_text = models.CharField("完成时限（原文）", max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        "完成状态", max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.NOT_STARTED
    )
    status_note = models.TextField("状态说明", blank=True)
    # Campaign indicators the measure serves: its progress files are offered there as evidence.
    items = models.ManyToManyField(
        "campaigns.Item", blank=True, related_name="plan_measures", verbose_name="关联创建指标"
    )

    scope_policy = ScopePolicy(
        region="plan__region", unit="units__unit", write_roles=PLAN_WRITE_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "计划措施"
        verbose_name_plural = "计划措施"
        ordering = ["plan", "area__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="measure_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:40]}"


class MeasureRole(models.TextChoices):
    LEAD = "lead", "牵头单位"
    RESPONSIBLE = "responsible", "责任单位"


class MeasureUnit(models.Model):
    """A unit named by a measure, as the plan wrote it. `unit` is empty while the name is not
    matched to the org tree with certainty: it is kept as written, never guessed."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_measures",
        verbose_name="单位",
    )
    name_text = models.CharField("原文名称", max_length=200)
    role = models.CharField("职责", max_length=12, choices=MeasureRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    scope_policy = ScopePolicy(
        region="measure__plan__region", unit="unit", write_roles=PLAN_WRITE_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "措施责任单位"
        verbose_name_plural = "措施责任单位"
        ordering = ["measure", "role", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "unit"],
                condition=Q(unit__isnull=False),
                name="measure_unit_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_text}（{self.get_role_display()}）"


class PlanImport(models.Model):
    """An uploaded plan document read into a preview, waiting for the user to confirm the unit
    names the matcher was not sure of; no plan exists before the user confirms."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        COMMITTED = "committed", "已导入"
        CANCELLED = "cancelled", "已取消"

    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=200, blank=True)
    source_filename = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    # The reading (areas, measures, problems) and the names to confirm; see plans.importing.
    result = models.JSONField(default=dict)
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="region", write_roles=PLAN_WRITE_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.source_filename


class CommentDecision(models.TextChoices):
    PENDING = "pending", "待答复"
    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    REJECTED = "rejected", "不采纳"


class PlanComment(models.Model):
    """A unit's comment on a measure (or on the whole plan) while the plan is out for comment
    (征求意见), and the lead office's answer; together they are the 意见采纳情况表."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提出单位",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField("意见内容")
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    decision = models.CharField(
        "采纳情况", max_length=10, choices=CommentDecision.choices, default=CommentDecision.PENDING
    )
    reason = models.TextField("理由", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    scope_policy = ScopePolicy(
        region="plan__region", unit="unit", write_roles=PLAN_WRITE_ROLES
    )  # units write comments through plans.drafting.comment_add, never change them
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["plan", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class PlanAdjustment(models.Model):
    """A change to an issued plan (调整), with its reason and what changed: an issued plan is
    changed this way only."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="adjustments")
    measure = models.ForeignKey(
        Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="adjustments"
    )
    reason = models.TextField("调整理由")
    changes = models.JSONField("调整内容", default=list)  # [{"field", "label", "before", "after"}]
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    made_at = models.DateTimeField("调整时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="plan__region", unit="measure__units__unit", write_roles=PLAN_WRITE_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "计划调整"
        verbose_name_plural = "计划调整"
        ordering = ["plan", "-made_at", "-id"]

    def __str__(self) -> str:
        return self.reason[:40]


# -- execution: report periods and progress reports ------------------------------------------


class ReportPeriod(models.Model):
    """A period units report their progress for (第一季度, 3月), due a few days after it ends."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField("报告期", max_length=40)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    due_on = models.DateField("报送截止")

    scope_policy = ScopePolicy(
        region="plan__region", unit="plan__measures__units__unit", write_roles=PLAN_WRITE_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "报告期"
        verbose_name_plural = "报告期"
        ordering = ["plan", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "starts_on"], name="report_period_once"),
        ]

    def __str__(self) -> str:
        return self.label


class MeasureMilestone(models.Model):
    """What a measure should have reached by a date (阶段目标: the 时间表 and 路线图 of a ledger,
    one per quarter or month). Kept by the date rather than the report period, so that a change
    of report cycle leaves it in the period that contains it."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="milestones")
    due_by = models.DateField("时间节点")
    target = models.TextField("阶段目标")

    scope_policy = ScopePolicy(
        region="measure__plan__region", unit="measure__units__unit", write_roles=PLAN_WRITE_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "阶段目标"
        verbose_name_plural = "阶段目标"
        ordering = ["measure", "due_by"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "due_by"], name="milestone_once_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.due_by:%Y-%m-%d} {self.target[:30]}"


class ProgressReport(models.Model):
    """A unit's progress on a measure for one period: what was done, figures, files from the
    evidence store. The lead unit's report is the measure's summary (牵头单位汇总). The units
    given the measure read each other's reports; other units do not."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reports")
    period = models.ForeignKey(ReportPeriod, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("进展情况")
    figures = models.TextField("主要数据", blank=True)
    is_summary = models.BooleanField("牵头单位汇总", default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", auto_now=True)

    scope_policy = ScopePolicy(
        region="measure__plan__region",
        unit="measure__units__unit",
        write_roles=PLAN_WRITE_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["measure", "period__starts_on", "-is_summary", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period", "unit"], name="progress_once_per_unit_and_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.period} {self.unit}"


class ProgressFile(models.Model):
    """A file of a progress report, its content a blob of the evidence store."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="files")
    blob = models.ForeignKey("evidence.Blob", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("文件名", max_length=255)

    scope_policy = ScopePolicy(
        region="report__measure__plan__region",
        unit="report__measure__units__unit",
        write_roles=PLAN_WRITE_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.original_name
