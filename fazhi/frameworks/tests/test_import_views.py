"""The import wizard as a lead office uses it: upload, preview with per-cell errors, confirm or
cancel. Nothing is stored before confirmation, and bad files never end in a server error."""

import zipfile

import pytest
from django.urls import reverse

from fazhi.frameworks.models import Framework, FrameworkImport, Node
from fazhi.frameworks.tests.excel_builders import national_table, save_table, save_xlsx


def upload(client, path, *, name="XX市指标体系", edition="2025", region=None):
    with open(path, "rb") as handle:
        data = {"file": handle, "name": name, "edition": edition}
        if region is not None:
            data["owner_region"] = region.pk
        return client.post(reverse("frameworks:import"), data)


@pytest.fixture
def lead(people, login):
    return login(people.szq_lead)


def test_a_government_table_is_previewed_then_imported_on_confirmation(lead, tree, tmp_path):
    spec = national_table()
    path = save_xlsx(tmp_path / "指标体系.xlsx", spec)
    response = upload(lead, path, region=tree.szq)
    draft = FrameworkImport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "frameworks:import_preview", args=[draft.pk]
    )
    assert not Framework.objects.exists(), "nothing may be stored before the user confirms"

    preview = lead.get(response.url).content.decode()
    assert "机构职能体系健全" in preview and "confirm-import" in preview

    lead.post(reverse("frameworks:import_confirm", args=[draft.pk]))
    framework = Framework.objects.get()
    assert framework.owner_region == tree.szq
    leaves = Node.objects.filter(framework=framework, children__isnull=True).order_by("sort_key")
    assert [n.title for n in leaves][:2] == ["机构职能体系健全", "权责清单动态调整"]
    assert framework.nodes.filter(level=1).count() == 2
    assert framework.leaf_count == 5
    first = leaves[0]
    assert first.points == 4 and first.lead_unit == "市委编办"
    assert first.responsible_units == ["市委编办", "市司法局"]


def test_a_table_with_errors_cannot_be_confirmed_and_stores_nothing(lead, tree, tmp_path):
    rows = [
        ["一级指标", "三级指标", "分值"],
        ["一、依法行政", "1.制度建设", "十分"],
        [None, "2.决策程序", 5],
    ]
    path = save_table(tmp_path / "bad.xlsx", rows)
    response = upload(lead, path, region=tree.szq)
    draft = FrameworkImport.objects.get()
    page = lead.get(response.url).content.decode()
    assert "十分" in page and "C" in page, "the error names the cell"
    assert "confirm-import" not in page
    lead.post(reverse("frameworks:import_confirm", args=[draft.pk]))
    assert not Framework.objects.exists()


def test_cancelling_an_import_stores_nothing(lead, tree, tmp_path):
    path = save_xlsx(tmp_path / "t.xlsx", national_table())
    response = upload(lead, path, region=tree.szq)
    draft = FrameworkImport.objects.get()
    lead.post(reverse("frameworks:import_cancel", args=[draft.pk]))
    assert not Framework.objects.exists()
    assert lead.post(reverse("frameworks:import_confirm", args=[draft.pk])).status_code == 302
    assert not Framework.objects.exists(), "a cancelled import cannot be confirmed later"
    assert response.status_code == 302


def make_corrupt(tmp_path):
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    return path


def make_csv_named_xlsx(tmp_path):
    path = tmp_path / "table.xlsx"
    path.write_text("一级指标,三级指标,分值\n一、依法行政,1.制度建设,5\n", encoding="utf-8-sig")
    return path


def make_empty_workbook(tmp_path):
    return save_table(tmp_path / "empty.xlsx", [])


def make_no_header(tmp_path):
    return save_table(tmp_path / "noheader.xlsx", [["甲", "乙"], ["丙", "丁"]])


def make_docx_named_xlsx(tmp_path):
    path = tmp_path / "word.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return path


