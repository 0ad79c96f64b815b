from django.contrib.auth import get_user_model
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

    def get_user(self, user_id):
        """The signed-in user of each request with what every page reads of them (region, unit
        and roles: the scope, the menu and the top bar) in two queries, not four."""
        UserModel = get_user_model()  # noqa: N806 - Django's own name for it
        try:
            user = (
                UserModel._default_manager.select_related("region", "unit")
                .prefetch_related("roles")
                .get(pk=user_id)
            )
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
