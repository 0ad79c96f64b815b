from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from fazhi.core.actions import error_text
from fazhi.core.downloads import xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import QueryFilters, paginate, read_search, show_notes
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import Scope, get_editable_or_404
from fazhi.orgs import exports, selectors, services
from fazhi.orgs.forms import UnitForm, UnitImportForm
from fazhi.orgs.importing import parse_units_file
from fazhi.orgs.models import Unit, UnitKind

OVERSEERS = ("admin", "lead_admin", "reviewer", "leader", "inspector", "expert")


@require_roles(*OVERSEERS)
def region_list(request):
    query = read_search(request, "query")
    regions = selectors.region_list(user=request.user, query=query)
    return render(request, "orgs/region_list.html", {"regions": regions, "query": query})


def _unit_filters(request, *, show: bool = False) -> dict:
    read = QueryFilters(request.GET)
    filters = {
        "query": read.search("query"),
        "region_code": read.text("region_code"),
        "kind": read.text("kind"),
    }
    if show:
        show_notes(request, read.notes)
    return filters


@require_roles(*OVERSEERS)
def unit_list(request):
    filters = _unit_filters(request, show=True)
    page = paginate(request, selectors.unit_list(user=request.user, **filters), per_page=50)
    can_manage = Scope.for_user(request.user).has_role("admin", "lead_admin")
    return render(
        request,
        "orgs/unit_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": UnitKind.choices,
            "can_manage": can_manage,
            "regions": selectors.region_list(user=request.user),
        },
    )


@require_roles(*OVERSEERS)
def unit_export(request):
    response = xlsx_attachment(f"单位名单-{timezone.localdate():%Y%m%d}.xlsx")
    exports.units_xlsx(selectors.unit_list(user=request.user, **_unit_filters(request)), response)
    return response


@require_roles("admin", "lead_admin")
def unit_create(request):
    form = UnitForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(acting_user=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已添加单位 {unit}。")
            return redirect("orgs:units")
    return render(request, "orgs/unit_form.html", {"form": form, "title": "添加单位"})


@require_roles("admin", "lead_admin")
def unit_edit(request, pk):
    unit = get_editable_or_404(Unit, request.user, pk=pk)
    initial = {
        "region": unit.region,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "sort_order": unit.sort_order,
    }
    form = UnitForm(request.POST or None, acting_user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(acting_user=request.user, unit=unit, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已保存单位 {unit}。")
            return redirect("orgs:units")
    return render(request, "orgs/unit_form.html", {"form": form, "title": f"编辑单位 {unit}"})


@require_roles("admin", "lead_admin")
def unit_import(request):
    form = UnitImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = parse_units_file(upload, acting_user=request.user)
        if not report.errors:
            try:
                created, updated = services.units_import(
                    acting_user=request.user, rows=report.rows, source_filename=upload.name
                )
            except (ValidationError, PermissionDenied) as exc:
                report.errors.append(error_text(exc))
            else:
                messages.success(request, f"已导入单位：新建 {created} 个，更新 {updated} 个。")
                return redirect("orgs:units")
    return render(request, "orgs/unit_import.html", {"form": form, "report": report})
