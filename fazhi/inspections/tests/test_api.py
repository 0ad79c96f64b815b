"""/api/inspections/: the report in the contract's shape, and 销号 under the same rule as the
pages — the responsible unit asks, the inspecting side decides, the unit never closes its own."""

import json

import pytest

from fazhi.inspections.models import FindingStatus
from fazhi.inspections.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_the_report_counts_by_status_unit_and_category(
    client, bearer, people, inspection, findings
):
    response = client.get(
        f"/api/inspections/{inspection.pk}/report",
        {"date": TODAY.isoformat()},
        **bearer(people.city_inspector),
    )
    report = response.json()
    assert report["total"] == 3 and report["overdue"] == 1
    assert set(report["by_status"]) == {"open", "in_progress", "close_requested", "closed"}
    mine = client.get(f"/api/inspections/{inspection.pk}/findings", **bearer(people.scjg_liaison))
    assert [f["number"] for f in mine.json()] == ["2"]


def test_close_through_the_api_and_the_unit_refused_its_own(client, bearer, people, findings):
    url = f"/api/inspections/findings/{findings.sfj.pk}"
    unit = bearer(people.szq_liaison)
    assert post(client, f"{url}/request-close", {"note": "完成"}, unit).json()["status"] == (
        "close_requested"
    )
    refused = post(client, f"{url}/verify", {"accept": True}, unit)
    assert refused.status_code == 403 and "本单位" in refused.json()["detail"]
    other = post(client, f"{url}/verify", {"accept": True}, bearer(people.scjg_liaison))
    assert other.status_code == 404
    rejected = post(client, f"{url}/verify", {"accept": False}, bearer(people.city_inspector))
    assert rejected.status_code == 400 and "理由" in rejected.json()["detail"]
    closed = post(client, f"{url}/verify", {"accept": True}, bearer(people.city_inspector))
    assert closed.json()["status"] == FindingStatus.CLOSED
