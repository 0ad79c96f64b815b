"""Start the embedded platform: a background-task worker and the web server, stopped together."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from fazhi.plans.clock import DigestClock

# gunicorn refuses a request line over 4094 bytes with a bare English 414, and a search of
# about 450 Chinese characters (9 bytes each, percent-encoded) is that long. 8190 is its
# ceiling; the search boxes hold 100 characters and the pages cut longer searches with a note.
LIMIT_REQUEST_LINE = 8190


def gunicorn_options(*, workers: int) -> list[str]:
    return [
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--timeout",
        "300",
        "--limit-request-line",
        str(LIMIT_REQUEST_LINE),
        "--access-logfile",
        "-",
    ]


class Command(BaseCommand):
    help = "启动平台（Web 服务和后台任务进程）。端口由 PORT 环境变量指定，默认 8000。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("FAZHI_WEB_WORKERS", "2"))
        )
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, host, port, workers, no_worker, **options):
        worker = clock = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "fazhi.cli", "db_worker"])  # noqa: S603
            # The daily reminder digest without cron: a thread that enqueues it for the worker
            # once a day (see fazhi/plans/clock.py; repeated runs send nothing twice).
            clock = DigestClock(hour=settings.FAZHI_REMINDER_HOUR)
            clock.start()
        self.stdout.write(
            self.style.SUCCESS(
                f"平台已启动：http://{host}:{port}/ （数据目录 {settings.DATA_DIR}，按 Ctrl+C 停止）"
            )
        )
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "fazhi.wsgi:application",
                "--bind",
                f"{host}:{port}",
                *gunicorn_options(workers=workers),
            ]
        )
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGTERM)
            server.wait()
        finally:
            if clock is not None:
                clock.stop()
            if worker is not None:
                worker.terminate()
                worker.wait()
