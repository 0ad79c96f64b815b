"""One rule for archives and file names whichever way a file comes in: dropped on an item's page,
posted to the API, sent to the campaign's ZIP page, or found in a folder by import-dir."""

import hashlib
import json
import os
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from fazhi.evidence.models import Evidence
from fazhi.evidence.tests import documents
from fazhi.evidence.tests.zips import Entry, build_zip

EMPTY = "压缩包中没有文件"
UNREADABLE = "中有无法识别的字符（既不是 UTF-8 也不是 GBK 编码）"


@pytest.fixture
def windows_zip(tmp_path):
    """Zipped on Chinese Windows: GBK names without the UTF-8 flag, a folder, one name flagged
    UTF-8, and a path that climbs out."""
    return build_zip(
        tmp_path / "包.zip",
        Entry("复议决定书.txt".encode("gbk"), data="行政复议决定书".encode("gbk")),
        Entry("附件/通知.txt".encode("gbk"), data=b"notice"),
        Entry("说明.txt", data="说明".encode()),
        Entry(b"../escape.txt", data=b"x"),
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_materials(since: set[int]) -> set[tuple]:
    rows = Evidence.objects.exclude(pk__in=since).select_related("item", "unit", "current__blob")
    return {
        (e.item.code, e.unit.name, e.title, e.current.original_name, e.current.blob.sha256)
        for e in rows
    }


def material_ids() -> set[int]:
    return set(Evidence.objects.values_list("pk", flat=True))


def page_drop(client, item, *files):
    return client.post(
        reverse("evidence:upload", args=[item.pk]),
        {"files": list(files)},
        HTTP_ACCEPT="application/json",
    )


def api_post(client, item, auth, *files):
    return client.post(f"/api/evidence/items/{item.pk}/files", {"files": list(files)}, **auth)


def import_dir(campaign, root, *, as_json=True):
    out, err = StringIO(), StringIO()
    args = ["evidence", "import-dir", str(campaign.pk), str(root)]
    call_command(*args, *(["--json"] if as_json else []), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_same_zip_gives_the_same_materials_on_the_page_the_api_and_the_command_line(
    campaign, people, login, bearer, windows_zip, tmp_path
):
    item = campaign.items.get(code="1.1.1")
    upload = lambda: SimpleUploadedFile("包.zip", windows_zip.read_bytes())  # noqa: E731
    expected = {
        ("1.1.1", "市中区司法局", title, name, sha)
        for title, name, sha in [
            ("复议决定书", "复议决定书.txt", sha256("行政复议决定书".encode("gbk"))),
            ("通知", "通知.txt", sha256(b"notice")),
            ("说明", "说明.txt", sha256("说明".encode())),
        ]
    }

    before = material_ids()
    page = page_drop(login(people.szq_liaison), item, upload()).json()["results"]
    from_page = new_materials(before)

    before = material_ids()
    response = api_post(login(people.szq_liaison), item, bearer(people.szq_liaison), upload())
    from_api = new_materials(before)

    before = material_ids()
    folder = tmp_path / "材料" / "1.1.1 行政复议"
    folder.mkdir(parents=True)
    (folder / "包.zip").write_bytes(windows_zip.read_bytes())
    out, _ = import_dir(campaign, tmp_path / "材料")
    from_cli = new_materials(before)

    assert from_page == from_api == from_cli == expected
    assert response.status_code == 201
    api = response.json()
    assert {r["name"] for r in api if r["ok"]} == {"复议决定书.txt", "附件/通知.txt", "说明.txt"}
    assert all(r["archive"] == "包.zip" and r["item_code"] == "1.1.1" for r in api if r["ok"])
    created = Evidence.objects.filter(pk__in=[r["evidence_id"] for r in api if r["ok"]])
    assert {e.current.original_name for e in created} == {"复议决定书.txt", "通知.txt", "说明.txt"}
    cli = {row["path"]: row for row in json.loads(out)}
    assert cli["1.1.1 行政复议/包/附件/通知.txt"]["archive"] == "1.1.1 行政复议/包.zip"
    # The climbing path is refused the same way everywhere, and only it.
    refusals = [
        [r for r in page if not r["ok"]],
        [r for r in api if not r["ok"]],
        [row for row in cli.values() if row["error"]],
    ]
    assert [len(refused) for refused in refusals] == [1, 1, 1]
    assert all("路径不安全" in refused[0]["error"] for refused in refusals)


def empty_zips(tmp_path):
    """No entry at all, and only folders and Explorer's and Finder's leftovers."""
    return [
        build_zip(tmp_path / "空.zip"),
        build_zip(
            tmp_path / "空.zip",
            Entry("材料/", data=b""),
            Entry("__MACOSX/._a.pdf"),
            Entry("Thumbs.db"),
        ),
    ]


@pytest.mark.parametrize("which", [0, 1], ids=["no entries", "folders and junk only"])
def test_an_empty_zip_is_refused_with_one_message_everywhere(
    campaign, people, login, bearer, tmp_path, which
):
    archive = empty_zips(tmp_path)[which]
    item = campaign.items.get(code="1.1.1")
    client = login(people.szq_liaison)
    upload = lambda: SimpleUploadedFile("空.zip", archive.read_bytes())  # noqa: E731

    response = api_post(client, item, bearer(people.szq_liaison), upload())
    assert response.status_code == 400
    (result,) = response.json()
    assert result["name"] == "空.zip" and result["error"].startswith(f"“空.zip”：{EMPTY}")

    response = page_drop(client, item, upload())
    assert response.status_code == 400
    assert [r["error"] for r in response.json()["results"]] == [result["error"]]

    page = client.post(reverse("evidence:archive", args=[campaign.pk]), {"archive": upload()})
    assert page.context["form"].errors["archive"] == [result["error"]]

    root = tmp_path / "folder"
    root.mkdir()
    (root / "空.zip").write_bytes(archive.read_bytes())
    with pytest.raises(CommandError, match=EMPTY):
        import_dir(campaign, root, as_json=False)
    assert not Evidence.objects.exists()


def test_a_damaged_zip_is_refused_by_the_api_as_by_the_page(campaign, people, bearer, client):
    item = campaign.items.get(code="1.1.1")
    response = api_post(
        client, item, bearer(people.szq_liaison), SimpleUploadedFile("坏.zip", b"PK\x03\x04junk")
    )
    assert response.status_code == 400
    assert response.json()[0]["error"].startswith("“坏.zip”：压缩包已损坏")


def test_zips_in_a_folder_land_by_their_folders_and_other_files_go_on(campaign, tmp_path):
    root = tmp_path / "材料"
    (root / "2.1.4 备案").mkdir(parents=True)
    (root / "2.1.4 备案" / "报告.txt").write_text("备案报告", encoding="utf-8")
    documents.build_zip(
        root / "1.1.1 复议.zip", {"决定.txt": "决定", "2.1.3 审查/意见.txt": "意见"}
    )
    (root / "坏.zip").write_bytes(b"not a zip")

    out, err = import_dir(campaign, root, as_json=False)

    lines = dict(line.split("\t", 1) for line in out.splitlines())
    assert lines["1.1.1 复议/决定.txt"].startswith("OK\t1.1.1\t#")
    assert lines["1.1.1 复议/2.1.3 审查/意见.txt"].startswith("OK\t2.1.3\t#")
    assert lines["2.1.4 备案/报告.txt"].startswith("OK\t2.1.4\t#")
    assert lines["坏.zip"] == "失败\t-\t“坏.zip”不是有效的 ZIP 压缩包。"
    assert "导入 3 个，失败 1 个" in err


def test_a_zip_for_an_item_that_takes_no_files_is_refused_once_not_per_member(
    campaign, people, bearer, client, windows_zip
):
    from fazhi.campaigns.services import item_refine

    item = campaign.items.get(code="1.1.1")
    item_refine(acting_user=people.szq_lead, parent=item, title="细化")
    upload = SimpleUploadedFile("包.zip", windows_zip.read_bytes())

    response = api_post(client, item, bearer(people.szq_liaison), upload)

    assert response.status_code == 400
    assert [(r["name"], r["error"]) for r in response.json()] == [
        ("包.zip", "1.1.1 已细化，请把材料上传到它的细化指标下。")
    ]


# -- names that are not UTF-8 ------------------------------------------------------------------


def multipart(filename: bytes, data: bytes) -> dict:
    """A multipart body as a client on Chinese Windows writes it: the name's bytes as they are."""
    boundary = b"fazhi-boundary-7MA4YWxkTrZu0gW"
    body = b"".join(
        [
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="files"; filename="' + filename + b'"\r\n',
            b"Content-Type: application/octet-stream\r\n\r\n",
            data + b"\r\n--" + boundary + b"--\r\n",
        ]
    )
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary.decode()}"}


def test_a_gbk_file_name_in_a_multipart_upload_is_read_as_gbk(campaign, people, bearer, client):
    item = campaign.items.get(code="1.1.1")
    url = f"/api/evidence/items/{item.pk}/files"
    response = client.post(
        url, **multipart("复议决定.txt".encode("gbk"), b"decision"), **bearer(people.szq_liaison)
    )
    assert response.status_code == 201, response.content.decode()
    assert Evidence.objects.get().current.original_name == "复议决定.txt"


def test_an_unreadable_file_name_gets_a_message_naming_it_not_a_missing_field(
    campaign, people, bearer, login, client
):
    item = campaign.items.get(code="1.1.1")
    body = multipart(b"bad\xff\xfe.txt", b"content")

    response = client.post(
        f"/api/evidence/items/{item.pk}/files", **body, **bearer(people.szq_liaison)
    )
    assert response.status_code == 400, response.content.decode()
    (result,) = response.json()
    assert result["error"].startswith("文件名“bad\ufffd\ufffd.txt”" + UNREADABLE)

    page = login(people.szq_liaison).post(
        reverse("evidence:upload", args=[item.pk]), **body, HTTP_ACCEPT="application/json"
    )
    assert page.status_code == 400
    assert page.json()["results"][0]["error"] == result["error"]
    assert not Evidence.objects.exists()


def test_the_campaign_zip_page_refuses_an_archive_whose_name_cannot_be_read(
    campaign, people, login, tmp_path
):
    archive = documents.build_zip(tmp_path / "a.zip", {"1.1.1/a.txt": "a"})
    body = multipart(b"\xff.zip", archive.read_bytes())
    body["data"] = body["data"].replace(b'name="files"', b'name="archive"')
    page = login(people.szq_liaison).post(reverse("evidence:archive", args=[campaign.pk]), **body)
    assert UNREADABLE in page.context["form"].errors["archive"][0]
    assert not Evidence.objects.exists()


def test_import_dir_reads_gbk_file_names_on_disk_and_names_unreadable_ones(campaign, tmp_path):
    root = tmp_path / "材料"
    folder = root / "1.1.1 复议"
    folder.mkdir(parents=True)
    # What a USB stick written on Chinese Windows shows on a server that mounts it as bytes.
    (folder / os.fsdecode("决定书.txt".encode("gbk"))).write_bytes(b"decision")
    (folder / os.fsdecode(b"\xff.txt")).write_bytes(b"x")

    out, err = import_dir(campaign, root)

    rows = {row["path"]: row for row in json.loads(out)}
    assert rows["1.1.1 复议/决定书.txt"]["evidence_id"]
    assert UNREADABLE in rows["1.1.1 复议/\ufffd.txt"]["error"]
    assert Evidence.objects.get().current.original_name == "决定书.txt"
    assert "导入 1 个，失败 1 个" in err
