"""Tasks whose worker died run again, a bounded number of times.

django-tasks' database queue marks a task RUNNING when a worker claims it and finished when the
worker is done; a worker killed in between (kill -9, out of memory, a host that went down)
leaves the row RUNNING for ever, and nothing runs it again. So every `fazhi worker` holds a
lease: a `WorkerBeat` row it refreshes every few seconds from a thread and removes when it
stops cleanly. A RUNNING task whose last worker has no beat fresher than
FAZHI_TASK_LEASE_SECONDS was abandoned. `recover_abandoned_tasks` puts such a task back in the
queue (READY) while it has been tried fewer than FAZHI_TASK_MAX_ATTEMPTS times (one attempt per
worker that claimed it), and otherwise marks it failed: a file that kills whichever worker reads
it must not take every worker down in turn for ever.

Every worker recovers at start-up and about every half lease (at most a minute) from its
heartbeat thread, so the work of a killed worker is redone about a lease after its death by any
worker still running, or at once by the next one started. Two workers recovering at the same
moment change a row only if it is still as they read it (status and start time), so a task is
put back once.

Apps whose tasks leave state of their own behind register what to do when one is put back or
given up (`on_recovery`, next to the task), in the transaction that changes the task's row."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fazhi.core.models import WorkerBeat

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """The error recorded on a task given up: its workers kept dying while running it."""


@dataclass(frozen=True)
class Recovery:
    requeued: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Hooks:
    requeued: Callable[..., None] | None
    given_up: Callable[..., None] | None


_HOOKS: dict[str, _Hooks] = {}


def on_recovery(task, *, requeued=None, given_up=None) -> None:
    """Have `requeued(*task_args, attempts=n)` or `given_up(*task_args, attempts=n, message=…)`
    called when a task of this kind whose worker died is put back or given up."""
    _HOOKS[task.module_path] = _Hooks(requeued, given_up)


def _hooks(task_path: str) -> _Hooks | None:
    try:
        import_string(task_path)  # the task's module registers its hooks when imported
    except ImportError:
        return None
    return _HOOKS.get(task_path)


def lease() -> timedelta:
    return timedelta(seconds=settings.FAZHI_TASK_LEASE_SECONDS)


def live_workers(now: datetime | None = None) -> set[str]:
    since = (now or timezone.now()) - lease()
    return set(WorkerBeat.objects.filter(beat_at__gte=since).values_list("worker_id", flat=True))


def is_abandoned(row: DBTaskResult, *, alive: set[str], now: datetime) -> bool:
    """RUNNING under a worker without a fresh beat. A task started less than a lease ago is
    never taken for abandoned: its worker may not have beaten since (or clocks differ)."""
    if row.status != TaskResultStatus.RUNNING:
        return False
    if row.started_at is not None and row.started_at >= now - lease():
        return False
    return not row.worker_ids or row.worker_ids[-1] not in alive


def abandoned_tasks(now: datetime | None = None) -> list[DBTaskResult]:
    now = now or timezone.now()
    alive = live_workers(now)
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).filter(
        Q(started_at__lt=now - lease()) | Q(started_at__isnull=True)
    )
    fields = ("id", "status", "task_path", "args_kwargs", "worker_ids", "started_at")
    return [row for row in running.only(*fields) if is_abandoned(row, alive=alive, now=now)]


def recover_abandoned_tasks(*, now: datetime | None = None) -> Recovery:
    """Put back or give up every task whose worker died; how many of each."""
    now = now or timezone.now()
    requeued = failed = 0
    for row in abandoned_tasks(now):
        if len(row.worker_ids) < settings.FAZHI_TASK_MAX_ATTEMPTS:
            requeued += _requeue(row)
        else:
            failed += _give_up(row, now=now)
    # Dead workers' beats: nothing reads a stale beat, and a worker only stalled writes it anew.
    WorkerBeat.objects.filter(beat_at__lt=now - lease()).delete()
    return Recovery(requeued=requeued, failed=failed)


def _unchanged(row: DBTaskResult):
    """The row if it is still as this recoverer read it: another may have put it back and a
    worker claimed it again since, which sets a new start time."""
    return DBTaskResult.objects.filter(
        pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
    )


def _args(row: DBTaskResult) -> tuple[list, dict]:
    args_kwargs = row.args_kwargs or {}
    return list(args_kwargs.get("args") or []), dict(args_kwargs.get("kwargs") or {})


def _requeue(row: DBTaskResult) -> int:
    attempts = len(row.worker_ids)
    with transaction.atomic():
        if not _unchanged(row).update(status=TaskResultStatus.READY):
            return 0
        hooks = _hooks(row.task_path)
        if hooks and hooks.requeued:
            args, kwargs = _args(row)
            hooks.requeued(*args, **kwargs, attempts=attempts)
    logger.warning(
        "任务 %s（%s）的后台任务进程 %s 已停止，任务重新排队（已执行 %d 次）",
        row.pk,
        row.task_path,
        row.worker_ids[-1] if row.worker_ids else "-",
        attempts,
    )
    return 1


def given_up_message(attempts: int) -> str:
    return f"后台任务进程在执行该任务时 {attempts} 次中断（进程被终止或主机重启），已停止重试。"


def _give_up(row: DBTaskResult, *, now: datetime) -> int:
    attempts = len(row.worker_ids)
    message = given_up_message(attempts)
    with transaction.atomic():
        changed = _unchanged(row).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=message,
        )
        if not changed:
            return 0
        hooks = _hooks(row.task_path)
        if hooks and hooks.given_up:
            args, kwargs = _args(row)
            hooks.given_up(*args, **kwargs, attempts=attempts, message=message)
    logger.error("任务 %s（%s）%s", row.pk, row.task_path, message)
    return 1


def latest_task_row(task, *first_args) -> DBTaskResult | None:
    """The newest queue row of `task` enqueued with these leading arguments."""
    rows = DBTaskResult.objects.filter(task_path=task.module_path)
    for index, value in enumerate(first_args):
        rows = rows.filter(**{f"args_kwargs__args__{index}": value})
    return rows.order_by("-enqueued_at").first()


def task_counts() -> dict[str, dict[str, int]]:
    """How many tasks of each kind are in each status."""
    counts: dict[str, dict[str, int]] = {}
    rows = DBTaskResult.objects.order_by().values("task_path", "status").annotate(n=Count("pk"))
    for row in rows:
        counts.setdefault(row["task_path"], {})[row["status"]] = row["n"]
    return counts


# -- the worker's side: its lease ----------------------------------------------------------------


class WorkerHeartbeat(threading.Thread):
    """Keeps one worker's lease: a beat every sixth of a lease (at most every 10 s) and a
    recovery round every half lease (at most every minute), from a daemon thread with its own
    database connection, so a long task in the worker's main thread does not stop either."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="fazhi-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.started = timezone.now()
        seconds = settings.FAZHI_TASK_LEASE_SECONDS
        self.beat_every = min(10.0, seconds / 6)
        self.recover_every = min(60.0, seconds / 2)
        self._stopped = threading.Event()

    def begin(self) -> None:
        """Beat and recover once before the worker takes its first task, then keep at it."""
        self._safely(self.beat, "记录后台任务进程心跳失败")
        self._safely(self.recover, "恢复中断的后台任务失败")
        self.start()

    def beat(self) -> None:
        now = timezone.now()
        if WorkerBeat.objects.filter(worker_id=self.worker_id).update(beat_at=now):
            return
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": self.host,
                "pid": self.pid,
                "started_at": self.started,
                "beat_at": now,
            },
        )

    def recover(self) -> Recovery:
        return recover_abandoned_tasks()

    def run(self) -> None:
        next_recovery = time.monotonic() + self.recover_every
        try:
            while not self._stopped.wait(self.beat_every):
                close_old_connections()  # a database restart must not end the beats for good
                self._safely(self.beat, "记录后台任务进程心跳失败")
                if time.monotonic() >= next_recovery:
                    self._safely(self.recover, "恢复中断的后台任务失败")
                    next_recovery = time.monotonic() + self.recover_every
        finally:
            connection.close()  # this thread's own

    def stop(self) -> None:
        """A clean stop: the lease ends with the worker."""
        self._stopped.set()
        self.join(timeout=10)
        self._safely(
            lambda: WorkerBeat.objects.filter(worker_id=self.worker_id).delete(),
            "删除后台任务进程心跳失败",
        )

    @staticmethod
    def _safely(action: Callable[[], object], failure: str) -> None:
        # One line, not a traceback every few seconds while the database is away.
        try:
            action()
        except Exception as exc:
            logger.warning("%s：%s", failure, exc)
