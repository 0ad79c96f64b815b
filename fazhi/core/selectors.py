from fazhi.accounts.models import User
from fazhi.frameworks.models import Framework
from fazhi.orgs.models import Unit


def home_counts(*, user) -> dict:
    return {
        "frameworks": Framework.objects.visible_to(user).count(),
        "units": Unit.objects.visible_to(user).count(),
        "users": User.objects.visible_to(user).count(),
    }
