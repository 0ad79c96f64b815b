"""Files left waiting for their text are read again without anyone running a command.

An upload enqueues the reading of its file's text (`services._enqueue_extraction`). If the
worker dies while reading it, the file stays 提取中… (its text and search words are written in
one transaction, so nothing half-done is left), and the task row that would have read it is
gone, finished as failed, or stuck as running. `requeue_waiting_extractions` finds files waiting
longer than FAZHI_EXTRACT_RETRY_MINUTES that no task is about to read (none queued, none running
for less than that time) and enqueues them again; `fazhi serve`'s clock asks at start-up and
every quarter of an hour. Reading a file twice does no harm: the second run writes the same
text and words."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fazhi.evidence.models import Blob, ExtractStatus

logger = logging.getLogger(__name__)

TASK_PATH = "fazhi.evidence.tasks.extract_blob_text"


def _blobs_in_hand(since) -> set[int]:
    """Blobs a task is queued for, or a worker started on after `since` (assumed alive)."""
    active = DBTaskResult.objects.filter(task_path=TASK_PATH).filter(
        Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gt=since)
    )
    ids = set()
    for args_kwargs in active.values_list("args_kwargs", flat=True):
        args = (args_kwargs or {}).get("args") or []
        if args and isinstance(args[0], int):
            ids.add(args[0])
    return ids


def requeue_waiting_extractions(*, waited: timedelta | None = None) -> int:
    """Enqueue the reading of every file waiting for its text longer than `waited` with no task
    in hand; the number enqueued."""
    from fazhi.evidence.tasks import extract_blob_text  # the tasks module imports services

    if waited is None:
        waited = timedelta(minutes=settings.FAZHI_EXTRACT_RETRY_MINUTES)
    since = timezone.now() - waited
    waiting = (
        Blob.objects.filter(extract_status=ExtractStatus.PENDING, created_at__lte=since)
        .filter(versions__isnull=False)  # a blob no material uses is read when one does
        .distinct()
        .values_list("pk", flat=True)
    )
    in_hand = _blobs_in_hand(since)
    requeued = [pk for pk in waiting if pk not in in_hand]
    for pk in requeued:
        extract_blob_text.enqueue(pk)
    if requeued:
        logger.info("重新安排 %d 个等待中的文件提取文字", len(requeued))
    return len(requeued)
