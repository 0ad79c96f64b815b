"""/api/exams/: banks, tests, results with item analysis — through the same selectors and the
same scoping as the pages (a unit's token reads its own people's results only)."""

from ninja import Router, Schema

from fazhi.core.scoping import get_visible_or_404
from fazhi.exams import exports, selectors
from fazhi.exams.models import QuestionBank

router = Router(tags=["法治能力测试 exams"])


class BankOut(Schema):
    id: int
    name: str
    region: str
    questions: int


class ExamOut(Schema):
    id: int
    name: str
    mode: str
    bank: str
    duration_minutes: int
    pass_mark: float


class GroupOut(Schema):
    label: str
    drawn: int
    sat: int
    mean: float | None
    pass_rate: float | None


class ExamineeOut(Schema):
    name: str
    unit: str
    role: str
    status: str
    score: float | None
    passed: bool | None
    page_switches: int


class ItemOut(Schema):
    question_id: int
    type: str
    stem: str
    answered: int
    difficulty: float | None
    discrimination: float | None
    flag: str


class ResultsOut(Schema):
    overall: GroupOut
    by_unit: list[GroupOut]
    by_role: list[GroupOut]
    examinees: list[ExamineeOut]
    items: list[ItemOut]


@router.get("/banks", response=list[BankOut], summary="可查看的题库")
def list_banks(request):
    return [
        {"id": b.pk, "name": b.name, "region": b.region.code, "questions": b.question_count}
        for b in selectors.bank_list(user=request.user)
    ]


@router.get(
    "/banks/{bank_id}/questions", summary="题库试题（与 fazhi exam export-bank 的 JSON 相同）"
)
def bank_questions(request, bank_id: int):
    bank = get_visible_or_404(QuestionBank, request.user, pk=bank_id)
    return exports.bank_json(bank.questions.order_by("position", "id"))


@router.get("/", response=list[ExamOut], summary="可查看的测试")
def list_exams(request):
    return [
        {
            "id": e.pk,
            "name": e.name,
            "mode": e.mode,
            "bank": e.bank.name,
            "duration_minutes": e.duration_minutes,
            "pass_mark": float(e.pass_mark),
        }
        for e in selectors.exam_list(user=request.user)
    ]


def _group(g) -> dict:
    return {
        "label": g.label,
        "drawn": g.drawn,
        "sat": g.sat,
        "mean": float(g.mean) if g.mean is not None else None,
        "pass_rate": g.pass_rate,
    }


@router.get(
    "/{exam_id}/results", response=ResultsOut, summary="成绩（按考生、单位、人员类别）与试题分析"
)
def exam_results(request, exam_id: int):
    exam = selectors.exam_by_pk(user=request.user, pk=exam_id)
    results = selectors.exam_results(exam, user=request.user)
    return {
        "overall": _group(results.overall),
        "by_unit": [_group(g) for g in results.by_unit],
        "by_role": [_group(g) for g in results.by_role],
        "examinees": [
            {
                "name": p.name,
                "unit": p.unit_label,
                "role": p.role,
                "status": s.status if s else "absent",
                "score": float(s.score) if s and s.score is not None else None,
                "passed": s.passed if s else None,
                "page_switches": s.page_switches if s else 0,
            }
            for p, s in results.rows
        ],
        "items": [
            {
                "question_id": i.question.pk,
                "type": i.question.kind,
                "stem": i.question.stem,
                "answered": i.answered,
                "difficulty": i.difficulty,
                "discrimination": i.discrimination,
                "flag": i.flag,
            }
            for i in selectors.item_analysis(exam, user=request.user)
        ],
    }
