"""The examinee's side: opening a sitting with a code (the paper drawn for them, the server's
deadline), saving each answer the moment it is given, counting switches away from the page,
submitting (by hand or when the time is up) and the grading that follows. Every refusal is a
`Refused` with a sentence the examinee can read."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import stored_user
from fazhi.exams.models import (
    CHOICE_TYPES,
    Answer,
    Candidate,
    Question,
    Sitting,
    SittingStatus,
)
from fazhi.exams.papers import arrange
from fazhi.exams.questionparts import LETTERS
from fazhi.exams.services import blueprint_for, paper_questions

# A save in flight when the clock runs out still counts: the network, not the examinee.
GRACE = timedelta(seconds=5)
MAX_TEXT = 5000

UNKNOWN_CODE = "考试码不存在，请核对后重新输入。"
NOT_DRAWN = "该考试码尚未启用。"
NOT_YET = "考试尚未开始，开考时间为 {}。"
CLOSED = "考试已截止，不能再开始作答。"
SUBMITTED = "您已交卷，不能再次作答或重复交卷。"
LATE = "考试时间已到，答卷已自动提交，本次作答未保存。"
FORGED = "该题不在您的试卷中，答案未保存。"
BAD_OPTION = "所选选项不存在，答案未保存。"
WRONG_TAIL = "手机号或身份证后四位不正确。"


class Refused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def candidate_by_code(code: str) -> Candidate:
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[0-9A-Z]{4,16}", code):
        raise Refused(UNKNOWN_CODE, 404)
    candidate = Candidate.objects.select_related("exam", "unit").filter(code=code).first()
    if candidate is None:
        raise Refused(UNKNOWN_CODE, 404)
    return candidate


def current_sitting(candidate: Candidate) -> Sitting | None:
    return candidate.sittings.order_by("-attempt").first()


def sitting_start(*, candidate: Candidate, tail: str = "", now=None) -> Sitting:
    """Resume the open sitting, or start the next one if the test allows another attempt."""
    now = now or timezone.now()
    exam = candidate.exam
    if candidate.contact_tail and (tail or "").strip().upper() != candidate.contact_tail:
        raise Refused(WRONG_TAIL, 403)
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update().select_related("exam").get(pk=candidate.pk)
        )
        last = current_sitting(candidate)
        if last is not None and last.status == SittingStatus.OPEN:
            if now <= last.deadline + GRACE:
                Sitting.objects.filter(pk=last.pk).update(opens=F("opens") + 1)
                return last
            sitting_submit(sitting=last, auto=True, now=now)
            last.refresh_from_db()
        if last is not None and last.attempt >= exam.attempts_allowed:
            raise Refused(SUBMITTED, 409)
        if exam.opens_at and now < exam.opens_at:
            raise Refused(
                NOT_YET.format(f"{timezone.localtime(exam.opens_at):%Y-%m-%d %H:%M}"), 403
            )
        if exam.closes_at and now >= exam.closes_at:
            raise Refused(CLOSED, 403)
        blueprint = blueprint_for(exam, candidate.role)
        questions = paper_questions(blueprint)
        deadline = now + timedelta(minutes=exam.duration_minutes)
        if exam.closes_at:
            deadline = min(deadline, exam.closes_at)
        attempt = (last.attempt + 1) if last else 1
        paper = arrange(
            questions, seed=exam.seed, examinee=f"{candidate.pk}:{attempt}", fixed=exam.fixed_paper
        )
        kinds = {q.pk: q.kind for q in questions}
        for entry in paper:
            entry["k"] = kinds[entry["q"]]  # an answer is checked without reading the question
        points = blueprint.points
        return Sitting.objects.create(
            candidate=candidate,
            attempt=attempt,
            paper=paper,
            started_at=now,
            deadline=deadline,
            max_score=sum(Decimal(str(points.get(q.kind, 0))) for q in questions),
            blind_key=secrets.token_hex(4).upper(),
        )


def open_sitting(code: str, *, now=None) -> Sitting:
    """The sitting a code is answering now, with its candidate and test, in one query (every
    answer a phone sends asks it); refusals for an unknown, spent or late one."""
    now = now or timezone.now()
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[0-9A-Z]{4,16}", code):
        raise Refused(UNKNOWN_CODE, 404)
    sitting = (
        Sitting.objects.select_related("candidate__exam")
        .filter(candidate__code=code)
        .order_by("-attempt")
        .first()
    )
    if sitting is None:
        candidate_by_code(code)  # an unknown code is told so
        raise Refused("请先开始答题。", 400)
    if sitting.status != SittingStatus.OPEN:
        raise Refused(SUBMITTED, 409)
    if now > sitting.deadline + GRACE:
        sitting_submit(sitting=sitting, auto=True, now=now)
        raise Refused(LATE, 410)
    return sitting


def answer_save(*, code: str, question_id, values: list[str], now=None) -> tuple[Sitting, int]:
    """Save one answer as given (the last one given counts): one read and one upsert, the
    question's type and option count taken from the paper. `values` are option indexes in the
    bank's order for choice questions, 正确/错误 for 判断, the texts written otherwise."""
    now = now or timezone.now()
    sitting = open_sitting(code, now=now)
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        raise Refused(FORGED, 400) from None
    entry = next((e for e in sitting.paper if e["q"] == question_id), None)
    if entry is None:
        raise Refused(FORGED, 400)
    if "k" in entry:
        kind, options = entry["k"], len(entry["order"])
    else:  # a paper drawn before the type was kept in it
        question = Question.objects.only("kind", "options").get(pk=question_id)
        kind, options = question.kind, len(question.options)
    response = _response(kind, options, values)
    Answer.objects.bulk_create(
        [Answer(sitting=sitting, question_id=question_id, response=response, saved_at=now)],
        update_conflicts=True,
        unique_fields=["sitting", "question"],
        update_fields=["response", "saved_at"],
    )
    return sitting, question_id


