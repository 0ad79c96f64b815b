"""Case-file review pages: standards (list, import with preview, page, export), review activities
(list, new, page with the sample and assignment), the case list import (upload → preview →
confirm), a file's page (score sheet, scans, page notes), and the 评查结果通报 with its Excel and
Word exports. Thin: every rule is the services' and selectors'."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fazhi.accounts.models import User
from fazhi.casereviews import exports, selectors, services, standards
from fazhi.casereviews.forms import (
    CaseListForm,
    NoteForm,
    ReviewForm,
    SampleForm,
    ScanForm,
    StandardUploadForm,
)
from fazhi.casereviews.models import CaseImport, CaseScan, SheetRound, Standard, StandardImport
from fazhi.casereviews.reach import reachable_cases
from fazhi.core.actions import error_text, perform
from fazhi.core.downloads import attachment_header
from fazhi.core.forms import add_service_error
from fazhi.core.listing import paginate, parse_id, read_search
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import Scope, get_editable_or_404, get_visible_or_404, is_editable
from fazhi.evidence.attachments import attachment_response

LEADS = ("admin", "lead_admin")
PER_PAGE = 50
PREVIEW_ROWS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    return response


def _managed(request, pk):
    review = selectors.review_by_ref(user=request.user, ref=pk)
    services.check_manage(request.user, review)
    return review


# -- standards ----------------------------------------------------------------------------------


@login_required
def standard_list(request):
    return render(
        request,
        "casereviews/standard_list.html",
        {"standards": selectors.standard_list(user=request.user)},
    )


@require_roles(*LEADS)
def standard_import(request):
    form = StandardUploadForm(request.POST or None, request.FILES or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = standards.standard_import_preview(
                acting_user=request.user,
                region=data["region"],
                name=data["name"],
                case_type=data["case_type"],
                uploaded_file=data["file"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return redirect("casereviews:standard_preview", draft=draft.pk)
    return render(request, "casereviews/standard_import.html", {"form": form})


def _standard_draft(request, draft):
    drafts = StandardImport.objects.visible_to(request.user).filter(created_by=request.user)
    return get_object_or_404(drafts, pk=draft)


@require_roles(*LEADS)
def standard_preview(request, draft):
    draft = _standard_draft(request, draft)
    return render(request, "casereviews/standard_preview.html", {"draft": draft, **draft.result})


@require_roles(*LEADS)
@require_POST
def standard_confirm(request, draft):
    draft = _standard_draft(request, draft)
    try:
        standard = standards.standard_import_commit(acting_user=request.user, draft=draft)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("casereviews:standard_preview", draft=draft.pk)
    messages.success(request, f"已导入评查标准“{standard}”。")
    return redirect("casereviews:standard", pk=standard.pk)


@login_required
def standard_detail(request, pk):
    standard = get_visible_or_404(Standard.objects.select_related("region"), request.user, pk=pk)
    return render(
        request,
        "casereviews/standard_detail.html",
        {
            "standard": standard,
            "sections": standard.sections.prefetch_related("items"),
            "editable": is_editable(request.user, Standard, standard.pk),
        },
    )


@require_roles(*LEADS)
@require_POST
def standard_thresholds(request, pk):
    standard = get_editable_or_404(Standard, request.user, pk=pk)
    perform(
        request,
        lambda: standards.standard_set_thresholds(
            acting_user=request.user,
            standard=standard,
            excellent=request.POST.get("excellent_from", "").strip()[:10],
            passing=request.POST.get("pass_from", "").strip()[:10],
        ),
        success="已保存等次分数线；之后保存的评查表按新分数线评定等次。",
    )
    return redirect("casereviews:standard", pk=standard.pk)


@login_required
def standard_export(request, pk):
    standard = get_visible_or_404(Standard, request.user, pk=pk)
    stream = BytesIO()
    exports.write_standard(stream, standard)
    return _download(stream.getvalue(), XLSX, f"{standard.name}（第{standard.version}版）.xlsx")


# -- review activities --------------------------------------------------------------------------


@login_required
def review_list(request):
    return render(
        request,
        "casereviews/review_list.html",
        {
            "reviews": selectors.review_list(user=request.user),
            "may_create": Scope.for_user(request.user).has_role(*LEADS),
        },
    )


@require_roles(*LEADS)
def review_create(request):
    form = ReviewForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(acting_user=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已新建案卷评查“{review.name}”，请导入案件清单。")
            return redirect("casereviews:detail", pk=review.pk)
    return render(request, "casereviews/review_form.html", {"form": form})


@login_required
def review_detail(request, pk):
    review = selectors.review_by_ref(user=request.user, ref=pk)
    manage = services.may_manage(request.user, review)
    query = read_search(request)
    only_sampled = request.GET.get("all") != "1"
    cases = selectors.cases_of(
        user=request.user, review=review, sampled_only=only_sampled, query=query
    )
    page = paginate(request, cases, per_page=PER_PAGE)
    rows = [{"case": c, **selectors.case_state(c)} for c in page]
    return render(
        request,
        "casereviews/review_detail.html",
        {
            "review": review,
            "manage": manage,
            "page": page,
            "rows": rows,
            "query": query,
            "only_sampled": only_sampled,
            "draw": review.draws.first(),
            "sample_form": SampleForm() if manage else None,
            "reviewers": review.reviewers.order_by("username") if manage else [],
            "standards": review.standards.all(),
        },
    )


@require_roles(*LEADS)
def cases_import(request, pk):
    review = _managed(request, pk)
    form = CaseListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.cases_import_preview(
                acting_user=request.user, review=review, uploaded_file=form.cleaned_data["file"]
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return redirect("casereviews:import_preview", pk=review.pk, draft=draft.pk)
    return render(request, "casereviews/cases_import.html", {"review": review, "form": form})


def _case_draft(request, pk, draft):
    review = _managed(request, pk)
    drafts = CaseImport.objects.visible_to(request.user).filter(review=review)
    return review, get_object_or_404(drafts, pk=draft)


@require_roles(*LEADS)
def import_preview(request, pk, draft):
    review, draft = _case_draft(request, pk, draft)
    rows = draft.result.get("rows", [])
    return render(
        request,
        "casereviews/cases_preview.html",
        {
            "review": review,
            "draft": draft,
            "rows": rows[:PREVIEW_ROWS],
            "truncated": len(rows) > PREVIEW_ROWS,
            "count": len(rows),
            "problems": draft.result.get("problems", []),
            "skipped": draft.result.get("skipped", []),
        },
    )


@require_roles(*LEADS)
@require_POST
def import_confirm(request, pk, draft):
    review, draft = _case_draft(request, pk, draft)
    try:
        created = services.cases_import_commit(acting_user=request.user, draft=draft)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("casereviews:import_preview", pk=review.pk, draft=draft.pk)
    messages.success(request, f"已导入案件 {len(created)} 件。")
    return redirect(reverse("casereviews:detail", args=[review.pk]) + "?all=1")


@require_roles(*LEADS)
@require_POST
def sample(request, pk):
    review = _managed(request, pk)
    form = SampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "抽取件数、比例或随机种子填写有误：" + form.errors.as_text())
    else:
        perform(
            request,
            lambda: services.sample_draw(
                acting_user=request.user, review=review, **form.cleaned_data
            ),
            success=lambda d: f"已抽取案卷 {len(d.numbers)} 件（随机种子 {d.seed}，可据此复现）。",
        )
    return redirect("casereviews:detail", pk=review.pk)


@login_required
def sample_export(request, pk):
    review = selectors.review_by_ref(user=request.user, ref=pk)
    draw = review.draws.first()
    cases = selectors.cases_of(user=request.user, review=review, sampled_only=True)
    stream = BytesIO()
    exports.write_sample(stream, review, cases, seed=draw.seed if draw else "—")
    return _download(stream.getvalue(), XLSX, f"{review.name}抽样清单.xlsx")


@require_roles(*LEADS)
@require_POST
def assign(request, pk):
    review = _managed(request, pk)
    perform(
        request,
        lambda: services.assign_evenly(acting_user=request.user, review=review),
        success=lambda n: f"已分配案卷 {n} 件（交叉评查，不分给本单位人员）。",
    )
    return redirect("casereviews:detail", pk=review.pk)


# -- the 通报 -------------------------------------------------------------------------------------


@login_required
def feed(request, pk):
    """The review's mean for an applicant's region entered as (a part of) its field score."""
    from fazhi.casereviews import feeds
    from fazhi.fieldwork.selectors import feed_applicants
    from fazhi.fieldwork.views import feed_page

    review = selectors.review_by_ref(user=request.user, ref=pk)
    applicants = feed_applicants(user=request.user, within=review.region)
    regions = {a.campaign.region for a in applicants[:20]}
    figures = []
    for region in sorted(regions, key=lambda r: r.path):
        mean, files = feeds.region_mean_percent(review, region)
        figures.append((f"{region.name}（{files} 件案卷平均分，百分制）", mean))
    return feed_page(
        request,
        subject=review.name,
        figures=figures,
        applicants=applicants,
        feed=lambda applicant, part: feeds.evaluation_score_feed(
            acting_user=request.user, review=review, applicant=applicant, part=part
        ),
        back=reverse("casereviews:report", args=[review.pk]),
    )


@login_required
def report(request, pk):
    review = selectors.review_by_ref(user=request.user, ref=pk)
    result = selectors.review_report(user=request.user, review=review)
    return render(
        request,
        "casereviews/report.html",
        {
            "review": review,
            "report": result,
            "manage": services.may_manage(request.user, review),
            "notices": selectors.unit_problems(review)
            if services.may_manage(request.user, review)
            else [],
            "evidence_items": services.evidence_items(request.user, review)[:200]
            if services.may_manage(request.user, review)
            else [],
        },
    )


@login_required
def report_xlsx(request, pk):
    review = selectors.review_by_ref(user=request.user, ref=pk)
    stream = BytesIO()
    exports.write_report(stream, selectors.review_report(user=request.user, review=review))
    return _download(stream.getvalue(), XLSX, f"{review.name}评查结果.xlsx")


@login_required
def report_docx(request, pk):
    from fazhi.casereviews import reports  # python-docx, loaded for the Word downloads only

    review = selectors.review_by_ref(user=request.user, ref=pk)
    data = reports.report_docx(selectors.review_report(user=request.user, review=review))
    return _download(data, DOCX, f"{review.name}评查结果通报.docx")


@require_roles(*LEADS)
def notice_docx(request, pk, unit):
    from fazhi.casereviews import reports

    review = _managed(request, pk)
    entry = next((e for e in selectors.unit_problems(review) if e["unit"].pk == unit), None)
    if entry is None:
        raise Http404("该单位没有需要整改的案卷。")
    return _download(
        reports.notice_docx(review, entry), DOCX, f"{entry['unit'].name}整改通知单.docx"
    )


@require_roles(*LEADS)
@require_POST
def as_evidence(request, pk):
    review = _managed(request, pk)
    item = (
        services.evidence_items(request.user, review)
        .filter(pk=parse_id(request.POST.get("item", "")) or 0)
        .first()
    )
    if item is None:
        messages.error(request, "请选择要作为佐证材料的任务项。")
    else:
        perform(
            request,
            lambda: services.report_as_evidence(acting_user=request.user, review=review, item=item),
            success=f"已将评查结果通报作为 {item.code} 的佐证材料上传。",
        )
    return redirect("casereviews:report", pk=review.pk)


@require_roles(*LEADS)
@require_POST
def rectify(request, pk):
    review = _managed(request, pk)
    perform(
        request,
        lambda: services.rectification_open(acting_user=request.user, review=review),
        success=lambda found: f"已下发整改通知：{len(found)} 个单位的问题已登记到法治督察。",
    )
    return redirect("casereviews:report", pk=review.pk)


# -- a file -------------------------------------------------------------------------------------


def _case(request, pk):
    return get_object_or_404(
        reachable_cases(request.user).select_related("unit", "review__region"), pk=pk
    )


def _score_lines(post, items) -> tuple[list, list]:
    """The deductions and vetoes as the sheet's form posts them, for the service to check."""
    deductions, vetoes = [], []
    for item in items:
        if item.veto:
            if post.get(f"veto-{item.pk}"):
                vetoes.append(item.code)
            continue
        count = post.get(f"count-{item.pk}", "").strip()
        points = post.get(f"points-{item.pk}", "").strip()
        if not count and not points:
            continue
        entry = {
            "item": item.code,
            "reason": post.get(f"reason-{item.pk}", "")[:1000],
            "page": post.get(f"page-{item.pk}", "").strip(),
        }
        entry["count" if count else "points"] = count or points
        if count and points:
            entry["points"] = points
        deductions.append(entry)
    return deductions, vetoes


