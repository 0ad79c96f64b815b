"""Tasks for the task recovery tests only, run by real `fazhi worker` subprocesses."""

import os
import signal
import time
from pathlib import Path

from django_tasks import task


@task()
def slow_the_first_time(marker: str) -> int:
    """Notes each attempt's process in `marker`; the first attempt takes a minute (long enough
    to be killed in), later ones finish at once. Returns how many attempts were made."""
    path = Path(marker)
    first = not path.exists()
    with path.open("a") as notes:
        notes.write(f"{os.getpid()}\n")
    if first:
        time.sleep(60)
    return len(path.read_text().split())


@task()
def kill_own_worker() -> None:
    """A file that takes down whichever worker reads it, as a decompression bomb would."""
    os.kill(os.getpid(), signal.SIGKILL)
