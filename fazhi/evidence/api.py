from datetime import date
from typing import Annotated

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from fazhi.campaigns.models import Campaign, Item
from fazhi.core.listing import Id, SearchText
from fazhi.core.scoping import get_visible_or_404
from fazhi.evidence import intake, selectors
from fazhi.evidence.models import Evidence
from fazhi.orgs.models import Unit

router = Router(tags=["佐证材料 evidence"])

# At most this many hits an answer.
Limit = Annotated[int, Field(ge=1, le=200, description="最多返回的条数（1–200）")]


class UploadResultOut(Schema):
    name: str = Field(description="文件名；压缩包中的文件为其在包内的路径")
    ok: bool
    evidence_id: int | None = None
    error: str = ""
    item_code: str = ""
    archive: str = Field("", description="文件来自的压缩包（上传时的文件名）")


class EvidenceOut(Schema):
    id: int
    item_code: str
    unit: str
    title: str
    doc_number: str
    issued_on: date | None
    effective_on: date | None
    file_name: str
    size: int
    sha256: str
    version: int
    extract_status: str
    extract_error: str
    page_count: int | None
    ocr_pages: int  # pages whose text was recognised by OCR (0: read from the file itself)
    deleted: bool


class HitOut(Schema):
    evidence_id: int
    item_code: str
    title: str
    unit: str
    snippet: str
    recognised: bool  # the snippet's text was recognised by OCR from a scan or photo


def _evidence_out(e: Evidence) -> dict:
    version, blob = e.current, e.current.blob
    return {
        "id": e.pk,
        "item_code": e.item.code,
        "unit": e.unit.name,
        "title": e.title,
        "doc_number": e.doc_number,
        "issued_on": e.issued_on,
        "effective_on": e.effective_on,
        "file_name": version.original_name,
        "size": blob.size,
        "sha256": blob.sha256,
        "version": version.number,
        "extract_status": blob.extract_status,
        "extract_error": blob.extract_error,
        "page_count": blob.page_count,
        "ocr_pages": blob.ocr_pages,
        "deleted": e.is_deleted,
    }


@router.post(
    "/items/{item_id}/files",
    response={201: list[UploadResultOut], 400: list[UploadResultOut]},
    summary="上传材料（可多个文件）",
    description="与页面上传同一规则：ZIP 压缩包解压后每个文件成为一份材料，逐个返回结果；"
    "整个压缩包被拒绝（空包、损坏、过大等）时返回一条说明原因的结果。",
)
def upload_files(request, item_id: Id, files: list[UploadedFile] = File(...), unit: str = Form("")):
    item = get_visible_or_404(
        Item.objects.select_related("campaign__region"), request.user, pk=item_id
    )
    unit_row = Unit.objects.filter(code=unit).first() if unit else None
    results = []
    for upload in files:
        outcomes = intake.receive_file(
            acting_user=request.user,
            campaign=item.campaign,
            name=upload.name,
            file=upload,
            item=item,
            unit=unit_row,
        )
        results += [
            {
                "name": o.path,
                "ok": o.ok,
                "evidence_id": o.evidence_id,
                "error": o.error,
                "item_code": o.item_code,
                "archive": o.archive,
            }
            for o in outcomes
        ]
    return Status(201 if any(r["ok"] for r in results) else 400, results)


@router.get("/items/{item_id}", response=list[EvidenceOut], summary="任务项的材料")
def item_evidence(request, item_id: Id):
    item = get_visible_or_404(Item, request.user, pk=item_id)
    return [_evidence_out(e) for e in selectors.item_evidence(item=item, user=request.user)]


@router.get("/search", response=list[HitOut], summary="全文搜索材料")
def search(request, campaign: Id, q: SearchText, limit: Limit = 50):
    campaign_row = get_visible_or_404(Campaign, request.user, pk=campaign)
    found = selectors.search_evidence(campaign=campaign_row, user=request.user, query=q)
    return [
        {
            "evidence_id": hit.evidence.pk,
            "item_code": hit.evidence.item.code,
            "title": hit.evidence.title,
            "unit": hit.evidence.unit.name,
            "snippet": str(hit.snippet),
            "recognised": hit.recognised,
        }
        for hit in selectors.hits(found[:limit], q)
    ]


@router.get("/{evidence_id}", response=EvidenceOut, summary="材料详情")
def get_evidence(request, evidence_id: Id):
    queryset = Evidence.objects.select_related("item", "unit", "current__blob")
    return _evidence_out(get_visible_or_404(queryset, request.user, pk=evidence_id))
