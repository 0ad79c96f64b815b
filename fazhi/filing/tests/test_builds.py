"""Building the filing in the background: ready only when every file is stored, nothing left by
a failed or interrupted build, one build at a time, downloads that resume, who may do what."""

import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from fazhi.conftest import stored_names
from fazhi.filing import services, volumes
from fazhi.filing.models import BuildStatus, FileKind, FilingBuild, FilingFile


def campaign_files(campaign) -> list[str]:
    return stored_names(f"filings/{campaign.pk}")


def test_a_build_stores_the_package_the_volumes_and_the_report(filed, people):
    build = services.build_request(acting_user=people.szq_lead, campaign=filed)
    build.refresh_from_db()
    assert build.status == BuildStatus.READY, build.error
    assert build.percent == 100
    kinds = [(f.kind, f.number) for f in build.files.order_by("kind", "number")]
    assert (FileKind.PACKAGE, 0) in kinds and (FileKind.REPORT, 0) in kinds
    assert (FileKind.VOLUME, 1) in kinds
    package = build.files.get(kind=FileKind.PACKAGE)
    with default_storage.open(package.storage_name) as fh, zipfile.ZipFile(fh) as archive:
        assert len([n for n in archive.namelist() if not n.endswith("/")]) == 5  # 4 + index
    assert build.summary["volumes"] == build.files.filter(kind=FileKind.VOLUME).count()
    assert len(campaign_files(filed)) == build.files.count()


def test_a_failed_build_leaves_no_file_and_can_be_started_again(filed, people, monkeypatch):
    def broken_report(**_):
        raise RuntimeError("模板损坏")

    monkeypatch.setattr(services, "render_report", broken_report)
    failed = services.build_request(acting_user=people.szq_lead, campaign=filed)
    failed.refresh_from_db()
    assert failed.status == BuildStatus.FAILED
    assert "模板损坏" in failed.error
    assert not FilingFile.objects.exists()
    assert campaign_files(filed) == []

    monkeypatch.undo()
    again = services.build_request(acting_user=people.szq_lead, campaign=filed)
    again.refresh_from_db()
    assert again.status == BuildStatus.READY


def test_one_build_at_a_time_and_an_interrupted_one_is_replaced(filed, people, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    queued = services.build_request(acting_user=people.szq_lead, campaign=filed)
    with pytest.raises(ValidationError, match="正在进行"):
        services.build_request(acting_user=people.szq_lead, campaign=filed)

    # The worker took it and then died: no sign of life for longer than the stale limit.
    FilingBuild.objects.filter(pk=queued.pk).update(
        status=BuildStatus.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=settings.FAZHI_FILING_STALE_MINUTES + 1),
    )
    # It had stored a file but died before recording it.
    default_storage.save(f"filings/{filed.pk}/{queued.pk}/材料包.zip", ContentFile(b"PK"))
    fresh = services.build_request(acting_user=people.szq_lead, campaign=filed)
    queued.refresh_from_db()
    assert queued.status == BuildStatus.FAILED and "中断" in queued.error
    assert campaign_files(filed) == []

    # Should the old worker come back, its next progress report stops it.
    with pytest.raises(services.BuildAborted):
        services.BuildProgress(queued.pk)(1, 2, force=True)
    assert services.build_run(fresh.pk) == BuildStatus.READY


def test_a_build_taken_over_midway_keeps_nothing(filed, people, monkeypatch):
    real_volumes = volumes.build_volumes

    def volumes_then_takeover(**kwargs):
        result = real_volumes(**kwargs)
        FilingBuild.objects.filter(status=BuildStatus.RUNNING).update(status=BuildStatus.FAILED)
        return result

    monkeypatch.setattr(volumes, "build_volumes", volumes_then_takeover)
    build = services.build_request(acting_user=people.szq_lead, campaign=filed)
    build.refresh_from_db()
    assert build.status == BuildStatus.FAILED
    assert campaign_files(filed) == [] and not FilingFile.objects.exists()


def test_only_the_newest_builds_keep_their_files(filed, people, settings):
    settings.FAZHI_FILING_KEEP_BUILDS = 1
    first = services.build_request(acting_user=people.szq_lead, campaign=filed)
    second = services.build_request(acting_user=people.szq_lead, campaign=filed)
    assert not first.files.exists()
    assert {n.split("/")[0] for n in campaign_files(filed)} == {str(second.pk)}


def test_only_the_lead_office_builds(filed, people):
    for user in (people.szq_liaison, people.szq_leader, people.xc_lead, people.szq_reviewer):
        with pytest.raises(PermissionDenied):
            services.build_request(acting_user=user, campaign=filed)
    with pytest.raises(ValidationError, match="每册页数上限"):
        services.build_request(acting_user=people.szq_lead, campaign=filed, page_budget=3)


