"""Role checks for whole pages. Which *rows* a user reaches is decided by core.scoping."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from fazhi.core.scoping import Scope


def require_roles(*roles: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not Scope.for_user(request.user).has_role(*roles):
                raise PermissionDenied("您的角色无权使用此功能。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
