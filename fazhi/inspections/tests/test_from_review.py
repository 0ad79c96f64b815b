"""A review's return raised as a finding: the inspecting side opens it from the returned item,
with the reason and the lead unit filled in, once per item and inspection."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fazhi.campaigns import services as campaign_services
from fazhi.evidence.services import evidence_upload
from fazhi.inspections import services
from fazhi.inspections.models import Finding, FindingSource


@pytest.fixture
def returned(campaign, people):
    """1.1.1 (led by 司法局) submitted and sent back by 市中区's lead office."""
    from django.core.files.base import ContentFile

    item = campaign.items.get(code="1.1.1")
    evidence_upload(
        acting_user=people.szq_liaison,
        item=item,
        file=ContentFile("复议决定书".encode(), name="决定书.txt"),
    )
    item.refresh_from_db()
    campaign_services.item_submit(acting_user=people.szq_liaison, item=item)
    return campaign_services.item_return(
        acting_user=people.szq_lead, item=item, reason="复议案件统计表缺失，制度未建立"
    )


def test_the_form_offers_the_inspection_and_fills_in_the_return(
    login, people, inspection, returned, tree
):
    page = login(people.city_inspector).get(reverse("inspections:from_item", args=[returned.pk]))

    assert page.status_code == 200
    form = page.context["form"]
    assert page.context["inspection"] == inspection
    assert "复议案件统计表缺失" in form.initial["description"]
    assert form.initial["responsible_unit"] == tree.units.szq_sfj


def test_posting_opens_a_finding_whose_source_is_the_returned_item(
    login, people, inspection, returned, tree
):
    client = login(people.city_inspector)
    url = reverse("inspections:from_item", args=[returned.pk])
    data = {
        "inspection": inspection.pk,
        "description": "复议案件统计制度未建立",
        "responsible_unit": tree.units.szq_sfj.pk,
        "deadline": "2025-09-30",
    }

    answer = client.post(url, data)

    finding = Finding.objects.get(source=FindingSource.REVIEW)
    assert answer.url == reverse("inspections:finding", args=[finding.pk])
    assert finding.inspection == inspection
    assert finding.source_ref == f"item:{returned.pk}"
    assert finding.responsible_unit == tree.units.szq_sfj
    assert finding.deadline == date(2025, 9, 30)
    page = client.get(answer.url).content.decode()
    assert reverse("campaigns:item", args=[returned.pk]) in page
    again = client.post(url, data)
    assert "已转为本次督察的问题" in again.content.decode()
    assert Finding.objects.filter(source=FindingSource.REVIEW).count() == 1


def test_an_item_not_returned_is_refused(people, inspection, campaign, tree):
    item = campaign.items.get(code="1.1.2")

    with pytest.raises(ValidationError, match="不是“已退回”状态"):
        services.finding_from_returned_item(
            acting_user=people.city_inspector,
            inspection=inspection,
            item=item,
            description="x",
            responsible_unit=tree.units.szq_scjg,
            deadline=date(2025, 9, 30),
        )
    assert not Finding.objects.exists()


def test_without_an_inspection_the_page_says_to_create_one_first(login, people, returned):
    page = login(people.szq_lead).get(reverse("inspections:from_item", args=[returned.pk]))

    assert page.status_code == 200
    assert "新建督察" in page.content.decode()
    assert page.context["form"] is None


def test_the_item_page_links_a_return_to_the_finding_form_for_the_inspecting_side(
    login, people, returned
):
    url = reverse("campaigns:item", args=[returned.pk])
    link = reverse("inspections:from_item", args=[returned.pk])

    assert link in login(people.city_inspector).get(url).content.decode()
    assert link not in login(people.szq_liaison).get(url).content.decode()
