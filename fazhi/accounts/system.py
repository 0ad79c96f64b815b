"""The actor for work nobody clicked: the command line, demo loading, background tasks started by
the platform itself. It holds the admin role, and its audit rows say 系统."""

from django.contrib.auth import get_user_model


class SystemActor:
    pk = None
    id = None
    username = "system"
    display_name = "系统"
    is_authenticated = True
    is_active = True
    is_superuser = True
    region = None
    region_id = None
    unit = None
    unit_id = None

    def role_codes(self) -> list[str]:
        return ["admin"]

    def __str__(self) -> str:
        return "系统"


SYSTEM = SystemActor()


def stored_user(actor):
    """The row to put in a user foreign key: the actor itself, or None for SYSTEM and for
    plain strings (an unknown username at login), which are no rows in the user table."""
    return actor if getattr(actor, "pk", None) else None


def actor_by_username(username: str | None):
    """The command line acts as SYSTEM unless told to act as (and be scoped as) a named user."""
    if not username:
        return SYSTEM
    return get_user_model().objects.select_related("region", "unit").get(username=username)
