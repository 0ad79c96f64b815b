"""fazhi tasks recover|status — the background task queue from the command line."""

import json

from django.utils import timezone

from fazhi.core.commands import ScopedCommand
from fazhi.core.models import WorkerBeat
from fazhi.core.taskrecovery import lease, recover_abandoned_tasks, task_counts


class Command(ScopedCommand):
    help = "后台任务：恢复进程中断的任务，查看各任务的状态。"

    def add_subcommands(self, sub):
        sub.add_parser(
            "recover",
            help="把后台任务进程已停止的任务重新排队（超过重试次数的记为失败），输出 JSON",
        )
        sub.add_parser("status", help="各任务各状态的数量和在运行的后台任务进程，输出 JSON")

    def _recover(self, actor, **_):
        # Every worker does this itself; the command is for a deployment whose workers are all
        # stopped, or for an operator who wants it now.
        done = recover_abandoned_tasks()
        self.stdout.write(json.dumps({"requeued": done.requeued, "failed": done.failed}))

    def _status(self, actor, **_):
        fresh_since = timezone.now() - lease()
        workers = [
            {
                "worker_id": beat.worker_id,
                "host": beat.host,
                "pid": beat.pid,
                "started_at": beat.started_at.isoformat(),
                "beat_at": beat.beat_at.isoformat(),
                "alive": beat.beat_at >= fresh_since,
            }
            for beat in WorkerBeat.objects.order_by("started_at")
        ]
        self.stdout.write(
            json.dumps({"tasks": task_counts(), "workers": workers}, ensure_ascii=False, indent=2)
        )
