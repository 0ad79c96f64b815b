"""Inspections (法治督察): who inspected which units, the findings (问题清单) they raised, the
responsible units' rectification (整改) up to the inspecting side's 销号, the escalation of
overdue findings, and the 回头看 re-check of a sample of closed ones.

Everything sits in the inspecting region's subtree (an inspection of the city by the city's
inspectors); a unit reaches only the findings it is responsible for. Writing a finding is the
inspecting side's (督察员 or the lead office of the region); the responsible unit answers
through its own services (plan, progress, close request), never through `editable_by`."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy

INSPECT_ROLES = frozenset({"admin", "lead_admin", "inspector"})


class InspectionKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合督察"
    SPECIAL = "special", "专项督察"
    UNANNOUNCED = "unannounced", "明察暗访"
    FOLLOW_UP = "follow_up", "回头看"


class Inspection(models.Model):
    """One inspection of a region. Readable by the region's subtree and by every unit made
    responsible for one of its findings."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="inspections", verbose_name="督察地区"
    )
    name = models.CharField("名称", max_length=200)
    kind = models.CharField(
        "督察类型",
        max_length=14,
        choices=InspectionKind.choices,
        default=InspectionKind.COMPREHENSIVE,
    )
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="督察组组长"
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="督察组成员"
    )
    units = models.ManyToManyField(
        "orgs.Unit", blank=True, related_name="+", verbose_name="被督察单位"
    )
    regions = models.ManyToManyField(
        "orgs.Region", blank=True, related_name="+", verbose_name="被督察地区"
    )
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="region", unit="findings__responsible_unit", write_roles=INSPECT_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "督察"
        verbose_name_plural = "督察"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="inspection_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DocumentKind(models.TextChoices):
    NOTICE = "notice", "督察通知"
    FEEDBACK = "feedback", "反馈意见"
    REPORT = "report", "整改报告"
    OTHER = "other", "其他"


class InspectionDocument(models.Model):
    """A document the inspection produced, its content kept in the evidence store's blobs."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("类型", max_length=10, choices=DocumentKind.choices)
    title = models.CharField("标题", max_length=255)
    blob = models.ForeignKey("evidence.Blob", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("文件名", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="inspection__region",
        unit="inspection__findings__responsible_unit",
        write_roles=INSPECT_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class FindingCategory(models.Model):
    """The categories findings are sorted by. Rows without a region are the defaults everyone
    reads; a region adds its own."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField("问题类别", max_length=50)
    position = models.PositiveSmallIntegerField(default=0)

    scope_policy = ScopePolicy(
        region="region", inherited=True, write_roles=frozenset({"admin", "lead_admin"})
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="finding_category_once"),
        ]

    def __str__(self) -> str:
        return self.name


class FindingStatus(models.TextChoices):
    OPEN = "open", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    CLOSE_REQUESTED = "close_requested", "申请销号"
    CLOSED = "closed", "已销号"


class FindingSource(models.TextChoices):
    MANUAL = "manual", "督察发现"
    IMPORT = "import", "问题清单导入"
    REVIEW = "review", "审核退回"
    CASE_REVIEW = "case_review", "案卷评查"
    EXAM = "exam", "法治能力测试"
    SURVEY = "survey", "满意度调查"


class Finding(models.Model):
    """A problem the inspection found (问题) and what must be done about it. The unit is kept as
    written while it is not matched to the org tree with certainty (`responsible_unit` empty):
    never guessed."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    number = models.CharField("编号", max_length=20)
    position = models.PositiveIntegerField(default=0)
    category = models.ForeignKey(
        FindingCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name="问题类别",
    )
    description = models.TextField("问题描述")
    inspected_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="被督察单位",
    )
    inspected_text = models.CharField("被督察单位（原文）", max_length=200, blank=True)
    responsible_unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name="责任单位",
    )
    responsible_text = models.CharField("责任单位（原文）", max_length=200, blank=True)
    # Candidates the matcher offered for an uncertain name, for the user to choose from.
    unit_candidates = models.JSONField(default=list, blank=True)
    leader = models.CharField("责任领导", max_length=100, blank=True)
    person = models.CharField("责任人", max_length=100, blank=True)
    requirement = models.TextField("整改要求", blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True)
    deadline_text = models.CharField("整改时限（原文）", max_length=100, blank=True)
    # 长期坚持: the earliest date of a stage of the plan not yet reported done (its 已逾期 rule).
    milestone_due = models.DateField("最近阶段节点", null=True, blank=True, editable=False)
    long_term = models.BooleanField("长期坚持", default=False)
    status = models.CharField(
        "整改状态", max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    source = models.CharField(
        "来源", max_length=12, choices=FindingSource.choices, default=FindingSource.MANUAL
    )
    source_ref = models.CharField("来源记录", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="inspection__region", unit="responsible_unit", write_roles=INSPECT_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "督察问题"
        verbose_name_plural = "督察问题"
        ordering = ["inspection", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="finding_number_once"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="finding_status_deadline")]

    def __str__(self) -> str:
        return f"{self.number} {self.description[:40]}"

    @property
    def unit_label(self) -> str:
        return str(self.responsible_unit) if self.responsible_unit else self.responsible_text

    @property
    def due_on(self):
        """The date the unit answers to: the deadline, or for 长期坚持 (no end date) the
        earliest stage of its plan not yet reported done."""
        return self.milestone_due if self.long_term else self.deadline

    @property
    def source_item_id(self) -> int | None:
        """The campaign item a finding raised from a review's return came from."""
        kind, _, pk = self.source_ref.partition(":")
        return (
            int(pk)
            if self.source == FindingSource.REVIEW and kind == "item" and pk.isdigit()
            else None
        )


