"""Review pages: a campaign's rounds (open, history), one round's queue (filter, close), the
review log (审核记录) of a round or of all rounds as Excel, the verdict and score forms posted
from the item page, and the score sheet with its Excel export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from fazhi.campaigns.models import Campaign, Item
from fazhi.campaigns.selectors import area_key, campaign_areas
from fazhi.campaigns.views.items import item_detail
from fazhi.core.actions import error_text, perform
from fazhi.core.downloads import xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import QueryFilters, paginate, parse_id, pk_url, show_notes
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_visible_or_404, is_editable
from fazhi.frameworks.models import Node
from fazhi.reviews import selectors, services
from fazhi.reviews.exports import write_review_log, write_score_sheet
from fazhi.reviews.forms import (
    DecisionForm,
    RoundForm,
    deductions_from,
    file_notes_from,
    version_from,
)
from fazhi.reviews.models import Queue, Review, Side


@login_required
def my_rounds(request):
    return render(
        request, "reviews/my_rounds.html", {"entries": selectors.my_rounds(user=request.user)}
    )


def _campaign(request, pk) -> Campaign:
    campaigns = Campaign.objects.select_related("region", "framework")
    return get_visible_or_404(campaigns, request.user, pk=pk)


@login_required
def campaign_rounds(request, pk):
    campaign = _campaign(request, pk)
    owner = is_editable(request.user, Campaign, campaign.pk)
    form = RoundForm(request.POST or None) if owner else None
    areas = campaign_areas(campaign)
    candidates = selectors.reviewer_candidates(campaign) if owner else []
    if request.method == "POST":
        if not owner:
            raise PermissionDenied("只有牵头科室可以开启审核轮次。")
        if form.is_valid():
            try:
                round_ = services.round_open(
                    acting_user=request.user,
                    campaign=campaign,
                    reviewers=_seats(request.POST, candidates, areas),
                    **form.cleaned_data,
                )
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _opened(round_))
                return redirect("reviews:round", pk=round_.pk)
    return render(
        request,
        "reviews/campaign_rounds.html",
        {
            "campaign": campaign,
            "rounds": selectors.campaign_rounds(campaign=campaign, user=request.user),
            "form": form,
            "candidates": candidates,
            "areas": areas,
            "chosen": {parse_id(v) for v in request.POST.getlist("reviewer")} - {None},
        },
    )


def _opened(round_) -> str:
    counts = selectors.round_queue_counts(round_)
    return (
        f"已开启{round_}，共 {sum(counts.values())} 个任务项，其中单位已提交、待审核 "
        f"{counts[Queue.WAITING]} 项；其余在单位提交后进入待审核。"
    )


def _seats(data, candidates, areas: list[Node]) -> list[services.ReviewerSeat]:
    """The ticked reviewers with the areas ticked on their row (none ticked: all areas)."""
    by_pk = {user.pk: user for user in candidates}
    area_by_pk = {str(area.pk): area for area in areas}
    seats = []
    for value in data.getlist("reviewer"):
        user = by_pk.get(parse_id(value))
        if user is None:
            raise ValidationError({"reviewers": "所选审核人不在可选名单中，请刷新页面后重选。"})
        chosen = [area_by_pk[v] for v in data.getlist(f"areas_{user.pk}") if v in area_by_pk]
        seats.append(services.ReviewerSeat(user, tuple(chosen)))
    return seats


@login_required
def round_detail(request, pk):
    round_ = selectors.round_by_pk(user=request.user, pk=pk)
    campaign = round_.campaign
    reviews = selectors.round_review_query(
        round_=round_, user=request.user, **_round_filters(request, round_, show=True)
    )
    page = paginate(request, reviews.select_related("item", "reviewer"), per_page=50)
    item_url = pk_url("campaigns:item")
    areas = campaign_areas(campaign)
    return render(
        request,
        "reviews/round_detail.html",
        {
            "round": round_,
            "campaign": campaign,
            "page": page,
            "rows": [_queue_row(review, url=item_url) for review in page],
            "cards": _queue_cards(round_, request.user),
            "verdicts": Queue.choices,
            "areas": [(area_key(area.sort_key), area) for area in areas],
            "owner": is_editable(request.user, Campaign, campaign.pk),
            "is_reviewer": any(s.user_id == request.user.pk for s in round_.reviewers.all()),
            "filters": request.GET,
        },
    )


def _round_filters(request, round_, *, show: bool = False) -> dict:
    """The round page's filters (审核意见, 领域, 编码或内容, 只看我负责的领域), read once for the
    page and its export so that both list the same reviews."""
    read = QueryFilters(request.GET)
    filters = {
        "verdict": read.text("verdict"),
        "area": read.text("area"),
        "query": read.search("q"),
        "areas_of_user": _my_areas(request.user, round_) if read.flag("mine") else None,
    }
    if show:
        show_notes(request, read.notes)
    return filters


@login_required
def round_log_export(request, pk):
    """The round page's list under its current filters (the link carries them), with each
    review's comment history."""
    round_ = selectors.round_by_pk(user=request.user, pk=pk)
    reviews = selectors.round_reviews(
        round_=round_, user=request.user, **_round_filters(request, round_)
    )
    response = xlsx_attachment(f"{round_.campaign.name}-第{round_.number}轮审核记录.xlsx")
    write_review_log(response, reviews=selectors.with_comments(reviews, user=request.user))
    return response


