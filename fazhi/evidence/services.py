"""Writes on materials: upload (one file or a whole ZIP), new versions, metadata, soft delete and
restore, and the text extraction that runs in the background."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record, audit_update, snapshot
from fazhi.accounts.system import stored_user
from fazhi.campaigns.models import Assignment, Campaign, Item
from fazhi.campaigns.services import check_item_open_for_evidence, refresh_item_status
from fazhi.core.actions import error_text
from fazhi.core.scoping import Scope, is_editable
from fazhi.evidence import storage
from fazhi.evidence.extraction import ExtractionError, OcrLimits, extract_text, file_kind
from fazhi.evidence.indexing import CutText, cut_text, index_evidence
from fazhi.evidence.models import Blob, Evidence, EvidenceVersion, ExtractStatus
from fazhi.evidence.textmeta import guess_doc_number, guess_issue_date
from fazhi.evidence.uploads import UNREADABLE
from fazhi.filing.freeze import check_not_submitted
from fazhi.orgs.models import Unit

# Kept as files though no text can be read from them (videos of meetings, other archives).
STORED_ONLY_SUFFIXES = frozenset({".rar", ".7z", ".mp4", ".mov", ".avi", ".wmv", ".mp3", ".wav"})
TITLE_MAX = 255


def check_received(name: str, size: int) -> None:
    """What any file handed in must be, an archive too, or a clear refusal naming the file. A
    name with U+FFFD held bytes that were neither UTF-8 nor GBK (fazhi/evidence/uploads.py)."""
    if UNREADABLE in name:
        raise ValidationError(
            f"文件名“{name}”中有无法识别的字符（既不是 UTF-8 也不是 GBK 编码），未上传；"
            "请把文件改名后重新上传。"
        )
    if size == 0:
        raise ValidationError(f"“{name}”是空文件（0 字节），未上传。")
    if size > settings.FAZHI_UPLOAD_MAX_BYTES:
        limit = settings.FAZHI_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"“{name}”超过单个文件 {limit} MB 的上限，未上传。")


def _check_file(name: str, size: int) -> str:
    """The file's kind, or a clear refusal naming the file."""
    check_received(name, size)
    suffix = PurePosixPath(name).suffix.lower()
    kind = file_kind(name)
    if kind is None and suffix not in STORED_ONLY_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise ValidationError(f"“{name}”的文件类型 {shown} 不在允许上传的范围内。")
    return kind or suffix.lstrip(".")


def uploading_unit(acting_user, item: Item, unit: Unit | None = None) -> Unit:
    """Whose material this is: a liaison uploads for their own unit, and only to items their
    unit was given; the lead office may upload for any unit given the item (the lead by
    default)."""
    scope = Scope.for_user(acting_user)
    assigned = Assignment.objects.filter(item=item)
    if is_editable(acting_user, Campaign, item.campaign_id):
        if unit is not None:
            if not assigned.filter(unit=unit).exists():
                raise ValidationError(f"{unit} 没有承担 {item.code}，不能为其上传材料。")
            return unit
        chosen = assigned.order_by("role", "unit__sort_order").select_related("unit").first()
        if chosen is None:
            raise ValidationError(f"{item.code} 还没有分配单位，请先分配牵头单位。")
        return chosen.unit
    is_liaison = "liaison" in scope.roles and scope.unit_id
    if is_liaison and assigned.filter(unit_id=scope.unit_id).exists():
        return Unit.objects.get(pk=scope.unit_id)
    raise PermissionDenied(f"贵单位没有承担 {item.code}，不能上传材料。")


