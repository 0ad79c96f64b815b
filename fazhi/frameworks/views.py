from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fazhi.core.actions import perform
from fazhi.core.downloads import attachment_header, xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import QueryFilters, paginate, read_search, show_notes
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404
from fazhi.frameworks import exports, selectors, services
from fazhi.frameworks.forms import FrameworkImportForm, ScoringForm
from fazhi.frameworks.models import Framework, FrameworkImport, ImportStatus
from fazhi.frameworks.tree import TreeError, nest, points_label

PREVIEW_ROWS = 300


@login_required
def framework_list(request):
    query = read_search(request, "query")
    page = paginate(request, selectors.framework_list(user=request.user, query=query))
    editable = set(Framework.objects.editable_by(request.user).values_list("pk", flat=True))
    return render(
        request,
        "frameworks/framework_list.html",
        {
            "page": page,
            "query": query,
            "editable": editable,
            "pending": selectors.pending_imports(user=request.user),
        },
    )


@login_required
def framework_detail(request, pk):
    framework = get_visible_or_404(
        Framework.objects.select_related("owner_region"), request.user, pk=pk
    )
    query = read_search(request, "q")
    rows = selectors.framework_rows(framework=framework)
    matches = selectors.node_matches(framework=framework, query=query) if query else None
    shown = [row for row in rows if matches is None or row["code"] in matches]
    can_edit = Framework.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "frameworks/framework_detail.html",
        {
            "framework": framework,
            "tree": nest(shown, fields=(*selectors.ROW_FIELDS,)),
            "query": query,
            "match_count": len(matches) if matches is not None else None,
            "areas": selectors.framework_area_summary(rows=rows),
            "can_edit": can_edit,
            "scoring_form": ScoringForm(initial=_scoring(framework)) if can_edit else None,
        },
    )


def _scoring(framework: Framework) -> dict:
    return {"aggregation": framework.aggregation, "veto_effect": framework.veto_effect}


@require_roles("admin", "lead_admin")
@require_POST
def framework_scoring(request, pk):
    framework = get_editable_or_404(Framework, request.user, pk=pk)
    form = ScoringForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: services.framework_scoring_update(
                acting_user=request.user, framework=framework, **form.cleaned_data
            ),
            success="计分方式已保存，所有使用该指标体系的活动按新方式汇总。",
        )
    else:
        messages.error(request, "计分方式未保存：请选择汇总方式和否决项作用范围。")
    return redirect("frameworks:detail", pk=framework.pk)


@login_required
def framework_export(request, pk, fmt):
    framework = get_visible_or_404(Framework, request.user, pk=pk)
    rows = selectors.framework_rows(framework=framework)
    exported = exports.export_framework(framework, rows, fmt)
    if exported is None:
        raise Http404("不支持的导出格式。")
    body, content_type, suffix = exported
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = attachment_header(
        f"{framework.name}-{framework.edition}.{suffix}"
    )
    return response


@require_roles("admin", "lead_admin")
@require_POST
def framework_delete(request, pk):
    framework = get_editable_or_404(Framework, request.user, pk=pk)
    services.framework_delete(acting_user=request.user, framework=framework)
    messages.success(request, f"已删除指标体系 {framework}。")
    return redirect("frameworks:list")


