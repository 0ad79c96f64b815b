"""Reads of the org tree, always through the scoping mechanism."""

from django.db.models import Count, Q
from django.http import Http404

from fazhi.core.scoping import Scope
from fazhi.orgs.models import Region, Unit


def regions_overseen(*, user):
    """The regions in the user's own subtree (their region and everything below it): where they
    may place units and accounts. Ancestors are visible to them but not theirs to manage."""
    scope = Scope.for_user(user)
    regions = Region.objects.visible_to(user)
    if scope.is_everything:
        return regions
    if not scope.region_path:
        return regions.none()
    return regions.filter(path__startswith=scope.region_path)


def region_by_code(code: str) -> Region:
    """A region named by its division code on the command line or in the API; whether the user
    may act there is the service's to decide."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404(f"区划代码 {code} 不存在。")
    return region


def region_list(*, user, query: str = ""):
    regions = Region.objects.visible_to(user).annotate(unit_count=Count("units"))
    if query:
        regions = regions.filter(Q(name__icontains=query) | Q(code__startswith=query))
    return regions.select_related("parent").order_by("path")


def unit_list(*, user, query: str = "", region_code: str = "", kind: str = ""):
    units = Unit.objects.visible_to(user).select_related("region")
    if query:
        units = units.filter(
            Q(name__icontains=query) | Q(short_name__icontains=query) | Q(code__icontains=query)
        )
    if region_code:
        units = units.filter(region__path__contains=f"{region_code}/")
    if kind:
        units = units.filter(kind=kind)
    # An aggregate drops Meta.ordering, and pages must not shuffle: order explicitly.
    return units.annotate(user_count=Count("users")).order_by("region__path", "sort_order", "name")
