"""Start the embedded platform: a background-task worker and the web server, stopped together.

SIGTERM (systemd, docker, kill) and SIGINT (Ctrl+C) stop both children cleanly: gunicorn
finishes the requests in hand and frees the port, the worker finishes its task in hand (the
django-tasks worker's own graceful shutdown). Without a handler Python dies on SIGTERM at once,
skipping the cleanup, and leaves gunicorn holding the port for the next start."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from fazhi.core.tempfiles import sweep_temp_area
from fazhi.plans.clock import DigestClock

# gunicorn refuses a request line over 4094 bytes with a bare English 414, and a search of
# about 450 Chinese characters (9 bytes each, percent-encoded) is that long. 8190 is its
# ceiling; the search boxes hold 100 characters and the pages cut longer searches with a note.
LIMIT_REQUEST_LINE = 8190
# How long a child is given to finish what it is doing before it is killed.
GRACE_SECONDS = 60


class Stop(Exception):
    """A stop signal arrived."""


def _stop(signum, frame):
    raise Stop(signal.strsignal(signum))


def stop_child(process: subprocess.Popen | None) -> None:
    """Ask a child to stop, give it GRACE_SECONDS, then kill it."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def gunicorn_options(*, workers: int) -> list[str]:
    return [
        "--workers",
        str(workers),
        "--threads",
        os.environ.get("FAZHI_WEB_THREADS", "4"),
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
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        worker = clock = server = None
        # What processes killed before this start left in the temp area (uploads cut off, builds
        # and imports half-done); another running fazhi's folders stay. The clock sweeps daily.
        swept = sweep_temp_area()
        if swept.removed or swept.folders:
            self.stdout.write(
                f"已清理上次留下的临时文件：{swept.removed} 个，共 {swept.bytes} 字节"
            )
        try:
            if not no_worker:
                worker = subprocess.Popen([sys.executable, "-m", "fazhi.cli", "worker"])  # noqa: S603
                # The daily reminder digest without cron: a thread that enqueues it for the
                # worker once a day (see fazhi/plans/clock.py; repeated runs send nothing twice).
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
            server.wait()
        except Stop as stop:
            self.stdout.write(f"收到停止信号（{stop}），正在停止 Web 服务和后台任务进程……")
        finally:
            # A second signal while the children stop must not cut their stopping short.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            stop_child(server)
            if clock is not None:
                clock.stop()
            stop_child(worker)