@login_required
def case_detail(request, pk):
    case = _case(request, pk)
    sheet = services.current_sheet(case)
    standard = case.review.standards.filter(case_type=case.case_type).first()
    items = list(standard.sections.prefetch_related("items")) if standard is not None else []
    may_score = (
        case.sampled and standard is not None and services.may_score(request.user, case, sheet)
    )
    posted = {}
    if request.method == "POST":
        if not may_score:
            raise PermissionDenied("案卷不是交由您评查的，或您属于本单位，不能评查。")
        flat = [i for s in items for i in s.items.all()]
        deductions, vetoes = _score_lines(request.POST, flat)
        try:
            scored = services.sheet_score(
                acting_user=request.user,
                case=case,
                deductions=deductions,
                vetoes=vetoes,
                disputed=bool(request.POST.get("disputed")),
                comment=request.POST.get("comment", "")[:2000],
                version=parse_id(request.POST.get("version", "")) or 0,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            posted = request.POST
        else:
            messages.success(request, f"已保存评查表：{scored.total} 分，{scored.grade}。")
            return redirect("casereviews:case", pk=case.pk)
    sections = _sheet_rows(items, sheet, posted)
    manage = services.may_manage(request.user, case.review)
    sheets = list(case.sheets.select_related("reviewer"))
    return render(
        request,
        "casereviews/case_detail.html",
        {
            "case": case,
            "review": case.review,
            "sheet": sheet,
            "sheets": sheets,
            "standard": standard,
            "sections": sections,
            "may_score": may_score,
            "manage": manage,
            "needs_second": bool(sheet and services.needs_second_review(sheet)),
            "reviewers": User.objects.filter(pk__in=case.review.reviewers.values("pk"))
            .exclude(unit_id=case.unit_id)
            .order_by("username")
            if manage
            else [],
            "scans": CaseScan.objects.filter(case=case).prefetch_related("notes"),
            "may_work": services.may_work_on(request.user, case),
            "may_note": services.may_work_on(request.user, case)
            and not services.sits_in_unit(request.user, case),
            "scan_form": ScanForm(),
            "note_form": NoteForm(),
        },
    )


def _sheet_rows(sections, sheet, posted) -> list[dict]:
    """Each section's items with what the sheet holds (or what was just posted and refused)."""
    entered = {d.item_id: d for d in sheet.deductions.all()} if sheet is not None else {}
    vetoes = set(sheet.vetoes) if sheet is not None else set()
    rows = []
    for section in sections:
        lines = []
        for item in section.items.all():
            if posted:
                value = {
                    key: posted.get(f"{key}-{item.pk}", "")
                    for key in ("count", "points", "reason", "page", "veto")
                }
            else:
                d = entered.get(item.pk)
                value = {
                    "count": d.count if d and d.count else "",
                    "points": d.points.normalize() if d and not d.count else "",
                    "reason": d.reason if d else "",
                    "page": d.page if d and d.page else "",
                    "veto": item.code in vetoes,
                    "taken": d.points.normalize() if d else "",
                }
            lines.append({"item": item, **value})
        rows.append({"section": section, "lines": lines})
    return rows


@require_roles(*LEADS)
@require_POST
def case_assign(request, pk):
    case = _case(request, pk)
    services.check_manage(request.user, case.review)
    reviewer = User.objects.filter(
        pk=parse_id(request.POST.get("reviewer", "")) or 0,
        pk__in=case.review.reviewers.values("pk"),
    ).first()
    round_ = SheetRound.SECOND if request.POST.get("round") == "2" else SheetRound.FIRST
    if reviewer is None:
        messages.error(request, "请从本次评查的评查人员中选择。")
    else:
        perform(
            request,
            lambda: services.case_assign(
                acting_user=request.user, case=case, reviewer=reviewer, round=round_
            ),
            success=lambda s: (
                f"已将案卷 {case.number} 的{s.get_round_display()}交由 {reviewer} 评查。"
            ),
        )
    return redirect("casereviews:case", pk=case.pk)


@login_required
@require_POST
def scan_upload(request, pk):
    case = _case(request, pk)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择扫描件文件。")
    else:
        perform(
            request,
            lambda: services.scan_upload(
                acting_user=request.user, case=case, file=form.cleaned_data["file"]
            ),
            success="已上传扫描件。",
        )
    return redirect("casereviews:case", pk=case.pk)


def _scan(request, pk):
    scan = get_object_or_404(CaseScan.objects.select_related("blob", "case"), pk=pk)
    if not reachable_cases(request.user).filter(pk=scan.case_id).exists():
        raise Http404("没有找到该扫描件，或您无权查看。")
    return scan


@login_required
def scan_download(request, pk):
    scan = _scan(request, pk)
    return attachment_response(request, scan.blob, scan.original_name)


@login_required
@require_POST
def note_add(request, pk):
    scan = _scan(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写页码（正整数）和批注内容。")
    else:
        perform(
            request,
            lambda: services.page_note_add(
                acting_user=request.user, scan=scan, **form.cleaned_data
            ),
            success=lambda n: f"已添加第 {n.page} 页批注。",
        )
    return redirect("casereviews:case", pk=scan.case_id)
