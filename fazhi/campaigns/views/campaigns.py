"""Campaign pages: list, create, edit, the item table with bulk assignment, checks, search."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from fazhi.campaigns import selectors, services, stages
from fazhi.campaigns.deadlines import reminder_days
from fazhi.campaigns.forms import AssignForm, CampaignEditForm, CampaignForm
from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.core.actions import perform
from fazhi.core.forms import add_service_error
from fazhi.core.listing import options_html, paginate, pk_url, read_search, show_notes
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404, is_editable
from fazhi.evidence import selectors as evidence_selectors
from fazhi.filing.selectors import may_read_filings
from fazhi.frameworks.tree import points_label
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
        Campaign.objects.select_related("region", "framework").prefetch_related("stages"),
        request.user,
        pk=pk,
    )
    filters = selectors.ItemFilters.from_params(request.GET)
    show_notes(request, filters.notes)
    all_items = campaign.items.visible_to(request.user)
    items = selectors.filtered_items(campaign=campaign, user=request.user, **filters.as_kwargs())
    page = paginate(request, selectors.item_line_values(items), per_page=ITEMS_PER_PAGE)
    lines = selectors.item_lines(page)
    can_edit = is_editable(request.user, Campaign, campaign.pk)
    # The stored evidence_count counts every unit's materials, other units' drafts too: what
    # the campaign's editors see, and no one else.
    if can_edit:
        materials = {line.pk: line.evidence_count for line in lines}
    else:
        materials = evidence_selectors.visible_evidence_counts(items=lines, user=request.user)
    units = selectors.unit_choices(campaign=campaign)
    counts = selectors.campaign_page_counts(all_items)
    item_url = pk_url("campaigns:item")
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": [
                _row(line, materials=materials[line.pk], can_edit=can_edit, url=item_url)
                for line in lines
            ],
            "filters": filters,
            "statuses": ItemStatus.choices,
            "unit_filter_options": options_html(units, selected=filters.unit_id),
            # The bulk-assignment selects (validated by AssignForm when posted).
            "unit_options": options_html(units) if can_edit else "",
            "summary": counts["summary"],
            "no_material": counts["no_material"],
            "unresolved": counts["unresolved"] if can_edit else 0,
            "stages": campaign.stages.all(),
            "current_stage": stages.current_stage(campaign),
            "windows": stages.action_windows(campaign),
            "recheck": counts["recheck"],
            "archived": Item.with_archived.filter(campaign=campaign, archived_at__isnull=False)
            .visible_to(request.user)
            .count(),
            "can_edit": can_edit,
            "can_see_scores": may_see_score_sheet(request.user),
            "can_read_filing": may_read_filings(request.user),
        },
    )


def _row(line, *, materials: int, can_edit: bool, url) -> dict:
    """One line of the item table as the strings it shows: the page renders 50 of them, and
    template lookups, filters and tags per row were most of its time."""
    return {
        "pk": line.pk,
        "code": line.code,
        "url": url(line.pk),
        "title": Truncator(line.title).chars(90),
        "heading": f"{line.area} › {line.group}" if line.group else line.area,
        "refined": line.is_refined,
        "unresolved": bool(line.unresolved_units) and can_edit,
        "recheck_note": line.recheck_note,
        "points": points_label(line.points),
        "lead": line.lead or "—",
        "responsible": "、".join(line.responsible) or "—",
        "deadline": f"{line.deadline:%Y-%m-%d}" if line.deadline else "—",
        "status": line.status,
        "status_label": line.status_label,
        "materials": materials,
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