def _response(kind: str, options: int, values: list[str]) -> list[str]:
    values = [str(v).strip() for v in values if str(v).strip()]
    if kind in CHOICE_TYPES:
        letters = []
        for value in values:
            if not value.isdigit() or int(value) >= options:
                raise Refused(BAD_OPTION, 400)
            letters.append(LETTERS[int(value)])
        if kind == "single" and len(letters) > 1:
            raise Refused(BAD_OPTION, 400)
        return sorted(set(letters))
    if kind == "judge":
        if len(values) > 1 or (values and values[0] not in ("正确", "错误")):
            raise Refused(BAD_OPTION, 400)
        return values
    return [value[:MAX_TEXT] for value in values]


def page_switch(*, code: str, now=None) -> int:
    sitting = open_sitting(code, now=now)
    Sitting.objects.filter(pk=sitting.pk).update(page_switches=F("page_switches") + 1)
    return sitting.page_switches + 1


def sitting_submit(*, sitting: Sitting, auto: bool = False, now=None) -> Sitting:
    """Close the sitting and grade what can be graded by machine; a second submit is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Sitting.objects.select_for_update().get(pk=sitting.pk)
        if locked.status != SittingStatus.OPEN:
            raise Refused(SUBMITTED, 409)
        late = now > locked.deadline + GRACE
        locked.submitted_at = min(now, locked.deadline) if late else now
        locked.auto_submitted = auto or late
        locked.status = SittingStatus.SUBMITTED
        locked.save(update_fields=["submitted_at", "auto_submitted", "status"])
        grade_sitting(locked)
    return locked


def submit_by_code(code: str, *, auto: bool = False, now=None) -> Sitting:
    """`auto`: the page submitted itself when its countdown reached zero (a second or so before
    the server's deadline, depending on the network); after the deadline it is auto anyway."""
    now = now or timezone.now()
    candidate = candidate_by_code(code)
    sitting = current_sitting(candidate)
    if sitting is None:
        raise Refused("请先开始答题。", 400)
    if sitting.status != SittingStatus.OPEN:
        raise Refused(SUBMITTED, 409)
    return sitting_submit(sitting=sitting, now=now, auto=auto or now >= sitting.deadline)


def submit_overdue(exam, *, now=None) -> int:
    """Sittings whose time ran out with the page closed: submitted as they stand."""
    now = now or timezone.now()
    overdue = Sitting.objects.filter(
        candidate__exam=exam, status=SittingStatus.OPEN, deadline__lt=now - GRACE
    )
    count = 0
    for sitting in overdue:
        try:
            sitting_submit(sitting=sitting, auto=True, now=now)
            count += 1
        except Refused:
            pass
    return count


# -- grading ---------------------------------------------------------------------------------


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def machine_score(question: Question, response: list[str], points: Decimal, *, partial: bool):
    """None for 简答 (a person grades it)."""
    if question.kind == "essay":
        return None
    answer = question.answer
    if question.kind in ("single", "judge"):
        return points if response == answer else Decimal(0)
    if question.kind == "multiple":
        chosen, right = set(response), set(answer)
        if chosen == right:
            return points
        if partial and chosen and chosen < right:
            return _quantize(points * len(chosen) / len(right))
        return Decimal(0)
    # 填空: each blank compared without spaces and punctuation width; credit per blank.
    given = [_plain(v) for v in response]
    right = [_plain(v) for v in answer]
    if not right:
        return Decimal(0)
    hits = sum(1 for i, text in enumerate(right) if i < len(given) and given[i] == text)
    return _quantize(points * hits / len(right))


def _plain(text: str) -> str:
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def grade_sitting(sitting: Sitting) -> None:
    candidate = Candidate.objects.select_related("exam").get(pk=sitting.candidate_id)
    exam = candidate.exam
    points_of = blueprint_for(exam, candidate.role).points
    ids = [entry["q"] for entry in sitting.paper]
    questions = Question.objects.in_bulk(ids)
    answers = {a.question_id: a for a in sitting.answers.all()}
    for qid in ids:
        question = questions[qid]
        points = Decimal(str(points_of.get(question.kind, 0)))
        answer = answers.get(qid)
        if answer is None:
            answer = Answer(
                sitting=sitting, question=question, response=[], saved_at=sitting.submitted_at
            )
            answers[qid] = answer
        answer.points = points
        score = machine_score(question, answer.response, points, partial=exam.partial_credit)
        if score is not None:
            answer.score = score
        elif not answer.response:
            answer.score = Decimal(0)  # an essay left blank needs no grader
        answer.save()
    _total(sitting, answers.values(), exam)


def _total(sitting: Sitting, answers, exam) -> None:
    if any(a.score is None for a in answers):
        return  # waiting for the graders of 简答
    sitting.score = _quantize(sum((a.score for a in answers), Decimal(0)))
    sitting.passed = sitting.score >= exam.pass_mark
    sitting.status = SittingStatus.GRADED
    sitting.save(update_fields=["score", "passed", "status"])


@transaction.atomic
def essay_grade(*, acting_user, answer: Answer, score: Decimal) -> Answer:
    """A grader's score for one 简答 answer; the grader sees the answer, never the name."""
    from fazhi.exams.services import check_exam_owner

    sitting = Sitting.objects.select_related("candidate__exam").get(pk=answer.sitting_id)
    exam = sitting.candidate.exam
    check_exam_owner(acting_user, exam)
    if sitting.status == SittingStatus.OPEN:
        raise ValidationError("该答卷尚未提交。")
    if answer.question.kind != "essay":
        raise ValidationError("只有简答题需要人工评分。")
    if score is None or score < 0 or score > answer.points:
        raise ValidationError(f"得分应在 0 到 {answer.points} 之间。")
    before = answer.score
    answer.score = _quantize(Decimal(score))
    answer.graded_by = stored_user(acting_user)
    answer.save(update_fields=["score", "graded_by"])
    if sitting.status == SittingStatus.GRADED:
        sitting.status = SittingStatus.SUBMITTED  # totalled again below
    _total(sitting, list(sitting.answers.all()), exam)
    audit_record(
        acting_user=acting_user,
        action="exam.grade",
        target=exam,
        region=exam.region,
        summary=f"答卷 {sitting.blind_key}",
        before={"score": str(before) if before is not None else None},
        after={"score": str(answer.score)},
    )
    return answer
