"""A measure linked to the campaign indicators it serves: its progress files are offered on the
indicator's page and become materials there under the evidence store's own rules."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from fazhi.evidence.models import Evidence
from fazhi.plans import progress
from fazhi.plans.importing import plan_import
from fazhi.plans.models import PlanStatus
from fazhi.plans.planreading import read_plan_lines

LINES = [
    "一、健全依法行政制度体系",
    "（一）加强规范性文件管理。（牵头单位：区司法局；责任单位：区市场监管局；完成时限：年底前）",
]


@pytest.fixture
def issued(people, tree):
    plan = plan_import(
        acting_user=people.szq_lead,
        region=tree.szq,
        year=2025,
        name="工作要点",
        reading=read_plan_lines(LINES, year=2025),
    ).plan
    plan.status = PlanStatus.ISSUED
    plan.save()
    measure = plan.measures.get()
    q1 = progress.plan_periods_ensure(plan)[0]
    progress.progress_report_save(
        acting_user=people.szq_liaison,
        measure=measure,
        period=q1,
        text="清理 36 件",
        files=[ContentFile("规范性文件清理结果".encode(), name="清理结果.txt")],
    )
    return measure


def test_link_offer_and_upload_as_evidence(issued, campaign, people, login):
    item = campaign.items.get(code="2.1.3")
    lead = login(people.szq_lead)
    bad = lead.post(
        reverse("plans:measure_link", args=[issued.pk]), {"campaign": campaign.pk, "code": "9.9"}
    )
    assert bad.status_code == 302 and not issued.items.exists()
    lead.post(
        reverse("plans:measure_link", args=[issued.pk]), {"campaign": campaign.pk, "code": "2.1.3"}
    )
    assert list(issued.items.all()) == [item]

    liaison = login(people.szq_liaison)
    page = liaison.get(reverse("campaigns:item", args=[item.pk])).content.decode()
    assert "工作计划进展材料" in page and "清理结果.txt" in page
    file = issued.reports.get().files.get()
    response = liaison.post(reverse("plans:offer_file", args=[file.pk]), {"item": item.pk})
    assert response["Location"] == reverse("campaigns:item", args=[item.pk])
    evidence = Evidence.objects.get(item=item)
    assert evidence.unit == people.szq_liaison.unit
    assert evidence.current.blob_id == file.blob_id  # the same content, stored once
    assert evidence.title.startswith("1.1 第一季度进展")


def test_only_the_lead_office_links_and_only_linked_items_take_the_files(
    issued, campaign, people, login
):
    item = campaign.items.get(code="2.1.3")
    other = campaign.items.get(code="2.1.4")
    response = login(people.szq_liaison).post(
        reverse("plans:measure_link", args=[issued.pk]), {"campaign": campaign.pk, "code": "2.1.3"}
    )
    assert response.status_code == 403 and not issued.items.exists()
    issued.items.add(item)
    file = issued.reports.get().files.get()
    # 市场监管局 is not given 2.1.3: out of its reach, as any other unit's item.
    refused = login(people.scjg_liaison).post(
        reverse("plans:offer_file", args=[file.pk]), {"item": item.pk}
    )
    assert refused.status_code == 404 and not Evidence.objects.exists()
    login(people.szq_liaison).post(reverse("plans:offer_file", args=[file.pk]), {"item": other.pk})
    assert not Evidence.objects.exists()  # 2.1.4 is not linked to the measure
    assert (
        login(people.xc_liaison)
        .post(reverse("plans:offer_file", args=[file.pk]), {"item": item.pk})
        .status_code
        == 404
    )
