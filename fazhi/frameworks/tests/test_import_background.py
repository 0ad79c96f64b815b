"""The wizard has a worker read the uploaded table: the request only stores the file, the page
shows a progress bar that polls until the preview is ready, and then the preview (or its precise
errors) as before. A hostile workbook costs the worker bounded time, never the web request."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from fazhi.core.tests.officefiles import sheet_xml, text_row, xlsx_from_xml
from fazhi.frameworks import services
from fazhi.frameworks.models import ImportStatus
from fazhi.frameworks.tests.excel_builders import national_table, save_xlsx
from fazhi.frameworks.tests.test_import_views import upload

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def lead(people, login):
    return login(people.szq_lead)


@pytest.fixture
def no_worker(settings):
    """Tasks are queued and nobody runs them, as between an upload and the worker's turn."""
    settings.TASKS = DUMMY


def htmx_get(client, url):
    return client.get(url, headers={"HX-Request": "true"})


def test_the_upload_is_read_in_the_background_behind_a_progress_bar(
    lead, tree, tmp_path, no_worker
):
    path = save_xlsx(tmp_path / "指标体系.xlsx", national_table())
    response = upload(lead, path, region=tree.szq)
    draft = services.FrameworkImport.objects.get()
    assert response.url == reverse("frameworks:import_preview", args=[draft.pk])
    assert draft.status == ImportStatus.PARSING and draft.result == {}
    assert default_storage.exists(draft.upload)

    page = lead.get(response.url).content.decode()
    assert 'id="import-progress"' in page and 'hx-trigger="every 1s"' in page
    assert "等待后台任务开始" in page and "confirm-import" not in page
    fragment = htmx_get(lead, response.url)
    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<div id="import-progress"')

    assert services.framework_import_parse(draft_id=draft.pk) == "read"

    done = htmx_get(lead, response.url)
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    preview = lead.get(response.url).content.decode()
    assert "机构职能体系健全" in preview and "confirm-import" in preview
    draft.refresh_from_db()
    assert (draft.status, draft.progress, draft.upload) == (ImportStatus.PREVIEW, 100, "")
    assert not default_storage.exists(f"{services.UPLOAD_FOLDER}/{path.name}")
    lead.post(reverse("frameworks:import_confirm", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == ImportStatus.COMMITTED


def test_a_draft_cancelled_while_read_drops_its_upload_and_the_worker_leaves_it(
    lead, tree, tmp_path, no_worker, django_capture_on_commit_callbacks
):
    path = save_xlsx(tmp_path / "指标体系.xlsx", national_table())
    upload(lead, path, region=tree.szq)
    draft = services.FrameworkImport.objects.get()
    stored = draft.upload
    with django_capture_on_commit_callbacks(execute=True):
        lead.post(reverse("frameworks:import_cancel", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == ImportStatus.CANCELLED and not default_storage.exists(stored)
    assert services.framework_import_parse(draft_id=draft.pk) == "skipped"


def test_only_the_uploader_sees_the_progress(people, login, tree, tmp_path, no_worker):
    lead = login(people.szq_lead)
    path = save_xlsx(tmp_path / "指标体系.xlsx", national_table())
    upload(lead, path, region=tree.szq)
    draft = services.FrameworkImport.objects.get()
    other = login(people.admin)
    assert other.get(reverse("frameworks:import_preview", args=[draft.pk])).status_code == 404


def test_a_workbook_bomb_gets_its_precise_message_on_the_preview(lead, tree, tmp_path):
    def rows():
        yield text_row(1, ["一级指标", "三级指标", "分值"])
        for _ in range(150):
            yield b"<!--" + b" " * (1024 * 1024) + b"-->"

    path = xlsx_from_xml(tmp_path / "指标体系.xlsx", {"指标": sheet_xml(rows())})
    response = upload(lead, path, region=tree.szq)  # the test backend runs the task at once
    page = lead.get(response.url).content.decode()
    assert "文件解压后超过 100 MB（成员 xl/worksheets/sheet1.xml 解压后 150.0 MB）" in page
    assert "confirm-import" not in page
