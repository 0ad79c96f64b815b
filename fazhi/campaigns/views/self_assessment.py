"""The written self-assessment: an item's 自评说明 saved from its page, and the lead office's
page for the report's 亮点, 不足 and 下一步 with the explanations still missing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fazhi.campaigns import self_assessment as sa
from fazhi.campaigns.models import Campaign
from fazhi.campaigns.views.items import _load, item_detail
from fazhi.core.actions import error_text
from fazhi.core.listing import parse_id
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404
from fazhi.filing.freeze import submission_in_force


@login_required
@require_POST
def explanation_save(request, pk):
    """A refused save shows the item page again with the text the user typed, so that a
    conflict or a closed stage does not lose it."""
    item = _load(request, pk)
    text = request.POST.get("text", "")
    try:
        sa.explanation_save(
            acting_user=request.user,
            item=item,
            text=text,
            version=sa.parse_version(request.POST.get("version")),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"自评说明未保存：{error_text(exc)}")
        return item_detail(request, pk, explanation_draft=text)
    messages.success(request, f"已保存 {item.code} 的自评说明。")
    return redirect(f"{reverse('campaigns:item', args=[item.pk])}#explanation")


@require_roles("admin", "lead_admin")
def self_assessment_edit(request, pk):
    campaign = get_editable_or_404(Campaign.objects.select_related("region"), request.user, pk=pk)
    record = sa.self_assessment_of(campaign)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = _posted(request)
        try:
            sa.self_assessment_save(acting_user=request.user, campaign=campaign, **values)
        except (ValidationError, PermissionDenied) as exc:
            errors = _errors(exc)
            messages.error(request, f"未保存：{'；'.join(errors.values())}")
        else:
            messages.success(request, "已保存自评报告的亮点、不足和下一步工作打算。")
            return redirect("campaigns:self_assessment", pk=campaign.pk)
    else:
        values = {
            "highlight_item_ids": list(record.highlight_item_ids) if record else [],
            "highlights_text": record.highlights_text if record else "",
            "shortfalls": record.shortfalls if record else "",
            "next_steps": record.next_steps if record else "",
        }
    progress = sa.explanation_progress(campaign)
    chosen = set(values["highlight_item_ids"])
    return render(
        request,
        "campaigns/self_assessment.html",
        {
            "campaign": campaign,
            "record": record,
            "values": values,
            "errors": errors,
            "progress": progress,
            # Indicators with an explanation can be chosen; a chosen one stays listed.
            "candidates": [
                (item, item.pk in chosen)
                for item in progress["leaves"]
                if item.pk in chosen or item not in progress["missing"]
            ],
            "frozen": submission_in_force(campaign.pk),
        },
    )


def _posted(request) -> dict:
    ids = [parse_id(raw) for raw in request.POST.getlist("highlights")]
    if any(pk is None for pk in ids):
        ids = [-1]  # refused by the service as not of this campaign
    return {
        "highlight_item_ids": ids,
        "highlights_text": request.POST.get("highlights_text", ""),
        "shortfalls": request.POST.get("shortfalls", ""),
        "next_steps": request.POST.get("next_steps", ""),
    }


def _errors(exc: Exception) -> dict[str, str]:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return {
            name: "；".join(e.messages[0] for e in errs) for name, errs in exc.error_dict.items()
        }
    return {"general": error_text(exc)}
