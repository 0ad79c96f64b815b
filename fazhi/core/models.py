"""The platform's own bookkeeping, outside any campaign."""

from django.db import models


class WorkerBeat(models.Model):
    """A running `fazhi worker` and the last time it said it was alive (its lease). A task
    whose worker has sent no beat for FAZHI_TASK_LEASE_SECONDS was abandoned: the worker was
    killed or its host went down (fazhi/core/taskrecovery.py)."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "后台任务进程心跳"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id})"
