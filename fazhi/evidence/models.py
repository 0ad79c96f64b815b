"""Evidence files (佐证材料): content-addressed blobs, the materials units attach to items, their
versions, and the search document of each material."""

from django.conf import settings
from django.db import models

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy


class ExtractStatus(models.TextChoices):
    PENDING = "pending", "等待提取"
    DONE = "done", "已提取"
    EMPTY = "empty", "无可读文字"
    FAILED = "failed", "提取失败"


class Blob(models.Model):
    """One stored content, however many materials point at it: identical files are stored once.
    Text is extracted per blob for the same reason. Users never reach a blob but through a
    material they may see."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    storage_name = models.CharField(max_length=255)
    kind = models.CharField("类型", max_length=12, blank=True)
    extract_status = models.CharField(
        "文字提取", max_length=8, choices=ExtractStatus.choices, default=ExtractStatus.PENDING
    )
    extract_error = models.TextField(blank=True)
    extract_warnings = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    page_count = models.PositiveIntegerField("页数", null=True, blank=True)
    # Pages whose text was recognised by OCR (a scan, a photo): users are told, since such
    # text may hold misread characters.
    ocr_pages = models.PositiveIntegerField("OCR 识别页数", default=0)
    extracted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256[:12]


class EvidenceQuerySet(ScopedQuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class Evidence(models.Model):
    """A material a unit attached to an item. A unit only ever reaches its own materials; the
    lead office reaches all of its region's."""

    item = models.ForeignKey(
        "campaigns.Item", on_delete=models.CASCADE, related_name="evidence", verbose_name="任务项"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="evidence", verbose_name="上传单位"
    )
    title = models.CharField("标题", max_length=255)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    issued_on = models.DateField("成文日期", null=True, blank=True)
    effective_on = models.DateField("生效日期", null=True, blank=True)
    description = models.TextField("说明", blank=True)
    current = models.ForeignKey(
        "EvidenceVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The current file's kind (Blob.kind), set with `current`: the ledger filters by it and lists
    # the kinds present without joining every material's version and file (PostgreSQL: 9 ms a
    # query over a campaign's 3,000 materials, three such queries a page).
    kind = models.CharField("类型", max_length=12, blank=True, editable=False)
    metadata_from_text = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    scope_policy = ScopePolicy(
        region="item__campaign__region",
        unit="unit",
        grant="item__campaign__grants__user",
        write_roles={"admin", "lead_admin", "liaison"},
    )
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["item", "created_at", "id"]
        indexes = [models.Index(fields=["item", "deleted_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class EvidenceVersion(models.Model):
    """Each file a material has had; replacing a file adds a version and keeps the old ones."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="versions")
    original_name = models.CharField("原文件名", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    scope_policy = ScopePolicy(
        region="evidence__item__campaign__region",
        unit="evidence__unit_id",
        grant="evidence__item__campaign__grants__user",
        write_roles={"admin", "lead_admin", "liaison"},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["evidence", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"


class SearchDocument(models.Model):
    """Segmented words of a material's title, metadata and text, separated by spaces. SQLite
    indexes it through an FTS5 table kept in step by triggers; PostgreSQL through a GIN index on
    to_tsvector('simple', words). Both are created by this app's migrations."""

    evidence = models.OneToOneField(
        Evidence, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    words = models.TextField(blank=True)
    # What the words were built from (indexing._fingerprint); `fazhi evidence reindex` rebuilds
    # documents whose fingerprint differs from the material's. Null for documents written before
    # it existed. Nullable, and not an empty default, so that SQLite adds the column in place
    # instead of re-creating the table, which would drop the FTS5 triggers on it.
    fingerprint = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    def __str__(self) -> str:
        return f"search words of material {self.evidence_id}"