@pytest.mark.parametrize(
    "make_file, expected",
    [
        (make_corrupt, "无法"),
        (make_empty_workbook, "没有"),
        (make_no_header, "表头"),
        (make_docx_named_xlsx, "Word"),
    ],
)
def test_unreadable_files_get_a_clear_message_and_no_server_error(
    lead, tree, tmp_path, make_file, expected
):
    response = upload(lead, make_file(tmp_path), region=tree.szq)
    assert response.status_code in (200, 302)
    page = (
        lead.get(response.url).content.decode()
        if response.status_code == 302
        else response.content.decode()
    )
    assert expected in page
    assert "confirm-import" not in page
    assert not Framework.objects.exists()


def test_a_csv_under_an_xlsx_name_is_read_with_a_warning(lead, tree, tmp_path):
    response = upload(lead, make_csv_named_xlsx(tmp_path), region=tree.szq)
    page = lead.get(response.url).content.decode()
    assert "CSV" in page and "制度建设" in page


def test_an_empty_upload_is_refused_on_the_form(lead, tree, tmp_path):
    path = tmp_path / "zero.xlsx"
    path.write_bytes(b"")
    response = upload(lead, path, region=tree.szq)
    assert response.status_code == 200
    assert "文件为空" in response.content.decode() or "是空的" in response.content.decode()


def test_a_county_cannot_import_a_framework_for_the_neighbouring_county(lead, tree, tmp_path):
    path = save_xlsx(tmp_path / "t.xlsx", national_table())
    response = upload(lead, path, region=tree.xc)
    assert response.status_code == 200
    assert not FrameworkImport.objects.exists()


def test_someone_elses_import_preview_is_a_404(people, login, tree, tmp_path):
    path = save_xlsx(tmp_path / "t.xlsx", national_table())
    upload(login(people.szq_lead), path, region=tree.szq)
    draft = FrameworkImport.objects.get()
    other = login(people.city_lead)
    assert other.get(reverse("frameworks:import_preview", args=[draft.pk])).status_code == 404
    assert other.post(reverse("frameworks:import_confirm", args=[draft.pk])).status_code == 404


def test_a_liaison_cannot_open_the_import_wizard(people, login):
    assert login(people.szq_liaison).get(reverse("frameworks:import")).status_code == 403


def test_the_framework_page_shows_the_tree_and_finds_indicators(lead, tree, tmp_path):
    path = save_xlsx(tmp_path / "t.xlsx", national_table())
    draft_url = upload(lead, path, region=tree.szq).url
    lead.post(draft_url + "confirm/")
    framework = Framework.objects.get()
    page = lead.get(
        reverse("frameworks:detail", args=[framework.pk]), {"q": "备案"}
    ).content.decode()
    assert "规范性文件备案审查" in page
    assert "机构职能体系健全" not in page


def test_a_framework_can_be_deleted_only_by_its_owner_after_confirmation(people, login, tree):
    framework = Framework.objects.create(name="市中区细则", edition="1", owner_region=tree.szq)
    assert (
        login(people.xc_lead).post(reverse("frameworks:delete", args=[framework.pk])).status_code
        == 404
    )
    assert (
        login(people.szq_leader).post(reverse("frameworks:delete", args=[framework.pk])).status_code
        == 403
    )
    login(people.szq_lead).post(reverse("frameworks:delete", args=[framework.pk]))
    assert not Framework.objects.exists()


def test_a_name_and_edition_already_taken_is_refused_before_the_preview(lead, tree, tmp_path):
    Framework.objects.create(name="XX市指标体系", edition="2025")
    response = upload(lead, save_xlsx(tmp_path / "t.xlsx", national_table()), region=tree.szq)
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert not FrameworkImport.objects.exists()


def test_a_yaml_export_uploaded_on_the_page_is_imported_with_the_edition_given(
    lead, tree, tmp_path
):
    from fazhi.frameworks import formats, selectors
    from fazhi.frameworks.demo import load_demo_framework

    demo = load_demo_framework()
    path = tmp_path / "体系.yaml"
    path.write_text(
        formats.dump_yaml(
            formats.framework_document(demo, selectors.framework_rows(framework=demo))
        )
    )
    response = upload(lead, path, name="", edition="市中区细化版", region=tree.szq)
    copy = Framework.objects.get(edition="市中区细化版")
    assert response.status_code == 302 and response.url == reverse(
        "frameworks:detail", args=[copy.pk]
    )
    assert copy.name == demo.name and copy.leaf_count == 104 and copy.owner_region == tree.szq