class Rectification(models.Model):
    """The responsible unit's plan (整改方案): measures, milestones (for 长期坚持 above all), and
    the person who carries it out."""

    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="plan")
    measures = models.TextField("整改措施")
    milestones = models.TextField("阶段目标", blank=True)
    person = models.CharField("具体责任人", max_length=100, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope_policy = ScopePolicy(
        region="finding__inspection__region",
        unit="finding__responsible_unit",
        write_roles=INSPECT_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.finding.number} 整改方案"


class Milestone(models.Model):
    """A stage of the rectification plan (阶段目标), one line of the plan's milestones with the
    date it names ("2025年6月底前 完成制度起草"); the unit reports it done. A 长期坚持 finding
    has no end date, so its stages are what can fall behind."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField("阶段目标", max_length=300)
    due_on = models.DateField("时间节点", null=True, blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)

    scope_policy = ScopePolicy(
        region="finding__inspection__region",
        unit="finding__responsible_unit",
        write_roles=INSPECT_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "阶段目标"
        verbose_name_plural = "阶段目标"
        ordering = ["finding", "position"]

    def __str__(self) -> str:
        return self.text


class UpdateKind(models.TextChoices):
    PROGRESS = "progress", "整改进展"
    CLOSE_REQUEST = "close_request", "销号申请"
    CLOSED = "closed", "同意销号"
    REJECTED = "rejected", "退回整改"
    REOPENED = "reopened", "重新打开"
    RECHECKED = "rechecked", "回头看确认"


class FindingUpdate(models.Model):
    """One step of a finding's history, in order: the unit's progress reports and close
    requests (with evidence files), the inspecting side's verdicts and reopenings."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField("类型", max_length=14, choices=UpdateKind.choices)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="finding__inspection__region",
        unit="finding__responsible_unit",
        write_roles=INSPECT_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["finding", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.note[:40]}"


class FindingFile(models.Model):
    """An evidence file of a progress report or close request; its content is a blob of the
    evidence store (stored once whoever else holds the same content)."""

    update = models.ForeignKey(FindingUpdate, on_delete=models.CASCADE, related_name="files")
    blob = models.ForeignKey("evidence.Blob", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("文件名", max_length=255)

    scope_policy = ScopePolicy(
        region="update__finding__inspection__region",
        unit="update__finding__responsible_unit",
        write_roles=INSPECT_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["update", "id"]

    def __str__(self) -> str:
        return self.original_name


class EscalationStep(models.TextChoices):
    """In the order they follow each other."""

    REMIND = "remind", "提醒"
    INTERVIEW = "interview", "约谈"
    SUPERVISE = "supervise", "挂牌督办"
    NOTIFY = "notify", "通报"


ESCALATION_ORDER = {step: index for index, step in enumerate(EscalationStep.values)}


class Escalation(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="escalations")
    step = models.CharField("督办措施", max_length=10, choices=EscalationStep.choices)
    on = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(
        region="finding__inspection__region",
        unit="finding__responsible_unit",
        write_roles=INSPECT_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ["finding", "on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_step_display()}"


class RecheckDraw(models.Model):
    """A 回头看 sample of closed findings. The seed and the rule are kept so that the same draw
    over the same findings can be made again and compared."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="draws")
    seed = models.BigIntegerField("随机种子")
    count = models.PositiveIntegerField("抽取数量", null=True, blank=True)
    percent = models.PositiveSmallIntegerField("抽取比例（%）", null=True, blank=True)
    per_unit = models.BooleanField("按单位分别抽取", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    scope_policy = ScopePolicy(region="inspection__region", write_roles=INSPECT_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"回头看抽样 {self.created_at:%Y-%m-%d}"


class RecheckResult(models.TextChoices):
    PENDING = "pending", "待复查"
    CONFIRMED = "confirmed", "整改到位"
    REOPENED = "reopened", "重新整改"


class RecheckItem(models.Model):
    draw = models.ForeignKey(RecheckDraw, on_delete=models.CASCADE, related_name="items")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rechecks")
    result = models.CharField(
        "复查结果", max_length=10, choices=RecheckResult.choices, default=RecheckResult.PENDING
    )
    note = models.TextField("复查说明", blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    scope_policy = ScopePolicy(
        region="draw__inspection__region",
        unit="finding__responsible_unit",
        write_roles=INSPECT_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["draw", "finding__position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "finding"], name="recheck_finding_once"),
        ]

    def __str__(self) -> str:
        return f"{self.finding.number} {self.get_result_display()}"


class FindingImport(models.Model):
    """An uploaded 问题清单 waiting for its creator to confirm the units the matcher was not
    sure of; no finding exists before the confirmation."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        COMMITTED = "committed", "已导入"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    source_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    # {"rows": [finding rows with their unit matches], "problems": ["第 N 行 C 列：…"]}
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="inspection__region", write_roles=INSPECT_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.source_name
