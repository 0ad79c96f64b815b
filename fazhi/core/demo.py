"""The clock of the demo data. The demo tells a story that began months before the day
`fazhi demo-data` runs: the campaign was set up, materials came in, a first review round ran and
closed, a second one is open today. Every step is done through the apps' services, run at the
moment it would have happened, so that every timestamp they write (uploads, verdicts, comments,
the audit log) reads as that history; the plan's dates (deadlines, the period, the open round)
are counted from today, so the demo stays alive whenever it is loaded."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.utils import timezone

SEED = "fazhi-demo"


@dataclass(frozen=True)
class Calendar:
    """The day the demo is loaded and the dates counted from it. Taken once, before any step
    moves the clock back."""

    today: date

    @classmethod
    def from_clock(cls) -> Calendar:
        return cls(timezone.localdate())

    def day(self, offset: int) -> date:
        """The date `offset` days from today (negative: in the past)."""
        return self.today + timedelta(days=offset)

    def moment(self, offset: int, hour: int = 10, minute: int = 0) -> datetime:
        """A local working-hours moment `offset` days from today."""
        return timezone.make_aware(datetime.combine(self.day(offset), time(hour, minute)))


@contextmanager
def happening_at(when: datetime) -> Iterator[None]:
    """Run the enclosed services as if the clock read `when`: `timezone.now()` (which the
    services, the audit log and every auto-dated field ask) starts there and runs on as the
    real clock does, so that steps taken one after another keep their order."""
    real_now = timezone.now
    offset = when - real_now()
    with mock.patch.object(timezone, "now", lambda: real_now() + offset):
        yield


def rng(*names: object) -> random.Random:
    """A random source of its own for each part of the story: the same demo every time, and
    one part changing leaves the others as they were."""
    return random.Random(":".join([SEED, *map(str, names)]))
