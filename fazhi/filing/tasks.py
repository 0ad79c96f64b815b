"""Background work of the filing app, run by `fazhi worker`."""

from django_tasks import task

from fazhi.filing.services import build_run


@task()
def run_filing_build(build_id: int) -> str:
    return build_run(build_id)
