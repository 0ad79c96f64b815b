"""Writes on frameworks: create from node rows, import from a file with a preview, how scores
add up, delete."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from fazhi.accounts.audit import audit_record, audit_update, snapshot
from fazhi.accounts.system import stored_user
from fazhi.core.scoping import can_write_at
from fazhi.core.tempfiles import temp_dir
from fazhi.frameworks import formats
from fazhi.frameworks.importing import parse_framework_file
from fazhi.frameworks.models import (
    Aggregation,
    Framework,
    FrameworkImport,
    ImportStatus,
    Node,
    VetoEffect,
)
from fazhi.frameworks.tree import total_points, validate_rows

SORT_KEY_WIDTH = 4
UPLOAD_FOLDER = "imports/frameworks"
STAGE_QUEUED = "等待后台任务开始"


def _check_may_own(acting_user, owner_region) -> None:
    if not can_write_at(acting_user, Framework, region=owner_region):
        if owner_region is None:
            raise PermissionDenied("只有系统管理员可以导入全国通用的指标体系。")
        raise PermissionDenied(f"您无权为 {owner_region} 导入指标体系。")


def _check_name_free(name: str, edition: str) -> None:
    if not name.strip() or not edition.strip():
        raise ValidationError("请填写指标体系的名称和版本。")
    if Framework.objects.filter(name=name, edition=edition).exists():
        raise ValidationError(
            f"已存在名为 “{name}”、版本为 “{edition}” 的指标体系，请换一个版本名称。"
        )


@transaction.atomic
def framework_create(
    *,
    acting_user,
    name: str,
    edition: str,
    rows: list[dict],
    owner_region=None,
    description: str = "",
    is_illustrative: bool = False,
    aggregation: str = "sum",
    veto_effect: str = "total",
    source_filename: str = "",
) -> Framework:
    """Store a whole tree at once; either all of it is stored or none."""
    _check_may_own(acting_user, owner_region)
    _check_name_free(name, edition)
    validate_rows(rows)
    parent_codes = {row.get("parent_code") for row in rows}
    framework = Framework.objects.create(
        name=name,
        edition=edition,
        description=description,
        owner_region=owner_region,
        is_illustrative=is_illustrative,
        aggregation=aggregation,
        veto_effect=veto_effect,
        source_filename=source_filename,
        node_count=len(rows),
        leaf_count=sum(1 for row in rows if row["code"] not in parent_codes),
        total_points=total_points(rows),
        created_by=stored_user(acting_user),
    )
    _create_nodes(framework, rows)
    audit_record(
        acting_user=acting_user,
        action="framework.create",
        target=framework,
        after={
            "name": name,
            "edition": edition,
            "nodes": len(rows),
            "total_points": framework.total_points,
            "source": source_filename,
        },
    )
    return framework


def _create_nodes(framework: Framework, rows: list[dict]) -> None:
    """Insert level by level so every parent has its id before its children are inserted:
    one INSERT per level rather than one per node."""
    by_code: dict[str, Node] = {}
    sibling_counts: dict[str | None, int] = {}
    for depth in sorted({row["level"] for row in rows}):
        batch = []
        for row in (r for r in rows if r["level"] == depth):
            parent = by_code.get(row.get("parent_code") or "")
            position = sibling_counts.get(row.get("parent_code"), 0) + 1
            sibling_counts[row.get("parent_code")] = position
            own_key = str(position).zfill(SORT_KEY_WIDTH)
            batch.append(
                Node(
                    framework=framework,
                    parent=parent,
                    level=row["level"],
                    position=position,
                    sort_key=f"{parent.sort_key}.{own_key}" if parent else own_key,
                    source_row=row.get("row") or None,
                    **{field: row.get(field, default) for field, default in _NODE_DEFAULTS.items()},
                )
            )
        for node in Node.objects.bulk_create(batch, batch_size=500):
            by_code[node.code] = node


_NODE_DEFAULTS = {
    "code": "",
    "number": "",
    "title": "",
    "description": "",
    "points": None,
    "scoring_rules": "",
    "evaluation_methods": [],
    "required_evidence": "",
    "veto": False,
    "lead_unit": "",
    "responsible_units": [],
    "deadline": "",
}


@transaction.atomic
def framework_scoring_update(
    *, acting_user, framework: Framework, aggregation: str, veto_effect: str
) -> Framework:
    """How the framework's scores add up: points summed or areas weighted by their points as
    percentages, and what a triggered veto item zeroes. Totals follow at once."""
    if aggregation not in Aggregation.values:
        raise ValidationError({"aggregation": "汇总方式不正确。"})
    if veto_effect not in VetoEffect.values:
        raise ValidationError({"veto_effect": "否决项的作用范围不正确。"})
    if not Framework.objects.editable_by(acting_user).filter(pk=framework.pk).exists():
        raise PermissionDenied("您无权修改该指标体系的计分方式。")
    before = snapshot(framework, ["aggregation", "veto_effect"])
    framework.aggregation = aggregation
    framework.veto_effect = veto_effect
    framework.save(update_fields=["aggregation", "veto_effect"])
    audit_update(
        acting_user=acting_user,
        action="framework.scoring",
        target=framework,
        before=before,
        region=framework.owner_region,
    )
    return framework


@transaction.atomic
def framework_delete(*, acting_user, framework: Framework) -> None:
    audit_record(
        acting_user=acting_user,
        action="framework.delete",
        target=framework,
        before={
            "name": framework.name,
            "edition": framework.edition,
            "nodes": framework.node_count,
        },
    )
    framework.delete()


# -- import with preview -----------------------------------------------------------------------


def framework_import_preview(
    *,
    acting_user,
    uploaded_file,
    name: str,
    edition: str,
    owner_region=None,
) -> FrameworkImport:
    """Parse an uploaded table into a preview, here and now (the command line and the API wait
    for it; the wizard has it read in the background, see framework_import_upload). The upload
    is copied to a temporary file in chunks (never read whole into memory), parsed, and removed;
    only the parse result is kept. A taken name is refused here, before the user spends time on
    the preview."""
    filename = _check_upload(acting_user, uploaded_file, name, edition, owner_region)
    with temp_dir("framework-") as folder:
        path = Path(folder) / ("upload" + Path(filename).suffix.lower()[:10])
        with path.open("wb") as out:
            for chunk in uploaded_file.chunks():
                out.write(chunk)
        parsed = parse_framework_file(
            path, filename=filename, max_rows=settings.FAZHI_IMPORT_MAX_ROWS
        )
    draft = FrameworkImport.objects.create(
        created_by=stored_user(acting_user),
        owner_region=owner_region,
        name=name.strip(),
        edition=edition.strip(),
        source_filename=filename,
        result=formats.parsed_to_json(parsed),
    )
    return draft


def _check_upload(acting_user, uploaded_file, name, edition, owner_region) -> str:
    _check_may_own(acting_user, owner_region)
    _check_name_free(name.strip(), edition.strip())
    filename = Path(uploaded_file.name or "upload.xlsx").name
    if uploaded_file.size and uploaded_file.size > settings.FAZHI_IMPORT_MAX_BYTES:
        limit_mb = settings.FAZHI_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(
            f"文件 “{filename}” 超过 {limit_mb} MB，指标体系表格通常不会这么大，请检查是否选错了文件。"
        )
    return filename


def framework_import_upload(
    *,
    acting_user,
    uploaded_file,
    name: str,
    edition: str,
    owner_region=None,
) -> FrameworkImport:
    """Store an uploaded table and have a worker read it: a large or hostile workbook must not
    hold a web request (a 200 KB file held one for 94 s). The draft shows a progress bar until
    the preview is ready; the same checks as a preview come first."""
    from fazhi.frameworks.tasks import parse_framework_import

    filename = _check_upload(acting_user, uploaded_file, name, edition, owner_region)
    suffix = Path(filename).suffix.lower()[:10]
    stored = default_storage.save(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}{suffix}", uploaded_file)
    with transaction.atomic():
        draft = FrameworkImport.objects.create(
            created_by=stored_user(acting_user),
            owner_region=owner_region,
            name=name.strip(),
            edition=edition.strip(),
            source_filename=filename,
            status=ImportStatus.PARSING,
            upload=stored,
            stage=STAGE_QUEUED,
        )
        # Enqueued inside the transaction: the database queue holds the task exactly when the
        # draft is committed.
        parse_framework_import.enqueue(draft.pk)
    draft.refresh_from_db()
    return draft


def framework_import_parse(*, draft_id: int) -> str:
    """The worker's part: read the stored upload into the draft's preview. A draft cancelled
    meanwhile, or already read (a retried task), is left alone."""
    draft = FrameworkImport.objects.filter(pk=draft_id, status=ImportStatus.PARSING).first()
    if draft is None:
        return "skipped"
    _progress(draft, 10, "正在读取表格")
    with temp_dir("framework-") as folder:
        path = Path(folder) / ("upload" + Path(draft.source_filename).suffix.lower()[:10])
        try:
            with default_storage.open(draft.upload, "rb") as source, path.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
        except OSError:
            parsed = None
        else:
            parsed = parse_framework_file(
                path, filename=draft.source_filename, max_rows=settings.FAZHI_IMPORT_MAX_ROWS
            )
    result = (
        formats.parsed_to_json(parsed)
        if parsed is not None
        else {"errors": [{"message": "上传的文件已不在存储中，请重新上传。"}], "nodes": []}
    )
    with transaction.atomic():
        updated = FrameworkImport.objects.filter(pk=draft.pk, status=ImportStatus.PARSING).update(
            status=ImportStatus.PREVIEW, result=result, progress=100, stage="", upload=""
        )
    _remove_upload(draft.upload)
    return "read" if updated else "skipped"


def _progress(draft: FrameworkImport, percent: int, stage: str) -> None:
    FrameworkImport.objects.filter(pk=draft.pk, status=ImportStatus.PARSING).update(
        progress=percent, stage=stage
    )


def _remove_upload(name: str) -> None:
    if name:
        with contextlib.suppress(OSError):  # gone already: nothing to remove
            default_storage.delete(name)


def framework_import_preview_path(
    *, acting_user, path: Path, name: str, edition: str, owner_region=None
):
    """The same as an upload, for the command line: parse a file already on disk."""
    with Path(path).open("rb") as handle:
        return framework_import_preview(
            acting_user=acting_user,
            uploaded_file=File(handle, name=Path(path).name),
            name=name,
            edition=edition,
            owner_region=owner_region,
        )


@transaction.atomic
def framework_import_commit(*, acting_user, draft: FrameworkImport) -> Framework:
    draft = FrameworkImport.objects.select_for_update().get(pk=draft.pk)
    if draft.status != ImportStatus.PREVIEW:
        raise ValidationError("该导入已经确认或取消过了，请重新上传。")
    if draft.result.get("errors"):
        raise ValidationError("表格中还有错误，不能导入。请按错误报告修改后重新上传。")
    framework = framework_create(
        acting_user=acting_user,
        name=draft.name,
        edition=draft.edition,
        owner_region=draft.owner_region,
        rows=formats.rows_from_json(draft.result["nodes"]),
        source_filename=draft.source_filename,
    )
    draft.status = ImportStatus.COMMITTED
    draft.framework = framework
    draft.save(update_fields=["status", "framework"])
    return framework


@transaction.atomic
def framework_import_cancel(*, acting_user, draft: FrameworkImport) -> None:
    if draft.status in (ImportStatus.PREVIEW, ImportStatus.PARSING):
        upload = draft.upload
        draft.status = ImportStatus.CANCELLED
        draft.result = {}
        draft.upload = ""
        draft.save(update_fields=["status", "result", "upload"])
        transaction.on_commit(lambda: _remove_upload(upload))


def framework_import_document(
    *,
    acting_user,
    text: str,
    name: str = "",
    edition: str = "",
    owner_region=None,
    source_filename: str = "",
) -> Framework:
    """Create a framework from YAML/JSON text; a name or edition given here overrides the file's."""
    data = formats.load_document(text)
    data.update({key: value for key, value in (("name", name), ("edition", edition)) if value})
    return framework_import_data(
        acting_user=acting_user,
        data=data,
        owner_region=owner_region,
        source_filename=source_filename,
    )


def framework_import_data(
    *, acting_user, data: dict, owner_region=None, source_filename: str = ""
) -> Framework:
    """Create a framework from its YAML/JSON document (the lossless export format)."""
    meta, rows = formats.document_to_rows(data)
    return framework_create(
        acting_user=acting_user,
        owner_region=owner_region,
        rows=rows,
        source_filename=source_filename,
        **meta,
    )
