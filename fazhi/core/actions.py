"""The shape every button-press view shares: run one service call, then show its refusal or its
success as a message on the page the user goes back to."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError


def error_text(exc: Exception) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


def perform(request, action: Callable, *, success: str | Callable[[object], str]) -> bool:
    """Call `action()`; True when it went through. A refusal (ValidationError, PermissionDenied)
    becomes an error message naming what is wrong; `success` may be built from the result."""
    try:
        result = action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