# -- the pages -------------------------------------------------------------------------------------


def test_the_page_starts_a_build_and_lists_its_files(filed, people, login):
    client = login(people.szq_lead)
    response = client.post(
        reverse("filing:start", args=[filed.pk]), {"split": "area", "page_budget": 300}
    )
    assert response.status_code == 302
    build = FilingBuild.objects.get()
    assert build.split == "area" and build.status == BuildStatus.READY
    page = client.get(reverse("filing:campaign", args=[filed.pk])).content.decode()
    for file in build.files.all():
        assert reverse("filing:download", args=[file.pk]) in page
    assert "已完成" in page


def test_progress_is_polled_until_the_build_ends(filed, people, login, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    build = services.build_request(acting_user=people.szq_lead, campaign=filed)
    FilingBuild.objects.filter(pk=build.pk).update(
        status=BuildStatus.RUNNING, stage="汇编 3/4", done=1500
    )
    client = login(people.szq_lead)
    url = reverse("filing:build", args=[build.pk])
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-valuenow="50"' in html and "汇编 3/4" in html and "every 2s" in html
    assert "开始生成" in client.get(reverse("filing:campaign", args=[filed.pk])).content.decode()

    FilingBuild.objects.filter(pk=build.pk).update(status=BuildStatus.READY)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


@pytest.fixture
def built(filed, people):
    build = services.build_request(acting_user=people.szq_lead, campaign=filed)
    return build.files.get(kind=FileKind.PACKAGE)


def test_a_download_resumes_where_it_broke_off(built, people, login):
    client = login(people.szq_lead)
    url = reverse("filing:download", args=[built.pk])
    with default_storage.open(built.storage_name) as fh:
        whole = fh.read()

    full = client.get(url)
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    assert b"".join(full.streaming_content) == whole
    assert "%E6%9D%90%E6%96%99%E5%8C%85.zip" in full["Content-Disposition"]  # 材料包.zip

    part = client.get(url, HTTP_RANGE="bytes=100-")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-{len(whole) - 1}/{len(whole)}"
    assert b"".join(part.streaming_content) == whole[100:]

    middle = client.get(url, HTTP_RANGE="bytes=10-19", HTTP_IF_RANGE=f'"{built.sha256}"')
    assert middle.status_code == 206 and b"".join(middle.streaming_content) == whole[10:20]
    tail = client.get(url, HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == whole[-5:]

    # The file changed since the first part was fetched: the whole file comes again.
    stale = client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE='"another"')
    assert stale.status_code == 200 and b"".join(stale.streaming_content) == whole
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(whole)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(whole)}"


def test_who_sees_the_filing(built, filed, people, login, tree):
    from fazhi.conftest import make_user

    page = reverse("filing:campaign", args=[filed.pk])
    download = reverse("filing:download", args=[built.pk])
    start = reverse("filing:start", args=[filed.pk])
    for user in (people.szq_leader, people.city_inspector, people.szq_reviewer):
        client = login(user)
        assert client.get(page).status_code == 200
        assert client.get(download).status_code == 200
        assert client.post(start, {"split": "pages", "page_budget": 400}).status_code == 403
    # A liaison sees only their unit's materials, never the whole filing.
    assert login(people.szq_liaison).get(download).status_code == 403
    # Another county, or an expert no round or evaluation was granted to, finds nothing.
    assert login(people.xc_lead).get(page).status_code == 404
    assert login(people.xc_lead).get(download).status_code == 404
    outsider = make_user("expert_li", "expert", region=tree.province)
    assert login(outsider).get(download).status_code == 404
    # The filing list shows each county only its own campaigns.
    listing = login(people.xc_lead).get(reverse("filing:index")).content.decode()
    assert filed.name not in listing


def test_the_api_starts_a_build_and_lists_its_files(filed, people, client, bearer):
    url = f"/api/filing/campaigns/{filed.pk}/builds"
    started = client.post(
        url, {"split": "area"}, content_type="application/json", **bearer(people.szq_lead)
    )
    assert started.status_code == 202, started.content
    [build] = client.get(url, **bearer(people.szq_lead)).json()
    assert build["status"] == "ready" and build["percent"] == 100
    package = next(f for f in build["files"] if f["kind"] == "package")
    download = client.get(package["download"], HTTP_RANGE="bytes=0-3", **bearer(people.szq_lead))
    assert download.status_code == 206
    assert b"".join(download.streaming_content) == b"PK\x03\x04"
    assert client.get(package["download"], **bearer(people.xc_lead)).status_code == 404
    assert (
        client.post(
            url, {}, content_type="application/json", **bearer(people.szq_leader)
        ).status_code
        == 403
    )
    assert client.get(url, **bearer(people.xc_lead)).status_code == 404
    assert client.get(url, **bearer(people.szq_liaison)).status_code == 403
