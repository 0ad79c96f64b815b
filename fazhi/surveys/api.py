from ninja import Router, Schema

from fazhi.core.listing import Id, SearchText
from fazhi.surveys import selectors

router = Router(tags=["满意度测评 surveys"])


class WaveOut(Schema):
    id: int
    name: str
    region: str
    year: int
    strata: int
    respondents: int


class OverallOut(Schema):
    n: int
    satisfaction_rate: float | None
    score: float | None
    moe: float | None


class StratumOut(Schema):
    name: str
    n: int
    satisfaction_rate: float | None
    score: float | None


class ItemOut(Schema):
    title: str
    n: int
    satisfaction_rate: float | None
    score: float | None


class ReportOut(Schema):
    overall: OverallOut
    strata: list[StratumOut]
    items: list[ItemOut]


@router.get("/", response=list[WaveOut], summary="可查看的满意度测评")
def list_waves(request, q: SearchText = ""):
    return [
        {
            "id": wave.pk,
            "name": wave.name,
            "region": wave.region.code,
            "year": wave.year,
            "strata": wave.strata_count,
            "respondents": wave.respondent_count,
        }
        for wave in selectors.wave_list(user=request.user, query=q)[:200]
    ]


@router.get(
    "/{wave_id}/report",
    response=ReportOut,
    summary="测评结果（与 fazhi survey report --json 相同：满意率为百分数，保留两位小数）",
)
def wave_report(request, wave_id: Id):
    wave = selectors.wave_by_pk(user=request.user, pk=wave_id)
    return selectors.report_json(selectors.wave_report(wave))
