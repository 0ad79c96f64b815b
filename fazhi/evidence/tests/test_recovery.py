"""A file left waiting for its text by a worker that died is read again without a command:
`fazhi serve`'s clock re-enqueues it at start-up and every quarter of an hour."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fazhi.core.taskrecovery import Recovery, recover_abandoned_tasks
from fazhi.evidence import selectors, services
from fazhi.evidence.models import Blob, ExtractStatus
from fazhi.evidence.recovery import TASK_PATH, requeue_waiting_extractions
from fazhi.plans.clock import DigestClock

LONG_AGO = timedelta(hours=2)


@pytest.fixture
def waiting(campaign, people, monkeypatch):
    """A file uploaded two hours ago whose text was never read: its worker died on it."""
    with monkeypatch.context() as m:
        m.setattr(services, "_enqueue_extraction", lambda blob: None)
        evidence = services.evidence_upload(
            acting_user=people.szq_liaison,
            item=campaign.items.get(code="1.1.1"),
            file=ContentFile("依法办理行政复议案件。".encode(), name="年度报告.txt"),
        )
    Blob.objects.filter(pk=evidence.current.blob_id).update(created_at=timezone.now() - LONG_AGO)
    return evidence.current.blob


def task_row(blob, status, *, started_ago=None):
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [blob.pk], "kwargs": {}},
        task_path=TASK_PATH,
        backend_name="default",
        run_after=now,
        started_at=now - started_ago if started_ago else None,
        exception_class_path="",
        traceback="",
    )


def status_of(blob) -> str:
    return Blob.objects.get(pk=blob.pk).extract_status


def test_a_file_whose_task_failed_is_read_again_by_the_clock(waiting, campaign, people):
    task_row(waiting, "FAILED")  # the task failed on something else than the file: a database error
    assert requeue_waiting_extractions() == 1
    assert status_of(waiting) == ExtractStatus.DONE  # the test backend runs it at once
    found = selectors.search_evidence(campaign=campaign, user=people.szq_lead, query="复议")
    assert [e.title for e in found] == ["年度报告"]
    assert requeue_waiting_extractions() == 0


@pytest.mark.parametrize(
    "in_hand",
    [
        pytest.param(lambda blob: task_row(blob, "READY"), id="queued"),
        pytest.param(
            lambda blob: task_row(blob, "RUNNING", started_ago=timedelta(minutes=1)),
            id="being read",
        ),
        # Its worker died: task recovery puts the same task back, a second one would be a twin.
        pytest.param(
            lambda blob: task_row(blob, "RUNNING", started_ago=LONG_AGO), id="worker died"
        ),
        pytest.param(
            lambda blob: Blob.objects.filter(pk=blob.pk).update(created_at=timezone.now()),
            id="just uploaded",
        ),
    ],
)
def test_a_file_a_worker_has_in_hand_is_left_to_it(waiting, in_hand):
    in_hand(waiting)
    assert requeue_waiting_extractions() == 0
    assert status_of(waiting) == ExtractStatus.PENDING


def test_the_clock_asks_at_start_up_and_on_every_check(db):
    clock = DigestClock(hour=0, interval=0)
    ticks = []

    def tick():
        ticks.append(1)
        if len(ticks) == 2:
            clock.stop()  # two rounds of the loop are enough
        return False

    with (
        mock.patch.object(clock, "tick", side_effect=tick),
        mock.patch("fazhi.plans.clock.connections"),  # the test's own connection stays open
        mock.patch("fazhi.evidence.recovery.requeue_waiting_extractions") as requeue,
    ):
        requeue.return_value = 0
        clock.run()
    assert requeue.call_count == 2


def test_the_command_requeues_for_deployments_without_the_clock(waiting):
    out = StringIO()
    call_command("evidence", "requeue", stdout=out)
    assert out.getvalue() == "重新安排 1 个等待提取文字的文件。\n"
    assert status_of(waiting) == ExtractStatus.DONE


def test_task_recovery_puts_the_reading_back_once(waiting):
    task = task_row(waiting, "RUNNING", started_ago=LONG_AGO)  # a worker that never beat
    assert recover_abandoned_tasks() == Recovery(requeued=1)
    task.refresh_from_db()
    assert task.status == "READY"
    assert requeue_waiting_extractions() == 0  # the clock sees it queued: no second task


def test_a_file_that_killed_every_worker_is_recorded_as_failed(waiting, campaign, people):
    task = task_row(waiting, "RUNNING", started_ago=LONG_AGO)
    DBTaskResult.objects.filter(pk=task.pk).update(worker_ids=["w1", "w2", "w3"])
    assert recover_abandoned_tasks() == Recovery(failed=1)
    blob = Blob.objects.get(pk=waiting.pk)
    assert blob.extract_status == ExtractStatus.FAILED
    assert blob.extract_error == (
        "读取文字时后台任务进程 3 次中断（文件可能过大或已损坏），已停止重试。"
    )
    assert requeue_waiting_extractions() == 0  # not read again every half hour for ever