@login_required
def campaign_log_export(request, pk):
    """Every round's reviews of the campaign, from the rounds page."""
    campaign = _campaign(request, pk)
    reviews = selectors.campaign_review_log(campaign=campaign, user=request.user)
    response = xlsx_attachment(f"{campaign.name}-审核记录.xlsx")
    write_review_log(response, reviews=selectors.with_comments(reviews, user=request.user))
    return response


def _queue_row(review, *, url) -> dict:
    """A line of the round's table as the values it shows (no template filters per cell)."""
    item, queue = review.item, review.queue
    resubmitted = review.resubmitted_at if queue == Queue.WAITING else None
    return {
        "code": item.code,
        "url": url(item.pk) + "#review",
        "title": Truncator(item.title).chars(60),
        "status": item.status,
        "status_label": item.get_status_display(),
        "queue": queue,
        "queue_label": Queue(queue).label,
        "resubmitted_at": _local(resubmitted, "%Y-%m-%d %H:%M"),
        "reviewer": str(review.reviewer) if review.reviewer else "",
        "decided_at": _local(review.decided_at, "%m-%d %H:%M"),
    }


def _local(moment, pattern: str) -> str:
    return f"{timezone.localtime(moment):{pattern}}" if moment else ""


def _queue_cards(round_, user) -> list[tuple[str, str, int]]:
    """The round's items by place in its queue: only submitted items count as 待审核; items
    approved before the round opened get a card only when there are some."""
    counts = selectors.visible_queue_counts(round_=round_, user=user)
    return [
        (value, label, counts[value])
        for value, label in Queue.choices
        if counts[value] or value != Queue.APPROVED_BEFORE
    ]


def _my_areas(user, round_) -> set[str]:
    areas = services.reviewer_areas(user, round_)
    if areas is None:  # all areas
        return {area_key(area.sort_key) for area in campaign_areas(round_.campaign)}
    return areas


@login_required
@require_POST
def round_close(request, pk):
    round_ = selectors.round_by_pk(user=request.user, pk=pk)
    perform(
        request,
        lambda: services.round_close(acting_user=request.user, round_=round_),
        success=lambda closed: (
            f"{closed} 已结束：通过 {closed.summary['pass']} 项，"
            f"退回 {closed.summary['revise'] + closed.summary['supplement']} 项，"
            f"未审 {closed.summary['pending']} 项。"
        ),
    )
    return redirect("reviews:round", pk=round_.pk)


@login_required
@require_POST
def review_decide(request, pk):
    reviews = Review.objects.select_related("round__campaign", "item")
    review = get_visible_or_404(reviews, request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            saved = services.review_decide(
                acting_user=request.user,
                review=review,
                file_notes=file_notes_from(request.POST),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
            return redirect(_next(request, review.item))
        else:
            messages.success(request, f"{review.item.code}：{saved.get_verdict_display()}。")
            return redirect(_next(request, review.item))
    if form.has_error("verdict") or form.has_error("comment"):
        # The reviewer's choice and text stay, with the error under the field it is about:
        # the item page is rendered again with the bound form (its #decision anchor in view).
        return item_detail(request, review.item_id, decision_form=form)
    # Errors the form cannot show next to a field (a verdict saved by someone else meanwhile,
    # a closed round, an item no longer submitted): the page, reloaded, shows the new state.
    messages.error(request, "；".join(form.non_field_errors() + form["version"].errors))
    return redirect(_next(request, review.item))


@login_required
@require_POST
def assess(request, item_pk, side):
    items = Item.objects.select_related("campaign__region", "campaign__framework", "node")
    item = get_visible_or_404(items, request.user, pk=item_pk)
    if side not in Side.values:
        raise PermissionDenied("评分方不正确。")
    perform(
        request,
        lambda: services.assessment_save(
            acting_user=request.user,
            item=item,
            side=side,
            deductions=deductions_from(request.POST),
            version=version_from(request.POST),
            vetoed=request.POST.get("vetoed") == "1",
            note=request.POST.get("note", ""),
        ),
        success=lambda saved: (
            f"{item.code} {saved.get_side_display()}：{saved.score.normalize():f} 分。"
        ),
    )
    return redirect(_next(request, item))


def _next(request, item) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return reverse("campaigns:item", args=[item.pk]) + "#review"


@require_roles(*selectors.SHEET_ROLES)
def score_sheet(request, pk):
    campaign = _campaign(request, pk)
    sides = selectors.visible_sides(user=request.user, campaign=campaign)
    return render(
        request,
        "reviews/score_sheet.html",
        {
            "campaign": campaign,
            "rows": selectors.score_sheet(campaign),
            "totals": selectors.campaign_totals(campaign),
            "sides": sides,
        },
    )


@require_roles(*selectors.SHEET_ROLES)
def score_sheet_export(request, pk):
    campaign = _campaign(request, pk)
    response = xlsx_attachment(f"{campaign.name}-评分表.xlsx")
    write_score_sheet(
        response,
        campaign=campaign,
        rows=selectors.score_sheet(campaign),
        totals=selectors.campaign_totals(campaign),
        sides=selectors.visible_sides(user=request.user, campaign=campaign),
    )
    return response
