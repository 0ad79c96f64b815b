"""Indicator frameworks (指标体系): versioned trees imported from the official tables."""

from django.conf import settings
from django.db import models

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy

EVALUATION_METHOD_CHOICES = [
    (name, name)
    for name in ("材料评审", "实地核查", "满意度测评", "法治能力测试", "案卷评查", "监测数据")
]


class Aggregation(models.TextChoices):
    SUM = "sum", "分值相加"
    WEIGHTED = "weighted", "按权重百分比"


class VetoEffect(models.TextChoices):
    TOTAL = "total", "总分计零"
    AREA = "area", "所属一级指标计零"


class Framework(models.Model):
    """One edition of a framework. A framework owned by no region is national and readable by
    everyone; one owned by a province or city is readable in its subtree."""

    name = models.CharField("名称", max_length=200)
    edition = models.CharField("版本", max_length=100)
    description = models.TextField("说明", blank=True)
    owner_region = models.ForeignKey(
        "orgs.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frameworks",
        verbose_name="所属区划",
    )
    is_illustrative = models.BooleanField("示例数据", default=False)
    aggregation = models.CharField(
        "汇总方式", max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    veto_effect = models.CharField(
        "否决项触发时", max_length=8, choices=VetoEffect.choices, default=VetoEffect.TOTAL
    )
    source_filename = models.CharField("来源文件", max_length=255, blank=True)
    node_count = models.PositiveIntegerField(default=0, editable=False)
    leaf_count = models.PositiveIntegerField(default=0, editable=False)
    total_points = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="owner_region", inherited=True, write_roles={"admin", "lead_admin"}
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "指标体系"
        verbose_name_plural = "指标体系"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "edition"], name="framework_name_edition_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.edition}）"

    @property
    def region(self):
        return self.owner_region


class Node(models.Model):
    """A node of the tree: area (level 1), group, indicator, refined item, at any depth.
    `sort_key` orders the whole tree depth-first with one indexed ORDER BY."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.PositiveSmallIntegerField("层级")
    position = models.PositiveIntegerField("序位")
    sort_key = models.CharField(max_length=255, db_index=True)
    code = models.CharField("编码", max_length=60)
    number = models.CharField("原编号", max_length=20, blank=True)
    title = models.TextField("标题")
    description = models.TextField("内涵", blank=True)
    points = models.DecimalField("分值", max_digits=8, decimal_places=2, null=True, blank=True)
    scoring_rules = models.TextField("评分标准", blank=True)
    evaluation_methods = models.JSONField("评估方式", default=list, blank=True)
    required_evidence = models.TextField("佐证材料", blank=True)
    veto = models.BooleanField("否决项", default=False)
    lead_unit = models.CharField("牵头单位", max_length=200, blank=True)
    responsible_units = models.JSONField("责任单位", default=list, blank=True)
    deadline = models.CharField("完成时限", max_length=100, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)

    scope_policy = ScopePolicy(
        region="framework__owner_region", inherited=True, write_roles={"admin", "lead_admin"}
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["framework", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="node_code_unique_in_framework"
            ),
        ]
        indexes = [models.Index(fields=["framework", "sort_key"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ImportStatus(models.TextChoices):
    PARSING = "parsing", "读取中"
    PREVIEW = "preview", "待确认"
    COMMITTED = "committed", "已导入"
    CANCELLED = "cancelled", "已取消"


class FrameworkImport(models.Model):
    """An uploaded table waiting for the user's confirmation. Nothing reaches the framework
    tables until the user confirms a preview that has no errors."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    owner_region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField("名称", max_length=200)
    edition = models.CharField("版本", max_length=100)
    source_filename = models.CharField(max_length=255)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    result = models.JSONField(default=dict)
    framework = models.ForeignKey(
        Framework, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The uploaded table while a worker reads it (in the file storage, which every worker of a
    # scale deployment shares); removed once read.
    upload = models.CharField(max_length=255, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, while parsing
    stage = models.CharField(max_length=100, blank=True)

    scope_policy = ScopePolicy(region="owner_region", write_roles={"admin", "lead_admin"})
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.source_filename

    @property
    def region(self):
        return self.owner_region