def evidence_upload(
    *,
    acting_user,
    item: Item,
    file: File,
    original_name: str | None = None,
    unit: Unit | None = None,
    title: str = "",
    doc_number: str = "",
    issued_on: date | None = None,
    effective_on: date | None = None,
    description: str = "",
) -> Evidence:
    """Store one file as a new material of the item. Identical content is stored once; the text
    is read in the background."""
    unit = uploading_unit(acting_user, item, unit)
    check_item_open_for_evidence(item)
    name = PurePosixPath(original_name or file.name).name
    blob, cut = _store_outside_transaction(file, name)
    with transaction.atomic():
        evidence = Evidence.objects.create(
            item=item,
            unit=unit,
            title=(title.strip() or PurePosixPath(name).stem)[:TITLE_MAX],
            doc_number=doc_number.strip(),
            issued_on=issued_on,
            effective_on=effective_on,
            description=description,
            uploaded_by=stored_user(acting_user),
        )
        _add_version(evidence, blob, name, acting_user, cut=cut)
        refresh_item_status(item)
        audit_record(
            acting_user=acting_user,
            action="evidence.upload",
            target=evidence,
            region=item.campaign.region,
            after={"item": item.code, "unit": unit.name, "file": name, "sha256": blob.sha256},
        )
    return evidence


def _store_outside_transaction(file: File, name: str) -> tuple[Blob, CutText]:
    """Store the content and cut its known text into search words before the material's
    transaction opens: on SQLite that transaction holds the one write lock, and a large file
    being written (or a long text being cut) would keep every other user's writes waiting.
    A blob whose material then fails to be written is kept, unreferenced and never shown, and
    is read when an upload of the same content next uses it (its text is read once a material
    points at it)."""
    size = file.size
    kind = _check_file(name, size)
    sha256 = getattr(file, "sha256", None)
    if sha256 is None:
        sha256, size = storage.file_sha256(file)
    blob, _ = storage.store_blob(file, sha256=sha256, size=size, kind=kind)
    return blob, cut_text(blob.text)


def _enqueue_extraction(blob: Blob) -> None:
    from fazhi.evidence.tasks import extract_blob_text  # the tasks module imports this one

    # Enqueued inside the upload's transaction: the database queue then holds the task exactly
    # when the upload is committed, and never for an upload that rolled back.
    extract_blob_text.enqueue(blob.pk)


def _add_version(
    evidence: Evidence, blob: Blob, name: str, acting_user, *, cut: CutText
) -> EvidenceVersion:
    # The blob was loaded before the transaction: a worker may have read its text since, and
    # would not have indexed this material, which it could not yet see.
    blob.refresh_from_db(fields=["extract_status", "text", "ocr_pages"])
    # New content, or content whose first upload failed after storing it, is still unread.
    unread = blob.extract_status == ExtractStatus.PENDING and not blob.versions.exists()
    number = (evidence.current.number + 1) if evidence.current else 1
    version = EvidenceVersion.objects.create(
        evidence=evidence,
        number=number,
        blob=blob,
        original_name=name[:255],
        uploaded_by=stored_user(acting_user),
    )
    evidence.current, evidence.kind = version, blob.kind
    evidence.save(update_fields=["current", "kind", "updated_at"])
    if blob.extract_status != ExtractStatus.PENDING:
        _fill_from_text(evidence, blob)
    index_evidence(evidence, cut=cut)
    if unread:
        _enqueue_extraction(blob)  # fills in and re-indexes the materials using it when done
    return version


def _check_editable(acting_user, evidence: Evidence) -> None:
    if not Evidence.objects.editable_by(acting_user).filter(pk=evidence.pk).exists():
        raise PermissionDenied("您无权修改该材料。")


def evidence_replace(
    *, acting_user, evidence: Evidence, file: File, original_name: str | None = None
) -> EvidenceVersion:
    """A new file for the material; the earlier ones stay in its history."""
    _check_editable(acting_user, evidence)
    check_item_open_for_evidence(evidence.item)
    if evidence.is_deleted:
        raise ValidationError("已删除的材料不能更换文件，请先恢复。")
    name = PurePosixPath(original_name or file.name).name
    blob, cut = _store_outside_transaction(file, name)
    with transaction.atomic():
        version = _add_version(evidence, blob, name, acting_user, cut=cut)
        audit_record(
            acting_user=acting_user,
            action="evidence.replace",
            target=evidence,
            region=evidence.item.campaign.region,
            after={"version": version.number, "file": name, "sha256": blob.sha256},
        )
    return version


