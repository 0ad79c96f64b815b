"""The frameworks REST API: token authentication, the same scoping as the pages."""

from fazhi.frameworks.models import Framework
from fazhi.frameworks.tests.excel_builders import national_table, save_table, save_xlsx


def test_the_api_refuses_requests_without_a_token(client, db):
    assert client.get("/api/frameworks/").status_code == 401


def test_the_list_shows_national_and_own_county_frameworks_but_not_the_neighbours(
    client, people, tree, bearer
):
    Framework.objects.create(name="全国", edition="1")
    Framework.objects.create(name="市中区细则", edition="1", owner_region=tree.szq)
    Framework.objects.create(name="薛城区细则", edition="1", owner_region=tree.xc)
    names = {f["name"] for f in client.get("/api/frameworks/", **bearer(people.szq_liaison)).json()}
    assert names == {"全国", "市中区细则"}


def test_another_countys_framework_is_a_404_by_id(client, people, tree, bearer):
    framework = Framework.objects.create(name="薛城区细则", edition="1", owner_region=tree.xc)
    assert (
        client.get(f"/api/frameworks/{framework.pk}", **bearer(people.szq_lead)).status_code == 404
    )
    assert (
        client.get(f"/api/frameworks/{framework.pk}", **bearer(people.xc_lead)).status_code == 200
    )


def test_importing_through_the_api_creates_the_framework_in_the_users_region(
    client, people, tree, bearer, tmp_path
):
    path = save_xlsx(tmp_path / "t.xlsx", national_table())
    with open(path, "rb") as handle:
        response = client.post(
            "/api/frameworks/import",
            {"file": handle, "name": "API 体系", "edition": "1"},
            **bearer(people.szq_lead),
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["framework"]["leaf_count"] == 5
    assert Framework.objects.get().owner_region == tree.szq
    tree_json = client.get(
        f"/api/frameworks/{body['framework']['id']}", **bearer(people.szq_lead)
    ).json()
    assert tree_json["nodes"][0]["children"][0]["children"][0]["title"] == "机构职能体系健全"


def test_a_bad_table_through_the_api_is_a_400_with_cell_references(
    client, people, bearer, tmp_path
):
    path = save_table(
        tmp_path / "bad.xlsx",
        [["一级指标", "三级指标", "分值"], ["一、依法行政", "1.制度建设", "十分"]],
    )
    with open(path, "rb") as handle:
        response = client.post(
            "/api/frameworks/import",
            {"file": handle, "name": "坏", "edition": "1"},
            **bearer(people.szq_lead),
        )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["row"] == 2 and error["column"] == "C"
    assert not Framework.objects.exists()


def test_a_liaison_cannot_import_through_the_api(client, people, bearer, tmp_path):
    path = save_xlsx(tmp_path / "t.xlsx", national_table())
    with open(path, "rb") as handle:
        response = client.post(
            "/api/frameworks/import",
            {"file": handle, "name": "x", "edition": "1"},
            **bearer(people.szq_liaison),
        )
    assert response.status_code == 403
    assert not Framework.objects.exists()


def test_the_openapi_schema_is_published_to_signed_in_users(people, login):
    schema = login(people.szq_liaison).get("/api/openapi.json").json()
    assert "/api/frameworks/import" in schema["paths"]
