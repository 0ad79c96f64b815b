from datetime import datetime

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema
from ninja.responses import Status

from fazhi.campaigns.selectors import campaign_by_ref
from fazhi.core.listing import Id
from fazhi.filing import selectors, services
from fazhi.filing.downloads import filing_file_response
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
