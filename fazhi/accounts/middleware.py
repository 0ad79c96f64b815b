from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_WHILE_CHANGING = ("accounts:password_change", "accounts:logout")


class PasswordChangeRequiredMiddleware:
    """An account an administrator created must choose its own password before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed_paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            if self._allowed_paths is None:
                self._allowed_paths = {reverse(name) for name in ALLOWED_WHILE_CHANGING}
            is_static = request.path.startswith("/static/")
            if (
                request.path not in self._allowed_paths
                and not is_static
                and not request.path.startswith("/api/")
            ):
                return redirect("accounts:password_change")
        return self.get_response(request)
