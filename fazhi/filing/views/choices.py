"""The 申报清单: per indicator, which materials go into the filing and in which order. The
lead office decides; the region's reviewers, leaders and granted experts read it."""

import re

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fazhi.campaigns.models import Campaign, Item
from fazhi.core.actions import perform
from fazhi.core.listing import QueryFilters, paginate
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import can_write_at, get_visible_or_404
from fazhi.filing import choices, selectors
from fazhi.filing.freeze import submission_in_force
from fazhi.filing.models import FilingChoice

MATERIALS_PER_PAGE = 50
BACK = re.compile(r"(pending=1)?&?(page=\d{1,6})?")  # the item page's own filters, nothing else


@require_roles(*selectors.FILING_READERS)
def choice_list(request, pk):
    campaign = get_visible_or_404(Campaign.objects.select_related("region"), request.user, pk=pk)
    filters = QueryFilters(request.GET)
    query, pending = filters.search("q"), filters.text("pending") == "1"
    lines = selectors.choice_overview(
        campaign=campaign, user=request.user, query=query, pending=pending
    )
    for note in filters.notes:
        messages.warning(request, note)
    return render(
        request,
        "filing/choice_list.html",
        {
            "campaign": campaign,
            "page": paginate(request, lines, per_page=50),
            "totals": selectors.choice_totals(lines),
            "query": query,
            "pending": pending,
            "may_choose": _may_choose(request.user, campaign),
            "frozen": submission_in_force(campaign.pk),
        },
    )


def _may_choose(user, campaign) -> bool:
    return can_write_at(user, FilingChoice, region=campaign.region)


def _item(request, pk) -> Item:
    return get_visible_or_404(Item.objects.select_related("campaign__region"), request.user, pk=pk)


@require_roles(*selectors.FILING_READERS)
def choice_item(request, pk):
    item = _item(request, pk)
    rows = choices.choice_rows(item, selectors.item_materials(item=item, user=request.user))
    total = len(rows)  # places run over all the item's materials, shown or filtered out
    pending = request.GET.get("pending") == "1"
    if pending:
        rows = [row for row in rows if not row.decided]
    return render(
        request,
        "filing/choice_item.html",
        {
            "item": item,
            "campaign": item.campaign,
            "page": paginate(request, rows, per_page=MATERIALS_PER_PAGE),
            "count": len(rows),
            "total": total,
            "pending": pending,
            "may_choose": _may_choose(request.user, item.campaign),
            "frozen": submission_in_force(item.campaign_id),
            "decisions": choices.DECISIONS,
        },
    )


def _back(request, item):
    """Back to where the form was sent from: the item's page (keeping its filter and page) or
    the 申报清单."""
    target = request.POST.get("next", "")
    if target == "list":
        return redirect("filing:choices", pk=item.campaign_id)
    query = request.POST.get("back", "")
    url = reverse("filing:choice_item", args=[item.pk])
    return redirect(f"{url}?{query}" if query and BACK.fullmatch(query) else url)


@require_roles("admin", "lead_admin")
@require_POST
def choice_decide(request, pk):
    item = _item(request, pk)
    data = request.POST
    decision, ids = data.get("decision", ""), data.getlist("evidence")
    if data.get("row"):  # a row's own button: "<id>:<decision>"
        row_id, _, decision = data["row"].partition(":")
        ids = [row_id]
    everything = data.get("all", "")
    if everything in ("1", choices.INCLUDE, choices.EXCLUDE):  # the whole item at once
        ids = choices.all_material_ids(request.user, item)
        decision = everything if everything != "1" else decision
    perform(
        request,
        lambda: choices.choice_decide(
            acting_user=request.user,
            item=item,
            evidence_ids=ids,
            decision=decision,
            reason=data.get("reason", ""),
        ),
        success=lambda n: f"{item.code}：{n} 份材料已{choices.DECISIONS.get(decision, '')}。",
    )
    return _back(request, item)


@require_roles("admin", "lead_admin")
@require_POST
def choice_order(request, pk):
    item = _item(request, pk)
    data = request.POST
    if data.get("move"):  # "<id>:up" or "<id>:down"
        evidence_id, _, direction = data["move"].partition(":")
        action = lambda: choices.choice_move(  # noqa: E731
            acting_user=request.user, item=item, evidence_id=evidence_id, direction=direction
        )
    else:
        places = {
            key.removeprefix("place-"): value
            for key, value in data.items()
            if key.startswith("place-") and value.strip()
        }
        action = lambda: choices.choice_renumber(  # noqa: E731
            acting_user=request.user, item=item, places=places
        )
    perform(request, action, success="顺序已保存。")
    return _back(request, item)
