from django.contrib.auth.backends import ModelBackend
from django.utils import timezone


class LockoutAwareBackend(ModelBackend):
    """Django's own backend, except that a locked account cannot authenticate even with the
    right password until the lockout has passed."""

    def user_can_authenticate(self, user):
        locked_until = getattr(user, "locked_until", None)
        if locked_until and locked_until > timezone.now():
            return False
        return super().user_can_authenticate(user)
