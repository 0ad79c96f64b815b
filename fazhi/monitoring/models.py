"""Dynamic monitoring (动态监测) and the annual report (法治政府建设年度报告).

A metric is a rate with a stated numerator and denominator. Units (or a region's lead office)
report both counts per period; rates are never stored, only computed from the counts, so that a
region's rate is always the sum of the numerators below it over the sum of the denominators,
never an average of rates. The registry holds the national presets (no region) and any region's
own edition of a metric, found by the same code; the nearest one above a region is in force."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy

LEAD_ROLES = frozenset({"admin", "lead_admin"})
REPORT_ROLES = frozenset({"admin", "lead_admin", "liaison"})


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", "季度"
    YEAR = "year", "年度"


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class Metric(models.Model):
    """One monitoring metric. Its score rule: full `points` when the rate meets the target, less
    `deduct_per_point` for every percentage point it falls short (or exceeds, when lower is
    better), never below zero."""

    region = models.ForeignKey(
        "orgs.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属区划",
    )
    code = models.SlugField("指标代码", max_length=40)
    name = models.CharField("指标名称", max_length=100)
    numerator = models.CharField("分子", max_length=200)
    denominator = models.CharField("分母", max_length=200)
    source = models.CharField("数据来源", max_length=200, blank=True)
    scope_text = models.CharField("统计范围", max_length=200, blank=True)
    reporter = models.CharField("报送单位", max_length=100, blank=True)
    period_kind = models.CharField(
        "统计周期", max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    direction = models.CharField(
        "方向", max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    target = models.DecimalField("目标值（%）", max_digits=5, decimal_places=2)
    points = models.DecimalField("满分", max_digits=6, decimal_places=2)
    deduct_per_point = models.DecimalField(
        "每差 1 个百分点扣分", max_digits=6, decimal_places=2, default=1
    )
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    scope_policy = ScopePolicy(region="region", inherited=True, write_roles=LEAD_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "监测指标"
        verbose_name_plural = "监测指标"
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="metric_code_once_in_region"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(region__isnull=True), name="metric_preset_code_once"
            ),
            models.CheckConstraint(
                condition=Q(target__gte=0) & Q(target__lte=100), name="metric_target_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FigureStatus(models.TextChoices):
    SUBMITTED = "submitted", "待确认"
    CONFIRMED = "confirmed", "已确认"


class FigureSource(models.TextChoices):
    FORM = "form", "单位填报"
    IMPORT = "import", "表格导入"


class Figure(models.Model):
    """The counts one unit (or, with no unit, the region's government itself) reported for one
    metric and period. Corrections change this row and keep the old counts as a revision."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="地区"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报送单位",
    )
    metric_code = models.CharField("指标代码", max_length=40)
    period = models.CharField("统计期", max_length=7)  # "2025Q2" or "2025"
    numerator = models.PositiveIntegerField("分子")
    denominator = models.PositiveIntegerField("分母")
    status = models.CharField(
        "状态", max_length=10, choices=FigureStatus.choices, default=FigureStatus.SUBMITTED
    )
    source = models.CharField(
        "来源", max_length=8, choices=FigureSource.choices, default=FigureSource.FORM
    )
    source_ref = models.CharField("来源文件", max_length=255, blank=True)
    note = models.TextField("说明", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reported_at = models.DateTimeField("报送时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope_policy = ScopePolicy(region="region", unit="unit", write_roles=REPORT_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "监测数据"
        verbose_name_plural = "监测数据"
        ordering = ["-period", "region__path", "unit__sort_order", "metric_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "metric_code", "period"],
                condition=Q(unit__isnull=False),
                name="figure_once_per_unit",
            ),
            models.UniqueConstraint(
                fields=["region", "metric_code", "period"],
                condition=Q(unit__isnull=True),
                name="figure_once_per_region",
            ),
            models.CheckConstraint(
                condition=Q(numerator__lte=models.F("denominator")),
                name="figure_numerator_within_denominator",
            ),
        ]
        indexes = [models.Index(fields=["period", "metric_code"])]

    def __str__(self) -> str:
        return f"{self.period} {self.metric_code} {self.numerator}/{self.denominator}"

    @property
    def reporter_name(self) -> str:
        return self.unit.name if self.unit_id else f"{self.region.name}（本级）"


class FigureRevision(models.Model):
    """The counts a figure held before a correction, who changed them and why."""

    figure = models.ForeignKey(Figure, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    numerator = models.PositiveIntegerField("原分子")
    denominator = models.PositiveIntegerField("原分母")
    status = models.CharField(max_length=10, choices=FigureStatus.choices)
    reason = models.TextField("更正原因", blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField("更正时间", auto_now_add=True)

    scope_policy = ScopePolicy(region="figure__region", unit="figure__unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["figure", "-version"]

    def __str__(self) -> str:
        return f"v{self.version} {self.numerator}/{self.denominator}"


class FigureFile(models.Model):
    """A piece of evidence behind a figure (统计台账, 判决书清单...), in the evidence store."""

    figure = models.ForeignKey(Figure, on_delete=models.CASCADE, related_name="files")
    blob = models.ForeignKey("evidence.Blob", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("文件名", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(
        region="figure__region", unit="figure__unit", write_roles=REPORT_ROLES
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["figure", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class FigureImport(models.Model):
    """An uploaded figures table waiting for the lead office's confirmation; no figure is
    stored before it."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        COMMITTED = "committed", "已导入"

    region = models.ForeignKey("orgs.Region", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    source_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    # {"layout", "period", "rows": [...], "problems": ["第 N 行 C 列：…"], "warnings": [...]}
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="region", write_roles=LEAD_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.source_name


class MetricBinding(models.Model):
    """A framework indicator evaluated by 监测数据 scored from these metrics: its points times
    the share of the metrics' points the campaign's region earned over the campaign period."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="+", verbose_name="地区"
    )
    node = models.ForeignKey(
        "frameworks.Node", on_delete=models.CASCADE, related_name="+", verbose_name="指标"
    )
    metric_codes = models.JSONField("监测指标", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_policy = ScopePolicy(region="region", write_roles=LEAD_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "指标绑定"
        verbose_name_plural = "指标绑定"
        ordering = ["node__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["region", "node"], name="binding_once_per_node"),
        ]

    def __str__(self) -> str:
        return f"{self.node} ← {', '.join(self.metric_codes)}"


class AnnualReport(models.Model):
    """The register of one unit's (or, with no unit, the government's) annual report for a
    year: submitted, 保密审查 done, published with its address."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="地区"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="部门",
    )
    year = models.PositiveSmallIntegerField("报告年度")
    submitted_on = models.DateField("报送日期", null=True, blank=True)
    secrecy_reviewed_on = models.DateField("保密审查日期", null=True, blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True)
    published_url = models.URLField("公开地址", max_length=500, blank=True)
    note = models.TextField("备注", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_policy = ScopePolicy(region="region", unit="unit", write_roles=REPORT_ROLES)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "年度报告登记"
        verbose_name_plural = "年度报告登记"
        ordering = ["-year", "region__path", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"], condition=Q(unit__isnull=False), name="report_once_unit"
            ),
            models.UniqueConstraint(
                fields=["region", "year"],
                condition=Q(unit__isnull=True),
                name="report_once_region",
            ),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | ~Q(published_url=""),
                name="report_published_with_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度 {self.unit or self.region}"


class AnnualReportTemplate(models.Model):
    """A region's own Word template for the annual report (docxtpl tags); regions below it use
    it too unless they have their own."""

    region = models.OneToOneField("orgs.Region", on_delete=models.CASCADE, related_name="+")
    blob = models.ForeignKey("evidence.Blob", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField("文件名", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now=True)

    scope_policy = ScopePolicy(region="region", inherited=True, write_roles=LEAD_ROLES)
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.original_name
