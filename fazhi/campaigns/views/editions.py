"""Moving a campaign to another edition of its framework: choose the edition, read the
item-by-item preview, confirm; the withdrawn items' list; the score re-check mark."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fazhi.campaigns import editions, services
from fazhi.campaigns.models import Campaign, Item
from fazhi.core.actions import error_text, perform
from fazhi.core.listing import QueryFilters, paginate, show_notes
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404
from fazhi.frameworks.models import Framework

PREVIEW_PER_PAGE = 50


def _target(request, value) -> Framework | None:
    """The chosen edition among those the user may see (None with a message otherwise)."""
    framework = Framework.objects.visible_to(request.user).filter(pk=value).first()
    if framework is None:
        messages.error(request, "找不到所选的指标体系版本，或您无权查看。")
    return framework


@require_roles("admin", "lead_admin")
def campaign_migrate(request, pk):
    """GET: the choice of edition and, once chosen, the preview. Nothing changes until the
    confirmation is posted."""
    campaign = get_editable_or_404(
        Campaign.objects.select_related("framework", "region"), request.user, pk=pk
    )
    read = QueryFilters(request.GET)
    target_id = read.id("framework", "目标版本")
    kind = read.text("kind")
    kind = kind if kind in editions.KINDS else ""
    show_notes(request, read.notes)
    context = {
        "campaign": campaign,
        "choices": editions.edition_choices(campaign=campaign, user=request.user),
        "target_id": str(target_id or ""),
        "kinds": [(k, editions.KIND_LABELS[k]) for k in editions.KINDS],
        "kind": kind,
    }
    target = _target(request, target_id) if target_id else None
    if target is not None:
        try:
            plan = editions.plan_migration(campaign=campaign, target=target)
        except ValidationError as exc:  # the same edition, or another framework's
            messages.error(request, error_text(exc))
        else:
            entries = plan.of_kind(kind) if kind else plan.entries
            context.update(
                plan=plan,
                target=target,
                counts=plan.counts(),
                page=paginate(request, entries, per_page=PREVIEW_PER_PAGE),
            )
    return render(request, "campaigns/campaign_migrate.html", context)


@require_roles("admin", "lead_admin")
@require_POST
def campaign_migrate_confirm(request, pk):
    campaign = get_editable_or_404(
        Campaign.objects.select_related("framework"), request.user, pk=pk
    )
    target_id = QueryFilters(request.POST).id("framework", "目标版本")
    target = _target(request, target_id) if target_id else None
    if target is None:
        if not target_id:
            messages.error(request, "请选择要迁移到的指标体系版本。")
        return redirect("campaigns:migrate", pk=campaign.pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "请勾选“我已核对以上变化”后再确认迁移。")
        return redirect(_preview_url(campaign, target))
    done = perform(
        request,
        lambda: services.campaign_migrate(
            acting_user=request.user, campaign=campaign, framework=target
        ),
        success=lambda plan: (
            f"已迁移到“{plan.target}”：沿用 {plan.counts()['carried']} 项，"
            f"分值或评分标准修改 {plan.counts()['changed']} 项（评分待复核），"
            f"新增 {plan.counts()['new']} 项，撤销 {plan.counts()['withdrawn']} 项。"
        ),
    )
    if not done:
        return redirect(_preview_url(campaign, target))
    return redirect("campaigns:detail", pk=campaign.pk)


def _preview_url(campaign, target) -> str:
    return f"{reverse('campaigns:migrate', args=[campaign.pk])}?framework={target.pk}"


@login_required
def archived_items(request, pk):
    """The items a new edition withdrew, with their materials still reachable."""
    campaign = get_visible_or_404(Campaign.objects.select_related("region"), request.user, pk=pk)
    items = (
        Item.with_archived.filter(campaign=campaign, archived_at__isnull=False)
        .visible_to(request.user)
        .select_related("node__framework")
        .order_by("-archived_at", "sort_key")
    )
    return render(
        request,
        "campaigns/archived_items.html",
        {"campaign": campaign, "page": paginate(request, items, per_page=50)},
    )


@require_roles("admin", "lead_admin")
@require_POST
def item_recheck_done(request, pk):
    item = get_editable_or_404(Item.objects.select_related("campaign"), request.user, pk=pk)
    perform(
        request,
        lambda: services.item_recheck_done(acting_user=request.user, item=item),
        success=f"{item.code} 已完成评分复核。",
    )
    return redirect("campaigns:item", pk=item.pk)
