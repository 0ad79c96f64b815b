"""Campaign pages: list, create, edit, the item table with bulk assignment, checks, search."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fazhi.campaigns import selectors, services, stages
from fazhi.campaigns.deadlines import reminder_days
from fazhi.campaigns.forms import AssignForm, CampaignEditForm, CampaignForm
from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.core.actions import perform
from fazhi.core.forms import add_service_error
from fazhi.core.listing import paginate, read_search, show_notes
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404, is_editable
from fazhi.evidence import selectors as evidence_selectors
from fazhi.filing.selectors import may_read_filings
from fazhi.reviews.selectors import may_see_score_sheet

ITEMS_PER_PAGE = 50


@login_required
def campaign_list(request):
    query = read_search(request, "query")
    page = paginate(request, selectors.campaign_list(user=request.user, query=query))
    return render(request, "campaigns/campaign_list.html", {"page": page, "query": query})


@require_roles("admin", "lead_admin")
def campaign_create(request):
    form = CampaignForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(acting_user=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已创建“{campaign}”，共 {campaign.items.count()} 个任务项。")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, pk):
    campaign = get_visible_or_404(
        Campaign.objects.select_related("region", "framework"), request.user, pk=pk
    )
    filters = selectors.ItemFilters.from_params(request.GET)
    show_notes(request, filters.notes)
    all_items = campaign.items.visible_to(request.user)
    items = selectors.campaign_items(campaign=campaign, user=request.user, **filters.as_kwargs())
    page = paginate(request, items, per_page=ITEMS_PER_PAGE)
    # The stored evidence_count counts every unit's materials, other units' drafts too.
    materials = evidence_selectors.visible_evidence_counts(items=list(page), user=request.user)
    can_edit = is_editable(request.user, Campaign, campaign.pk)
    units = selectors.assignable_units(campaign=campaign)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": [_row(item, materials=materials[item.pk]) for item in page],
            "filters": filters,
            "statuses": ItemStatus.choices,
            "units": units,
            "summary": selectors.status_summary(all_items),
            "no_material": selectors.deadline_counts(all_items.filter(evidence_count=0)),
            "unresolved": all_items.exclude(unresolved_units=[]).count() if can_edit else 0,
            "stages": campaign.stages.all(),
            "current_stage": stages.current_stage(campaign),
            "windows": stages.action_windows(campaign),
            "recheck": all_items.exclude(recheck_note="").count(),
            "archived": Item.with_archived.filter(campaign=campaign, archived_at__isnull=False)
            .visible_to(request.user)
            .count(),
            "can_edit": can_edit,
            "can_see_scores": may_see_score_sheet(request.user),
            "can_read_filing": may_read_filings(request.user),
            "assign_form": AssignForm(items=all_items, units=units) if can_edit else None,
        },
    )


def _row(item, *, materials: int) -> dict:
    area, group = selectors.area_heading(item)
    return {
        "item": item,
        "materials": materials,
        "area": area,
        "group": group,
        "lead": selectors.lead_of(item),
        "responsible": selectors.responsible_of(item),
    }


@require_roles("admin", "lead_admin")
def campaign_edit(request, pk):
    campaign = get_editable_or_404(Campaign, request.user, pk=pk)
    initial = {
        name: getattr(campaign, name)
        for name in ("name", "level", "period_start", "period_end", "description")
    }
    form = CampaignEditForm(request.POST or None, initial=initial, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in initial}
        try:
            services.campaign_update(
                acting_user=request.user,
                campaign=campaign,
                stage_dates=form.stage_dates(),
                **data,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_edit.html", {"form": form, "campaign": campaign})


@require_roles("admin", "lead_admin")
@require_POST
def items_assign(request, pk):
    campaign = get_editable_or_404(Campaign, request.user, pk=pk)
    form = AssignForm(
        request.POST,
        items=campaign.items.all(),
        units=selectors.assignable_units(campaign=campaign),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
    else:
        perform(
            request,
            lambda: services.items_assign(
                acting_user=request.user, campaign=campaign, **form.cleaned_data
            ),
            success=lambda changed: f"已更新 {changed} 个任务项的分工。",
        )
    return redirect(_back_to(request, reverse("campaigns:detail", args=[campaign.pk])))


def _back_to(request, default: str) -> str:
    """Back to the filtered page the form was on, never to another site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def campaign_checks(request, pk):
    campaign = get_visible_or_404(Campaign, request.user, pk=pk)
    items = campaign.items.visible_to(request.user)
    return render(
        request,
        "campaigns/campaign_checks.html",
        {
            "campaign": campaign,
            "duplicates": evidence_selectors.duplicate_groups(campaign=campaign, user=request.user),
            "out_of_period": evidence_selectors.out_of_period(campaign=campaign, user=request.user),
            "unreadable": evidence_selectors.unreadable(campaign=campaign, user=request.user),
            "unbindable": evidence_selectors.unbindable(campaign=campaign, user=request.user),
            "missing_material": selectors.with_deadline_states(selectors.missing_material(items)),
            "due_days": reminder_days(),
        },
    )


@login_required
def campaign_search(request, pk):
    campaign = get_visible_or_404(Campaign, request.user, pk=pk)
    query = read_search(request, "q")
    found = evidence_selectors.search_evidence(campaign=campaign, user=request.user, query=query)
    page = paginate(request, found)
    return render(
        request,
        "campaigns/campaign_search.html",
        {
            "campaign": campaign,
            "query": query,
            "page": page,
            "hits": evidence_selectors.hits(page, query),
        },
    )
