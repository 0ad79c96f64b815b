"""Unit administration: the list with filters and Excel export, and the import from Excel that
stores nothing unless every row is right."""

from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from fazhi.frameworks.tests.excel_builders import save_table
from fazhi.orgs.models import Unit


def import_units(client, path):
    with open(path, "rb") as handle:
        return client.post(reverse("orgs:unit_import"), {"file": handle})


def test_a_county_imports_its_units_from_an_excel_list(people, tree, login, tmp_path):
    path = save_table(
        tmp_path / "单位.xlsx",
        [
            ["市中区创建责任单位名单"],
            ["序号", "单位名称", "简称", "类型", "区划代码"],
            [1, "市中区教育和体育局", "区教体局", "部门", "370402"],
            [2, "市中区税郭镇人民政府", "税郭镇", "镇", "市中区"],
            [None, None, None, None, None],
        ],
    )
    response = import_units(login(people.szq_lead), path)
    assert response.status_code == 302
    created = Unit.objects.get(name="市中区税郭镇人民政府")
    assert created.kind == "town" and created.region == tree.szq and created.short_name == "税郭镇"
    assert Unit.objects.filter(name="市中区教育和体育局").exists()


def test_a_bad_row_names_row_and_column_and_nothing_is_imported(people, tree, login, tmp_path):
    path = save_table(
        tmp_path / "单位.xlsx",
        [
            ["单位名称", "区划代码", "类型"],
            ["市中区教育和体育局", "370402", "部门"],
            ["薛城区教育和体育局", "370403", "部门"],
            ["市中区某局", "370402", "某种类型"],
        ],
    )
    response = import_units(login(people.szq_lead), path)
    page = response.content.decode()
    assert "第 3 行 B 列" in page and "第 4 行 C 列" in page
    assert not Unit.objects.filter(name__contains="教育和体育局").exists()


def test_a_list_without_the_needed_columns_is_explained(people, login, tmp_path):
    path = save_table(tmp_path / "x.xlsx", [["甲", "乙"], ["a", "b"]])
    page = import_units(login(people.szq_lead), path).content.decode()
    assert "单位名称" in page and "区划代码" in page


def test_importing_twice_updates_instead_of_duplicating(people, tree, login, tmp_path):
    rows = [["单位名称", "区划代码", "简称"], ["市中区司法局", "370402", "司法局新简称"]]
    import_units(login(people.szq_lead), save_table(tmp_path / "a.xlsx", rows))
    assert Unit.objects.filter(name="市中区司法局").count() == 1
    assert Unit.objects.get(name="市中区司法局").short_name == "司法局新简称"


def test_the_unit_list_filters_and_exports_what_is_shown(people, tree, login):
    client = login(people.city_lead)
    page = client.get(reverse("orgs:units"), {"region_code": "370403"}).content.decode()
    assert "薛城区司法局" in page and "市中区司法局" not in page
    response = client.get(reverse("orgs:unit_export"), {"region_code": "370402"})
    sheet = load_workbook(BytesIO(response.content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"市中区司法局", "市中区市场监督管理局", "中心街街道办事处"}


def test_the_unit_list_runs_the_same_number_of_queries_for_more_units(
    people, tree, login, django_assert_max_num_queries
):
    client = login(people.admin)
    client.get(reverse("orgs:units"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("orgs:units"))
    for index in range(40):
        Unit.objects.create(region=tree.szq, code=f"370402-x{index}", name=f"单位{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("orgs:units"))


def test_a_county_cannot_add_a_unit_to_another_county(people, tree, login):
    client = login(people.szq_lead)
    response = client.post(
        reverse("orgs:unit_create"),
        {"region": tree.xc.pk, "name": "薛城区新单位", "kind": "department", "sort_order": 0},
    )
    assert response.status_code == 200
    assert not Unit.objects.filter(name="薛城区新单位").exists()
