"""The one scoping mechanism: who may see and change which rows.

Every scoped model declares a `ScopePolicy` saying where its rows sit in the org tree (a region
lookup, a unit lookup) and which roles may write them. A user's `Scope` says where the user sits
and how far each of their roles reaches. Pages, API endpoints, exports and tasks all ask the same
two questions through `ScopedQuerySet.visible_to(user)` and `.editable_by(user)`, and load single
objects through `get_visible_or_404` / `get_editable_or_404`; nothing else decides access.

How far a role reaches:
- `admin` (系统管理员): everything.
- `lead_admin`, `reviewer`, `leader`, `inspector`: the subtree of the user's region.
- `liaison` (联络员): the user's own unit only.
- `expert` (评审专家, often from outside, or a third-party evaluator): only the campaigns they
  were granted (a `CampaignGrant`, made when a round names them reviewer or a provincial
  evaluation takes them on), whatever region their account sits in.
Rows owned by an ancestor region (a national or provincial framework) are readable below it when
the policy says `inherited`; they are never writable from below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

REGION_WIDE_ROLES = frozenset({"lead_admin", "reviewer", "leader", "inspector"})
UNIT_ROLES = frozenset({"liaison"})
GRANT_ROLES = frozenset({"expert"})
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class ScopePolicy:
    """Where a model's rows sit. `region` is the lookup to a Region ("" for Region itself),
    `unit` the lookup to a Unit ("pk" for Unit itself); either may be None. A unit lookup that
    crosses a to-many relation ("assignments__unit": a campaign reaches every unit given one of
    its items) is applied as a subquery so that rows are never repeated."""

    region: str | None = None
    unit: str | None = None
    grant: str | None = None
    inherited: bool = False
    write_roles: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self):
        object.__setattr__(self, "write_roles", frozenset(self.write_roles))

    def _lookup(self, region_field: str) -> str:
        return f"{self.region}__{region_field}" if self.region else region_field


@dataclass(frozen=True)
class Scope:
    """Where one user sits: computed once per request from the user's region, unit and roles."""

    roles: frozenset[str]
    user_id: int | None = None
    region_path: str | None = None
    ancestor_codes: tuple[str, ...] = ()
    unit_id: int | None = None
    is_everything: bool = False

    @classmethod
    def for_user(cls, user) -> Scope:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(roles=frozenset())
        cached = getattr(user, "_fazhi_scope", None)
        if cached is not None:
            return cached
        roles = frozenset(user.role_codes())
        region = user.region
        scope = cls(
            roles=roles,
            user_id=user.pk,
            region_path=region.path if region else None,
            ancestor_codes=tuple(region.ancestor_codes) if region else (),
            unit_id=user.unit_id,
            is_everything=user.is_superuser or "admin" in roles,
        )
        user._fazhi_scope = scope
        return scope

    def has_role(self, *roles: str) -> bool:
        return self.is_everything or bool(self.roles.intersection(roles))

    # -- the two questions -------------------------------------------------------------------

    def visible_q(self, model) -> Q:
        policy = model.scope_policy
        if self.is_everything:
            return Q()
        reaches = [self._reach_q(model, role) for role in self.roles]
        if policy.inherited:
            reaches.append(self._inherited_q(policy))
        return _any(reaches)

    def editable_q(self, model) -> Q:
        if self.is_everything:
            return Q()
        write_roles = self.roles & model.scope_policy.write_roles
        return _any(self._reach_q(model, role) for role in write_roles)

    # -- building blocks ---------------------------------------------------------------------

    def _reach_q(self, model, role: str) -> Q:
        policy = model.scope_policy
        if role in REGION_WIDE_ROLES and self.region_path and policy.region is not None:
            return Q(**{policy._lookup("path__startswith"): self.region_path})
        if role in UNIT_ROLES and self.unit_id and policy.unit is not None:
            return _through_q(model, policy.unit, self.unit_id)
        if role in GRANT_ROLES and self.user_id and policy.grant is not None:
            return _through_q(model, policy.grant, self.user_id)
        return NOTHING

    def _inherited_q(self, policy: ScopePolicy) -> Q:
        if policy.region is None:
            return NOTHING
        above = Q(**{policy._lookup("code__in"): self.ancestor_codes})
        if policy.region:  # a row owned by no region at all is national: readable by everyone
            above |= Q(**{f"{policy.region}__isnull": True})
        return above


def _through_q(model, lookup: str, pk: int) -> Q:
    if "__" not in lookup or lookup.endswith("_id"):
        return Q(**{lookup: pk})
    # Through a relation that may be to-many: a subquery keeps each row once.
    return Q(pk__in=model._base_manager.filter(**{lookup: pk}).values("pk"))


def _any(qs) -> Q:
    qs = [q for q in qs if q is not NOTHING]
    return reduce(or_, qs) if qs else NOTHING


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScopedQuerySet:
        return self.filter(Scope.for_user(user).visible_q(self.model))

    def editable_by(self, user) -> ScopedQuerySet:
        return self.filter(Scope.for_user(user).editable_q(self.model))


def _as_queryset(model_or_queryset) -> models.QuerySet:
    if isinstance(model_or_queryset, models.QuerySet):
        return model_or_queryset
    return model_or_queryset._default_manager.all()


def get_visible_or_404(model_or_queryset, user, **lookup):
    """Load one row the user may see. A row outside the user's scope is a 404, not a 403, so that
    guessing ids in URLs does not even reveal that the row exists."""
    queryset = _as_queryset(model_or_queryset)
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("没有找到该记录，或您无权查看。") from exc


def get_editable_or_404(model_or_queryset, user, **lookup):
    """Load one row the user may change: 404 when it is not visible, 403 when visible only."""
    instance = get_visible_or_404(model_or_queryset, user, **lookup)
    if not is_editable(user, _as_queryset(model_or_queryset), instance.pk):
        raise PermissionDenied("您可以查看但无权修改该记录。")
    return instance


def is_editable(user, model_or_queryset, pk) -> bool:
    """Whether the user may change the row `pk`: `editable_by` asked of one row, by id, so a
    caller holding only a foreign key (`item.campaign_id`) loads nothing more."""
    return _as_queryset(model_or_queryset).editable_by(user).filter(pk=pk).exists()


def can_write_at(user, model, *, region=None, unit=None) -> bool:
    """Whether the user may create a row of `model` placed at this region/unit; the same rules as
    `editable_q`, applied to a row that does not exist yet."""
    scope = Scope.for_user(user)
    if scope.is_everything:
        return True
    for role in scope.roles & model.scope_policy.write_roles:
        in_subtree = (
            region is not None and scope.region_path and region.path.startswith(scope.region_path)
        )
        if role in REGION_WIDE_ROLES and in_subtree:
            return True
        if role in UNIT_ROLES and unit is not None and unit.pk == scope.unit_id:
            return True
    return False
