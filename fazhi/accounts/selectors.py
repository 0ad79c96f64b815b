from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone

from fazhi.accounts.audit_display import actions_named
from fazhi.accounts.models import AuditEntry, User


def user_list(*, user, query: str = "", role: str = "", unit_id: int | None = None):
    users = User.objects.visible_to(user).select_related("region", "unit").prefetch_related("roles")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    if role:
        users = users.filter(roles__code=role)
    if unit_id:
        users = users.filter(unit_id=unit_id)
    return users.distinct()


def audit_list(*, user, query: str = "", action: str = "", date_from=None, date_to=None):
    entries = AuditEntry.objects.visible_to(user)
    if query:
        entries = entries.filter(
            Q(actor_name__icontains=query)
            | Q(target_repr__icontains=query)
            | Q(summary__icontains=query)
            | Q(action__in=actions_named(query))
        )
    if action:
        entries = entries.filter(action__startswith=action)
    if date_from:
        entries = entries.filter(
            created_at__gte=timezone.make_aware(datetime.combine(date_from, time.min))
        )
    if date_to:
        entries = entries.filter(
            created_at__lte=timezone.make_aware(datetime.combine(date_to, time.max))
        )
    return entries


def audit_actions(*, user) -> list[str]:
    return list(
        AuditEntry.objects.visible_to(user).order_by().values_list("action", flat=True).distinct()
    )
