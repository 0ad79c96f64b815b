"""The campaigns and evidence REST API: the same services and scoping as the pages."""

from django.core.files.uploadedfile import SimpleUploadedFile


def test_a_campaign_is_created_and_its_items_listed_through_the_api(
    client, campaign, people, tree, bearer
):
    auth = bearer(people.szq_lead)
    response = client.post(
        "/api/campaigns/",
        {
            "framework": str(campaign.framework_id),
            "region": tree.szq.code,
            "name": "API 创建",
            "period_start": "2024-01-01",
            "period_end": "2025-12-31",
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201
    new_id = response.json()["id"]
    items = client.get(f"/api/campaigns/{new_id}/items", **auth).json()
    assert [i["code"] for i in items] == ["1.1.1", "1.1.2", "2.1.3", "2.1.4"]
    assert items[0]["lead_unit"] == "市中区司法局" and items[0]["status"] == "not_started"


def test_upload_and_search_through_the_api(client, campaign, people, bearer):
    auth = bearer(people.szq_liaison)
    item = campaign.items.get(code="1.1.1")
    response = client.post(
        f"/api/evidence/items/{item.pk}/files",
        {
            "files": [
                SimpleUploadedFile("复议.txt", "行政复议决定书".encode()),
                SimpleUploadedFile("空.txt", b""),
            ]
        },
        **auth,
    )
    assert response.status_code == 201
    assert [r["ok"] for r in response.json()] == [True, False]
    hits = client.get("/api/evidence/search", {"campaign": campaign.pk, "q": "复议"}, **auth).json()
    assert [(h["item_code"], h["title"]) for h in hits] == [("1.1.1", "复议")]
    assert "<mark>复议</mark>" in hits[0]["snippet"]
    mine = client.get("/api/campaigns/my-tasks", **auth).json()
    assert {t["code"] for t in mine} == {"1.1.1", "2.1.3", "2.1.4"}


def test_the_api_keeps_other_units_out(client, campaign, people, bearer):
    item = campaign.items.get(code="2.1.4")
    auth = bearer(people.scjg_liaison)
    response = client.post(
        f"/api/evidence/items/{item.pk}/files",
        {"files": [SimpleUploadedFile("x.txt", b"x")]},
        **auth,
    )
    assert response.status_code == 404
    assert client.get(f"/api/campaigns/{campaign.pk}", **bearer(people.xc_lead)).status_code == 404
