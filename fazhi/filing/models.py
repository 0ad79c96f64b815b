"""The filing (申报材料): a build of the campaign's package (ZIP), bound volumes (汇编, PDF) and
self-assessment report (自评报告, Word), and the report templates lead offices may replace."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy


class BuildStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    READY = "ready", "已完成"
    FAILED = "failed", "失败"


ACTIVE_STATUSES = (BuildStatus.QUEUED, BuildStatus.RUNNING)


class Split(models.TextChoices):
    PAGES = "pages", "按页数分册"
    AREA = "area", "按一级指标分册"


class FilingBuild(models.Model):
    """One run of building the filing. Its files count only once the build is ready: a build
    that failed or was interrupted keeps no file and can simply be started again."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="filing_builds"
    )
    status = models.CharField(
        "状态", max_length=8, choices=BuildStatus.choices, default=BuildStatus.QUEUED
    )
    split = models.CharField("分册方式", max_length=8, choices=Split.choices, default=Split.PAGES)
    page_budget = models.PositiveIntegerField("每册页数上限", default=400)
    approved_only = models.BooleanField("只收录已通过的任务项", default=False)
    stage = models.CharField("当前步骤", max_length=40, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField("错误", blank=True)
    summary = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    scope_policy = ScopePolicy(
        region="campaign__region",
        grant="campaign__grants__user",
        write_roles={"admin", "lead_admin"},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "申报材料生成"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_filing_build_per_campaign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.pk}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class FileKind(models.TextChoices):
    PACKAGE = "package", "材料包"
    VOLUME = "volume", "汇编"
    REPORT = "report", "自评报告"


class FilingFile(models.Model):
    build = models.ForeignKey(FilingBuild, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField("类型", max_length=8, choices=FileKind.choices)
    number = models.PositiveIntegerField("册号", default=0)
    name = models.CharField("文件名", max_length=255)
    storage_name = models.CharField(max_length=255)
    size = models.BigIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField("页数", null=True, blank=True)

    scope_policy = ScopePolicy(
        region="build__campaign__region",
        grant="build__campaign__grants__user",
        write_roles={"admin", "lead_admin"},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["build", "kind", "number"]

    def __str__(self) -> str:
        return self.name


class ReportTemplate(models.Model):
    """A lead office's own Word template for the self-assessment report. Regions below use the
    nearest one above them; without any the built-in template is used."""

    region = models.OneToOneField(
        "orgs.Region", on_delete=models.CASCADE, related_name="report_template"
    )
    original_name = models.CharField("文件名", max_length=255)
    storage_name = models.CharField(max_length=255)
    size = models.BigIntegerField("大小")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now=True)

    scope_policy = ScopePolicy(region="region", inherited=True, write_roles={"admin", "lead_admin"})
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "自评报告模板"

    def __str__(self) -> str:
        return f"{self.region} {self.original_name}"


class FilingChoice(models.Model):
    """The lead office's decision on one material: in the filing or not (and why not), and its
    place among its item's materials. A material without a decision follows the default: in
    when its item is approved, at its place in upload order."""

    evidence = models.OneToOneField(
        "evidence.Evidence", on_delete=models.CASCADE, related_name="filing_choice"
    )
    included = models.BooleanField("纳入申报", null=True, blank=True)  # None: not yet decided
    reason = models.CharField("不纳入原因", max_length=200, blank=True)
    position = models.PositiveIntegerField("顺序", null=True, blank=True)  # None: upload order
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    scope_policy = ScopePolicy(
        region="evidence__item__campaign__region",
        unit="evidence__unit",
        grant="evidence__item__campaign__grants__user",
        write_roles={"admin", "lead_admin"},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "申报选择"

    def __str__(self) -> str:
        return f"{self.evidence_id}: {self.included}"


class FilingSubmission(models.Model):
    """One submitted version of the filing, frozen: which materials in which versions and
    order (`manifest`), the build whose package and report were submitted with their SHA-256,
    and what changed since the version before. The campaign stays read-only while its latest
    submission is not reopened."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="filing_submissions"
    )
    number = models.PositiveIntegerField("版本")
    build = models.ForeignKey(FilingBuild, on_delete=models.PROTECT, related_name="submissions")
    package_sha256 = models.CharField("材料包 SHA-256", max_length=64)
    report_sha256 = models.CharField("自评报告 SHA-256", max_length=64)
    manifest = models.JSONField("申报清单", default=list)
    changes = models.JSONField("与上一版相比的变化", default=dict, blank=True)
    note = models.TextField("提交说明", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    reopened_at = models.DateTimeField("重新打开时间", null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reopen_reason = models.TextField("重新打开原因", blank=True)

    scope_policy = ScopePolicy(
        region="campaign__region",
        grant="campaign__grants__user",
        write_roles={"admin", "lead_admin"},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "申报提交"
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="filing_submission_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} 第{self.number}版"

    @property
    def is_open(self) -> bool:
        """Still in force: the campaign is frozen by it."""
        return self.reopened_at is None
