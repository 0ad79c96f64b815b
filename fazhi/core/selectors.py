from fazhi.accounts.models import User
from fazhi.campaigns.models import Campaign, ItemStatus
from fazhi.campaigns.selectors import due_soon, my_tasks
from fazhi.frameworks.models import Framework
from fazhi.orgs.models import Unit


def home_counts(*, user) -> dict:
    return {
        "frameworks": Framework.objects.visible_to(user).count(),
        "units": Unit.objects.visible_to(user).count(),
        "users": User.objects.visible_to(user).count(),
        "campaigns": Campaign.objects.visible_to(user).count(),
    }


def home_tasks(*, user) -> dict | None:
    """A liaison's three numbers: items, items sent back, items due with nothing uploaded."""
    tasks = my_tasks(user=user)
    if not tasks.exists():
        return None
    return {
        "total": tasks.count(),
        "returned": tasks.filter(status=ItemStatus.RETURNED).count(),
        "due_soon": due_soon(tasks).count(),
    }