@require_roles("admin", "lead_admin")
def framework_import(request):
    form = FrameworkImportForm(
        request.POST or None, request.FILES or None, acting_user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form.is_document:
                framework = _import_document(request, form)
                messages.success(request, f"已导入 {framework}：{framework.node_count} 个节点。")
                return redirect("frameworks:detail", pk=framework.pk)
            draft = services.framework_import_upload(
                acting_user=request.user,
                uploaded_file=data["file"],
                name=data["name"],
                edition=data["edition"],
                owner_region=data["owner_region"],
            )
            return redirect("frameworks:import_preview", pk=draft.pk)
        except TreeError as exc:
            for error in exc.errors[:50]:
                form.add_error("file", error)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
    return render(request, "frameworks/import_upload.html", {"form": form})


def _import_document(request, form) -> Framework:
    upload = form.cleaned_data["file"]
    return services.framework_import_document(
        acting_user=request.user,
        text=b"".join(upload.chunks()).decode("utf-8-sig", errors="replace"),
        name=form.cleaned_data.get("name", ""),
        edition=form.cleaned_data.get("edition", ""),
        owner_region=form.cleaned_data["owner_region"],
        source_filename=upload.name,
    )


def _load_draft(request, pk) -> FrameworkImport:
    try:
        return selectors.import_draft(user=request.user, pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404("没有找到该导入，或它不属于您。") from exc


@require_roles("admin", "lead_admin")
def framework_import_preview(request, pk):
    draft = _load_draft(request, pk)
    if draft.status == ImportStatus.PARSING:
        # A worker reads the table; the page polls this view for its progress bar.
        template = (
            "frameworks/_import_progress.html" if request.htmx else "frameworks/import_parsing.html"
        )
        return render(request, template, {"draft": draft})
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # read: the page shows the preview or the errors
        return response
    result = draft.result or {}
    nodes = result.get("nodes", [])
    return render(
        request,
        "frameworks/import_preview.html",
        {
            "draft": draft,
            "result": result,
            "nodes": nodes[:PREVIEW_ROWS],
            "node_count": len(nodes),
            "truncated": len(nodes) > PREVIEW_ROWS,
            "level_counts": _level_counts(nodes),
        },
    )


def _level_counts(nodes: list[dict]) -> list[tuple[int, int]]:
    counts: dict[int, int] = {}
    for node in nodes:
        counts[node["level"]] = counts.get(node["level"], 0) + 1
    return sorted(counts.items())


@require_roles("admin", "lead_admin")
@require_POST
def framework_import_confirm(request, pk):
    draft = _load_draft(request, pk)
    try:
        framework = services.framework_import_commit(acting_user=request.user, draft=draft)
    except (ValidationError, PermissionDenied, TreeError) as exc:
        messages.error(
            request, "；".join(getattr(exc, "messages", None) or getattr(exc, "errors", [str(exc)]))
        )
        return redirect("frameworks:import_preview", pk=draft.pk)
    messages.success(
        request,
        f"已导入 {framework}：{framework.node_count} 个节点，总分 {points_label(framework.total_points)}。",
    )
    return redirect("frameworks:detail", pk=framework.pk)


@require_roles("admin", "lead_admin")
@require_POST
def framework_import_cancel(request, pk):
    draft = _load_draft(request, pk)
    services.framework_import_cancel(acting_user=request.user, draft=draft)
    messages.info(request, "已取消导入，没有保存任何内容。")
    return redirect("frameworks:list")


@login_required
def framework_diff(request):
    frameworks = selectors.framework_list(user=request.user)
    read = QueryFilters(request.GET)
    old_id, new_id = read.id("old", "旧版本"), read.id("new", "新版本")
    show_notes(request, read.notes)
    # The form's selects compare these with each option's id as text.
    context = {"frameworks": frameworks, "old_id": str(old_id or ""), "new_id": str(new_id or "")}
    if old_id and new_id:
        old = get_visible_or_404(Framework, request.user, pk=old_id)
        new = get_visible_or_404(Framework, request.user, pk=new_id)
        diff = exports.compare(old, new)
        if request.GET.get("export") == "xlsx":
            response = xlsx_attachment(f"版本对比-{old.edition}-{new.edition}.xlsx")
            exports.diff_xlsx(diff, response, old=old, new=new)
            return response
        kind = request.GET.get("kind", "")
        entries = [
            e for e in diff.entries if not kind or e.kind == kind or (kind == "moved" and e.moved)
        ]
        context.update(
            old=old, new=new, diff=diff, kind=kind, page=paginate(request, entries, per_page=50)
        )
    return render(request, "frameworks/diff.html", context)
