"""The administrative tree (行政区划) and the government units (部门/镇街) that sit in it."""

from django.db import models

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（市、区）"
    TOWN = "town", "乡镇（街道）"


class Region(models.Model):
    """A node of the division tree. `path` is the chain of codes from the root
    ("370000/370400/370402/"), so a whole subtree is one indexed prefix query."""

    code = models.CharField("区划代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    scope_policy = ScopePolicy(region="", inherited=True, write_roles={"admin"})
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split("/") if code]


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", "部门"
    TOWN = "town", "镇街"
    OFFICE = "office", "办公室/议事机构"
    OTHER = "other", "其他"


class Unit(models.Model):
    """A government unit that is given tasks and uploads evidence."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="units", verbose_name="所属区划"
    )
    code = models.CharField("单位编码", max_length=60, unique=True)
    name = models.CharField("单位全称", max_length=100)
    short_name = models.CharField("简称", max_length=60, blank=True)
    kind = models.CharField(
        "类型", max_length=12, choices=UnitKind.choices, default=UnitKind.DEPARTMENT
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    scope_policy = ScopePolicy(
        region="region", unit="pk", inherited=False, write_roles={"admin", "lead_admin"}
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["region__path", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_name_unique_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name
