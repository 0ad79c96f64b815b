"""The 申报清单 and the submissions through the API: the same rules, scoping and messages as the
pages — the lead office decides, orders, submits and reopens; readers read; a unit's liaison is
turned away and another county gets 404; bad input is refused in Chinese with nothing changed."""

import pytest

from fazhi.filing.models import FilingChoice, FilingSubmission
from fazhi.filing.tests.conftest import pdf_bytes


@pytest.fixture
def materials(campaign, upload):
    """Three undecided materials on 1.1.1 (approved, so in by default) and one on 2.1.3."""
    made = [
        upload("1.1.1", f"{name}.pdf", pdf_bytes(pages, name), title=name, chosen=False)
        for name, pages in (("通知", 1), ("方案", 2), ("总结", 3))
    ]
    made.append(upload("2.1.3", "意见.pdf", pdf_bytes(1, "意见"), title="审查意见", chosen=False))
    campaign.items.filter(code="1.1.1").update(status="approved")
    return made


def call(client, method, url, headers, payload=None):
    if payload is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, payload, content_type="application/json", **headers)


def test_the_choice_list_counts_each_indicator(client, bearer, campaign, materials, people):
    url = f"/api/filing/campaigns/{campaign.pk}/choices"
    response = client.get(url, **bearer(people.szq_lead))
    assert response.status_code == 200
    body = response.json()
    assert body["submitted_version"] is None
    lines = {line["code"]: line for line in body["indicators"]}
    assert (lines["1.1.1"]["total"], lines["1.1.1"]["included"], lines["1.1.1"]["pages"]) == (
        3,
        3,
        6,
    )
    assert (lines["2.1.3"]["included"], lines["2.1.3"]["excluded"]) == (0, 1)  # not approved
    assert body["totals"]["undecided"] == 4 and body["totals"]["included"] == 3
    reviewer = client.get(url + "?pending=true&q=2.1", **bearer(people.szq_reviewer)).json()
    assert [line["code"] for line in reviewer["indicators"]] == ["2.1.3"]

    assert client.get(url, **bearer(people.szq_liaison)).status_code == 403
    assert client.get(url, **bearer(people.xc_lead)).status_code == 404


def test_the_lead_office_decides_and_orders_one_material(
    client, bearer, campaign, materials, people
):
    notice, plan, summary, _ = materials
    lead = bearer(people.szq_lead)
    url = f"/api/filing/materials/{plan.pk}/choice"

    refused = call(client, "patch", url, lead, {"decision": "exclude"})
    assert refused.status_code == 400 and "不纳入申报须写明原因" in refused.json()["detail"]
    nothing = call(client, "patch", url, lead, {})
    assert nothing.status_code == 400 and "未做任何改动" in nothing.json()["detail"]
    too_far = call(
        client, "patch", url, lead, {"decision": "exclude", "reason": "重复", "place": 9}
    )
    assert too_far.status_code == 400 and "1–3 之间的整数" in too_far.json()["detail"]
    assert not FilingChoice.objects.filter(evidence=plan, included=False).exists()  # all or none

    left_out = call(client, "patch", url, lead, {"decision": "exclude", "reason": "与通知重复"})
    assert left_out.status_code == 200
    assert left_out.json() | {"evidence_id": 0} == {
        "evidence_id": 0,
        "title": "方案",
        "unit": "市中区司法局",
        "version": 1,
        "pages": 2,
        "place": 2,
        "included": False,
        "decided": True,
        "reason": "与通知重复",
    }
    moved = call(client, "patch", f"/api/filing/materials/{summary.pk}/choice", lead, {"place": 1})
    assert moved.json()["place"] == 1
    rows = client.get(f"/api/filing/items/{notice.item_id}/choices", **lead).json()
    assert [(r["title"], r["place"], r["included"]) for r in rows] == [
        ("总结", 1, True),
        ("通知", 2, True),
        ("方案", 3, False),
    ]


def test_others_may_not_decide(client, bearer, campaign, materials, people):
    plan = materials[1]
    url = f"/api/filing/materials/{plan.pk}/choice"
    payload = {"decision": "include"}
    assert call(client, "patch", url, bearer(people.szq_liaison), payload).status_code == 403
    assert call(client, "patch", url, bearer(people.szq_reviewer), payload).status_code == 403
    assert call(client, "patch", url, bearer(people.xc_lead), payload).status_code == 404
    assert not FilingChoice.objects.filter(evidence=plan).exists()
    items = f"/api/filing/items/{plan.item_id}/choices"
    assert client.get(items, **bearer(people.xc_lead)).status_code == 404
    assert client.get(items, **bearer(people.szq_liaison)).status_code == 403


def test_submit_list_reopen_and_resubmit(client, bearer, campaign, materials, people):
    lead = bearer(people.szq_lead)
    url = f"/api/filing/campaigns/{campaign.pk}/submissions"
    early = call(client, "post", url, lead, {"note": "首次"})
    assert early.status_code == 400 and "还没有生成完成的申报材料" in early.json()["detail"]

    built = call(client, "post", f"/api/filing/campaigns/{campaign.pk}/builds", lead, {})
    assert built.status_code == 202
    assert call(client, "post", url, bearer(people.szq_liaison), {}).status_code == 403
    assert call(client, "post", url, bearer(people.xc_lead), {}).status_code == 404
    first = call(client, "post", url, lead, {"note": "报送市依法治市办"})
    assert first.status_code == 201
    body = first.json()
    stored = FilingSubmission.objects.get()
    assert (body["number"], body["materials"], body["in_force"]) == (1, 3, True)
    assert body["package_sha256"] == stored.package_sha256 and body["changes"]["first"]

    frozen = call(
        client, "patch", f"/api/filing/materials/{materials[0].pk}/choice", lead, {"place": 3}
    )
    assert frozen.status_code == 400 and "已于" in frozen.json()["detail"]
    listed = client.get(f"/api/filing/campaigns/{campaign.pk}/choices", **lead).json()
    assert listed["submitted_version"] == 1

    reopen = url + "/reopen"
    no_reason = call(client, "post", reopen, lead, {"reason": "  "})
    assert no_reason.status_code == 400 and no_reason.json()["detail"] == "重新打开申报须写明原因。"
    assert (
        call(client, "post", reopen, bearer(people.szq_liaison), {"reason": "x"}).status_code == 403
    )
    opened = call(client, "post", reopen, lead, {"reason": "补充复议案卷"})
    assert opened.status_code == 200
    assert (opened.json()["in_force"], opened.json()["reopen_reason"]) == (False, "补充复议案卷")

    call(
        client,
        "patch",
        f"/api/filing/materials/{materials[1].pk}/choice",
        lead,
        {"decision": "exclude", "reason": "重复"},
    )
    call(client, "post", f"/api/filing/campaigns/{campaign.pk}/builds", lead, {})
    second = call(client, "post", url, lead, {})
    assert second.status_code == 201
    assert [m["title"] for m in second.json()["changes"]["removed"]] == ["方案"]

    versions = client.get(url, **bearer(people.szq_reviewer)).json()
    assert [(v["number"], v["in_force"]) for v in versions] == [(2, True), (1, False)]
    assert client.get(url, **bearer(people.szq_liaison)).status_code == 403
    assert client.get(url, **bearer(people.xc_lead)).status_code == 404
