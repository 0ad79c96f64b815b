"""/api/casereviews/: review activities, a review's files and its 评查结果通报, the sample draw,
a file's score sheet, and a standard in the exchange shape — the same services and rules as the
pages and the command line (nobody grades their own unit's files: 403)."""

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from fazhi.casereviews import selectors, services, standards
from fazhi.casereviews.reach import reachable_cases
from fazhi.casereviews.rules import number_out
from fazhi.core.listing import Id

router = Router(tags=["案卷评查 casereviews"])


class ReviewOut(Schema):
    id: int
    name: str
    region: str
    closed_from: date
    closed_to: date
    cases: int
    sampled: int


class CaseOut(Schema):
    id: int
    number: str
    title: str
    case_type: str
    unit: str
    handler: str
    closed_on: date
    sampled: bool
    total: float | None
    grade: str


class SampleIn(Schema):
    per_unit: int | None = None
    share: str | None = None
    seed: int


class SampleOut(Schema):
    seed: int
    numbers: list[str]


class Deduction(Schema):
    item: str
    count: int | None = None
    points: float | None = None
    reason: str = ""
    page: int | None = None


class SheetIn(Schema):
    deductions: list[Deduction] = []
    veto: list[str] = []
    disputed: bool = False
    comment: str = ""
    version: int | None = None


class SheetOut(Schema):
    total: float
    grade: str


@router.get("/", response=list[ReviewOut], summary="可查看的案卷评查")
def list_reviews(request):
    return [
        {
            "id": r.pk,
            "name": r.name,
            "region": r.region.code,
            "closed_from": r.closed_from,
            "closed_to": r.closed_to,
            "cases": r.case_count,
            "sampled": r.sampled_count,
        }
        for r in selectors.review_list(user=request.user)
    ]


@router.get("/standards/{standard_id}", summary="评查标准（导出格式）")
def get_standard(request, standard_id: Id):
    return standards.standard_as_json(selectors.standard_by_ref(user=request.user, ref=standard_id))


@router.get("/{casereview_id}/cases", response=list[CaseOut], summary="可查看的案卷")
def list_cases(request, casereview_id: Id, sampled: bool = False):
    review = selectors.review_by_ref(user=request.user, ref=casereview_id)
    rows = []
    for case in selectors.cases_of(user=request.user, review=review, sampled_only=sampled):
        final = selectors.case_state(case)["final"]
        rows.append(
            {
                "id": case.pk,
                "number": case.number,
                "title": case.title,
                "case_type": case.case_type,
                "unit": case.unit.name,
                "handler": case.handler,
                "closed_on": case.closed_on,
                "sampled": case.sampled,
                "total": number_out(final.total) if final else None,
                "grade": final.grade if final else "",
            }
        )
    return rows


@router.get("/{casereview_id}/report", summary="评查结果通报（按单位、总体、常见问题）")
def get_report(request, casereview_id: Id):
    review = selectors.review_by_ref(user=request.user, ref=casereview_id)
    return selectors.review_report(user=request.user, review=review)


@router.post(
    "/{casereview_id}/sample", response=SampleOut, summary="抽取案卷（同一随机种子结果相同）"
)
def draw_sample(request, casereview_id: Id, payload: SampleIn):
    review = selectors.review_by_ref(user=request.user, ref=casereview_id)
    draw = services.sample_draw(
        acting_user=request.user,
        review=review,
        per_unit=payload.per_unit,
        share=payload.share,
        seed=payload.seed,
    )
    return {"seed": draw.seed, "numbers": draw.numbers}


@router.post(
    "/cases/{case_id}/score", response=SheetOut, summary="评查表评分（得分和等次由系统计算）"
)
def score(request, case_id: Id, payload: SheetIn):
    case = get_object_or_404(
        reachable_cases(request.user).select_related("unit", "review__region"), pk=case_id
    )
    sheet = services.sheet_score(
        acting_user=request.user,
        case=case,
        deductions=[d.dict(exclude_none=True) for d in payload.deductions],
        vetoes=payload.veto,
        disputed=payload.disputed,
        comment=payload.comment,
        version=payload.version,
    )
    return {"total": number_out(sheet.total), "grade": sheet.grade}
