from ninja import Router, Schema

from fazhi.core.listing import Id, SearchText
from fazhi.fieldwork import selectors

router = Router(tags=["省级评估 fieldwork"])


class WeightsOut(Schema):
    written: int
    field: int
    survey: int


class EvaluationOut(Schema):
    id: int
    name: str
    region: str
    weights: WeightsOut
    applicants: int


class RankingRowOut(Schema):
    rank: int | None
    applicant_id: int
    campaign_id: int
    campaign: str
    region: str
    region_code: str
    written: float | None
    written_provisional: float | None
    written_scored: int
    indicators: int
    field: float | None
    survey: float | None
    composite: float | None
    missing: list[str]
    items_approved: int
    items_total: int
    version: int


class RankingOut(Schema):
    evaluation: EvaluationOut
    rows: list[RankingRowOut]


def _evaluation_out(evaluation, applicants: int) -> dict:
    return {
        "id": evaluation.pk,
        "name": evaluation.name,
        "region": evaluation.region.code,
        "weights": evaluation.weights,
        "applicants": applicants,
    }


@router.get("/evaluations", response=list[EvaluationOut], summary="可查看的省级评估")
def list_evaluations(request, q: SearchText = ""):
    evaluations = selectors.evaluation_list(user=request.user, query=q)
    return [_evaluation_out(e, e.n_applicants) for e in evaluations]


@router.get(
    "/evaluations/{evaluation_id}/ranking",
    response=RankingOut,
    summary="综合排名（书面评审、实地评估、满意度测评加权）",
)
def get_ranking(request, evaluation_id: Id):
    evaluation = selectors.evaluation_by_pk(user=request.user, pk=evaluation_id)
    rows = selectors.ranking(evaluation)
    return {
        "evaluation": _evaluation_out(evaluation, len(rows)),
        "rows": [row.as_dict() for row in rows],
    }
