"""Background work of the evidence app, run by `fazhi worker` (django-tasks' db_worker)."""

from django_tasks import task

from fazhi.evidence.services import blob_extract


@task()
def extract_blob_text(blob_id: int) -> dict:
    outcome = blob_extract(blob_id=blob_id)
    return {"status": outcome.status, "message": outcome.message}