METADATA_FIELDS = ["title", "doc_number", "issued_on", "effective_on", "description"]


def evidence_update(
    *,
    acting_user,
    evidence: Evidence,
    title: str,
    doc_number: str = "",
    issued_on: date | None = None,
    effective_on: date | None = None,
    description: str = "",
) -> Evidence:
    _check_editable(acting_user, evidence)
    check_not_submitted(evidence.item.campaign_id)
    if not title.strip():
        raise ValidationError({"title": "标题不能为空。"})
    before = snapshot(evidence, METADATA_FIELDS)
    evidence.title, evidence.doc_number = title.strip()[:TITLE_MAX], doc_number.strip()
    evidence.issued_on, evidence.effective_on = issued_on, effective_on
    evidence.description = description
    # Fields the user has now set are theirs, no longer guesses from the text.
    after = snapshot(evidence, METADATA_FIELDS)
    evidence.metadata_from_text = [
        f for f in evidence.metadata_from_text if before.get(f) == after.get(f)
    ]
    # The file's text is cut into words before the transaction, as on upload.
    cut = cut_text(evidence.current.blob.text if evidence.current else "")
    with transaction.atomic():
        evidence.save()
        index_evidence(evidence, cut=cut)
        audit_update(
            acting_user=acting_user,
            action="evidence.update",
            target=evidence,
            before=before,
            region=evidence.item.campaign.region,
        )
    return evidence


@transaction.atomic
def evidence_delete(*, acting_user, evidence: Evidence) -> Evidence:
    """Soft delete: the material leaves lists, counts and search, and can be restored."""
    _check_editable(acting_user, evidence)
    check_item_open_for_evidence(evidence.item)
    if evidence.is_deleted:
        return evidence
    evidence.deleted_at = timezone.now()
    evidence.deleted_by = stored_user(acting_user)
    evidence.save(update_fields=["deleted_at", "deleted_by"])
    refresh_item_status(evidence.item)
    audit_record(
        acting_user=acting_user,
        action="evidence.delete",
        target=evidence,
        region=evidence.item.campaign.region,
        before={"title": evidence.title},
    )
    return evidence


@transaction.atomic
def evidence_restore(*, acting_user, evidence: Evidence) -> Evidence:
    _check_editable(acting_user, evidence)
    check_item_open_for_evidence(evidence.item)
    if not evidence.is_deleted:
        return evidence
    evidence.deleted_at, evidence.deleted_by = None, None
    evidence.save(update_fields=["deleted_at", "deleted_by"])
    refresh_item_status(evidence.item)
    audit_record(
        acting_user=acting_user,
        action="evidence.restore",
        target=evidence,
        region=evidence.item.campaign.region,
        after={"title": evidence.title},
    )
    return evidence


# -- text ------------------------------------------------------------------------------------


def _fill_from_text(evidence: Evidence, blob: Blob) -> None:
    """Fill an empty document number or issuing date from the text, marked as guessed."""
    guessed = []
    recognised = blob.ocr_pages > 0
    if not evidence.doc_number and (number := guess_doc_number(blob.text, recognised=recognised)):
        evidence.doc_number = number
        guessed.append("doc_number")
    if evidence.issued_on is None and (issued := guess_issue_date(blob.text)):
        evidence.issued_on = issued
        guessed.append("issued_on")
    if guessed:
        evidence.metadata_from_text = sorted({*evidence.metadata_from_text, *guessed})
        evidence.save(update_fields=["doc_number", "issued_on", "metadata_from_text"])


@dataclass(frozen=True)
class ExtractionOutcome:
    status: str
    message: str = ""


