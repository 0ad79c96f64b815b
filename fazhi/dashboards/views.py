"""Dashboard pages: the index of campaigns, a campaign's dashboard, one unit's dashboard, and the
Excel export of any panel. One page serves every reader: it has no forms, and the links to the
pages where work is changed are shown only to those who may change it, so a leader (领导，只读)
gets the same figures with nothing to press. A liaison sees their own unit's view only."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from fazhi.campaigns.models import Campaign
from fazhi.core.downloads import xlsx_attachment
from fazhi.core.listing import paginate
from fazhi.core.scoping import get_visible_or_404
from fazhi.dashboards import exports, selectors
from fazhi.dashboards.panels import panel_for, panels_for
from fazhi.dashboards.selectors import Board
from fazhi.orgs.models import Unit

EXPORT_ALL = "all"


@login_required
def index(request):
    page = paginate(request, selectors.board_campaigns(user=request.user))
    campaigns = list(page.object_list)
    figures = selectors.headlines(campaigns=campaigns, user=request.user)
    return render(
        request,
        "dashboards/index.html",
        {"page": page, "rows": [(c, figures[c.pk]) for c in campaigns]},
    )


def _board(request, pk, unit_pk=None) -> Board:
    """The campaign (and unit) the user may see. A liaison reaches their own unit only: the
    whole-campaign view would show other units' work, so it is not there for them."""
    campaign = get_visible_or_404(
        Campaign.objects.select_related("region", "framework"), request.user, pk=pk
    )
    own = selectors.unit_only(request.user)
    if unit_pk is None:
        if own is not None:
            raise Http404("您只能查看本单位的数据看板。")
        return Board(campaign=campaign, user=request.user)
    unit = get_visible_or_404(Unit, request.user, pk=unit_pk)
    return Board(campaign=campaign, user=request.user, unit=unit)


def _show(request, board: Board):
    export_args = [board.campaign.pk] + ([board.unit.pk] if board.unit else [])
    return render(
        request,
        "dashboards/board.html",
        {
            "board": board,
            "campaign": board.campaign,
            "unit": board.unit,
            "headline": selectors.headline(board.facts),
            "today": board.facts.today,
            "panels": [
                (panel, reverse("dashboards:export", args=[*export_args, panel.name]))
                for panel in panels_for(board)
            ],
            "export_all": reverse("dashboards:export", args=[*export_args, EXPORT_ALL]),
            "can_manage": selectors.may_manage(campaign=board.campaign, user=request.user),
            "unit_only": selectors.unit_only(request.user) is not None,
        },
    )


@login_required
def campaign_board(request, pk):
    own = selectors.unit_only(request.user)
    if own is not None:
        get_visible_or_404(Campaign, request.user, pk=pk)
        return redirect("dashboards:unit", pk=pk, unit_pk=own)
    return _show(request, _board(request, pk))


@login_required
def unit_board(request, pk, unit_pk):
    return _show(request, _board(request, pk, unit_pk))


@login_required
def export(request, pk, panel, unit_pk=None):
    """One panel's table as Excel, or every panel of the page in one workbook (`all`)."""
    board = _board(request, pk, unit_pk)
    if panel == EXPORT_ALL:
        panels, what = panels_for(board), "数据看板"
    else:
        found = panel_for(board, panel)
        if found is None:
            raise Http404("没有这个图表。")
        panels, what = [found], found.title
    heading = board.campaign.name + (f" {board.unit.display_name}" if board.unit else "")
    response = xlsx_attachment(f"{heading}-{what}.xlsx".replace(" ", "-"))
    exports.write_panels(response, heading=heading, as_of=board.facts.today, panels=panels)
    return response
