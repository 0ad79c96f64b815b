from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from fazhi.campaigns import selectors, services
from fazhi.campaigns import self_assessment as sa
from fazhi.campaigns.models import Campaign, Explanation, Item
from fazhi.core.listing import Id, SearchText
from fazhi.core.scoping import get_visible_or_404
from fazhi.dashboards.report import campaign_report as campaign_report_of
from fazhi.evidence.selectors import visible_evidence_counts
from fazhi.frameworks.selectors import framework_by_ref
from fazhi.orgs.selectors import region_by_code

router = Router(tags=["创建活动 campaigns"])


class CampaignIn(Schema):
    framework: str
    region: str
    name: str
    level: str = "national"
    period_start: date
    period_end: date


class CampaignOut(Schema):
    id: int
    name: str
    level: str
    region: str
    framework_id: int
    period_start: date
    period_end: date
    status_counts: dict[str, int]


class ItemOut(Schema):
    id: int
    code: str
    title: str
    points: float | None
    is_refined: bool
    deadline: date | None
    status: str
    status_label: str
    lead_unit: str | None
    responsible_units: list[str]
    evidence_count: int
    return_reason: str


def _campaign_out(campaign: Campaign, user) -> dict:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "level": campaign.level,
        "region": campaign.region.code,
        "framework_id": campaign.framework_id,
        "period_start": campaign.period_start,
        "period_end": campaign.period_end,
        "status_counts": selectors.status_counts(campaign.items.visible_to(user)),
    }


def _items_out(items, user) -> list[dict]:
    """Items as the API gives them; `evidence_count` counts only the materials `user` may see
    (a unit's liaison: their own unit's), not every unit's."""
    items = list(items)
    counts = visible_evidence_counts(items=items, user=user)
    return [_item_out(item, evidence_count=counts[item.pk]) for item in items]


def _item_out(item: Item, *, evidence_count: int) -> dict:
    lead = selectors.lead_of(item)
    return {
        "id": item.pk,
        "code": item.code,
        "title": item.title,
        "points": float(item.points) if item.points is not None else None,
        "is_refined": item.is_refined,
        "deadline": item.deadline,
        "status": item.status,
        "status_label": item.get_status_display(),
        "lead_unit": lead.name if lead else None,
        "responsible_units": [u.name for u in selectors.responsible_of(item)],
        "evidence_count": evidence_count,
        "return_reason": item.return_reason,
    }


@router.get("/", response=list[CampaignOut], summary="可查看的创建活动")
def list_campaigns(request, query: SearchText = ""):
    campaigns = selectors.campaign_list(user=request.user, query=query)
    return [_campaign_out(c, request.user) for c in campaigns]


@router.post("/", response={201: CampaignOut}, summary="新建创建活动（从指标体系生成任务项）")
def create_campaign(request, payload: CampaignIn):
    region = region_by_code(payload.region)
    try:
        framework = framework_by_ref(user=request.user, ref=payload.framework)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from exc
    campaign = services.campaign_create(
        acting_user=request.user,
        framework=framework,
        region=region,
        name=payload.name,
        level=payload.level,
        period_start=payload.period_start,
        period_end=payload.period_end,
    )
    return Status(201, _campaign_out(campaign, request.user))


@router.get("/my-tasks", response=list[ItemOut], summary="本单位的任务项")
def my_tasks(request, status: str = ""):
    return _items_out(selectors.my_tasks(user=request.user, status=status), request.user)


@router.get("/{campaign_id}", response=CampaignOut, summary="创建活动")
def get_campaign(request, campaign_id: Id):
    campaign = get_visible_or_404(
        Campaign.objects.select_related("region"), request.user, pk=campaign_id
    )
    return _campaign_out(campaign, request.user)


@router.get(
    "/{campaign_id}/report", summary="看板数据：分领域分值与得分、任务项状态、逾期项、当前轮次"
)
def campaign_report(request, campaign_id: Id):
    campaign = get_visible_or_404(
        Campaign.objects.select_related("region", "framework"), request.user, pk=campaign_id
    )
    return campaign_report_of(user=request.user, campaign=campaign)


@router.get("/{campaign_id}/items", response=list[ItemOut], summary="任务项（两张清单）")
def list_items(
    request, campaign_id: Id, status: str = "", unit: Id | None = None, q: SearchText = ""
):
    campaign = get_visible_or_404(Campaign, request.user, pk=campaign_id)
    items = selectors.campaign_items(
        campaign=campaign, user=request.user, status=status, unit_id=unit, query=q
    )
    return _items_out(items, request.user)


@router.post("/items/{item_id}/submit", response=ItemOut, summary="提交任务项审核")
def submit_item(request, item_id: Id):
    item = get_visible_or_404(Item, request.user, pk=item_id)
    services.item_submit(acting_user=request.user, item=item)
    submitted = selectors.campaign_items(campaign=item.campaign, user=request.user).filter(
        pk=item.pk
    )
    return _items_out(submitted, request.user)[0]


# -- the written self-assessment: each indicator's 自评说明 ---------------------------------------


class ExplanationOut(Schema):
    item_id: int
    code: str
    title: str
    text: str
    version: int | None  # None: nobody has written one yet; send it back with a change
    updated_by: str | None
    updated_at: datetime | None


class ExplanationDetailOut(ExplanationOut):
    may_edit: bool
    closed: str  # why the user, who may write it, cannot now ("" when they can)


class ExplanationIn(Schema):
    text: str = Field(max_length=sa.MAX_TEXT)
    version: int | None = Field(
        None, description="读取时的版本号；还没有自评说明时不填。期间他人修改过则拒绝保存"
    )


def _explanation_out(item: Item) -> dict:
    try:
        current = item.explanation
    except Explanation.DoesNotExist:
        current = None
    return {
        "item_id": item.pk,
        "code": item.code,
        "title": item.title,
        "text": current.text if current else "",
        "version": current.version if current else None,
        "updated_by": str(current.updated_by) if current and current.updated_by else None,
        "updated_at": current.updated_at if current else None,
    }


def _explanation_detail(item: Item, user) -> dict:
    may = sa.may_explain(user, item)
    closed = sa.explanation_closed(user, item) if may else ""
    return {**_explanation_out(item), "may_edit": may and not closed, "closed": closed}


def _explained_item(request, item_id: int) -> Item:
    items = Item.objects.select_related("campaign__region", "explanation__updated_by")
    return get_visible_or_404(items, request.user, pk=item_id)


@router.get(
    "/{campaign_id}/explanations",
    response=list[ExplanationOut],
    summary="自评说明：可查看的各指标（未细化的任务项）的自评说明",
)
def list_explanations(request, campaign_id: Id):
    campaign = get_visible_or_404(Campaign, request.user, pk=campaign_id)
    return [_explanation_out(item) for item in sa.visible_explanations(campaign, request.user)]


@router.get(
    "/items/{item_id}/explanation",
    response=ExplanationDetailOut,
    summary="一个指标的自评说明，以及当前用户能否修改",
)
def get_explanation(request, item_id: Id):
    return _explanation_detail(_explained_item(request, item_id), request.user)


@router.put(
    "/items/{item_id}/explanation",
    response=ExplanationDetailOut,
    summary="填写或修改自评说明（牵头单位联络员起草，牵头科室修改；带读取时的版本号）",
)
def save_explanation(request, item_id: Id, payload: ExplanationIn):
    item = _explained_item(request, item_id)
    sa.explanation_save(
        acting_user=request.user, item=item, text=payload.text, version=payload.version
    )
    return _explanation_detail(_explained_item(request, item_id), request.user)
