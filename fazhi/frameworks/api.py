from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from fazhi.core.listing import Id, SearchText
from fazhi.core.scoping import get_visible_or_404
from fazhi.frameworks import exports, formats, selectors, services
from fazhi.frameworks.models import Framework
from fazhi.orgs.selectors import region_by_code

router = Router(tags=["指标体系 frameworks"])


class FrameworkOut(Schema):
    id: int
    name: str
    edition: str
    owner_region: str | None
    is_illustrative: bool
    node_count: int
    leaf_count: int
    total_points: float | None


def _framework_out(f: Framework) -> dict:
    return {
        "id": f.pk,
        "name": f.name,
        "edition": f.edition,
        "owner_region": f.owner_region.code if f.owner_region else None,
        "is_illustrative": f.is_illustrative,
        "node_count": f.node_count,
        "leaf_count": f.leaf_count,
        "total_points": float(f.total_points) if f.total_points is not None else None,
    }


@router.get("/", response=list[FrameworkOut], summary="可查看的指标体系")
def list_frameworks(request, query: SearchText = ""):
    return [_framework_out(f) for f in selectors.framework_list(user=request.user, query=query)]


class ImportIssueOut(Schema):
    level: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


class ImportOut(Schema):
    ok: bool
    framework: FrameworkOut | None = None
    errors: list[ImportIssueOut]
    warnings: list[ImportIssueOut]


@router.post("/import", response={201: ImportOut, 400: ImportOut}, summary="从 Excel 导入指标体系")
def import_framework(
    request,
    file: UploadedFile = File(...),
    name: str = Form(...),
    edition: str = Form(...),
    region: str = Form(""),
    dry_run: bool = Form(False),
):
    owner_region = region_by_code(region) if region else request.user.region
    draft = services.framework_import_preview(
        acting_user=request.user,
        uploaded_file=file,
        name=name,
        edition=edition,
        owner_region=owner_region,
    )
    result = draft.result
    if result["errors"] or not result["nodes"] or dry_run:
        services.framework_import_cancel(acting_user=request.user, draft=draft)
        status = 400 if result["errors"] or not result["nodes"] else 201
        return Status(
            status,
            {
                "ok": status == 201,
                "errors": result["errors"],
                "warnings": result["warnings"],
            },
        )
    framework = services.framework_import_commit(acting_user=request.user, draft=draft)
    return Status(
        201,
        {
            "ok": True,
            "framework": _framework_out(framework),
            "errors": [],
            "warnings": result["warnings"],
        },
    )


@router.get("/{ref}", summary="指标体系（树形 JSON，与导出格式相同）")
def get_framework(request, ref: str):
    framework = _by_ref(request, ref)
    return formats.framework_document(framework, selectors.framework_rows(framework=framework)) | {
        "id": framework.pk
    }


def _by_ref(request, ref: str) -> Framework:
    try:
        return selectors.framework_by_ref(user=request.user, ref=ref)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc


@router.get("/diff/{old_id}/{new_id}", summary="两个版本的差异")
def diff(request, old_id: Id, new_id: Id):
    old = get_visible_or_404(Framework, request.user, pk=old_id)
    new = get_visible_or_404(Framework, request.user, pk=new_id)
    result = exports.compare(old, new)
    return {
        "summary": result.summary(),
        "unchanged": result.unchanged_count,
        "entries": [exports.diff_entry_json(entry) for entry in result.entries],
    }
