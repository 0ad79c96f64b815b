"""The province's pages: its evaluations, one evaluation's side-by-side ranking of every applicant
campaign with score entry, its weights, applicants and evaluators, the score import and the
ranking export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fazhi.core.actions import perform
from fazhi.core.downloads import xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import paginate, parse_number, read_search
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404, get_visible_or_404
from fazhi.fieldwork import parts as field_parts
from fazhi.fieldwork import selectors, services
from fazhi.fieldwork.exports import write_import_template, write_ranking
from fazhi.fieldwork.forms import (
    ApplicantsForm,
    EvaluationCreateForm,
    EvaluationForm,
    EvaluatorForm,
    FieldFeedForm,
    FieldPartsForm,
    ScoresImportForm,
    weights_initial,
)
from fazhi.fieldwork.models import Applicant, Evaluation, FieldPart

RANKING_PER_PAGE = 50


def _owns(user, evaluation) -> bool:
    return Evaluation.objects.editable_by(user).filter(pk=evaluation.pk).exists()


@login_required
def evaluation_list(request):
    query = read_search(request, "q")
    page = paginate(request, selectors.evaluation_list(user=request.user, query=query))
    return render(request, "fieldwork/evaluation_list.html", {"page": page, "query": query})


@require_roles("admin", "lead_admin")
def evaluation_create(request):
    form = EvaluationCreateForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_create(acting_user=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已创建“{evaluation}”，下一步请加入申报的创建活动。")
            return redirect("fieldwork:applicants_add", pk=evaluation.pk)
    return render(request, "fieldwork/evaluation_form.html", {"form": form, "evaluation": None})


@login_required
def evaluation_detail(request, pk):
    evaluation = selectors.evaluation_by_pk(user=request.user, pk=pk)
    rows = selectors.ranking(evaluation)
    query = read_search(request, "q")
    shown = [r for r in rows if query in r.label or query in r.campaign.name] if query else rows
    page = paginate(request, shown, per_page=RANKING_PER_PAGE)
    parts = selectors.field_parts_of([row.applicant for row in page.object_list])
    for row in page.object_list:
        row.field_parts = parts[row.applicant.pk]
    return render(
        request,
        "fieldwork/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "page": page,
            "has_parts": evaluation.field_parts.exists(),
            "summary": selectors.ranking_summary(rows),
            "query": query,
            "owner": _owns(request.user, evaluation),
            "may_score": services.may_enter_scores(request.user, evaluation),
            "evaluators": selectors.evaluators_of(evaluation),
        },
    )


@require_roles("admin", "lead_admin")
def evaluation_edit(request, pk):
    evaluation = get_editable_or_404(
        Evaluation.objects.select_related("region"), request.user, pk=pk
    )
    form = EvaluationForm(request.POST or None, initial=weights_initial(evaluation))
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_update(
                acting_user=request.user, evaluation=evaluation, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存，排名已按新权重重新计算。")
            return redirect("fieldwork:detail", pk=evaluation.pk)
    return render(
        request, "fieldwork/evaluation_form.html", {"form": form, "evaluation": evaluation}
    )


@require_roles("admin", "lead_admin")
def field_parts_edit(request, pk):
    """The parts of the field evaluation and their weights (or none: one typed score)."""
    evaluation = get_editable_or_404(
        Evaluation.objects.select_related("region"), request.user, pk=pk
    )
    form = FieldPartsForm(request.POST or None, parts=evaluation.field_parts.all())
    if request.method == "POST" and form.is_valid():
        try:
            kept = field_parts.field_parts_save(
                acting_user=request.user, evaluation=evaluation, parts=form.parts()
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            shown = "、".join(str(part) for part in kept)
            messages.success(
                request,
                f"已保存：实地评估由{shown}组成，得分按权重计算。"
                if kept
                else "已保存：实地评估不分项，直接录入得分。",
            )
            return redirect("fieldwork:detail", pk=evaluation.pk)
    return render(request, "fieldwork/field_parts.html", {"form": form, "evaluation": evaluation})


@login_required
def applicant_field(request, pk):
    """One applicant's field evaluation part by part: the scores, where each came from, and
    (for those who enter scores) a form per part."""
    applicant = get_visible_or_404(
        Applicant.objects.select_related("evaluation__region", "campaign__region"),
        request.user,
        pk=pk,
    )
    may_score = Applicant.objects.editable_by(request.user).filter(pk=applicant.pk).exists()
    if request.method == "POST":
        part = get_visible_or_404(
            FieldPart.objects.filter(evaluation=applicant.evaluation),
            request.user,
            pk=parse_number(request.POST.get("part", "")) or 0,
        )
        perform(
            request,
            lambda: field_parts.field_part_score_save(
                acting_user=request.user,
                applicant=applicant,
                part=part,
                score=request.POST.get("score", ""),
                source="人工录入",
            ),
            success=lambda saved: f"已保存{applicant.campaign.region}的“{part.name}”得分。",
        )
        return redirect("fieldwork:applicant_field", pk=applicant.pk)
    return render(
        request,
        "fieldwork/applicant_field.html",
        {
            "applicant": applicant,
            "evaluation": applicant.evaluation,
            "parts": selectors.field_parts_of([applicant])[applicant.pk],
            "may_score": may_score,
        },
    )


@require_roles("admin", "lead_admin")
def applicants_add(request, pk):
    evaluation = get_editable_or_404(
        Evaluation.objects.select_related("region"), request.user, pk=pk
    )
    level = request.GET.get("level", "")
    candidates = selectors.candidate_campaigns(evaluation=evaluation, user=request.user)
    form = ApplicantsForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            chosen = form.chosen(by_level="by_level" in request.POST)
            added = services.applicants_add(
                acting_user=request.user, evaluation=evaluation, campaigns=chosen
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已加入 {len(added)} 个申报对象。")
            return redirect("fieldwork:detail", pk=evaluation.pk)
    shown = [c for c in form.candidates if not level or c.level == level]
    return render(
        request,
        "fieldwork/applicants_add.html",
        {"evaluation": evaluation, "form": form, "candidates": shown, "level": level},
    )


@require_roles("admin", "lead_admin")
@require_POST
def applicant_remove(request, pk):
    applicant = get_editable_or_404(
        Applicant.objects.select_related("evaluation__region", "campaign__region"),
        request.user,
        pk=pk,
    )
    perform(
        request,
        lambda: services.applicant_remove(acting_user=request.user, applicant=applicant),
        success=f"已将“{applicant.campaign}”移出本次评估。",
    )
    return redirect("fieldwork:detail", pk=applicant.evaluation_id)


@require_roles("admin", "lead_admin")
def evaluators(request, pk):
    evaluation = get_editable_or_404(
        Evaluation.objects.select_related("region"), request.user, pk=pk
    )
    form = EvaluatorForm(
        request.POST or None, candidates=selectors.evaluator_candidates(evaluation)
    )
    if request.method == "POST" and form.is_valid():
        user = form.chosen_user()
        try:
            services.evaluator_grant(acting_user=request.user, evaluation=evaluation, user=user)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已授权 {user} 查阅全部申报对象并进行书面评审。")
            return redirect("fieldwork:evaluators", pk=evaluation.pk)
    return render(
        request,
        "fieldwork/evaluators.html",
        {"evaluation": evaluation, "form": form, "seats": selectors.evaluators_of(evaluation)},
    )


@login_required
@require_POST
def scores_save(request, pk):
    applicant = get_visible_or_404(
        Applicant.objects.select_related("evaluation__region", "campaign__region"),
        request.user,
        pk=pk,
    )
    version = parse_number(request.POST.get("version", ""))
    if version is None:  # a form from before this page knew versions, or a hand-made post
        messages.error(request, "页面已过期，请刷新后重新录入。")
    else:
        perform(
            request,
            lambda: services.applicant_scores_save(
                acting_user=request.user,
                applicant=applicant,
                field_score=request.POST.get("field_score", ""),
                survey_score=request.POST.get("survey_score", ""),
                version=version,
            ),
            success=lambda saved: f"已保存{saved.campaign.region}的得分。",
        )
    back = reverse("fieldwork:detail", args=[applicant.evaluation_id])
    target = request.POST.get("next", "")
    if not (target.startswith(back) and "//" not in target):
        target = back
    return redirect(f"{target}#applicant-{applicant.pk}")


@login_required
def scores_import(request, pk):
    evaluation = selectors.evaluation_by_pk(user=request.user, pk=pk)
    if not services.may_enter_scores(request.user, evaluation):
        raise PermissionDenied("您可以查看但无权录入本次评估的得分。")
    form = ScoresImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            changed = services.applicant_scores_import(
                acting_user=request.user, evaluation=evaluation, upload=upload
            )
        except PermissionDenied as exc:
            errors = [str(exc)]
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已从“{upload.name}”导入得分，更新 {changed} 个申报对象。")
            return redirect("fieldwork:detail", pk=evaluation.pk)
    return render(
        request,
        "fieldwork/scores_import.html",
        {"evaluation": evaluation, "form": form, "errors": errors},
    )


@login_required
def import_template(request, pk):
    evaluation = selectors.evaluation_by_pk(user=request.user, pk=pk)
    response = xlsx_attachment(f"{evaluation.name}-得分录入表.xlsx")
    write_import_template(response, evaluation=evaluation, rows=selectors.ranking(evaluation))
    return response


@login_required
def ranking_export(request, pk):
    evaluation = selectors.evaluation_by_pk(user=request.user, pk=pk)
    response = xlsx_attachment(f"{evaluation.name}-排名表.xlsx")
    write_ranking(response, evaluation=evaluation, rows=selectors.ranking(evaluation))
    return response


def feed_page(request, *, subject, figures, applicants, feed, back):
    """The page another app shows to enter its result in an evaluation: `figures` are
    (label, value) cards of what would be entered, `feed(applicant, part)` enters it through
    that app's feed service. On success, the evaluation's page."""
    form = FieldFeedForm(request.POST or None, applicants=applicants)
    if request.method == "POST" and form.is_valid():
        applicant, part = form.cleaned_data["applicant"], form.cleaned_data["part"]
        try:
            feed(applicant, part)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            where = f"“{part.name}”分项" if part else "实地评估得分"
            messages.success(
                request, f"已计入“{applicant.evaluation}”：{applicant.campaign.region}的{where}。"
            )
            return redirect(
                reverse("fieldwork:detail", args=[applicant.evaluation_id])
                + f"#applicant-{applicant.pk}"
            )
    return render(
        request,
        "fieldwork/feed.html",
        {
            "subject": subject,
            "figures": figures,
            "form": form,
            "none": not applicants.exists(),
            "back": back,
        },
    )
