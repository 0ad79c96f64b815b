"""The survey pages: waves and their results (with margins), the import wizard with its preview,
the printable QR codes, the Excel export — and the public questionnaire, which needs no login:
`stratum_start` hands out a single-use invitation, `answer` takes the one response it admits."""

from __future__ import annotations

import os
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from fazhi.accounts.audit import client_ip
from fazhi.campaigns.forms import MaterialTargetForm
from fazhi.core.actions import error_text
from fazhi.core.downloads import attachment_header, xlsx_attachment
from fazhi.core.forms import add_service_error
from fazhi.core.listing import paginate, read_search
from fazhi.core.permissions import require_roles
from fazhi.core.scoping import get_editable_or_404, is_editable
from fazhi.core.spreadsheets import ImportFailure
from fazhi.core.tempfiles import temp_file
from fazhi.surveys import questionnaire, results, selectors, services
from fazhi.surveys.exports import summary_docx, write_invitations, write_report
from fazhi.surveys.forms import (
    AliasForm,
    CallForm,
    FeedForm,
    ImportForm,
    InvitationForm,
    WaveCreateForm,
)
from fazhi.surveys.models import Invitation, Wave

DRAFT_SALT = "fazhi.surveys.import-draft"
DRAFT_MAX_AGE = 3600


@login_required
def wave_list(request):
    query = read_search(request, "q")
    page = paginate(request, selectors.wave_list(user=request.user, query=query))
    return render(request, "surveys/wave_list.html", {"page": page, "query": query})


@require_roles("admin", "lead_admin")
def wave_create(request):
    form = WaveCreateForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            wave = services.wave_create(acting_user=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"已创建“{wave}”，共 {wave.strata.count()} 个样本单元（镇街）。"
            )
            return redirect("surveys:detail", pk=wave.pk)
    return render(request, "surveys/wave_form.html", {"form": form})


@login_required
def wave_detail(request, pk):
    wave = selectors.wave_by_pk(user=request.user, pk=pk)
    report = selectors.wave_report(wave)
    return render(
        request,
        "surveys/wave_detail.html",
        {
            "wave": wave,
            "report": report,
            "owner": is_editable(request.user, Wave, wave.pk),
            "calls": selectors.call_summary(wave),
        },
    )


@login_required
def wave_export(request, pk):
    wave = selectors.wave_by_pk(user=request.user, pk=pk)
    response = xlsx_attachment(f"{wave.name}-测评结果.xlsx")
    write_report(response, selectors.wave_report(wave))
    return response


@login_required
def wave_summary(request, pk):
    wave = selectors.wave_by_pk(user=request.user, pk=pk)
    body = summary_docx(selectors.wave_report(wave), today=timezone.localdate())
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(body, content_type=docx)
    response["Content-Disposition"] = attachment_header(f"{wave.name}-结果报告.docx")
    return response


@login_required
def wave_codes(request, pk):
    """Each stratum's questionnaire address and its QR code, to print and hand out."""
    wave = selectors.wave_by_pk(user=request.user, pk=pk)
    codes = []
    for stratum in wave.strata.all():
        url = request.build_absolute_uri(reverse("surveys:start", args=[stratum.key]))
        svg = _qr_svg(url, scale=4)
        codes.append((stratum, url, svg))
    return render(request, "surveys/wave_codes.html", {"wave": wave, "codes": codes})


def _qr_svg(url: str, *, scale: int) -> str:
    import segno  # imported here: only the pages of codes and invitations draw QR codes

    return segno.make(url, error="m").svg_inline(scale=scale, border=2, omitsize=True)


# -- printed invitations -------------------------------------------------------------------------

INVITATIONS_PER_PAGE = 60


@login_required
def wave_invitations(request, pk):
    """Invitations for sampled households: issued per stratum, each admitting one response.
    Their links are as good as a response, so only the wave's owners see them."""
    wave = get_editable_or_404(Wave.objects.select_related("region"), request.user, pk=pk)
    form = InvitationForm(request.POST or None, wave=wave)
    if request.method == "POST" and form.is_valid():
        stratum, count = form.cleaned_data["stratum"], form.cleaned_data["count"]
        try:
            services.invitations_issue(acting_user=request.user, stratum=stratum, count=count)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已为{stratum}生成 {count} 份问卷邀请，可打印或导出链接。")
            url = reverse("surveys:invitations_print", args=[wave.pk])
            return redirect(f"{url}?stratum={stratum.pk}")
    rows = selectors.invitation_counts(wave)
    return render(
        request, "surveys/wave_invitations.html", {"wave": wave, "form": form, "rows": rows}
    )


