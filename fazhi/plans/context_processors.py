from django.utils.functional import SimpleLazyObject

from fazhi.plans.selectors import unread_count


def notifications(request):
    """The unread count for the bell in the top bar. Lazy: the one query runs only when a page
    shows the bell (not for HTMX fragments), and never for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=user))}
