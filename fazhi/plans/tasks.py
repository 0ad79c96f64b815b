"""Background work of the plans app, run by `fazhi worker` (django-tasks' db_worker)."""

from django_tasks import task

from fazhi.plans.services import send_daily_digest


@task()
def send_daily_digest_task() -> dict:
    """The daily digest for the worker's today. It takes no date on purpose: a task that waited
    in the queue over a night (or several queued while the worker was down) still sends one
    digest for the day it runs, never one per missed day."""
    run = send_daily_digest()
    return {
        "date": run.today.isoformat(),
        "sent": run.count("sent"),
        "already_sent": run.count("already_sent"),
        "no_email": run.count("no_email"),
        "failed": run.count("failed"),
    }
