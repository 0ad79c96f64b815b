"""The lead office's pages: banks (import with preview, questions, exports), tests (set-up with
blueprints, roster, 抽考, codes), results with item analysis, and blind grading of 简答. A unit's
liaison reaches a test's page for its own people's results only."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fazhi.core.actions import perform
from fazhi.core.downloads import attachment_header, xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import paginate, parse_number, read_search
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404, is_editable
from fazhi.exams import exports, roster, selectors, services, sittings
from fazhi.exams.forms import BankUploadForm, DrawForm, ExamForm, RosterForm
from fazhi.exams.models import BankImport, Exam, QuestionBank, QuestionType

OWNERS = ("admin", "lead_admin")


@login_required
def exam_list(request):
    query = read_search(request, "q")
    page = paginate(request, selectors.exam_list(user=request.user, query=query))
    banks = selectors.bank_list(user=request.user)[:20]
    return render(request, "exams/exam_list.html", {"page": page, "query": query, "banks": banks})


@require_roles(*OWNERS)
def bank_import(request):
    form = BankUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.bank_import_preview(
                acting_user=request.user,
                region=_own_region(request.user),
                name=form.cleaned_data["name"],
                uploaded_file=form.cleaned_data["file"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            return redirect("exams:bank_preview", draft=draft.pk)
    return render(request, "exams/bank_import.html", {"form": form})


def _own_region(user):
    if user.region is None:
        raise ValidationError("您的账号没有所属地区，无法建立题库。")
    return user.region


def _draft(request, draft) -> BankImport:
    drafts = BankImport.objects.editable_by(request.user).select_related("region")
    return get_object_or_404(drafts, pk=draft)


@require_roles(*OWNERS)
def bank_preview(request, draft):
    draft = _draft(request, draft)
    questions = draft.result.get("questions", [])
    return render(
        request,
        "exams/bank_preview.html",
        {
            "draft": draft,
            "questions": questions[:500],
            "more": max(0, len(questions) - 500),
            "counts": selectors.bank_counts(questions),
            "problems": draft.result.get("problems", []),
            "type_labels": dict(QuestionType.choices),
        },
    )


@require_roles(*OWNERS)
@require_POST
def bank_confirm(request, draft):
    draft = _draft(request, draft)
    done = perform(
        request,
        lambda: services.bank_import_commit(acting_user=request.user, draft=draft),
        success=lambda result: f"已导入 {result[1]} 道试题到“{result[0]}”。",
    )
    if not done:
        return redirect("exams:bank_preview", draft=draft.pk)
    bank = QuestionBank.objects.get(region=draft.region, name=draft.bank_name)
    return redirect("exams:bank", pk=bank.pk)


@login_required
def bank_detail(request, pk):
    bank = get_visible_or_404(QuestionBank.objects.select_related("region"), request.user, pk=pk)
    query = read_search(request, "q")
    kind = request.GET.get("type", "")
    kind = kind if kind in QuestionType.values else ""
    page = paginate(request, selectors.question_list(bank, query=query, kind=kind))
    return render(
        request,
        "exams/bank_detail.html",
        {
            "bank": bank,
            "page": page,
            "query": query,
            "kind": kind,
            "types": QuestionType.choices,
            "counts": selectors.bank_counts(bank.questions.only("kind", "difficulty", "category")),
        },
    )


@login_required
def bank_export(request, pk, format):
    bank = get_visible_or_404(QuestionBank, request.user, pk=pk)
    questions = bank.questions.order_by("position", "id")
    if format == "json":
        body = json.dumps(exports.bank_json(questions), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = attachment_header(f"{bank.name}.json")
        return response
    response = xlsx_attachment(f"{bank.name}.xlsx")
    exports.write_bank_xlsx(response, bank, questions)
    return response


@require_roles(*OWNERS)
def exam_create(request):
    banks = QuestionBank.objects.editable_by(request.user)
    form = ExamForm(request.POST or None, banks=banks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exam = services.exam_create(
                acting_user=request.user,
                bank=data["bank"],
                name=data["name"],
                blueprints=form.blueprints(),
                points=form.points(),
                mode=data["mode"],
                duration_minutes=data["duration_minutes"],
                pass_mark=data["pass_mark"],
                fixed_paper=data["fixed_paper"],
                partial_credit=data["partial_credit"],
                seed=data["seed"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                attempts_allowed=data["attempts_allowed"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已创建“{exam}”，随机种子 {exam.seed} 已记录。")
            return redirect("exams:detail", pk=exam.pk)
    return render(request, "exams/exam_form.html", {"form": form})


@login_required
def exam_detail(request, pk):
    exam = selectors.exam_by_pk(user=request.user, pk=pk)
    owner = is_editable(request.user, Exam, exam.pk)
    if owner:
        sittings.submit_overdue(exam)
    results = selectors.exam_results(exam, user=request.user)
    people = paginate(request, selectors.candidates_of(exam, user=request.user), per_page=50)
    return render(
        request,
        "exams/exam_detail.html",
        {
            "exam": exam,
            "owner": owner,
            "results": results,
            "items": selectors.item_analysis(exam, user=request.user)[:50],
            "people": people,
            "draws": exam.draws.all() if owner else [],
            "blueprints": exam.blueprints.all(),
            "roster_form": RosterForm(),
            "draw_form": DrawForm(),
            "start_url": request.build_absolute_uri(reverse("exams:enter")),
        },
    )


@login_required
@require_POST
def roster_upload(request, pk):
    exam = get_editable_or_404(Exam, request.user, pk=pk)
    form = RosterForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("exams:detail", pk=exam.pk)
    try:
        _, count = services.read_upload(
            form.cleaned_data["file"],
            prefix="roster-",
            reader=lambda path, name: roster.roster_import_file(
                acting_user=request.user, exam=exam, path=path, filename=name
            ),
        )
    except (ValidationError, PermissionDenied) as exc:
        for problem in getattr(exc, "messages", [str(exc)])[:30]:
            messages.error(request, problem)
    else:
        messages.success(request, f"已导入 {count} 名人员。")
    return redirect("exams:detail", pk=exam.pk)


@login_required
@require_POST
def draw(request, pk):
    exam = get_editable_or_404(Exam, request.user, pk=pk)
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("exams:detail", pk=exam.pk)
    data = form.cleaned_data
    perform(
        request,
        lambda: roster.candidates_draw(
            acting_user=request.user,
            exam=exam,
            count=data["count"],
            percent=data["percent"],
            seed=data["seed"],
        ),
        success=lambda d: f"已抽取 {d.drawn} 人，随机种子 {d.seed} 已记录。",
    )
    return redirect("exams:detail", pk=exam.pk)


@login_required
def codes_export(request, pk):
    exam = selectors.exam_by_pk(user=request.user, pk=pk)
    people = selectors.candidates_of(exam, user=request.user, drawn_only=True)
    base = request.build_absolute_uri(reverse("exams:enter"))
    response = xlsx_attachment(f"{exam.name}-抽考名单.xlsx")
    exports.write_codes_xlsx(response, exam, people, lambda code: f"{base}{code}/")
    return response


@login_required
def results_export(request, pk):
    exam = selectors.exam_by_pk(user=request.user, pk=pk)
    response = xlsx_attachment(f"{exam.name}-成绩.xlsx")
    exports.write_results_xlsx(response, exam, selectors.exam_results(exam, user=request.user))
    return response


EXAM_WORDS = ("法治能力", "测试", "考试", "抽考")


@login_required
def evidence(request, pk):
    """The results table filed as a material of a campaign indicator of the exam's region,
    those evaluated by 法治能力测试 listed first."""
    from fazhi.campaigns.forms import MaterialTargetForm
    from fazhi.campaigns.selectors import material_targets
    from fazhi.exams import feeds

    exam = selectors.exam_by_pk(user=request.user, pk=pk)
    items = material_targets(user=request.user, region=exam.region, words=EXAM_WORDS)
    form = MaterialTargetForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        item = form.cleaned_data["item"]
        try:
            material = feeds.evidence_attach(acting_user=request.user, exam=exam, item=item)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"“{material.title}”已归入 {item.code} 的佐证材料。")
            return redirect("campaigns:item", pk=item.pk)
    context = {"exam": exam, "form": form, "none": not items.exists()}
    return render(request, "exams/evidence.html", context)


@login_required
def feed(request, pk):
    """The test's mean entered as (a part of) the examined region's field score."""
    from fazhi.exams import feeds
    from fazhi.fieldwork.selectors import feed_applicants
    from fazhi.fieldwork.views import feed_page

    exam = selectors.exam_by_pk(user=request.user, pk=pk)
    mean = feeds.mean_percent(exam)
    return feed_page(
        request,
        subject=exam.name,
        figures=[("平均分（占满分的百分比）", mean), ("考试地区", exam.region)],
        applicants=feed_applicants(user=request.user, region=exam.region),
        feed=lambda applicant, part: feeds.evaluation_score_feed(
            acting_user=request.user, exam=exam, applicant=applicant, part=part
        ),
        back=reverse("exams:detail", args=[exam.pk]),
    )


@login_required
def items_export(request, pk):
    exam = selectors.exam_by_pk(user=request.user, pk=pk)
    response = xlsx_attachment(f"{exam.name}-试题分析.xlsx")
    exports.write_items_xlsx(response, selectors.item_analysis(exam, user=request.user))
    return response


@login_required
def grading(request, pk):
    """Blind grading: the grader sees the question, the reference answer and the answer under
    a key, never a name or a unit."""
    exam = get_editable_or_404(Exam, request.user, pk=pk)
    if request.method == "POST":
        answer = get_object_or_404(
            selectors.essays_to_grade(exam, user=request.user),
            pk=parse_number(request.POST.get("answer")) or 0,
        )
        perform(
            request,
            lambda: sittings.essay_grade(
                acting_user=request.user, answer=answer, score=_decimal(request.POST.get("score"))
            ),
            success="已评分。",
        )
        return redirect("exams:grading", pk=exam.pk)
    waiting = selectors.essays_to_grade(exam, user=request.user)
    return render(
        request,
        "exams/grading.html",
        {"exam": exam, "page": paginate(request, waiting, per_page=20)},
    )


def _decimal(text):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal((text or "").strip())
    except InvalidOperation:
        raise ValidationError("请填写得分（数字）。") from None
