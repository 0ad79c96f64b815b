"""The pages and endpoints: uploads by several files and by ZIP, material pages, and that no
URL lets a unit reach another unit's items or materials."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fazhi.evidence import services
from fazhi.evidence.models import Evidence
from fazhi.evidence.tests import documents


@pytest.fixture
def material(campaign, people):
    return services.evidence_upload(
        acting_user=people.szq_liaison,
        item=campaign.items.get(code="1.1.1"),
        file=ContentFile("行政复议工作报告 2024年5月8日".encode(), name="报告.txt"),
    )


def post_files(client, item, *files, json=True):
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(
        reverse("evidence:upload", args=[item.pk]), {"files": list(files)}, **headers
    )


def test_several_files_upload_at_once_and_each_gets_its_result(campaign, people, login):
    client = login(people.szq_liaison)
    item = campaign.items.get(code="1.1.1")
    response = post_files(
        client,
        item,
        SimpleUploadedFile("一.txt", "第一份".encode()),
        SimpleUploadedFile("空.pdf", b""),
        SimpleUploadedFile("病毒.exe", b"MZ"),
    )
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, False, False]
    assert "空文件" in results[1]["error"] and "不在允许上传的范围内" in results[2]["error"]
    assert item.evidence.count() == 1


def test_a_zip_dropped_on_an_item_unpacks_there(campaign, people, login, tmp_path):
    client = login(people.szq_liaison)
    archive = documents.build_zip(tmp_path / "包.zip", {"甲.txt": "甲", "乙/丙.txt": "丙"})
    item = campaign.items.get(code="2.1.4")
    response = post_files(client, item, SimpleUploadedFile("包.zip", archive.read_bytes()))
    assert [r["ok"] for r in response.json()["results"]] == [True, True]
    assert sorted(item.evidence.values_list("title", flat=True)) == ["丙", "甲"]


def test_a_file_over_the_limit_is_dropped_while_streaming(campaign, people, login, settings):
    settings.FAZHI_UPLOAD_MAX_BYTES = 1000
    client = login(people.szq_liaison)
    item = campaign.items.get(code="1.1.1")
    response = post_files(client, item, SimpleUploadedFile("大.txt", b"x" * 5000))
    assert response.status_code == 400
    assert "超过单个文件大小上限" in response.json()["results"][0]["error"]
    assert not Evidence.objects.exists()


def test_the_campaign_zip_page_reports_each_file(campaign, people, login, tmp_path):
    client = login(people.szq_liaison)
    archive = documents.build_zip(
        tmp_path / "材料.zip", {"1.1.1 复议/决定.txt": "决定", "无编号/x.txt": "x"}
    )
    response = client.post(
        reverse("evidence:archive", args=[campaign.pk]),
        {"archive": SimpleUploadedFile("材料.zip", archive.read_bytes())},
    )
    page = response.content.decode()
    assert "成功 1 个，未上传 1 个" in page
    assert "未能从路径识别所属指标" in page


def test_a_file_that_is_not_a_zip_gets_a_clear_error(campaign, people, login):
    client = login(people.szq_liaison)
    response = client.post(
        reverse("evidence:archive", args=[campaign.pk]),
        {"archive": SimpleUploadedFile("假.zip", b"not a zip at all")},
    )
    assert "不是有效的 ZIP 压缩包" in response.content.decode()


def test_the_item_page_shows_materials_flags_and_the_uploader(campaign, people, login, material):
    client = login(people.szq_liaison)
    page = client.get(reverse("campaigns:item", args=[material.item_id])).content.decode()
    assert "报告" in page and "data-uploader" in page
    assert "进行中" in page


def test_material_details_show_text_versions_and_save_metadata(material, people, login):
    client = login(people.szq_liaison)
    url = reverse("evidence:detail", args=[material.pk])
    assert "行政复议工作报告" in client.get(url).content.decode()
    response = client.post(
        url, {"title": "2024年行政复议工作报告", "doc_number": "市中司〔2024〕1号"}
    )
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.title == "2024年行政复议工作报告"


def test_download_streams_the_current_or_an_older_version(material, people, login):
    client = login(people.szq_liaison)
    services.evidence_replace(
        acting_user=people.szq_liaison, evidence=material, file=ContentFile(b"v2", name="v2.txt")
    )
    url = reverse("evidence:download", args=[material.pk])
    assert b"".join(client.get(url).streaming_content) == b"v2"
    old = client.get(url + "?version=1")
    assert "行政复议".encode() in b"".join(old.streaming_content)
    assert "filename*=UTF-8''" in old["Content-Disposition"]


def test_a_broken_download_resumes_from_where_it_stopped(material, people, login):
    client = login(people.szq_liaison)
    url = reverse("evidence:download", args=[material.pk])
    whole = b"".join(client.get(url).streaming_content)
    resumed = client.get(url, HTTP_RANGE="bytes=3-")
    assert resumed.status_code == 206
    assert b"".join(resumed.streaming_content) == whole[3:]
    assert resumed["Content-Range"] == f"bytes 3-{len(whole) - 1}/{len(whole)}"


def test_delete_and_restore_from_the_pages(material, people, login):
    client = login(people.szq_liaison)
    client.post(reverse("evidence:delete", args=[material.pk]))
    material.refresh_from_db()
    assert material.is_deleted
    client.post(reverse("evidence:restore", args=[material.pk]))
    material.refresh_from_db()
    assert not material.is_deleted


@pytest.mark.parametrize("persona", ["scjg_liaison", "xc_liaison", "xc_lead"])
def test_no_url_reaches_another_units_material(material, people, login, persona):
    client = login(getattr(people, persona))
    for name in ("evidence:detail", "evidence:download"):
        assert client.get(reverse(name, args=[material.pk])).status_code == 404
    for name in ("evidence:delete", "evidence:restore", "evidence:replace"):
        assert client.post(reverse(name, args=[material.pk])).status_code == 404
    material.refresh_from_db()
    assert not material.is_deleted


def test_no_url_lets_a_liaison_upload_to_or_read_an_item_it_was_not_given(campaign, people, login):
    client = login(people.scjg_liaison)
    others = campaign.items.get(code="2.1.4")
    assert client.get(reverse("campaigns:item", args=[others.pk])).status_code == 404
    response = post_files(client, others, SimpleUploadedFile("x.txt", b"x"))
    assert response.status_code == 404
    assert not others.evidence.exists()


def test_a_reviewer_may_read_but_not_change_a_units_material(material, people, login):
    client = login(people.szq_leader)
    url = reverse("evidence:detail", args=[material.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "改"}).status_code == 403
    assert client.post(reverse("evidence:delete", args=[material.pk])).status_code == 403


def test_the_item_page_marks_a_material_uploaded_elsewhere_in_the_campaign_too(
    campaign, people, login, material
):
    client = login(people.szq_liaison)
    url = reverse("campaigns:item", args=[material.item_id])
    assert 'badge amber">重复' not in client.get(url).content.decode()
    services.evidence_upload(
        acting_user=people.szq_liaison,
        item=campaign.items.get(code="2.1.4"),
        file=ContentFile("行政复议工作报告 2024年5月8日".encode(), name="副本.txt"),
    )
    assert 'badge amber">重复' in client.get(url).content.decode()
