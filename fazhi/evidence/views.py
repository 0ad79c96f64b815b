"""Material pages and endpoints: upload (several files, or a ZIP), a campaign's ledger of
materials (材料台账) and its Excel export, details and metadata, download of any version,
replace, delete and restore."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from fazhi.campaigns.models import Campaign, Item
from fazhi.campaigns.selectors import area_key, campaign_areas, unit_choices
from fazhi.core.actions import error_text, perform
from fazhi.core.downloads import stored_file_response, xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import options_html, paginate, parse_id, pk_url, show_notes
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404
from fazhi.evidence import intake, ledger, selectors, services
from fazhi.evidence.forms import ArchiveForm, EvidenceForm
from fazhi.evidence.models import Evidence, ExtractStatus
from fazhi.evidence.uploads import oversize_uploads
from fazhi.orgs.models import Unit

TEXT_PREVIEW_CHARS = 20000
LEDGER_PER_PAGE = 50


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def evidence_upload(request, item_pk):
    """Several files to one item; each is stored or refused on its own. The page's uploader
    sends one file per request to show a progress bar per file, and reads the JSON answer."""
    item = get_visible_or_404(
        Item.objects.select_related("campaign__region"), request.user, pk=item_pk
    )
    unit = _chosen_unit(request, item)
    results = [
        {"name": name, "ok": False, "error": "超过单个文件大小上限，未上传。"}
        for name in oversize_uploads(request)
    ]
    files = request.FILES.getlist("files")
    if not files and not results:
        results.append({"name": "", "ok": False, "error": "请选择要上传的文件。"})
    for upload in files:
        outcomes = intake.receive_file(
            acting_user=request.user,
            campaign=item.campaign,
            name=upload.name,
            file=upload,
            item=item,
            unit=unit,
        )
        results += [
            {"name": o.path, "ok": o.ok, "error": o.error, "archive": o.archive} for o in outcomes
        ]
    if _wants_json(request):
        status = 200 if any(r["ok"] for r in results) else 400
        return JsonResponse({"results": results}, status=status)
    for result in results:
        if result["ok"]:
            messages.success(request, f"已上传“{result['name']}”。")
        else:
            messages.error(request, result["error"])
    return redirect("campaigns:item", pk=item.pk)


def _chosen_unit(request, item):
    """The lead office may say for which unit it uploads; a liaison always uploads for its own."""
    unit_id = parse_id(request.POST.get("unit", ""))
    if unit_id is None:
        return None
    return Unit.objects.filter(pk=unit_id, assignments__item=item).first()


@login_required
def archive_upload(request, campaign_pk):
    """A ZIP for the whole campaign: each file lands on the item its folder names."""
    campaign = get_visible_or_404(Campaign, request.user, pk=campaign_pk)
    form = ArchiveForm(request.POST or None, request.FILES or None)
    outcomes = None
    if request.method == "POST" and oversize_uploads(request):
        form.add_error("archive", "压缩包超过单个文件大小上限，未上传。")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["archive"]
        try:
            outcomes = intake.import_archive(
                acting_user=request.user, campaign=campaign, name=upload.name, file=upload
            )
        except ValidationError as exc:
            form.add_error("archive", error_text(exc))
    return render(
        request,
        "evidence/archive_upload.html",
        {
            "campaign": campaign,
            "form": form,
            "outcomes": outcomes,
            "stored": sum(1 for o in outcomes or [] if o.ok),
            "failed": sum(1 for o in outcomes or [] if not o.ok),
        },
    )


@login_required
def evidence_ledger(request, pk):
    """Every material of the campaign the user may see, filtered; the export link carries the
    same query string to `ledger_export`."""
    campaign = get_visible_or_404(
        Campaign.objects.select_related("region", "framework"), request.user, pk=pk
    )
    filters = selectors.LedgerFilters.from_params(request.GET)
    show_notes(request, filters.notes)
    evidence = selectors.evidence_ledger(campaign=campaign, user=request.user, filters=filters)
    page = paginate(request, selectors.ledger_ids(evidence), per_page=LEDGER_PER_PAGE)
    detail_url = pk_url("evidence:detail")
    return render(
        request,
        "evidence/ledger.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": [
                _ledger_row(line, url=detail_url) for line in selectors.ledger_lines(list(page))
            ],
            "filters": filters,
            "unit_options": options_html(unit_choices(campaign=campaign), selected=filters.unit_id),
            "areas": [(area_key(area.sort_key), area) for area in campaign_areas(campaign)],
            "kinds": [
                (kind, ledger.kind_label(kind))
                for kind in selectors.ledger_kinds(campaign=campaign, user=request.user)
            ],
            "extract_statuses": ExtractStatus.choices,
            "may_see_deleted": selectors.may_see_deleted(request.user),
        },
    )


def _ledger_row(line: dict, *, url) -> dict:
    """A ledger line as the strings the table shows, made here rather than by template filters
    per cell (50 lines of 10 cells were most of the page's time). Every line has its current
    file (`evidence_ledger` lists no material without one)."""
    return {
        "pk": line["pk"],
        "url": url(line["pk"]),
        "code": line["item__code"],
        "title": Truncator(line["title"]).chars(50),
        "item_title": Truncator(line["item__title"]).chars(40),
        "deleted": line["deleted_at"] is not None,
        "doc_number": line["doc_number"] or "—",
        "issued_on": f"{line['issued_on']:%Y-%m-%d}" if line["issued_on"] else "—",
        "unit": line["unit__short_name"] or line["unit__name"],
        "file_name": line["current__original_name"],
        "kind": ledger.kind_label(line["kind"]),
        "size": filesizeformat(line["current__blob__size"]),
        "pages": line["current__blob__page_count"] or "",
        "extract": ExtractStatus(line["current__blob__extract_status"]).label,
        "ocr": bool(line["current__blob__ocr_pages"]),
        "uploader": line["uploaded_by__display_name"] or line["uploaded_by__username"] or "",
        "uploaded_at": f"{timezone.localtime(line['created_at']):%Y-%m-%d %H:%M}",
        "versions": line["version_count"],
    }


@login_required
def ledger_export(request, pk):
    campaign = get_visible_or_404(Campaign, request.user, pk=pk)
    filters = selectors.LedgerFilters.from_params(request.GET)
    response = xlsx_attachment(f"{campaign.name}-材料台账.xlsx")
    ledger.write_ledger(
        response,
        evidence=selectors.evidence_ledger(campaign=campaign, user=request.user, filters=filters),
        with_deleted=filters.include_deleted and selectors.may_see_deleted(request.user),
    )
    return response


def _load(request, pk, *, editable=False) -> Evidence:
    queryset = Evidence.objects.select_related(
        "item__campaign__region", "unit", "current__blob", "uploaded_by"
    )
    getter = get_editable_or_404 if editable else get_visible_or_404
    return getter(queryset, request.user, pk=pk)


@login_required
def evidence_detail(request, pk):
    evidence = _load(request, pk)
    can_edit = Evidence.objects.editable_by(request.user).filter(pk=pk).exists()
    initial = {name: getattr(evidence, name) for name in services.METADATA_FIELDS}
    form = EvidenceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您可以查看但无权修改该材料。")
        if form.is_valid():
            try:
                services.evidence_update(
                    acting_user=request.user, evidence=evidence, **form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "已保存材料信息。")
                return redirect("evidence:detail", pk=evidence.pk)
    blob = evidence.current.blob if evidence.current else None
    campaign = evidence.item.campaign
    return render(
        request,
        "evidence/evidence_detail.html",
        {
            "evidence": evidence,
            "blob": blob,
            "text": blob.text[:TEXT_PREVIEW_CHARS] if blob else "",
            "text_cut": blob is not None and len(blob.text) > TEXT_PREVIEW_CHARS,
            "versions": selectors.evidence_versions(evidence=evidence),
            "form": form,
            "can_edit": can_edit,
            "out_of_period": selectors.is_out_of_period(evidence, campaign),
            "campaign": campaign,
        },
    )


@login_required
def evidence_download(request, pk):
    evidence = _load(request, pk)
    number = request.GET.get("version", "")
    versions = evidence.versions.select_related("blob")
    version = versions.filter(number=parse_id(number)).first() if number else evidence.current
    if version is None:
        raise Http404("没有该版本。")
    blob = version.blob
    return stored_file_response(
        request,
        blob.storage_name,
        missing="文件内容缺失，请联系管理员从备份恢复。",
        size=blob.size,
        filename=version.original_name,
        etag=blob.sha256,
        content_type="application/octet-stream",
    )


@login_required
@require_POST
def evidence_replace(request, pk):
    evidence = _load(request, pk, editable=True)
    upload = request.FILES.get("file")
    if oversize_uploads(request) or upload is None:
        messages.error(request, "请选择新文件（单个文件不能超过大小上限）。")
    else:
        perform(
            request,
            lambda: services.evidence_replace(
                acting_user=request.user, evidence=evidence, file=upload
            ),
            success=lambda v: f"已更换文件，当前为第 {v.number} 版；旧版本仍可下载。",
        )
    return redirect("evidence:detail", pk=evidence.pk)


@login_required
@require_POST
def evidence_delete(request, pk):
    evidence = _load(request, pk, editable=True)
    perform(
        request,
        lambda: services.evidence_delete(acting_user=request.user, evidence=evidence),
        success=f"已删除“{evidence.title}”，可在该任务项的“已删除材料”中恢复。",
    )
    return redirect("campaigns:item", pk=evidence.item_id)


@login_required
@require_POST
def evidence_restore(request, pk):
    evidence = _load(request, pk, editable=True)
    perform(
        request,
        lambda: services.evidence_restore(acting_user=request.user, evidence=evidence),
        success=f"已恢复“{evidence.title}”。",
    )
    return redirect("campaigns:item", pk=evidence.item_id)
