"""The 自评说明 through the API: the same service and scoping as the item page — the lead unit's
liaison drafts, the lead office edits on the version it read, a responsible unit is refused,
another county gets 404, and a submitted filing makes the explanations read-only."""

import pytest

from fazhi.campaigns.models import Explanation
from fazhi.filing.tests.conftest import submit_filing

DRAFT = "2024年，区司法局共办理行政复议案件56件。"
EDITED = "2024年，区司法局共办理行政复议案件56件，按期办结率100%，纠错率12.5%。"


@pytest.fixture
def item(campaign):
    """1.1.1: led by 区司法局 (szq_liaison), 区市场监管局 responsible (scjg_liaison)."""
    return campaign.items.get(code="1.1.1")


def put(client, item, headers, text, version=None):
    return client.put(
        f"/api/campaigns/items/{item.pk}/explanation",
        {"text": text, "version": version},
        content_type="application/json",
        **headers,
    )


def test_the_liaison_drafts_and_the_lead_office_edits(client, bearer, campaign, item, people):
    liaison, lead = bearer(people.szq_liaison), bearer(people.szq_lead)
    drafted = put(client, item, liaison, DRAFT)
    assert drafted.status_code == 200
    body = drafted.json()
    assert (body["code"], body["text"], body["version"], body["may_edit"]) == (
        "1.1.1",
        DRAFT,
        0,
        True,
    )
    assert body["updated_by"] == str(people.szq_liaison)

    # A second first draft, written on a page loaded before the first was saved, is refused.
    late = put(client, item, lead, "另一稿")
    assert late.status_code == 400 and "您的修改没有保存" in late.json()["detail"]
    edited = put(client, item, lead, EDITED, version=0)
    assert edited.status_code == 200 and edited.json()["version"] == 1
    stale = put(client, item, liaison, "旧稿", version=0)
    assert stale.status_code == 400 and "已由 szq_lead" in stale.json()["detail"]
    assert Explanation.objects.get(item=item).text == EDITED

    read = client.get(f"/api/campaigns/items/{item.pk}/explanation", **liaison).json()
    assert (read["text"], read["version"], read["closed"]) == (EDITED, 1, "")


def test_the_list_shows_what_the_user_sees(client, bearer, campaign, item, people):
    put(client, item, bearer(people.szq_liaison), DRAFT)
    url = f"/api/campaigns/{campaign.pk}/explanations"
    office = client.get(url, **bearer(people.szq_lead)).json()
    assert [(e["code"], e["text"], e["version"]) for e in office] == [
        ("1.1.1", DRAFT, 0),
        ("1.1.2", "", None),
        ("2.1.3", "", None),
        ("2.1.4", "", None),
    ]
    own = client.get(url, **bearer(people.scjg_liaison)).json()
    assert "1.1.2" in [e["code"] for e in own] and "2.1.4" not in [e["code"] for e in own]
    reviewer = client.get(url, **bearer(people.szq_reviewer)).json()
    assert reviewer[0]["text"] == DRAFT
    assert client.get(url, **bearer(people.xc_lead)).status_code == 404


def test_others_are_refused_and_nothing_is_saved(client, bearer, campaign, item, people):
    refused = put(client, item, bearer(people.scjg_liaison), DRAFT)  # responsible unit only
    assert refused.status_code == 403 and "牵头单位的联络员或牵头科室" in refused.json()["detail"]
    assert put(client, item, bearer(people.szq_reviewer), DRAFT).status_code == 403
    assert put(client, item, bearer(people.xc_lead), DRAFT).status_code == 404
    detail = f"/api/campaigns/items/{item.pk}/explanation"
    assert client.get(detail, **bearer(people.xc_lead)).status_code == 404
    read = client.get(detail, **bearer(people.scjg_liaison)).json()
    assert (read["may_edit"], read["version"]) == (False, None)
    too_long = put(client, item, bearer(people.szq_lead), "字" * 10001)
    assert too_long.status_code == 422 and "text" in too_long.json()["detail"]
    assert not Explanation.objects.exists()


def test_a_submitted_filing_makes_them_read_only(client, bearer, campaign, item, people):
    lead = bearer(people.szq_lead)
    put(client, item, lead, DRAFT)
    submit_filing(campaign, people.szq_lead)
    read = client.get(f"/api/campaigns/items/{item.pk}/explanation", **lead).json()
    assert read["may_edit"] is False and "自评说明只读" in read["closed"]
    refused = put(client, item, lead, EDITED, version=0)
    assert refused.status_code == 400 and "自评说明只读" in refused.json()["detail"]
    assert Explanation.objects.get(item=item).text == DRAFT
