"""Background work of the evidence app, run by `fazhi worker` (django-tasks' db_worker)."""

from django_tasks import task

from fazhi.core.taskrecovery import on_recovery
from fazhi.evidence.recovery import extraction_given_up
from fazhi.evidence.services import blob_extract


@task()
def extract_blob_text(blob_id: int) -> dict:
    outcome = blob_extract(blob_id=blob_id)
    return {"status": outcome.status, "message": outcome.message}


# A worker killed while reading: the task simply runs again (reading twice does no harm), and
# a file that kills its worker every time is recorded as failed (fazhi/core/taskrecovery.py).
on_recovery(extract_blob_text, given_up=extraction_given_up)
