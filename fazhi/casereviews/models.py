"""Enforcement case-file review (行政执法案卷评查): the standards files are scored against,
the review activities of a region (the case list, the drawn sample, who reviews which file),
and the score sheets.

A standard is versioned per case type: sections with their points, items with their points
and a deduction rule, and veto items (否决项) that make a file 不合格 with 0 points. A review's
cases sit in the review's region and belong to their enforcement unit: the unit reads its own
files and results, never another unit's; a reviewer granted a file (an outside expert) reads
that file; and nobody grades their own unit's files (the services refuse it)."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy

LEAD_ROLES = frozenset({"admin", "lead_admin"})


class CaseType(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    LICENSE = "license", "行政许可"
    INSPECTION = "inspection", "行政检查"
    COERCION = "coercion", "行政强制"
    LEVY = "levy", "行政征收"
    PAYMENT = "payment", "行政给付"
    RULING = "ruling", "行政裁决"
    CONFIRMATION = "confirmation", "行政确认"
    OTHER = "other", "其他行政执法"


class RuleKind(models.TextChoices):
    FIXED = "fixed", "每项扣分"
    PER_OCCURRENCE = "per_occurrence", "每处扣分（有上限）"
    RANGE = "range", "区间扣分"
    WHOLE = "whole", "扣除该项全部分值"
    UNREAD = "unread", "未能识别（保留原文）"


class Grade(models.TextChoices):
    EXCELLENT = "优秀", "优秀"
    PASS = "合格", "合格"
    FAIL = "不合格", "不合格"


class Standard(models.Model):
    """One version of a case type's standard. Importing a standard under a name the region
    already has adds the next version; reviews keep the version they were made with."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="制定地区"
    )
    name = models.CharField("标准名称", max_length=200)
    case_type = models.CharField("案件类型", max_length=14, choices=CaseType.choices)
    version = models.PositiveIntegerField("版本", default=1)
    excellent_from = models.DecimalField(
        "优秀分数线", max_digits=5, decimal_places=2, default=Decimal("90")
    )
    pass_from = models.DecimalField(
        "合格分数线", max_digits=5, decimal_places=2, default=Decimal("60")
    )
    source_name = models.CharField("来源文件", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    scope_policy = ScopePolicy(region="region", inherited=True, write_roles=LEAD_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "评查标准"
        verbose_name_plural = "评查标准"
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name", "version"], name="casereview_standard_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"


class StandardSection(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("部分", max_length=200)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, default=0)

    class Meta:
        ordering = ["standard", "position"]

    def __str__(self) -> str:
        return self.title


class StandardItem(models.Model):
    """An item and its deduction rule. `rule_text` is the rule as written; a rule the reader
    could not read is kept as that text (`kind` unread) and flagged, never guessed."""

    section = models.ForeignKey(StandardSection, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField("编号", max_length=20)
    title = models.TextField("评查内容")
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, default=0)
    kind = models.CharField("扣分方式", max_length=14, choices=RuleKind.choices)
    per = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    cap = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    low = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    high = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    rule_text = models.TextField("扣分标准（原文）", blank=True)
    veto = models.BooleanField("否决项", default=False)

    class Meta:
        ordering = ["section__position", "position"]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:30]}"


