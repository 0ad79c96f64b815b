"""/api/inspections/: inspections, their findings and counts, and the two steps of 销号 — the
same services and the same rule as the pages and the command line (a unit never closes its own
finding: 403)."""

from datetime import date

from django.utils import timezone
from ninja import Router, Schema

from fazhi.core.listing import Id
from fazhi.inspections import selectors, services

router = Router(tags=["法治督察 inspections"])


class InspectionOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    starts_on: date | None
    ends_on: date | None
    findings: int
    closed: int


class FindingOut(Schema):
    id: int
    number: str
    description: str
    category: str
    unit: str
    responsible_unit: str
    leader: str
    person: str
    requirement: str
    deadline: str
    long_term: bool
    status: str


class UnitCount(Schema):
    unit: str
    total: int
    closed: int
    overdue: int


class CategoryCount(Schema):
    category: str
    total: int
    closed: int
    overdue: int


class ReportOut(Schema):
    total: int
    by_status: dict[str, int]
    overdue: int
    by_unit: list[UnitCount]
    by_category: list[CategoryCount]


class CloseRequestIn(Schema):
    note: str


class VerifyIn(Schema):
    accept: bool
    note: str = ""


@router.get("/", response=list[InspectionOut], summary="可查看的督察")
def list_inspections(request):
    return [
        {
            "id": i.pk,
            "name": i.name,
            "kind": i.kind,
            "region": i.region.code,
            "starts_on": i.starts_on,
            "ends_on": i.ends_on,
            "findings": i.finding_count,
            "closed": i.closed_count,
        }
        for i in selectors.inspection_list(user=request.user)
    ]


@router.get("/{inspection_id}/findings", response=list[FindingOut], summary="督察发现的问题")
def list_findings(request, inspection_id: Id):
    inspection = selectors.inspection_by_ref(user=request.user, ref=str(inspection_id))
    return [
        selectors.finding_as_json(f)
        for f in selectors.findings_of(user=request.user, inspection=inspection)
    ]


@router.get("/{inspection_id}/report", response=ReportOut, summary="整改情况统计")
def get_report(request, inspection_id: Id, date: date | None = None):
    inspection = selectors.inspection_by_ref(user=request.user, ref=str(inspection_id))
    return selectors.inspection_report(
        user=request.user, inspection=inspection, today=date or timezone.localdate()
    )


@router.post(
    "/findings/{finding_id}/request-close", response=FindingOut, summary="责任单位申请销号"
)
def request_close(request, finding_id: Id, payload: CloseRequestIn):
    finding = selectors.finding_by_ref(user=request.user, ref=str(finding_id))
    services.finding_request_close(acting_user=request.user, finding=finding, note=payload.note)
    finding.refresh_from_db()
    return selectors.finding_as_json(finding)


@router.post(
    "/findings/{finding_id}/verify", response=FindingOut, summary="督察方审核销号（销号或退回）"
)
def verify(request, finding_id: Id, payload: VerifyIn):
    finding = selectors.finding_by_ref(user=request.user, ref=str(finding_id))
    services.finding_verify(
        acting_user=request.user, finding=finding, accept=payload.accept, note=payload.note
    )
    finding.refresh_from_db()
    return selectors.finding_as_json(finding)
