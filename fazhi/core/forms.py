from django.core.exceptions import ValidationError

from fazhi.core.actions import error_text


def add_service_error(form, exc: Exception) -> None:
    """Show a service's ValidationError/PermissionDenied on the form, on the field it names."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_text(exc))