class CaseReview(models.Model):
    """A review activity (评查活动) of a region: its standards (one per case type), the
    closing-date window cases must fall in, and the reviewers it may assign."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="评查地区"
    )
    name = models.CharField("评查名称", max_length=200)
    standards = models.ManyToManyField(Standard, related_name="reviews", verbose_name="评查标准")
    closed_from = models.DateField("结案日期自")
    closed_to = models.DateField("结案日期至")
    units = models.ManyToManyField(
        "orgs.Unit", blank=True, related_name="+", verbose_name="被评查单位"
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="评查人员"
    )
    # The inspection the 整改通知单 opened findings in, once opened.
    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="region",
        unit="cases__unit",
        grant="cases__sheets__reviewer",
        write_roles=LEAD_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "案卷评查"
        verbose_name_plural = "案卷评查"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class SampleDraw(models.Model):
    """A draw of the sample: per unit and case type, `per_unit` files or `share` of them, from
    the cases inside the window, taken in case-number order; the seed draws it again."""

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="draws")
    seed = models.BigIntegerField("随机种子")
    per_unit = models.PositiveIntegerField("每单位抽取数", null=True, blank=True)
    share = models.DecimalField("抽取比例", max_digits=5, decimal_places=4, null=True, blank=True)
    numbers = models.JSONField("抽中案卷", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"抽样（随机种子 {self.seed}）"


class Case(models.Model):
    """A case of the review's case list; `sampled` once drawn."""

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="cases")
    number = models.CharField("案件编号", max_length=100)
    title = models.CharField("案件名称", max_length=300)
    case_type = models.CharField("案件类型", max_length=14, choices=CaseType.choices)
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="执法单位"
    )
    handler = models.CharField("承办人", max_length=100, blank=True)
    closed_on = models.DateField("结案日期")
    sampled = models.BooleanField("抽中", default=False)

    scope_policy = ScopePolicy(
        region="review__region", unit="unit", grant="sheets__reviewer", write_roles=LEAD_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "案卷"
        verbose_name_plural = "案卷"
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="casereview_case_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseImport(models.Model):
    """An uploaded case list waiting for confirmation; no case exists before it."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        COMMITTED = "committed", "已导入"

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    source_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    # {"rows": [...], "skipped": ["第 N 行：…"], "problems": ["第 N 行 C 列：…"]}
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="review__region", write_roles=LEAD_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.source_name


class StandardImport(models.Model):
    """An uploaded standard read into sections and items, waiting for confirmation."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        COMMITTED = "committed", "已导入"

    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    case_type = models.CharField(max_length=14, choices=CaseType.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    source_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    # {"sections": [...], "problems": [...], "flags": [...]}
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="region", write_roles=LEAD_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.source_name}）"


class SheetRound(models.IntegerChoices):
    FIRST = 1, "初评"
    SECOND = 2, "复核"


class SheetStatus(models.TextChoices):
    ASSIGNED = "assigned", "待评查"
    SCORED = "scored", "已评分"


class ScoreSheet(models.Model):
    """One reviewer's score of one file in one round (初评, then 复核 for a 不合格 or disputed
    file). Total and grade are the service's, never typed; `version` is the optimistic lock."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sheets")
    round = models.PositiveSmallIntegerField("轮次", choices=SheetRound.choices, default=1)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="评查人员",
    )
    status = models.CharField(
        "状态", max_length=10, choices=SheetStatus.choices, default=SheetStatus.ASSIGNED
    )
    total = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=4, choices=Grade.choices, blank=True)
    vetoes = models.JSONField("否决项", default=list, blank=True)
    disputed = models.BooleanField("有争议", default=False)
    comment = models.TextField("评查意见", blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    scope_policy = ScopePolicy(
        region="case__review__region",
        unit="case__unit",
        grant="reviewer",
        write_roles=LEAD_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "评查表"
        verbose_name_plural = "评查表"
        ordering = ["case", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="casereview_sheet_round_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_round_display()}"


class Deduction(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="deductions")
    item = models.ForeignKey(StandardItem, on_delete=models.PROTECT, related_name="deductions")
    count = models.PositiveIntegerField("处数", null=True, blank=True)
    points = models.DecimalField("扣分", max_digits=6, decimal_places=2)
    reason = models.TextField("扣分理由", blank=True)
    page = models.PositiveIntegerField("页码", null=True, blank=True)

    class Meta:
        ordering = ["sheet", "item__section__position", "item__position"]

    def __str__(self) -> str:
        return f"{self.item.code} 扣 {self.points} 分"


class CaseScan(models.Model):
    """A scan of the file (卷宗扫描件), kept in the evidence store's blobs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="scans")
    blob = models.ForeignKey("evidence.Blob", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("文件名", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="case__review__region",
        unit="case__unit",
        grant="case__sheets__reviewer",
        write_roles=LEAD_ROLES,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class PageNote(models.Model):
    """A reviewer's note pinned to a page of a scan."""

    scan = models.ForeignKey(CaseScan, on_delete=models.CASCADE, related_name="notes")
    page = models.PositiveIntegerField("页码")
    text = models.TextField("批注")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scan", "page", "id"]

    def __str__(self) -> str:
        return f"第 {self.page} 页批注"
