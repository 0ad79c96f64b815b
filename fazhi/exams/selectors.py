"""Reads of the exams app: banks and their counts, a test's roster and sittings, results per
examinee, unit and role, and the item analysis (difficulty index, discrimination) that shows the
questions to look at again. Everything goes through the scoping mechanism: a unit's liaison
reads its own people only, and the analysis is of the sittings the reader may see."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from fazhi.core.scoping import get_visible_or_404
from fazhi.exams.models import (
    Answer,
    Candidate,
    Exam,
    Question,
    QuestionBank,
    QuestionType,
    Sitting,
    SittingStatus,
)

DIFFICULTY_LABELS = {"easy": "易", "medium": "中", "hard": "难"}


def bank_list(*, user, query: str = ""):
    banks = QuestionBank.objects.visible_to(user).select_related("region")
    if query:
        banks = banks.filter(name__icontains=query)
    return banks.annotate(question_count=Count("questions"))


def bank_by_name(*, user, name: str) -> QuestionBank:
    """A bank named on the command line: by name (or id); several of that name is an error."""
    banks = QuestionBank.objects.visible_to(user)
    found = list(banks.filter(name=name)[:2])
    if not found and name.isdigit():
        found = list(banks.filter(pk=int(name)))
    if not found:
        raise QuestionBank.DoesNotExist(f"没有找到题库“{name}”。")
    if len(found) > 1:
        raise QuestionBank.DoesNotExist(f"有多个地区的题库都叫“{name}”，请用题库编号。")
    return found[0]


def bank_counts(questions) -> dict:
    """Counts by type, difficulty and category, in that order of reading."""
    kinds = Counter(q["type"] if isinstance(q, dict) else q.kind for q in questions)
    levels = Counter(q["difficulty"] if isinstance(q, dict) else q.difficulty for q in questions)
    cats = Counter(
        (q["category"] if isinstance(q, dict) else q.category) or "未分类" for q in questions
    )
    return {
        "total": sum(kinds.values()),
        "by_type": {k: kinds[k] for k in QuestionType.values if kinds[k]},
        "by_difficulty": {k: levels[k] for k in DIFFICULTY_LABELS if levels[k]},
        "by_category": dict(cats.most_common()),
    }


def question_list(bank: QuestionBank, *, query: str = "", kind: str = "", category: str = ""):
    questions = bank.questions.all()
    if query:
        questions = questions.filter(Q(stem__icontains=query) | Q(basis__icontains=query))
    if kind:
        questions = questions.filter(kind=kind)
    if category:
        questions = questions.filter(category=category)
    return questions


def exam_list(*, user, query: str = ""):
    exams = Exam.objects.visible_to(user).select_related("bank", "region")
    if query:
        exams = exams.filter(name__icontains=query)
    return exams


def exam_by_pk(*, user, pk) -> Exam:
    return get_visible_or_404(Exam.objects.select_related("bank", "region"), user, pk=pk)


def candidates_of(exam: Exam, *, user, drawn_only: bool = False):
    people = Candidate.objects.visible_to(user).filter(exam=exam).select_related("unit", "draw")
    if drawn_only:
        people = people.exclude(code=None)
    return people


# -- results -----------------------------------------------------------------------------------


@dataclass
class Group:
    label: str
    drawn: int = 0
    sat: int = 0
    passed: int = 0
    total: Decimal = Decimal(0)

    @property
    def mean(self):
        return (self.total / self.sat).quantize(Decimal("0.1")) if self.sat else None

    @property
    def pass_rate(self):
        return round(100 * self.passed / self.sat, 1) if self.sat else None


@dataclass
class Results:
    rows: list = field(default_factory=list)  # (candidate, sitting or None)
    overall: Group = field(default_factory=lambda: Group("合计"))
    by_unit: list[Group] = field(default_factory=list)
    by_role: list[Group] = field(default_factory=list)
    waiting: int = 0  # sittings waiting for 简答 grading


def exam_results(exam: Exam, *, user) -> Results:
    people = list(candidates_of(exam, user=user, drawn_only=True).order_by("unit_text", "row"))
    sittings = _last_sittings(exam, user=user)
    results = Results()
    units: dict[str, Group] = {}
    roles: dict[str, Group] = {}
    for person in people:
        sitting = sittings.get(person.pk)
        results.rows.append((person, sitting))
        groups = (
            results.overall,
            units.setdefault(person.unit_label, Group(person.unit_label)),
            roles.setdefault(person.role, Group(person.get_role_display())),
        )
        for group in groups:
            group.drawn += 1
            if sitting is not None and sitting.status == SittingStatus.GRADED:
                group.sat += 1
                group.total += sitting.score
                group.passed += bool(sitting.passed)
        if sitting is not None and sitting.status == SittingStatus.SUBMITTED:
            results.waiting += 1
    results.by_unit = sorted(units.values(), key=lambda g: g.label)
    results.by_role = list(roles.values())
    return results


def _last_sittings(exam: Exam, *, user) -> dict[int, Sitting]:
    latest: dict[int, Sitting] = {}
    for sitting in (
        Sitting.objects.visible_to(user).filter(candidate__exam=exam).order_by("attempt")
    ):
        latest[sitting.candidate_id] = sitting
    return latest


@dataclass
class ItemStat:
    question: Question
    answered: int
    difficulty: float | None  # mean share of the points (1 = everyone right)
    discrimination: float | None  # upper 27% minus lower 27%
    flag: str = ""


def item_analysis(exam: Exam, *, user) -> list[ItemStat]:
    """Per question of the graded sittings the reader may see: the difficulty index p (share of
    the points scored) and the discrimination D (p of the best 27% minus p of the weakest
    27%). A question most get wrong, nearly all get right, or that the weaker do as well on as
    the stronger is flagged for a second look."""
    graded = list(
        Sitting.objects.visible_to(user)
        .filter(candidate__exam=exam, status=SittingStatus.GRADED)
        .order_by("-score", "pk")
        .values_list("pk", "score")
    )
    if not graded:
        return []
    tail = max(1, round(len(graded) * 0.27))
    upper = {pk for pk, _ in graded[:tail]}
    lower = {pk for pk, _ in graded[-tail:]}
    shares: dict[int, dict[int, float]] = defaultdict(dict)
    for sitting_id, qid, score, points in Answer.objects.filter(
        sitting_id__in=[pk for pk, _ in graded]
    ).values_list("sitting_id", "question_id", "score", "points"):
        shares[qid][sitting_id] = float(score or 0) / float(points) if points else 0.0
    questions = Question.objects.in_bulk(list(shares))
    stats = []
    for qid, by_sitting in shares.items():
        p = sum(by_sitting.values()) / len(by_sitting)
        up = [v for s, v in by_sitting.items() if s in upper]
        low = [v for s, v in by_sitting.items() if s in lower]
        d = (sum(up) / len(up) - sum(low) / len(low)) if up and low and len(graded) >= 4 else None
        stat = ItemStat(
            questions[qid], len(by_sitting), round(p, 2), round(d, 2) if d is not None else None
        )
        stat.flag = _flag(stat)
        stats.append(stat)
    return sorted(stats, key=lambda s: (s.flag == "", s.question.kind, s.question.position))


def _flag(stat: ItemStat) -> str:
    if stat.difficulty is not None and stat.difficulty < 0.3:
        return "过难"
    if stat.discrimination is not None and stat.discrimination < 0.2:
        return "区分度低"
    if stat.difficulty is not None and stat.difficulty > 0.95:
        return "过易"
    return ""


def essays_to_grade(exam: Exam, *, user):
    """The 简答 answers waiting for a grader, by blind key: no name, no unit."""
    return (
        Answer.objects.visible_to(user)
        .filter(sitting__candidate__exam=exam, question__kind="essay", score__isnull=True)
        .exclude(sitting__status=SittingStatus.OPEN)
        .select_related("question", "sitting")
        .order_by("question_id", "sitting__blind_key")
    )