def _chosen_stratum(request, wave) -> int | None:
    value = request.GET.get("stratum", "")
    if value.isdigit() and wave.strata.filter(pk=int(value)).exists():
        return int(value)
    return None


@login_required
def wave_invitations_print(request, pk):
    """The unused invitations as cards to print: a QR code and the link of each."""
    wave = get_editable_or_404(Wave.objects.select_related("region"), request.user, pk=pk)
    stratum_id = _chosen_stratum(request, wave)
    invitations = selectors.unused_invitations(wave, stratum_id)
    page = paginate(request, invitations, per_page=INVITATIONS_PER_PAGE)
    cards = []
    for invitation in page.object_list:
        url = request.build_absolute_uri(reverse("surveys:answer", args=[invitation.token]))
        svg = _qr_svg(url, scale=3)
        cards.append((invitation, url, svg))
    context = {"wave": wave, "page": page, "cards": cards, "stratum_id": stratum_id}
    return render(request, "surveys/wave_invitations_print.html", context)


@login_required
def wave_invitations_export(request, pk):
    wave = get_editable_or_404(Wave.objects.select_related("region"), request.user, pk=pk)
    invitations = selectors.unused_invitations(wave, _chosen_stratum(request, wave))
    response = xlsx_attachment(f"{wave.name}-问卷邀请.xlsx")
    write_invitations(
        response,
        wave=wave,
        invitations=invitations.iterator(),
        link_of=lambda invitation: request.build_absolute_uri(
            reverse("surveys:answer", args=[invitation.token])
        ),
    )
    return response


# -- where the result goes: the evaluation's score, the indicator's material --------------------


