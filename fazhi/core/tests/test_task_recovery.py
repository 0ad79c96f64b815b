"""A task whose worker was killed runs again under another worker, a bounded number of times.

Before, a worker killed with SIGKILL left its task RUNNING for ever: nothing ran it again. The
first tests run real `fazhi worker` processes on the test database (PostgreSQL) or on a
migrated SQLite file of their own, with a lease of a few seconds."""

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from fazhi.core import taskrecovery
from fazhi.core.models import WorkerBeat
from fazhi.core.taskrecovery import recover_abandoned_tasks

ROOT = Path(__file__).resolve().parents[3]
LEASE_SECONDS = 2
PATIENCE = 60  # seconds: the machine may be busy with other work
SLOW = "fazhi.core.tests.recovery_tasks.slow_the_first_time"
KILLER = "fazhi.core.tests.recovery_tasks.kill_own_worker"


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path | None:
    """A migrated embedded database, made once for the module (PostgreSQL: the test database)."""
    if connection.vendor == "postgresql":
        return None
    folder = tmp_path_factory.mktemp("migrated")
    env = {**os.environ, "FAZHI_DATA_DIR": str(folder)}
    env.pop("DATABASE_URL", None)
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "fazhi.cli", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return folder / "fazhi.sqlite3"


class Queue:
    """The task queue that worker subprocesses share with the test, read through `alias`."""

    def __init__(self, *, alias: str, env: dict, logs: Path) -> None:
        self.alias, self.env, self.logs = alias, env, logs
        self.workers: list[subprocess.Popen] = []

    def enqueue(self, task_path: str, *args) -> str:
        row = DBTaskResult.objects.using(self.alias).create(
            task_path=task_path,
            args_kwargs={"args": list(args), "kwargs": {}},
            backend_name="default",
            run_after=get_date_max(),
            exception_class_path="",
            traceback="",
        )
        return row.pk

    def row(self, pk) -> DBTaskResult:
        return DBTaskResult.objects.using(self.alias).get(pk=pk)

    def beats(self) -> set[str]:
        return set(WorkerBeat.objects.using(self.alias).values_list("worker_id", flat=True))

    def worker(self, worker_id: str) -> subprocess.Popen:
        log = (self.logs / f"{worker_id}.log").open("w")
        process = subprocess.Popen(  # noqa: S603
            [
                *(sys.executable, "-m", "fazhi.cli", "worker", "--worker-id", worker_id),
                *("--no-startup-delay", "--interval", "0.1", "--no-reload"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(process)
        return process

    def log(self, worker_id: str) -> str:
        return (self.logs / f"{worker_id}.log").read_text()

    def stop_all(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def queue(migrated_sqlite, tmp_path, settings):
    settings.FAZHI_TASK_LEASE_SECONDS = LEASE_SECONDS
    env = {
        **os.environ,
        "FAZHI_DATA_DIR": str(tmp_path / "data"),
        "FAZHI_TASK_LEASE_SECONDS": str(LEASE_SECONDS),
        "FAZHI_TASK_MAX_ATTEMPTS": "3",
    }
    alias = "default"
    if migrated_sqlite is None:
        db = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        # The test's own SQLite database lives in memory, out of the workers' reach: they and
        # the test share a migrated file, which the test reads through a second connection.
        (tmp_path / "data").mkdir()
        shutil.copy(migrated_sqlite, tmp_path / "data" / "fazhi.sqlite3")
        env.pop("DATABASE_URL", None)
        alias = "workers"
        # Set beside the configured databases, not among them: Django's test case refuses
        # connections to a configured database the test did not declare.
        setattr(
            connections._connections,
            alias,
            connections["default"].__class__(
                {**connection.settings_dict, "NAME": str(tmp_path / "data" / "fazhi.sqlite3")},
                alias,
            ),
        )
    queue = Queue(alias=alias, env=env, logs=tmp_path)
    yield queue
    queue.stop_all()
    if alias != "default":
        connections[alias].close()
        delattr(connections._connections, alias)


def wait_for(condition, *, what: str, within: float = PATIENCE):
    until = time.monotonic() + within
    while not (result := condition()):
        if time.monotonic() > until:
            raise AssertionError(f"waited {within} s for {what}")
        time.sleep(0.1)
    return result


workers_on_the_database = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@workers_on_the_database
def test_a_task_whose_worker_was_killed_runs_again_under_another_worker(queue, tmp_path):
    marker = tmp_path / "attempts"
    task = queue.enqueue(SLOW, str(marker))
    first = queue.worker("first")
    wait_for(lambda: marker.exists(), what="the first worker to start the task")
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert queue.row(task).status == TaskResultStatus.RUNNING  # where it used to stay for ever

    queue.worker("second")
    finished = wait_for(
        lambda: (row := queue.row(task)).status == TaskResultStatus.SUCCESSFUL and row,
        what="the second worker to run the task again",
    )
    assert finished.worker_ids == ["first", "second"]
    assert finished.return_value == 2
    assert "first" not in queue.beats()  # the dead worker's lease is cleared away


@workers_on_the_database
def test_a_task_that_kills_every_worker_fails_after_the_last_attempt(queue):
    queue.env["FAZHI_TASK_MAX_ATTEMPTS"] = "2"
    task = queue.enqueue(KILLER)
    # Three workers at once: whichever takes the task dies, and one of the others puts it back.
    workers = {name: queue.worker(name) for name in ("one", "two", "three")}
    failed = wait_for(
        lambda: (row := queue.row(task)).status == TaskResultStatus.FAILED and row,
        what="the task to be given up",
    )
    assert "2 次中断" in failed.traceback
    assert failed.exception_class_path == "fazhi.core.taskrecovery.WorkerLost"
    assert len(set(failed.worker_ids)) == 2
    for name, process in workers.items():
        if name in failed.worker_ids:
            assert process.wait(timeout=PATIENCE) == -signal.SIGKILL
        else:
            assert process.poll() is None  # given up, not run a third time


@workers_on_the_database
def test_a_worker_stopped_by_sigterm_ends_its_lease(queue):
    worker = queue.worker("polite")
    wait_for(lambda: "Starting worker" in queue.log("polite"), what="the worker to start")
    assert queue.beats() == {"polite"}
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=PATIENCE) == 0
    assert queue.beats() == set()


# -- recovery itself, in the test process ----------------------------------------------------------


def running_task(*worker_ids: str, started_ago=timedelta(minutes=5), path=SLOW) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        task_path=path,
        args_kwargs={"args": ["x"], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        started_at=timezone.now() - started_ago,
        worker_ids=list(worker_ids),
        exception_class_path="",
        traceback="",
    )


def beat(worker_id: str, ago=timedelta(0)) -> WorkerBeat:
    now = timezone.now()
    return WorkerBeat.objects.create(
        worker_id=worker_id, host="h", pid=1, started_at=now - ago, beat_at=now - ago
    )


def test_only_tasks_of_workers_without_a_fresh_beat_are_put_back(db):
    beat("alive")
    beat("dead", ago=timedelta(minutes=2))
    alive = running_task("alive")
    dead = running_task("dead")
    never_beat = running_task("plain")
    just_started = running_task("dead", started_ago=timedelta(seconds=5))

    assert recover_abandoned_tasks() == taskrecovery.Recovery(requeued=2, failed=0)
    statuses = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert statuses[alive.pk] == statuses[just_started.pk] == TaskResultStatus.RUNNING
    assert statuses[dead.pk] == statuses[never_beat.pk] == TaskResultStatus.READY
    assert set(WorkerBeat.objects.values_list("worker_id", flat=True)) == {"alive"}


def test_two_recoverers_put_a_task_back_once(db, monkeypatch):
    beat("dead", ago=timedelta(minutes=2))
    task = running_task("dead")
    seen_by_first = taskrecovery.abandoned_tasks()  # the first reads, then the second acts

    assert recover_abandoned_tasks() == taskrecovery.Recovery(requeued=1)
    DBTaskResult.objects.get(pk=task.pk).claim("next")  # and a worker takes it again

    monkeypatch.setattr(taskrecovery, "abandoned_tasks", lambda now=None: seen_by_first)
    assert recover_abandoned_tasks() == taskrecovery.Recovery(requeued=0)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING and task.worker_ids == ["dead", "next"]


def test_the_commands_recover_and_count(db):
    running_task("a", "b", "c")
    running_task("a")
    out = StringIO()
    call_command("tasks", "recover", stdout=out)
    assert out.getvalue().strip() == '{"requeued": 1, "failed": 1}'
    out = StringIO()
    call_command("tasks", "status", stdout=out)
    assert '"FAILED": 1' in out.getvalue() and '"READY": 1' in out.getvalue()
