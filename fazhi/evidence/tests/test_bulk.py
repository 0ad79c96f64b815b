"""Many files at once: a ZIP of Chinese-named folders lands on the right items, a folder tree
imports from the command line, and every file gets its own result."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management import call_command
from django.core.management.base import CommandError

from fazhi.evidence import intake
from fazhi.evidence.models import Evidence
from fazhi.evidence.placement import ItemIndex, leading_code
from fazhi.evidence.tests import documents
from fazhi.evidence.tests.zips import Entry, build_zip


def gbk(name: str) -> bytes:
    return name.encode("gbk")


def import_archive(archive, **kwargs):
    with archive.open("rb") as handle:
        return intake.import_archive(name=archive.name, file=File(handle), **kwargs)


@pytest.fixture
def chinese_zip(tmp_path):
    """What a liaison on Chinese Windows zips: GBK names, folders named by indicator."""
    pdf = documents.build_pdf(tmp_path / "p.pdf", ["行政复议决定书 2024年5月8日"])
    return build_zip(
        tmp_path / "材料.zip",
        Entry(gbk("1.1.1 行政复议/复议决定书.pdf"), data=pdf.read_bytes()),
        Entry(
            gbk("1.1.1 行政复议/工作总结.txt"), data="全年办理行政复议案件十二件。".encode("gbk")
        ),
        Entry(gbk("2.1.4 备案审查/备案报告.txt"), data="规范性文件备案审查报告".encode()),
        Entry(gbk("未分类/说明.txt"), data=b"readme"),
        Entry(gbk("../../etc/passwd"), data=b"x"),
    )


def test_a_zip_of_gbk_named_folders_lands_on_the_items_they_name(campaign, people, chinese_zip):
    outcomes = import_archive(chinese_zip, acting_user=people.szq_liaison, campaign=campaign)
    by_path = {o.path: o for o in outcomes}
    assert by_path["1.1.1 行政复议/复议决定书.pdf"].item_code == "1.1.1"
    assert by_path["1.1.1 行政复议/工作总结.txt"].ok
    assert by_path["2.1.4 备案审查/备案报告.txt"].item_code == "2.1.4"
    assert "未能从路径识别所属指标" in by_path["未分类/说明.txt"].error
    assert any(".." in o.path and not o.ok for o in outcomes)
    decision = Evidence.objects.get(title="复议决定书")
    assert "行政复议" in decision.current.blob.text
    assert decision.current.original_name == "复议决定书.pdf"
    summary = Evidence.objects.get(title="工作总结")
    assert "复议案件" in summary.current.blob.text  # GBK text decoded


def test_files_for_items_of_another_unit_are_refused_one_by_one(campaign, people, chinese_zip):
    outcomes = import_archive(chinese_zip, acting_user=people.scjg_liaison, campaign=campaign)
    stored = {o.path for o in outcomes if o.ok}
    assert stored == {"1.1.1 行政复议/复议决定书.pdf", "1.1.1 行政复议/工作总结.txt"}
    refused = next(o for o in outcomes if o.path.startswith("2.1.4"))
    assert "没有承担 2.1.4" in refused.error


def test_a_zip_uploaded_on_an_item_unpacks_onto_that_item(campaign, people, tmp_path):
    archive = documents.build_zip(tmp_path / "a.zip", {"随便/一.txt": "一", "二.txt": "二"})
    item = campaign.items.get(code="2.1.4")
    outcomes = import_archive(archive, acting_user=people.szq_liaison, campaign=campaign, item=item)
    assert [o.item_code for o in outcomes] == ["2.1.4", "2.1.4"]
    assert item.evidence.count() == 2


def test_a_corrupt_or_bomb_archive_is_refused_whole(campaign, people, tmp_path, settings):
    broken = tmp_path / "坏.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ValidationError, match="“坏.zip”：压缩包已损坏"):
        import_archive(broken, acting_user=people.szq_liaison, campaign=campaign)
    settings.FAZHI_ZIP_MAX_BYTES = 1024
    big = documents.build_zip(tmp_path / "大.zip", {"1.1.1/a.txt": b"0" * 4096})
    with pytest.raises(ValidationError, match="“大.zip”：压缩包解压后超过"):
        import_archive(big, acting_user=people.szq_liaison, campaign=campaign)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("component", "code"),
    [
        ("3.2.37 行政复议", "3.2.37"),
        ("37、行政复议", "37"),
        ("（37）复议", "37"),
        ("37.1 细化", "37.1"),
        ("3．2．37 全角", "3.2.37"),
        ("行政复议", ""),
    ],
)
def test_leading_codes_are_read_the_ways_people_name_folders(component, code):
    assert leading_code(component) == code


def test_running_numbers_and_refined_tails_find_items(campaign, people):
    from fazhi.campaigns.services import item_refine

    parent = campaign.items.get(code="1.1.1")
    child = item_refine(acting_user=people.szq_lead, parent=parent, title="细化")
    index = ItemIndex(list(campaign.items.all()))
    assert index.item_for_path("1 行政复议/a.pdf").code == "1.1.1"
    assert index.item_for_path("1.1.1 行政复议/1.1 细化/a.pdf") == child
    assert index.item_for_path("4 备案/1.会议纪要.pdf").code == "2.1.4"  # folder beats file
    assert index.item_for_path("2.1.3-审查.pdf").code == "2.1.3"


def test_import_dir_prints_a_result_per_file(campaign, tmp_path):
    root = tmp_path / "材料"
    (root / "1.1.1 行政复议").mkdir(parents=True)
    (root / "1.1.1 行政复议" / "决定.txt").write_text("行政复议决定", encoding="utf-8")
    (root / "杂项").mkdir()
    (root / "杂项" / "x.txt").write_text("x", encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command(
        "evidence", "import-dir", str(campaign.pk), str(root), "--json", stdout=out, stderr=err
    )
    rows = {row["path"]: row for row in json.loads(out.getvalue())}
    assert rows["1.1.1 行政复议/决定.txt"]["item"] == "1.1.1"
    assert rows["1.1.1 行政复议/决定.txt"]["evidence_id"]
    assert rows["杂项/x.txt"]["error"]
    assert "导入 1 个，失败 1 个" in err.getvalue()
    # Stored for the item's lead unit when no unit is named.
    assert Evidence.objects.get().unit.name == "市中区司法局"


def test_import_dir_refuses_a_missing_folder(campaign):
    with pytest.raises(CommandError, match="文件夹不存在"):
        call_command("evidence", "import-dir", str(campaign.pk), "/nonexistent/folder")


def test_evidence_search_prints_hits_as_json(campaign, people, tmp_path):
    root = tmp_path / "材料"
    (root / "2.1.4").mkdir(parents=True)
    (root / "2.1.4" / "备案报告.txt").write_text("规范性文件备案审查报告", encoding="utf-8")
    call_command("evidence", "import-dir", str(campaign.pk), str(root), stdout=StringIO())
    out = StringIO()
    call_command("evidence", "search", str(campaign.pk), "备案", "--json", stdout=out)
    (hit,) = json.loads(out.getvalue())
    assert hit["item_code"] == "2.1.4" and hit["title"] == "备案报告"
    assert "备案" in hit["snippet"] and "<mark>" not in hit["snippet"]


def test_campaign_create_prints_the_new_campaigns_id(campaign, tree):
    out = StringIO()
    call_command(
        "campaign",
        "create",
        "--framework",
        str(campaign.framework_id),
        "--region",
        tree.szq.code,
        "--name",
        "第二个创建活动",
        stdout=out,
        stderr=StringIO(),
    )
    new_id = int(out.getvalue().strip())
    assert new_id != campaign.pk
    assert campaign.framework.campaigns.get(pk=new_id).items.count() == 4


def test_campaign_create_names_an_unknown_region_code(campaign):
    with pytest.raises(CommandError, match="区划代码 999999 不存在"):
        call_command(
            "campaign",
            "create",
            "--framework",
            str(campaign.framework_id),
            "--region",
            "999999",
            "--name",
            "x",
            stdout=StringIO(),
        )
