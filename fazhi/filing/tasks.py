"""Background work of the filing app, run by `fazhi worker`."""

from django_tasks import task

from fazhi.core.taskrecovery import on_recovery
from fazhi.filing.services import build_given_up, build_requeued, build_run


@task()
def run_filing_build(build_id: int) -> str:
    return build_run(build_id)


# A worker killed mid-build: the build starts over when the task runs again, or fails with the
# reason once its workers have died too often (fazhi/core/taskrecovery.py).
on_recovery(run_filing_build, requeued=build_requeued, given_up=build_given_up)