def blob_extract(*, blob_id: int) -> ExtractionOutcome:
    """Read the blob's text and page count, record success or the reason for failure on the
    blob (never silently), and refresh the search words of every material using it in the same
    transaction: a worker killed before it commits leaves the blob waiting, to be read again,
    rather than text saved that no search finds."""
    blob = Blob.objects.get(pk=blob_id)
    name = _any_original_name(blob)
    try:
        with storage.blob_local_path(blob) as path:
            extracted = _extract(path, name)
    except ExtractionError as exc:
        blob.extract_status, blob.extract_error = ExtractStatus.FAILED, str(exc)
        blob.text, blob.page_count, blob.extract_warnings = "", None, []
        blob.ocr_pages = 0
    else:
        blob.text, blob.page_count = extracted.text, extracted.page_count
        blob.ocr_pages = extracted.recognised_pages
        blob.extract_warnings = list(extracted.warnings)
        blob.extract_status = ExtractStatus.DONE if extracted.text.strip() else ExtractStatus.EMPTY
        blob.extract_error = ""
    blob.extracted_at = timezone.now()
    cut = cut_text(blob.text)  # once, and before the transaction opens
    with transaction.atomic():
        blob.save()
        for evidence in _evidence_using(blob):
            _fill_from_text(evidence, blob)
            index_evidence(evidence, cut=cut)
    return ExtractionOutcome(blob.extract_status, blob.extract_error)


def requeue_unread_scans(*, user, campaign=None) -> int:
    """Hand back to the workers the scans and photos, among the materials the user may see (of
    one campaign, when given), recorded without text: uploaded before OCR was installed, or
    while it was turned off. Their text is then recognised in the background; the number."""
    materials = Evidence.objects.visible_to(user)
    if campaign is not None:
        materials = materials.filter(item__campaign=campaign)
    blob_ids = list(
        Blob.objects.filter(
            extract_status=ExtractStatus.EMPTY,
            kind__in=["image", "pdf"],
            versions__evidence__in=materials,
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    from fazhi.evidence.tasks import extract_blob_text  # the tasks module imports this one

    # In one transaction with the database queue: the files wait for their text exactly when
    # their tasks are queued.
    with transaction.atomic():
        Blob.objects.filter(pk__in=blob_ids).update(extract_status=ExtractStatus.PENDING)
        for blob_id in blob_ids:
            extract_blob_text.enqueue(blob_id)
    return len(blob_ids)


def _extract(path: Path, name: str):
    if PurePosixPath(name).suffix.lower() in STORED_ONLY_SUFFIXES:
        return _NoText()
    limits = OcrLimits(settings.FAZHI_OCR_MAX_PAGES, max(1, settings.FAZHI_OCR_PAGE_SECONDS))
    return extract_text(path, name, ocr=limits)


@dataclass(frozen=True)
class _NoText:
    text: str = ""
    page_count: int | None = None
    warnings: tuple[str, ...] = ()
    recognised_pages: int = 0


def _any_original_name(blob: Blob) -> str:
    version = blob.versions.order_by("pk").first()
    return version.original_name if version else f"file.{blob.kind}"


def _evidence_using(blob: Blob):
    return Evidence.objects.filter(current__blob=blob).select_related("current__blob", "item")


# -- several files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file of a batch, ZIP or folder: stored on an item, or why not."""

    path: str
    item_code: str = ""
    evidence_id: int | None = None
    error: str = ""
    archive: str = ""  # the archive the file was unpacked from, as it was named when handed in

    @property
    def ok(self) -> bool:
        return not self.error


def upload_one(*, acting_user, item: Item, path: str, file: File, unit=None) -> FileOutcome:
    """Upload one file of a batch in its own transaction: its failure is reported and the rest
    of the batch goes on."""
    try:
        evidence = evidence_upload(
            acting_user=acting_user, item=item, file=file, original_name=path, unit=unit
        )
    except (ValidationError, PermissionDenied) as exc:
        return FileOutcome(path, item.code, error=error_text(exc))
    return FileOutcome(path, item.code, evidence_id=evidence.pk)