@login_required
def wave_feed(request, pk):
    """The wave's overall rate or score entered as a county's survey score in an evaluation
    (fieldwork), by whoever enters that evaluation's scores."""
    wave = selectors.wave_by_pk(user=request.user, pk=pk)
    applicants = selectors.feed_applicants(user=request.user, wave=wave)
    form = FeedForm(request.POST or None, applicants=applicants)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "没有可以计入的评估，或所选评估不属于您录入得分的范围。")
            return redirect("surveys:feed", pk=wave.pk)
        applicant = form.cleaned_data["applicant"]
        try:
            fed = services.evaluation_score_feed(
                acting_user=request.user,
                wave=wave,
                applicant=applicant,
                measure=form.cleaned_data["measure"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            return redirect("surveys:feed", pk=wave.pk)
        messages.success(
            request, f"已计入“{fed.evaluation}”：{fed.campaign} 满意度测评得分 {fed.survey_score}。"
        )
        return redirect("fieldwork:detail", pk=fed.evaluation_id)
    report = selectors.wave_report(wave, with_previous=False)
    context = {"wave": wave, "form": form, "report": report, "none": not applicants.exists()}
    return render(request, "surveys/wave_feed.html", context)


@login_required
def wave_evidence(request, pk):
    """The wave's Word result report filed as a material of a campaign's indicator."""
    wave = selectors.wave_by_pk(user=request.user, pk=pk)
    items = selectors.evidence_items(user=request.user, wave=wave)
    form = MaterialTargetForm(request.POST or None, items=items)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "请选择本地区创建活动中由您上传材料的指标。")
            return redirect("surveys:evidence", pk=wave.pk)
        item = form.cleaned_data["item"]
        try:
            evidence = services.evidence_attach(acting_user=request.user, wave=wave, item=item)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            return redirect("surveys:evidence", pk=wave.pk)
        messages.success(request, f"“{evidence.title}”已归入 {item.code} 的佐证材料。")
        return redirect("campaigns:item", pk=item.pk)
    context = {"wave": wave, "form": form, "none": not items.exists()}
    return render(request, "surveys/wave_evidence.html", context)


# -- the import wizard ---------------------------------------------------------------------------


@login_required
def wave_import(request, pk):
    wave = get_editable_or_404(Wave.objects.select_related("region"), request.user, pk=pk)
    form = ImportForm()
    alias_form = AliasForm(wave=wave)
    context = {"wave": wave, "form": form, "alias_form": alias_form}
    if request.method == "POST" and "draft" in request.POST:
        return _confirm(request, wave)
    if request.method == "POST" and "word" in request.POST:
        alias_form = AliasForm(request.POST, wave=wave)
        if alias_form.is_valid():
            data = alias_form.cleaned_data
            try:
                services.aliases_add(
                    acting_user=request.user, wave=wave, mapping={data["word"]: data["label"]}
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(
                    request, f"已将“{data['word']}”对应为“{data['label']}”，请重新上传表格。"
                )
        context["alias_form"] = alias_form
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            context.update(_preview(request, wave, form.cleaned_data["file"]))
    return render(request, "surveys/wave_import.html", context)


def _preview(request, wave: Wave, upload) -> dict:
    """Check the table and keep it as a draft for the confirmation; nothing else is stored."""
    name = os.path.basename(upload.name)[:120]
    data = upload.read()
    try:
        check = _checked(request, wave, data, name)
    except ImportFailure as exc:
        return {"problems": [str(exc)]}
    problems = check.all_problems()
    if problems or not check.rows:
        found = {"problems": problems or ["表格中没有可导入的数据行。"], "check": check}
        if check.unmapped:  # offer the first word for mapping
            initial = {"word": next(iter(check.unmapped))}
            found["alias_form"] = AliasForm(initial=initial, wave=wave)
        return found
    stored = default_storage.save(
        f"surveys/drafts/{secrets.token_hex(8)}{os.path.splitext(name)[1]}", ContentFile(data)
    )
    draft = signing.dumps(
        {"storage": stored, "name": name, "wave": wave.pk, "user": request.user.pk},
        salt=DRAFT_SALT,
    )
    return {"check": check, "preview": _preview_rows(wave, check), "draft": draft}


def _checked(request, wave, data: bytes, name: str):
    with temp_file(suffix=os.path.splitext(name)[1]) as handle:
        handle.write(data)
        handle.flush()
        return services.survey_import_check(
            acting_user=request.user, wave=wave, path=handle.name, filename=name
        )


def _preview_rows(wave: Wave, check) -> list:
    scale = selectors.scale_of(wave)
    size = len(scale.labels)
    rows = []
    for (name, kind), per_item in sorted(check.counts.items()):
        rate = results.rate_of(results.add(per_item.values(), size), scale.scores, scale.satisfied)
        label = f"{name}（{'群众' if kind == 'public' else '企业'}）" if kind else name
        rows.append((label, check.respondents[(name, kind)], rate))
    everything = [counts for per_item in check.counts.values() for counts in per_item.values()]
    overall = results.rate_of(results.add(everything, size), scale.scores, scale.satisfied)
    rows.append(("合计", sum(check.respondents.values()), overall))
    return rows


def _confirm(request, wave: Wave):
    try:
        draft = signing.loads(request.POST["draft"], salt=DRAFT_SALT, max_age=DRAFT_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, "预览已失效，请重新上传表格。")
        return redirect("surveys:import", pk=wave.pk)
    if draft["wave"] != wave.pk or draft["user"] != request.user.pk:
        raise PermissionDenied("这份预览不是您为本次测评生成的。")
    try:
        with default_storage.open(draft["storage"]) as stored:
            data = stored.read()
    except OSError:
        messages.error(request, "预览的表格已不存在，请重新上传。")
        return redirect("surveys:import", pk=wave.pk)
    try:
        with temp_file(suffix=os.path.splitext(draft["name"])[1]) as handle:
            handle.write(data)
            handle.flush()
            imported = services.survey_import(
                acting_user=request.user, wave=wave, path=handle.name, filename=draft["name"]
            )
    except ImportFailure as exc:
        messages.error(request, f"未导入：{exc}")
        return redirect("surveys:import", pk=wave.pk)
    default_storage.delete(draft["storage"])
    messages.success(
        request,
        f"已导入 {draft['name']}：{imported.respondents} 名受访者，{imported.counts} 个回答。",
    )
    return redirect("surveys:detail", pk=wave.pk)


@login_required
def wave_strata(request, pk):
    """Each stratum's target and population (for the population-weighted rate), in one form."""
    wave = get_editable_or_404(Wave.objects.select_related("region"), request.user, pk=pk)
    strata = list(wave.strata.all())
    if request.method == "POST":
        values, errors = {}, []
        for stratum in strata:
            target = request.POST.get(f"target_{stratum.pk}", "").strip()
            population = request.POST.get(f"population_{stratum.pk}", "").strip()
            if not target.isdigit() or (population and not population.isdigit()):
                errors.append(f"{stratum}：目标样本数和人口数应为正整数。")
                continue
            values[stratum.pk] = (int(target), int(population) if population else None)
        if errors:
            for error in errors:
                messages.error(request, error)
        else:
            try:
                changed = services.strata_update(acting_user=request.user, wave=wave, values=values)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, f"已保存 {changed} 个样本单元的修改。")
                return redirect("surveys:detail", pk=wave.pk)
    return render(request, "surveys/wave_strata.html", {"wave": wave, "strata": strata})


# -- the phone survey ------------------------------------------------------------------------


@login_required
def wave_calls(request, pk):
    wave = selectors.wave_by_pk(user=request.user, pk=pk)
    owner = is_editable(request.user, Wave, wave.pk)
    form = CallForm(request.POST or None, wave=wave)
    if request.method == "POST":
        if not owner:
            raise PermissionDenied("只有本地区的依法治办管理员可以登记电话调查。")
        if form.is_valid():
            try:
                services.call_record(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "已登记。")
                return redirect("surveys:calls", pk=wave.pk)
    recent = wave.calls.select_related("stratum")[:50]
    return render(
        request,
        "surveys/wave_calls.html",
        {
            "wave": wave,
            "form": form,
            "owner": owner,
            "rows": selectors.call_summary(wave),
            "recent": recent,
        },
    )


# -- the public questionnaire (no login) --------------------------------------------------------


# The questionnaire needs no CSRF check: it acts for nobody (anonymous, whoever is signed in),
# so a forged cross-site post could do nothing its author cannot do by opening the page, and
# each response needs the single-use token the page carries. Without the check the page is
# rendered once per process (questionnaire.form_of), not for each visitor.
@csrf_exempt
def stratum_start(request, key):
    """The stratum's questionnaire behind its QR code: the form with a fresh single-use token
    (signed, so showing it writes nothing), and the one response that token admits."""
    status = questionnaire.status_by_key(key)
    if status is None:
        raise Http404("没有这份问卷。")
    form = questionnaire.form_of(status)
    if request.method == "POST":
        return _submit(
            request,
            form,
            lambda answers: services.questionnaire_submit(
                status=status,
                token=request.POST.get("token", ""),
                answers=answers,
                address=client_ip(request),
            ),
        )
    if reason := questionnaire.refusal(status, form):
        return _public_message(request, form.stratum, reason, status=200)
    return HttpResponse(form.page(services.open_token(status.stratum_id)))


@csrf_exempt
def answer(request, token):
    """A printed invitation's questionnaire (`services.invitations_issue`)."""
    invitation = Invitation.objects.select_related("stratum").filter(token=token).first()
    if invitation is None:
        return _public_message(request, None, services.FORGED, status=404)
    status = questionnaire.status_by_key(invitation.stratum.key)
    form = questionnaire.form_of(status)
    if invitation.used_at is not None:
        return _public_message(request, form.stratum, services.SPENT, status=409)
    if request.method == "POST":
        return _submit(
            request,
            form,
            lambda answers: services.response_submit(
                token=token, answers=answers, address=client_ip(request)
            ),
        )
    if reason := questionnaire.refusal(status, form):
        return _public_message(request, form.stratum, reason, status=200)
    return HttpResponse(form.page(""))


# A refusal's status: a flood 429, a spent token 409, a forged one 404, the rest 400.
_STATUS = {services.FLOOD: 429, services.SPENT: 409, services.FORGED: 404}


def _submit(request, form, submit):
    chosen = {}
    for name, value in request.POST.items():
        if name.startswith("item_") and name[5:].isdigit() and value.isdigit():
            chosen[int(name[5:])] = int(value)
    try:
        submit(chosen)
    except services.Refused as exc:
        status = _STATUS.get(str(exc), 400)
        return _public_message(request, form.stratum, str(exc), status=status)
    return HttpResponse(form.thanks)


def _public_message(request, stratum, message: str, *, status: int):
    return _public(request, "message", {"stratum": stratum, "message": message}, status=status)


def _public(request, body: str, context: dict, *, status: int = 200):
    """A public page: the same body for a visitor and for someone signed in."""
    context["body"] = f"surveys/_public_{body}.html"
    return render(request, "surveys/public_page.html", context, status=status)
