"""Running the daily digest without cron, for the embedded deployment (`fazhi serve`).

django-tasks has no scheduler, and an embedded install on a government desktop or server has
nobody to set up cron. So `fazhi serve` runs this small clock in a thread beside the worker it
starts: every quarter of an hour it checks whether today's digest has been asked for, and once
the local time has passed FAZHI_REMINDER_HOUR it enqueues `send_daily_digest_task` for the
worker. Nothing here has to be exact: the task may run twice (a restart, a second `serve`), and
the notifications' unique keys and the DigestLog rows make every run after the first send
nothing. Deployments without `fazhi serve` run `fazhi reminders` daily from their scheduler.

The same clock, at start-up and on every check, has files left waiting for their text by a
worker that died read again (fazhi/evidence/recovery.py), and once a day sweeps the temp area of
what killed processes left (fazhi/core/tempfiles.py; `fazhi serve` sweeps it at start-up)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime

from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 15 * 60
SWEEP_EVERY_SECONDS = 24 * 60 * 60


def digest_due(now: datetime, *, hour: int, last_run: date | None) -> bool:
    """Whether to ask for the digest at local time `now`, having last asked on `last_run`."""
    return now.hour >= hour and last_run != now.date()


class DigestClock(threading.Thread):
    def __init__(self, *, hour: int, interval: float = CHECK_EVERY_SECONDS):
        super().__init__(name="fazhi-digest-clock", daemon=True)
        self.hour = hour
        self.interval = interval
        self.last_run: date | None = None
        # `fazhi serve` sweeps the temp area before starting the clock: the next sweep is a day on.
        self.last_sweep = time.monotonic()
        self._stopped = threading.Event()

    def tick(self) -> bool:
        """Enqueue the digest if it is due; True when it did."""
        now = timezone.localtime()
        if not digest_due(now, hour=self.hour, last_run=self.last_run):
            return False
        from fazhi.plans.tasks import send_daily_digest_task

        try:
            send_daily_digest_task.enqueue()
        finally:
            connections.close_all()  # this thread's only: no connection idles for 15 minutes
        self.last_run = now.date()
        logger.info("已安排 %s 的每日待办提醒", now.date())
        return True

    def requeue_waiting_files(self) -> int:
        from fazhi.evidence.recovery import requeue_waiting_extractions

        try:
            return requeue_waiting_extractions()
        finally:
            connections.close_all()

    def sweep_temp_files(self) -> bool:
        """Sweep the temp area if a day has passed since the last sweep; True when it did."""
        if time.monotonic() - self.last_sweep < SWEEP_EVERY_SECONDS:
            return False
        from fazhi.core.tempfiles import sweep_temp_area

        self.last_sweep = time.monotonic()
        sweep_temp_area()
        return True

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.tick()
            except Exception:  # keep the clock alive; the next tick tries again
                logger.exception("安排每日待办提醒失败")
            try:
                self.requeue_waiting_files()
            except Exception:
                logger.exception("重新安排等待提取文字的文件失败")
            try:
                self.sweep_temp_files()
            except Exception:
                logger.exception("清理临时文件失败")
            self._stopped.wait(self.interval)

    def stop(self) -> None:
        self._stopped.set()
