"""Files left waiting for their text are read again without anyone running a command.

An upload enqueues the reading of its file's text (`services._enqueue_extraction`). If the
worker dies while reading it, the file stays 提取中… (its text and search words are written in
one transaction, so nothing half-done is left). Its task, left running, is task recovery's
(fazhi/core/taskrecovery.py): put back in the queue, or after too many deaths given up, which
records the file as failed (`extraction_given_up`). What is left here are files whose task is
gone or failed otherwise (a database error): `requeue_waiting_extractions` finds files waiting
longer than FAZHI_EXTRACT_RETRY_MINUTES that no task is about to read (none queued or running)
and enqueues them again; `fazhi serve`'s clock asks at start-up and every quarter of an hour.
Reading a file twice does no harm: the second run writes the same text and words."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fazhi.evidence.models import Blob, ExtractStatus

logger = logging.getLogger(__name__)

TASK_PATH = "fazhi.evidence.tasks.extract_blob_text"


def _blobs_in_hand() -> set[int]:
    """Blobs a task is queued for or running on. A running task whose worker died counts too:
    task recovery puts it back (READY, still in hand) or gives it up, and a second task for the
    same file would only read it twice."""
    active = DBTaskResult.objects.filter(
        task_path=TASK_PATH, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
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
    in_hand = _blobs_in_hand()
    requeued = [pk for pk in waiting if pk not in in_hand]
    for pk in requeued:
        extract_blob_text.enqueue(pk)
    if requeued:
        logger.info("重新安排 %d 个等待中的文件提取文字", len(requeued))
    return len(requeued)


def extraction_given_up(blob_id: int, *, attempts: int, message: str) -> None:
    """Every worker that read this file died (a file too large for memory, a parser that
    crashes): it is recorded as failed with the reason instead of being read again, and
    killing a worker, every half hour for ever."""
    Blob.objects.filter(pk=blob_id, extract_status=ExtractStatus.PENDING).update(
        extract_status=ExtractStatus.FAILED,
        extract_error=f"读取文字时后台任务进程 {attempts} 次中断（文件可能过大或已损坏），已停止重试。",
        extracted_at=timezone.now(),
    )
