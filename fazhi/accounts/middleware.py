import time

from django.shortcuts import redirect
from django.urls import reverse

from fazhi.accounts.audit import client_ip, request_address

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


# The session's expiry is pushed forward at most this often.
SESSION_REFRESH_SECONDS = 60
REFRESHED_KEY = "_fazhi_refreshed"


class SlidingSessionMiddleware:
    """The idle timeout slides with activity, but the session is written back at most once a
    minute, not on every request: each write is a database write, and under a deadline rush
    on the embedded SQLite those writes queue behind uploads for the one write lock. The idle
    timeout is therefore exact to within that minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and _due_for_refresh(session):
            mark_refreshed(session)  # the session is then saved, its expiry renewed
        return response


def _due_for_refresh(session) -> bool:
    if not session.session_key or session.is_empty():
        return False
    return int(time.time()) - session.get(REFRESHED_KEY, 0) >= SESSION_REFRESH_SECONDS


def mark_refreshed(session) -> None:
    session[REFRESHED_KEY] = int(time.time())


def session_refreshed_at_login(sender, request, user, **kwargs):
    """Logging in saves the session anyway: the next minute's requests need not."""
    mark_refreshed(request.session)


class RequestAddressMiddleware:
    """Every audit row written while a request is served records where the request came from:
    uploads, verdicts, imports and the rest reach `audit_record` through services that are
    also called by the worker and the command line, which have no request to pass on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_address(client_ip(request)):
            return self.get_response(request)
