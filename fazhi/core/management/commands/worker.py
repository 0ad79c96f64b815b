"""`fazhi worker`: django-tasks-db's `db_worker` holding a lease.

It records a heartbeat while it runs and removes it when it stops cleanly, and it puts back the
tasks of workers that died (at start-up and about every minute): fazhi/core/taskrecovery.py.
A plain `db_worker` sends no heartbeat, so its tasks would be taken for abandoned: run this."""

import logging
import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from fazhi.core.heap import freeze_startup_objects
from fazhi.core.taskrecovery import WorkerHeartbeat
from fazhi.core.tempfiles import sweep_temp_area

logger = logging.getLogger(__name__)


class Command(DBWorkerCommand):
    help = "运行后台任务进程（文字提取、申报材料生成、提醒）。进程中断时它手上的任务会重新执行。"

    def handle(self, *args, worker_id: str, reload: bool, batch: bool, **options) -> None:
        # With --reload the first process only watches the code and runs the worker as a child
        # (which comes here again): only the process that runs tasks holds the lease.
        watcher = reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if watcher:
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        # What killed processes left in the temp area (fazhi/core/tempfiles.py): on a worker host
        # with no `fazhi serve`, a worker's start is the moment after a crash or a reboot.
        try:
            sweep_temp_area()
        except OSError:
            logger.exception("清理临时文件失败")
        heartbeat = WorkerHeartbeat(worker_id)
        heartbeat.begin()
        freeze_startup_objects()
        try:
            return super().handle(*args, worker_id=worker_id, reload=reload, batch=batch, **options)
        finally:
            heartbeat.stop()
