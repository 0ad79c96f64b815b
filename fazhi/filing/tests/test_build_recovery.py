"""A build whose worker died: restarted at once once the worker's lease has expired, run again
from the start by task recovery, or failed with the reason when its workers kept dying.
Before, it blocked every new build for FAZHI_FILING_STALE_MINUTES whatever had become of its
worker, and its task stayed RUNNING for ever."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from fazhi.conftest import stored_names
from fazhi.core.models import WorkerBeat
from fazhi.core.taskrecovery import Recovery, recover_abandoned_tasks
from fazhi.filing import services
from fazhi.filing.models import BuildStatus, FilingBuild
from fazhi.filing.tasks import run_filing_build


@pytest.fixture
def running_build(filed, people, settings):
    """A build a worker took and was making progress on a moment ago, with the files it had
    stored so far; the queue row of its task names the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    build = services.build_request(acting_user=people.szq_lead, campaign=filed)
    now = timezone.now()
    FilingBuild.objects.filter(pk=build.pk).update(
        status=BuildStatus.RUNNING, started_at=now, heartbeat_at=now, stage="汇编 1/4", done=1250
    )
    default_storage.save(f"filings/{filed.pk}/{build.pk}/材料包.zip", ContentFile(b"PK"))
    build.task = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        task_path=run_filing_build.module_path,
        args_kwargs={"args": [build.pk], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        started_at=now - timedelta(minutes=2),
        worker_ids=["w1"],
        exception_class_path="",
        traceback="",
    )
    return build


def worker_last_seen(worker_id: str, ago: timedelta) -> None:
    seen = timezone.now() - ago
    WorkerBeat.objects.create(worker_id=worker_id, host="h", pid=1, started_at=seen, beat_at=seen)


def test_a_build_whose_worker_died_can_be_restarted_at_once(running_build, filed, people, login):
    worker_last_seen("w1", timedelta(minutes=1, seconds=5))  # the lease is a minute
    client = login(people.szq_lead)
    page = client.get(reverse("filing:campaign", args=[filed.pk])).content.decode()
    assert "这次生成已中断（执行它的后台任务进程已停止），可以重新生成。" in page
    assert "disabled" not in page.split('<button type="submit"')[1].split(">")[0]

    fresh = services.build_request(acting_user=people.szq_lead, campaign=filed)
    running_build.refresh_from_db()
    assert running_build.status == BuildStatus.FAILED
    assert running_build.error == "生成中断（执行它的后台任务进程已停止），已由新的生成取代。"
    assert fresh.status == BuildStatus.QUEUED
    assert stored_names(f"filings/{filed.pk}") == []  # the dead worker's files went with it


def test_a_build_whose_worker_is_alive_is_not_replaced(running_build, filed, people, login):
    worker_last_seen("w1", timedelta(seconds=5))
    client = login(people.szq_lead)
    page = client.get(reverse("filing:campaign", args=[filed.pk])).content.decode()
    assert "build-interrupted" not in page
    assert 'disabled title="已有一次生成正在进行"' in page
    with pytest.raises(ValidationError, match="正在进行"):
        services.build_request(acting_user=people.szq_lead, campaign=filed)


def test_recovery_runs_the_build_again_from_the_start(running_build, filed):
    assert recover_abandoned_tasks() == Recovery(requeued=1)  # w1 never beat: it is gone
    running_build.refresh_from_db()
    assert running_build.status == BuildStatus.QUEUED and running_build.done == 0
    assert stored_names(f"filings/{filed.pk}") == []
    running_build.task.refresh_from_db()
    assert running_build.task.status == TaskResultStatus.READY

    assert services.build_run(running_build.pk) == BuildStatus.READY  # what the worker does


def test_a_build_whose_workers_kept_dying_fails_with_the_reason(running_build, filed, people):
    DBTaskResult.objects.filter(pk=running_build.task.pk).update(worker_ids=["w1", "w2", "w3"])
    assert recover_abandoned_tasks() == Recovery(failed=1)
    running_build.refresh_from_db()
    assert running_build.status == BuildStatus.FAILED
    assert running_build.error == (
        "生成中断：后台任务进程在执行该任务时 3 次中断（进程被终止或主机重启），已停止重试。"
        "请检查材料后重新生成。"
    )
    assert stored_names(f"filings/{filed.pk}") == []
    services.build_request(acting_user=people.szq_lead, campaign=filed)  # no longer blocked
