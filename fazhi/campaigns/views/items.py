"""Item pages: the liaison's task list, one item with its units and materials, refinement and
the status actions (submit, return, approve)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from fazhi.campaigns import selectors, self_assessment, services, stages
from fazhi.campaigns.deadlines import reminder_days
from fazhi.campaigns.forms import ItemForm, ReturnForm
from fazhi.campaigns.models import Campaign, Item, ItemStatus
from fazhi.core.actions import perform
from fazhi.core.forms import add_service_error
from fazhi.core.listing import paginate, parse_id, pk_url
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import Scope, get_editable_or_404, get_visible_or_404, is_editable
from fazhi.evidence import selectors as evidence_selectors
from fazhi.evidence.services import STORED_ONLY_SUFFIXES
from fazhi.filing.choices import filing_decisions
from fazhi.inspections.models import INSPECT_ROLES
from fazhi.orgs.models import Unit
from fazhi.plans import links as plan_links
from fazhi.plans import selectors as plan_selectors
from fazhi.reviews.selectors import item_panel, may_see_score_sheet


def _load(request, pk) -> Item:
    """Withdrawn (archived) items too: the item page is where their materials stay readable."""
    queryset = Item.with_archived.select_related(
        "campaign__region", "node__parent__parent", "parent"
    ).prefetch_related("campaign__stages")  # read by every stage check of the page
    return get_visible_or_404(queryset, request.user, pk=pk)


@login_required
def my_tasks(request):
    status = request.GET.get("status", "")
    items = selectors.my_tasks(user=request.user, status=status)
    page = paginate(request, items, per_page=50)
    item_url = pk_url("campaigns:item")
    own = evidence_selectors.own_evidence_counts(items=page, unit_id=request.user.unit_id)
    return render(
        request,
        "campaigns/my_tasks.html",
        {
            "page": page,
            "rows": [
                _task_row(
                    item, state, own=own.get(item.pk, 0), unit_id=request.user.unit_id, url=item_url
                )
                for item, state in selectors.with_deadline_states(page)
            ],
            "due_days": reminder_days(),
            "status": status,
            "statuses": ItemStatus.choices,
            "returned": items.filter(status=ItemStatus.RETURNED).count(),
            # Plan measures beside campaign items: the year's work, not only the campaign's.
            "measures": plan_selectors.my_measures(user=request.user, today=timezone.localdate()),
        },
    )


def _task_row(item: Item, state: str, *, own: int, unit_id: int | None, url) -> dict:
    """A line of the liaison's task list as the strings it shows, made here rather than by
    template tags and includes per cell."""
    lead = selectors.lead_of(item)
    missing = ""  # what the unit has still to upload, when it has nothing yet
    if item.status != ItemStatus.RETURNED and not own:
        needed = Truncator(item.required_evidence).chars(60)
        missing = f"尚未上传材料：{needed}" if needed else "尚未上传材料"
    return {
        "campaign": item.campaign.name,
        "code": item.code,
        "url": url(item.pk),
        "title": Truncator(item.title).chars(70),
        "is_lead": lead is not None and lead.pk == unit_id,
        "deadline": f"{item.deadline:%Y-%m-%d}" if item.deadline else "—",
        "state": state,
        "status": item.status,
        "status_label": item.get_status_display(),
        "own_evidence": own,
        "return_reason": item.return_reason if item.status == ItemStatus.RETURNED else "",
        "missing": missing,
    }


@login_required
def item_detail(request, pk, *, decision_form=None, explanation_draft=None):
    """The item page. `decision_form` is a refused verdict, shown again on the review panel with
    its error (reviews.views.review_decide renders the page with it); `explanation_draft` a
    refused 自评说明, shown again in its form."""
    item = _load(request, pk)
    campaign = item.campaign
    archived = item.archived_at is not None  # read-only: no upload, submit, edit or review
    can_edit = not archived and is_editable(request.user, Campaign, campaign.pk)
    # Closed by the campaign's stage (campaigns.stages), unless the lead office reopened it.
    stage_closed = not stages.is_open(campaign, "upload") and not stages.item_reopened(item)
    evidence = list(evidence_selectors.item_evidence(item=item, user=request.user))
    duplicates = evidence_selectors.duplicated_among(
        campaign=campaign, user=request.user, blob_ids=[e.current.blob_id for e in evidence]
    )
    filing = filing_decisions(item, evidence)  # the lead office's 申报清单, as the unit sees it
    assignments = list(item.assignments.select_related("unit").order_by("role", "unit__name"))
    children = list(
        Item.with_archived.filter(parent=item).visible_to(request.user).order_by("sort_key")
    )
    # The stored evidence_count counts every unit's materials, other units' drafts too.
    materials = evidence_selectors.visible_evidence_counts(items=children, user=request.user)
    may_submit = services.may_submit(request.user, item)  # who may also write the 自评说明
    review_panel = item_panel(
        item=item, user=request.user, decision_form=decision_form, may_submit=may_submit
    )
    # The uploader asks htmx for the material list alone once its uploads are done.
    fragment = request.htmx and request.htmx.target == "item-evidence"
    return render(
        request,
        "campaigns/_item_evidence.html" if fragment else "campaigns/item_detail.html",
        {
            "item": item,
            "campaign": campaign,
            "area_group": selectors.area_heading(item),
            "assignments": assignments,
            "children": [(child, materials[child.pk]) for child in children],
            "evidence": [
                {
                    "e": e,
                    "duplicate": e.current and e.current.blob_id in duplicates,
                    "out_of_period": evidence_selectors.is_out_of_period(e, campaign),
                    "filing": filing[e.pk],
                }
                for e in evidence
            ],
            "deleted": evidence_selectors.item_evidence(item=item, user=request.user, deleted=True),
            "can_edit": can_edit,
            "archived": archived,
            "can_see_scores": may_see_score_sheet(request.user),
            # A return that calls for rectification can become a finding (inspections).
            "may_raise_finding": not archived
            and item.status == ItemStatus.RETURNED
            and Scope.for_user(request.user).has_role(*INSPECT_ROLES),
            "stage_closed": stage_closed,
            "current_stage": stages.current_stage(campaign),
            "can_reopen": can_edit and not children and item.status != ItemStatus.APPROVED,
            "can_upload": not archived
            and not stage_closed
            and _can_upload(request.user, item, assignments, can_edit),
            "can_submit": not archived
            and not stage_closed
            and may_submit
            and item.status in {*services.OPEN_STATES, ItemStatus.RETURNED}
            and not item.children.exists(),
            # While a round covers the item, verdicts go through the round's form instead.
            "can_review": not archived
            and services.may_review(request.user, item)
            and item.status in services.LOCKED_STATES
            and review_panel["review"] is None,
            "review_panel": review_panel,
            "unresolved": _unresolved_rows(item) if can_edit else [],
            "refine_form": ItemForm() if can_edit else None,
            "return_form": ReturnForm(),
            "upload_limit_mb": settings.FAZHI_UPLOAD_MAX_BYTES // (1024 * 1024),
            "stored_only": sorted(STORED_ONLY_SUFFIXES),
            # Progress files of the work plan measures serving this indicator.
            "plan_files": list(plan_links.offered_files(user=request.user, item=item))
            if not children and not archived
            else [],
            "explanation": _explanation_panel(
                request.user, item, children, explanation_draft, may=may_submit
            ),
        },
    )


def _explanation_panel(user, item: Item, children, draft: str | None, *, may: bool) -> dict | None:
    """The 自评说明 beside the materials: read by all who see the item (the reviewers too), a
    form for the lead unit's liaison and the lead office (`may`: self_assessment.may_explain)
    while it is open."""
    if children:
        return None
    current = self_assessment.explanation_of(item)
    closed = self_assessment.explanation_closed(user, item) if may else ""
    return {
        "current": current,
        "may_edit": may and not closed,
        "closed": closed if may else "",
        "text": current.text if current and draft is None else (draft or ""),
        "version": current.version if current else "",
    }


def _can_upload(user, item, assignments, can_edit) -> bool:
    scope = Scope.for_user(user)
    assigned = can_edit or any(a.unit_id == scope.unit_id for a in assignments)
    return bool(assigned and assignments) and item.status not in services.LOCKED_STATES


def _unresolved_rows(item: Item) -> list[dict]:
    units = Unit.objects.in_bulk(
        [pk for entry in item.unresolved_units for pk in entry["candidates"]]
    )
    return [
        {**entry, "candidate_units": [units[pk] for pk in entry["candidates"] if pk in units]}
        for entry in item.unresolved_units
    ]


@require_roles("admin", "lead_admin")
@require_POST
def item_reopen(request, pk):
    item = get_editable_or_404(Item.objects.select_related("campaign"), request.user, pk=pk)
    perform(
        request,
        lambda: services.item_reopen(
            acting_user=request.user, item=item, reason=request.POST.get("reason", "")
        ),
        success=f"已重新开放 {item.code}：单位可以继续上传材料并提交，直到审核通过。",
    )
    return redirect("campaigns:item", pk=item.pk)


@require_roles("admin", "lead_admin")
def item_edit(request, pk):
    item = get_editable_or_404(Item.objects.select_related("campaign"), request.user, pk=pk)
    form = ItemForm.for_item(item, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(acting_user=request.user, item=item, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已保存 {item.code}。")
            return redirect("campaigns:item", pk=item.pk)
    return render(request, "campaigns/item_edit.html", {"form": form, "item": item})


@require_roles("admin", "lead_admin")
@require_POST
def item_refine(request, pk):
    parent = get_editable_or_404(Item.objects.select_related("campaign"), request.user, pk=pk)
    form = ItemForm(request.POST)
    if not form.is_valid():
        errors = "；".join(e for es in form.errors.values() for e in es)
        messages.error(request, f"细化指标未保存：{errors}")
    else:
        perform(
            request,
            lambda: services.item_refine(
                acting_user=request.user, parent=parent, **form.cleaned_data
            ),
            success=lambda child: f"已添加细化指标 {child.code}。",
        )
    return redirect("campaigns:item", pk=parent.pk)


@require_roles("admin", "lead_admin")
@require_POST
def item_delete(request, pk):
    item = get_editable_or_404(Item.objects.select_related("campaign"), request.user, pk=pk)
    deleted = perform(
        request,
        lambda: services.item_delete(acting_user=request.user, item=item),
        success=f"已删除细化指标 {item.code}。",
    )
    if not deleted:
        return redirect("campaigns:item", pk=item.pk)
    if item.parent_id:
        return redirect("campaigns:item", pk=item.parent_id)
    return redirect("campaigns:detail", pk=item.campaign_id)


@require_roles("admin", "lead_admin")
@require_POST
def item_resolve_unit(request, pk):
    item = get_editable_or_404(Item.objects.select_related("campaign__region"), request.user, pk=pk)
    ids = [pk for pk in map(parse_id, request.POST.getlist("units")) if pk]
    units = list(selectors.assignable_units(campaign=item.campaign).filter(pk__in=ids))
    text = request.POST.get("text", "")
    names = "、".join(u.display_name for u in units) or "不分配"
    perform(
        request,
        lambda: services.item_resolve_unit(
            acting_user=request.user, item=item, text=text, units=units
        ),
        success=f"“{text}”已确认为：{names}。",
    )
    return redirect("campaigns:item", pk=item.pk)


@login_required
@require_POST
def item_submit(request, pk):
    item = _load(request, pk)
    perform(
        request,
        lambda: services.item_submit(
            acting_user=request.user, item=item, note=request.POST.get("note", "")
        ),
        success=f"{item.code} 已提交审核。",
    )
    return redirect("campaigns:item", pk=item.pk)


@login_required
@require_POST
def item_return(request, pk):
    item = _load(request, pk)
    form = ReturnForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    perform(
        request,
        lambda: services.item_return(acting_user=request.user, item=item, reason=reason),
        success=f"{item.code} 已退回。",
    )
    return redirect("campaigns:item", pk=item.pk)


@login_required
@require_POST
def item_approve(request, pk):
    item = _load(request, pk)
    perform(
        request,
        lambda: services.item_approve(acting_user=request.user, item=item),
        success=f"{item.code} 已审核通过。",
    )
    return redirect("campaigns:item", pk=item.pk)
