"""Choosing the filing: which materials go in (the default: approved items' materials), which
stay out and why, in which order; the package and its index follow; only the lead office of
the campaign's region decides, and a material out of reach is refused with nothing changed."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.accounts.models import AuditEntry
from fazhi.filing import choices
from fazhi.filing.contents import filing_contents
from fazhi.filing.models import FilingChoice
from fazhi.filing.package import INDEX_NAME, write_package
from fazhi.filing.tests.conftest import pdf_bytes


def approve(campaign, *codes):
    campaign.items.filter(code__in=codes).update(status="approved")


@pytest.fixture
def three(campaign, upload):
    """Three undecided materials on 1.1.1 in upload order, one on 2.1.3; 1.1.1 approved."""
    made = [
        upload("1.1.1", f"{name}.pdf", pdf_bytes(1, name), title=name, chosen=False)
        for name in ("通知", "方案", "总结")
    ]
    upload("2.1.3", "审查.pdf", pdf_bytes(1, "审查"), title="审查意见", chosen=False)
    approve(campaign, "1.1.1")
    return made


def titles(campaign, code="1.1.1"):
    for indicator in filing_contents(campaign=campaign):
        if indicator.code == code:
            return [m.title for m in indicator.materials]
    return None


def test_by_default_an_approved_items_materials_go_in_in_upload_order(campaign, three):
    assert titles(campaign) == ["通知", "方案", "总结"]
    assert titles(campaign, "2.1.3") == []  # not approved: listed, nothing in it yet


def test_leaving_one_out_needs_a_reason_and_the_package_follows(campaign, three, people, tmp_path):
    notice, plan, summary = three
    with pytest.raises(ValidationError, match="须写明原因"):
        choices.choice_decide(
            acting_user=people.szq_lead,
            item=notice.item,
            evidence_ids=[plan.pk],
            decision="exclude",
        )
    assert not FilingChoice.objects.filter(included=False).exists()
    choices.choice_decide(
        acting_user=people.szq_lead,
        item=notice.item,
        evidence_ids=[plan.pk],
        decision="exclude",
        reason="与通知重复",
    )
    choices.choice_move(
        acting_user=people.szq_lead, item=notice.item, evidence_id=summary.pk, direction="up"
    )
    choices.choice_move(
        acting_user=people.szq_lead, item=notice.item, evidence_id=summary.pk, direction="up"
    )
    assert titles(campaign) == ["总结", "通知"]
    path = tmp_path / "package.zip"
    write_package(path, indicators=filing_contents(campaign=campaign))
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.endswith(".pdf")]
        index = load_workbook(io.BytesIO(archive.read(INDEX_NAME))).active
    assert [n.rsplit("/", 1)[1] for n in names] == ["01-总结.pdf", "02-通知.pdf"]
    rows = [r for r in index.iter_rows(min_row=2, values_only=True) if r[1] == "1.1.1"]
    assert [(r[0], r[3]) for r in rows] == [(1, "总结"), (2, "通知")]
    entry = AuditEntry.objects.filter(action="filing.choose").latest("pk")
    assert entry.after["reason"] == "与通知重复"


def test_a_material_of_an_unapproved_item_can_be_chosen_and_returned_to_the_default(
    campaign, three, people
):
    item = campaign.items.get(code="2.1.3")
    (review,) = item.evidence.all()
    choices.choice_decide(
        acting_user=people.szq_lead, item=item, evidence_ids=[review.pk], decision="include"
    )
    assert titles(campaign, "2.1.3") == ["审查意见"]
    choices.choice_decide(
        acting_user=people.szq_lead, item=item, evidence_ids=[review.pk], decision="default"
    )
    assert titles(campaign, "2.1.3") == []


def test_renumbering_puts_the_named_material_at_its_place(campaign, three, people):
    notice, plan, summary = three
    choices.choice_renumber(
        acting_user=people.szq_lead, item=notice.item, places={str(summary.pk): "1"}
    )
    assert titles(campaign) == ["总结", "通知", "方案"]
    with pytest.raises(ValidationError, match="1–3 之间的整数"):
        choices.choice_renumber(
            acting_user=people.szq_lead, item=notice.item, places={str(plan.pk): "九"}
        )
    with pytest.raises(ValidationError, match="已在最前"):
        choices.choice_move(
            acting_user=people.szq_lead, item=notice.item, evidence_id=summary.pk, direction="up"
        )
    assert titles(campaign) == ["总结", "通知", "方案"]


def test_a_material_uploaded_after_reordering_comes_last(campaign, three, people, upload):
    notice, plan, summary = three
    choices.choice_renumber(
        acting_user=people.szq_lead, item=notice.item, places={str(summary.pk): "1"}
    )
    campaign.items.filter(code="1.1.1").update(status="in_progress")
    upload("1.1.1", "补充.pdf", pdf_bytes(1, "补充"), title="补充", chosen=False)
    approve(campaign, "1.1.1")
    assert titles(campaign) == ["总结", "通知", "方案", "补充"]


def test_only_the_lead_office_of_the_region_decides(campaign, three, people):
    notice = three[0]
    for user in (people.xc_lead, people.scjg_liaison, people.szq_reviewer):
        with pytest.raises(PermissionDenied):
            choices.choice_decide(
                acting_user=user, item=notice.item, evidence_ids=[notice.pk], decision="include"
            )
    assert not FilingChoice.objects.filter(included__isnull=False).exists()


def test_a_material_of_another_item_is_refused_and_nothing_changes(campaign, three, people):
    notice = three[0]
    other = campaign.items.get(code="2.1.3").evidence.get()
    with pytest.raises(ValidationError, match=f"#{other.pk}"):
        choices.choice_decide(
            acting_user=people.szq_lead,
            item=notice.item,
            evidence_ids=[notice.pk, other.pk],
            decision="exclude",
            reason="无关",
        )
    assert not FilingChoice.objects.filter(included__isnull=False).exists()
    with pytest.raises(ValidationError, match="材料编号不正确"):
        choices.choice_decide(
            acting_user=people.szq_lead, item=notice.item, evidence_ids=["x"], decision="include"
        )


# -- the pages ------------------------------------------------------------------------------------


def test_the_list_counts_per_indicator_and_filters_the_undecided(campaign, three, people, login):
    client = login(people.szq_lead)
    page = client.get(reverse("filing:choices", args=[campaign.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "材料 <strong>4</strong> 份" in text and "纳入 <strong>3</strong> 份" in text
    assert "未决定 <strong>4</strong> 份" in text
    item = three[0].item
    client.post(
        reverse("filing:choice_decide", args=[item.pk]),
        {"all": "1", "decision": "include", "next": "list"},
    )
    pending = client.get(reverse("filing:choices", args=[campaign.pk]), {"pending": "1"})
    rows = pending.context["page"].object_list
    assert [line.item.code for line in rows] == ["2.1.3"]


def test_the_item_page_decides_rows_and_in_bulk(campaign, three, people, login):
    notice, plan, summary = three
    client = login(people.szq_lead)
    url = reverse("filing:choice_decide", args=[notice.item.pk])
    refused = client.post(
        url, {"evidence": [plan.pk, summary.pk], "decision": "exclude"}, follow=True
    )
    assert "不纳入申报须写明原因" in refused.content.decode()
    assert not FilingChoice.objects.filter(included=False).exists()
    client.post(url, {"evidence": [plan.pk, summary.pk], "decision": "exclude", "reason": "过期"})
    assert titles(campaign) == ["通知"]
    client.post(url, {"row": f"{plan.pk}:include"})
    assert titles(campaign) == ["通知", "方案"]
    client.post(reverse("filing:choice_order", args=[notice.item.pk]), {"move": f"{plan.pk}:up"})
    assert titles(campaign) == ["方案", "通知"]
    page = client.get(reverse("filing:choice_item", args=[notice.item.pk]))
    text = page.content.decode()
    assert "过期" in text and "style=" not in text
    assert [row.evidence.title for row in page.context["page"]] == ["方案", "通知", "总结"]


def test_a_liaison_may_not_post_and_another_county_does_not_see(campaign, three, people, login):
    item = three[0].item
    liaison = login(people.scjg_liaison)
    response = liaison.post(
        reverse("filing:choice_decide", args=[item.pk]),
        {"evidence": [three[0].pk], "decision": "include"},
    )
    assert response.status_code == 403
    other = login(people.xc_lead)
    assert other.get(reverse("filing:choice_item", args=[item.pk])).status_code == 404
    assert other.get(reverse("filing:choices", args=[campaign.pk])).status_code == 404
    assert not FilingChoice.objects.filter(included__isnull=False).exists()


def test_a_unit_sees_the_decisions_on_its_own_items_page(campaign, upload, people, login):
    notice = upload(
        "1.1.1", "公示.pdf", pdf_bytes(1, "公示"), title="执法公示", user=people.scjg_liaison
    )
    other = upload("1.1.1", "目录.pdf", pdf_bytes(1, "目录"), title="公示目录", chosen=False)
    choices.choice_decide(
        acting_user=people.szq_lead,
        item=notice.item,
        evidence_ids=[notice.pk],
        decision="exclude",
        reason="公示期不在评估期内",
    )
    page = login(people.scjg_liaison).get(reverse("campaigns:item", args=[notice.item.pk]))
    text = page.content.decode()
    assert "不纳入申报" in text and "公示期不在评估期内" in text
    assert other.title not in text  # another unit's material stays out of sight


def test_odd_input_on_the_item_page_is_refused_with_a_message(campaign, three, people, login):
    client = login(people.szq_lead)
    item = three[0].item
    decide = reverse("filing:choice_decide", args=[item.pk])
    order = reverse("filing:choice_order", args=[item.pk])
    for url, data, said in (
        (decide, {"row": f"{2**70}:include"}, "材料编号不正确"),
        (decide, {"row": "²:include"}, "材料编号不正确"),
        (decide, {"evidence": [three[0].pk], "decision": "maybe"}, "请选择纳入"),
        (decide, {"decision": "include"}, "请先勾选"),
        (order, {"move": f"{three[0].pk}:sideways"}, "只能上移或下移"),
        (order, {f"place-{three[0].pk}": "99"}, "1–3 之间的整数"),
        (order, {f"place-{2**70}": "1"}, "材料编号不正确"),
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200 and said in response.content.decode(), data
    assert not FilingChoice.objects.exists()
