from ninja import Router, Schema

from fazhi.core.listing import SearchText
from fazhi.core.scoping import Scope
from fazhi.orgs import selectors

router = Router(tags=["组织机构 orgs"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    region: str


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    region: str | None
    unit: str | None


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(Scope.for_user(user).roles),
        "region": user.region.code if user.region else None,
        "unit": user.unit.code if user.unit else None,
    }


@router.get("/regions", response=list[RegionOut], summary="可查看的行政区划")
def regions(request, query: SearchText = ""):
    return [
        {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "parent": r.parent.code if r.parent else None,
        }
        for r in selectors.region_list(user=request.user, query=query)
    ]


@router.get("/units", response=list[UnitOut], summary="可查看的单位")
def units(request, query: SearchText = "", region_code: str = "", kind: str = ""):
    return [
        {
            "id": u.pk,
            "code": u.code,
            "name": u.name,
            "short_name": u.short_name,
            "kind": u.kind,
            "region": u.region.code,
        }
        for u in selectors.unit_list(
            user=request.user, query=query, region_code=region_code, kind=kind
        )
    ]
