"""The filing API: builds and their files, the 申报清单 (which materials go in, in which
order) and the submitted versions, through the same services, selectors and scoping as the
pages: the readers of filings read, the lead office of the campaign's region decides, submits
and reopens; a campaign, item or material out of reach is a 404."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from fazhi.campaigns.models import Item
from fazhi.campaigns.selectors import campaign_by_ref
from fazhi.core.listing import Id, SearchText
from fazhi.core.scoping import Scope, get_visible_or_404
from fazhi.evidence.models import Evidence
from fazhi.filing import choices, selectors, services, submissions
from fazhi.filing.downloads import filing_file_response
from fazhi.filing.freeze import submission_in_force
from fazhi.filing.models import Split

router = Router(tags=["申报材料 filing"])


class FileOut(Schema):
    id: int
    kind: str
    number: int
    name: str
    size: int
    sha256: str
    pages: int | None
    download: str


class PlaceholderOut(Schema):
    code: str
    title: str
    name: str
    package_path: str
    reason: str


class BuildOut(Schema):
    id: int
    status: str
    stage: str
    percent: int
    split: str
    page_budget: int
    approved_only: bool
    error: str
    created_at: datetime
    finished_at: datetime | None
    files: list[FileOut]
    placeholders: list[PlaceholderOut]  # materials the volumes show by a placeholder page


class BuildIn(Schema):
    split: Split = Split.PAGES
    page_budget: int = 400
    approved_only: bool = False


def _build_out(build) -> dict:
    return {
        **{
            name: getattr(build, name)
            for name in BuildOut.model_fields
            if name not in ("files", "placeholders")
        },
        "placeholders": build.summary.get("placeholders", []),
        "files": [
            {
                **{name: getattr(f, name) for name in FileOut.model_fields if name != "download"},
                "download": f"/api/filing/files/{f.pk}",
            }
            for f in build.files.all()
        ],
    }


def _readable_campaign(request, campaign_id: int):
    if not selectors.may_read_filings(request.user):
        raise PermissionDenied("您的角色无权查看申报材料。")
    return campaign_by_ref(user=request.user, ref=str(campaign_id))


@router.get(
    "/campaigns/{campaign_id}/builds",
    response=list[BuildOut],
    summary="申报材料的生成记录（最新在前）及其文件",
)
def list_builds(request, campaign_id: Id):
    campaign = _readable_campaign(request, campaign_id)
    builds = selectors.campaign_builds(campaign=campaign, user=request.user)[:20]
    return [_build_out(b) for b in builds]


@router.post(
    "/campaigns/{campaign_id}/builds",
    response={202: BuildOut},
    summary="开始生成申报材料（后台进行，轮询生成记录查看进度）",
)
def start_build(request, campaign_id: Id, payload: BuildIn):
    campaign = _readable_campaign(request, campaign_id)
    build = services.build_request(
        acting_user=request.user, campaign=campaign, **payload.model_dump()
    )
    return Status(202, _build_out(build))


@router.get(
    "/files/{file_id}",
    summary="下载申报材料文件（支持 Range 续传）",
    response={200: None, 206: None},
)
def download_file(request, file_id: Id):
    if not selectors.may_read_filings(request.user):
        raise PermissionDenied("您的角色无权查看申报材料。")
    return filing_file_response(request, file_id)


# -- the 申报清单 -----------------------------------------------------------------------------------

DECIDERS = ("admin", "lead_admin")


class IndicatorChoiceOut(Schema):
    item_id: int
    code: str
    title: str
    status: str
    total: int
    included: int
    excluded: int
    undecided: int
    pages: int  # of the materials going in


class ChoiceListOut(Schema):
    campaign_id: int
    submitted_version: int | None  # the submission in force, which makes the list read-only
    totals: dict[str, int]
    indicators: list[IndicatorChoiceOut]


class MaterialChoiceOut(Schema):
    evidence_id: int
    title: str
    unit: str | None
    version: int
    pages: int | None
    place: int  # 1 = first among the item's materials, in the package and the volumes
    included: bool
    decided: bool  # False: the default (in when the item is approved)
    reason: str


class ChoiceIn(Schema):
    decision: Literal["include", "exclude", "default"] | None = Field(
        None, description="include 纳入申报，exclude 不纳入（须写原因），default 恢复默认"
    )
    reason: str = Field("", max_length=choices.REASON_MAX)
    place: int | None = Field(None, ge=1, description="在本任务项材料中的序号（1 为第一）")


def _check_decider(user) -> None:
    if not Scope.for_user(user).has_role(*DECIDERS):
        raise PermissionDenied("只有牵头部门可以决定申报材料。")


def _material_out(row: choices.ChoiceRow) -> dict:
    evidence = row.evidence
    return {
        "evidence_id": evidence.pk,
        "title": evidence.title,
        "unit": evidence.unit.name if evidence.unit else None,
        "version": evidence.current.number,
        "pages": evidence.current.blob.page_count,
        "place": row.place,
        "included": row.included,
        "decided": row.decided,
        "reason": row.reason,
    }


@router.get(
    "/campaigns/{campaign_id}/choices",
    response=ChoiceListOut,
    summary="申报清单：各指标纳入、不纳入、未决定的材料数和纳入页数",
)
def choice_list(request, campaign_id: Id, q: SearchText = "", pending: bool = False):
    campaign = _readable_campaign(request, campaign_id)
    lines = selectors.choice_overview(
        campaign=campaign, user=request.user, query=q.strip(), pending=pending
    )
    frozen = submission_in_force(campaign.pk)
    return {
        "campaign_id": campaign.pk,
        "submitted_version": frozen.number if frozen else None,
        "totals": selectors.choice_totals(lines),
        "indicators": [
            {
                "item_id": line.item.pk,
                "code": line.item.code,
                "title": line.item.title,
                "status": line.item.status,
                **{
                    name: getattr(line, name)
                    for name in ("total", "included", "excluded", "undecided", "pages")
                },
            }
            for line in lines
        ],
    }


@router.get(
    "/items/{item_id}/choices",
    response=list[MaterialChoiceOut],
    summary="一个任务项的申报清单：每份材料是否纳入、原因和序号",
)
def item_choices(request, item_id: Id):
    if not selectors.may_read_filings(request.user):
        raise PermissionDenied("您的角色无权查看申报材料。")
    item = get_visible_or_404(Item.objects.select_related("campaign"), request.user, pk=item_id)
    rows = choices.choice_rows(item, selectors.item_materials(item=item, user=request.user))
    return [_material_out(row) for row in rows]


@router.patch(
    "/materials/{evidence_id}/choice",
    response=MaterialChoiceOut,
    summary="决定一份材料是否纳入申报（不纳入须写原因）和/或它的序号",
)
def choice_set(request, evidence_id: Id, payload: ChoiceIn):
    _check_decider(request.user)
    materials = Evidence.objects.alive().select_related("item__campaign__region")
    evidence = get_visible_or_404(materials, request.user, pk=evidence_id)
    row = choices.choice_set(
        acting_user=request.user,
        evidence=evidence,
        decision=payload.decision,
        reason=payload.reason,
        place=payload.place,
    )
    return _material_out(row)


# -- submissions -------------------------------------------------------------------------------


class SubmissionOut(Schema):
    id: int
    number: int
    submitted_at: datetime
    submitted_by: str | None
    note: str
    materials: int
    package_sha256: str
    report_sha256: str
    in_force: bool  # False once the lead office reopened it
    reopened_at: datetime | None
    reopened_by: str | None
    reopen_reason: str
    changes: dict  # since the version before: first, added, removed, replaced, moved


class SubmitIn(Schema):
    note: str = Field("", max_length=submissions.NOTE_MAX)


class ReopenIn(Schema):
    reason: str = Field("", max_length=submissions.REASON_MAX)


def _submission_out(submission) -> dict:
    return {
        "id": submission.pk,
        "number": submission.number,
        "submitted_at": submission.submitted_at,
        "submitted_by": str(submission.submitted_by) if submission.submitted_by else None,
        "note": submission.note,
        "materials": len(submission.manifest),
        "package_sha256": submission.package_sha256,
        "report_sha256": submission.report_sha256,
        "in_force": submission.is_open,
        "reopened_at": submission.reopened_at,
        "reopened_by": str(submission.reopened_by) if submission.reopened_by else None,
        "reopen_reason": submission.reopen_reason,
        "changes": submission.changes,
    }


def _deciding_campaign(request, campaign_id: int):
    _check_decider(request.user)
    return campaign_by_ref(user=request.user, ref=str(campaign_id))


@router.get(
    "/campaigns/{campaign_id}/submissions",
    response=list[SubmissionOut],
    summary="提交申报的各版本（最新在前）：SHA-256、是否仍然有效、与上一版相比的变化",
)
def list_submissions(request, campaign_id: Id):
    campaign = _readable_campaign(request, campaign_id)
    found = selectors.campaign_submissions(campaign=campaign, user=request.user)
    return [_submission_out(s) for s in found]


@router.post(
    "/campaigns/{campaign_id}/submissions",
    response={201: SubmissionOut},
    summary="提交申报：以最近一次生成的材料包和自评报告为新的一版，提交后活动只读",
)
def submit(request, campaign_id: Id, payload: SubmitIn):
    campaign = _deciding_campaign(request, campaign_id)
    submission = submissions.submission_create(
        acting_user=request.user, campaign=campaign, note=payload.note
    )
    return Status(201, _submission_out(submission))


@router.post(
    "/campaigns/{campaign_id}/submissions/reopen",
    response=SubmissionOut,
    summary="重新打开申报（须写明原因）：材料和自评可再修改，之后重新生成并提交新的一版",
)
def reopen(request, campaign_id: Id, payload: ReopenIn):
    campaign = _deciding_campaign(request, campaign_id)
    submission = submissions.submission_reopen(
        acting_user=request.user, campaign=campaign, reason=payload.reason
    )
    return _submission_out(submission)
