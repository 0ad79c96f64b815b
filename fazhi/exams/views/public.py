"""The examinee's pages: no account, a code. `enter` takes the code, `sitting` shows the start
page (name, unit, the tail of the phone or ID number) or the paper, and three small JSON
endpoints save an answer, count a switch away from the page and submit. The code in the address
is the examinee's only credential (no session cookie carries authority), so the endpoints need
no CSRF token: a phone that reloaded or lost its connection goes on saving."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fazhi.exams import sittings
from fazhi.exams.models import Question, SittingStatus
from fazhi.exams.questionparts import LETTERS
from fazhi.exams.sittings import Refused


def enter(request):
    code = (request.POST.get("code") or request.GET.get("code") or "").strip().upper()
    if code:
        return redirect("exams:sitting", code=code[:16])
    return _page(request, "enter", {})


def sitting(request, code):
    try:
        candidate = sittings.candidate_by_code(code)
    except Refused as exc:
        return _page(request, "message", {"message": str(exc)}, status=exc.status)
    if request.method == "POST":
        try:
            sittings.sitting_start(candidate=candidate, tail=request.POST.get("tail", ""))
        except Refused as exc:
            return _page(
                request, "start", {"candidate": candidate, "error": str(exc)}, status=exc.status
            )
        return redirect("exams:sitting", code=candidate.code)
    current = sittings.current_sitting(candidate)
    if current is not None and current.status == SittingStatus.OPEN:
        if timezone.now() > current.deadline + sittings.GRACE:
            current = sittings.sitting_submit(sitting=current, auto=True)
        else:
            return _paper(request, candidate, current)
    if current is not None and current.attempt >= candidate.exam.attempts_allowed:
        return _page(request, "done", {"candidate": candidate, "sitting": current})
    return _page(request, "start", {"candidate": candidate, "last": current})


def _paper(request, candidate, current):
    exam = candidate.exam
    questions = Question.objects.in_bulk([e["q"] for e in current.paper])
    given = {a.question_id: a.response for a in current.answers.all()}
    items = []
    for number, entry in enumerate(current.paper, start=1):
        question = questions[entry["q"]]
        response = given.get(question.pk, [])
        options = [
            (index, LETTERS[shown], question.options[index], LETTERS[index] in response)
            for shown, index in enumerate(entry["order"])
        ]
        items.append({"number": number, "q": question, "options": options, "response": response})
    remaining = max(0, int((current.deadline - timezone.now()).total_seconds()))
    return _page(
        request,
        "paper",
        {
            "candidate": candidate,
            "exam": exam,
            "sitting": current,
            "items": items,
            "remaining": remaining,
        },
    )


def _page(request, body: str, context: dict, *, status: int = 200):
    context["body"] = f"exams/_public_{body}.html"
    response = render(request, "exams/public_page.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _json_refusal(exc: Refused) -> JsonResponse:
    return JsonResponse({"ok": False, "detail": str(exc)}, status=exc.status)


@csrf_exempt
@require_POST
def answer(request, code):
    try:
        current, question_id = sittings.answer_save(
            code=code,
            question_id=request.POST.get("question"),
            values=request.POST.getlist("value"),
        )
    except Refused as exc:
        return _json_refusal(exc)
    body = {
        "ok": True,
        "remaining": max(0, int((current.deadline - timezone.now()).total_seconds())),
    }
    if current.candidate.exam.is_mock:
        full = Question.objects.get(pk=question_id)
        body["answer"] = full.answer
        body["explanation"] = full.explanation
        body["basis"] = full.basis
    return JsonResponse(body)


@csrf_exempt
@require_POST
def switch(request, code):
    try:
        count = sittings.page_switch(code=code)
    except Refused as exc:
        return _json_refusal(exc)
    return JsonResponse({"ok": True, "switches": count})


@csrf_exempt
@require_POST
def submit(request, code):
    try:
        done = sittings.submit_by_code(code, auto=request.POST.get("auto") == "1")
    except Refused as exc:
        if request.headers.get("Accept", "").startswith("application/json"):
            return _json_refusal(exc)
        return _page(request, "message", {"message": str(exc)}, status=exc.status)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True, "auto": done.auto_submitted})
    return redirect("exams:sitting", code=code)
