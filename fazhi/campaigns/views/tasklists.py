"""The two lists (两张清单): download the task list and the responsibility list, and import an
edited task list through upload → preview (confirm the uncertain unit names) → confirm/cancel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fazhi.campaigns import selectors
from fazhi.campaigns import tasklists_export as export
from fazhi.campaigns import tasklists_import as importing
from fazhi.campaigns.forms import TaskListUploadForm
from fazhi.campaigns.models import Campaign, TaskListImport
from fazhi.core.downloads import xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404

PREVIEW_ROWS = 500


@login_required
def export_task_list(request, pk):
    """The items of the campaign page under its current filters (the link carries them)."""
    campaign = get_visible_or_404(Campaign, request.user, pk=pk)
    filters = selectors.ItemFilters.from_params(request.GET)
    rows = export.task_list_rows(campaign=campaign, user=request.user, filters=filters)
    response = xlsx_attachment(f"{campaign.name}-任务清单.xlsx")
    export.write_task_list(response, campaign=campaign, rows=rows)
    return response


@login_required
def export_responsibility_list(request, pk):
    campaign = get_visible_or_404(Campaign, request.user, pk=pk)
    filters = selectors.ItemFilters.from_params(request.GET)
    rows = export.responsibility_rows(campaign=campaign, user=request.user, filters=filters)
    response = xlsx_attachment(f"{campaign.name}-责任清单.xlsx")
    export.write_responsibility_list(response, campaign=campaign, rows=rows)
    return response


@require_roles("admin", "lead_admin")
def tasklist_import(request, pk):
    campaign = get_editable_or_404(Campaign.objects.select_related("region"), request.user, pk=pk)
    form = TaskListUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = importing.tasklist_import_preview(
                acting_user=request.user, campaign=campaign, uploaded_file=form.cleaned_data["file"]
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return redirect("campaigns:import_preview", pk=campaign.pk, draft=draft.pk)
    return render(request, "campaigns/tasklist_import.html", {"campaign": campaign, "form": form})


def _load_draft(request, pk, draft) -> tuple[Campaign, TaskListImport]:
    campaign = get_editable_or_404(Campaign.objects.select_related("region"), request.user, pk=pk)
    drafts = TaskListImport.objects.visible_to(request.user).filter(campaign=campaign)
    return campaign, get_object_or_404(drafts, pk=draft)


def _render_preview(request, campaign, draft, answers=None):
    result = draft.result or {}
    records = result.get("records", [])
    return render(
        request,
        "campaigns/tasklist_import_preview.html",
        {
            "campaign": campaign,
            "draft": draft,
            "result": result,
            "counts": result.get("counts", {}),
            "records": records[:PREVIEW_ROWS],
            "truncated": len(records) > PREVIEW_ROWS,
            "names": [
                {**name, "answer": (answers or {}).get(name["key"], "")}
                for name in result.get("names", [])
            ],
            "units": list(
                selectors.assignable_units(campaign=campaign).order_by("sort_order", "name")
            ),
        },
    )


@require_roles("admin", "lead_admin")
def tasklist_import_preview(request, pk, draft):
    campaign, draft = _load_draft(request, pk, draft)
    return _render_preview(request, campaign, draft)


@require_roles("admin", "lead_admin")
@require_POST
def tasklist_import_confirm(request, pk, draft):
    campaign, draft = _load_draft(request, pk, draft)
    answers = {
        name["key"]: request.POST.get(f"name-{name['key']}", "")
        for name in (draft.result or {}).get("names", [])
    }
    try:
        outcome = importing.tasklist_import_commit(
            acting_user=request.user, draft=draft, answers=answers
        )
    except ValidationError as exc:
        # Shown again with the user's choices kept, so that one missing answer costs one click.
        messages.error(request, "；".join(exc.messages))
        return _render_preview(request, campaign, draft, answers=answers)
    messages.success(request, outcome.message)
    return redirect("campaigns:detail", pk=campaign.pk)


@require_roles("admin", "lead_admin")
@require_POST
def tasklist_import_cancel(request, pk, draft):
    campaign, draft = _load_draft(request, pk, draft)
    importing.tasklist_import_cancel(acting_user=request.user, draft=draft)
    messages.info(request, "已取消导入任务清单，没有修改任何内容。")
    return redirect("campaigns:detail", pk=campaign.pk)
