"""The written self-assessment (issue 22, point 3): each leaf item's 自评说明, drafted by its lead
unit's liaison and edited by the lead office, under the uploads' stage rule and the filing's
freeze, guarded by a version; and the lead office's 亮点, 不足 and 下一步."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fazhi.accounts.audit_display import ACTION_LABELS
from fazhi.accounts.models import AuditEntry
from fazhi.campaigns import self_assessment as sa
from fazhi.campaigns.models import Explanation, ItemStatus, SelfAssessment, StageKind
from fazhi.campaigns.tests.test_stages import set_stage
from fazhi.filing.models import BuildStatus, FilingBuild, FilingSubmission

TEXT = "2024年，区司法局共办理行政复议案件56件，按期办结率100%。"


@pytest.fixture
def item(campaign):
    """1.1.1: led by 区司法局 (szq_liaison), 区市场监管局 responsible (scjg_liaison)."""
    return campaign.items.get(code="1.1.1")


def save(user, item, text=TEXT, version=None):
    return sa.explanation_save(acting_user=user, item=item, text=text, version=version)


def submitted(campaign, people) -> FilingSubmission:
    build = FilingBuild.objects.create(
        campaign=campaign, status=BuildStatus.READY, requested_by=people.szq_lead
    )
    return FilingSubmission.objects.create(
        campaign=campaign,
        number=1,
        build=build,
        package_sha256="0" * 64,
        report_sha256="1" * 64,
        submitted_by=people.szq_lead,
    )


# -- who may write an explanation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "may"),
    [
        ("szq_liaison", True),  # the lead unit's liaison
        ("szq_lead", True),  # the lead office
        ("admin", True),
        ("scjg_liaison", False),  # a responsible unit only
        ("xc_liaison", False),  # another county
        ("xc_lead", False),  # another county's lead office
        ("szq_reviewer", False),
        ("szq_leader", False),
    ],
)
def test_who_may_write_an_explanation(item, people, persona, may):
    user = getattr(people, persona)
    if may:
        explanation = save(user, item)
        assert explanation.text == TEXT and explanation.version == 0
        assert AuditEntry.objects.filter(action="explanation.save").count() == 1
    else:
        with pytest.raises(PermissionDenied, match="牵头单位的联络员或牵头科室"):
            save(user, item)
        assert not Explanation.objects.exists()


def test_the_audit_action_has_a_label():
    assert ACTION_LABELS["explanation.save"] and ACTION_LABELS["self_assessment.save"]


def test_the_lead_office_edits_the_liaisons_draft_on_its_version(item, people):
    draft = save(people.szq_liaison, item, "初稿")
    edited = save(people.szq_lead, item, TEXT, version=draft.version)
    assert edited.version == 1 and edited.text == TEXT
    assert edited.updated_by == people.szq_lead


def test_a_stale_version_is_refused_naming_who_changed_it(item, people):
    save(people.szq_liaison, item, "初稿")
    save(people.szq_lead, item, "牵头科室改过", version=0)
    with pytest.raises(ValidationError, match="已由 szq_lead 于 .* 修改，您的修改没有保存"):
        save(people.szq_liaison, item, "联络员的另一稿", version=0)
    with pytest.raises(ValidationError, match="已由 szq_lead"):
        save(people.szq_liaison, item, "以为还没有人写", version=None)
    assert Explanation.objects.get(item=item).text == "牵头科室改过"


def test_a_too_long_text_is_refused(item, people):
    with pytest.raises(ValidationError, match="不能超过 10000 字"):
        save(people.szq_liaison, item, "字" * 10001)


def test_nul_characters_pasted_from_a_pdf_are_dropped(item, people):
    assert save(people.szq_liaison, item, " 共办理\x00案件 ").text == "共办理案件"


def test_a_refined_indicator_takes_its_explanations_on_its_refined_items(campaign, people):
    from fazhi.campaigns import services

    parent = campaign.items.get(code="2.1.4")
    services.item_refine(acting_user=people.szq_lead, parent=parent, title="备案审查细化")
    parent.refresh_from_db()
    with pytest.raises(ValidationError, match="已细化"):
        save(people.szq_lead, parent)


# -- when --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [StageKind.EVALUATION, StageKind.NAMING])
def test_the_stage_that_closes_uploads_closes_explanations(item, people, stage):
    set_stage(item.campaign, stage)
    with pytest.raises(ValidationError, match="不能上传材料"):
        save(people.szq_lead, item)
    assert "不能上传材料" in sa.explanation_closed(people.szq_liaison, item)


def test_a_reopened_item_takes_its_explanation_past_the_stage(item, people):
    from fazhi.campaigns import services

    set_stage(item.campaign, StageKind.EVALUATION)
    services.item_reopen(acting_user=people.szq_lead, item=item, reason="补充自评说明")
    item.refresh_from_db()
    assert save(people.szq_liaison, item).text == TEXT


def test_a_submission_in_force_freezes_explanations(item, people):
    submission = submitted(item.campaign, people)
    with pytest.raises(ValidationError, match="自评说明只读"):
        save(people.szq_lead, item)
    submission.reopened_at, submission.reopen_reason = submission.submitted_at, "补充"
    submission.save()
    assert save(people.szq_lead, item).text == TEXT


def test_a_submitted_item_locks_the_liaison_out_not_the_lead_office(item, people):
    item.status = ItemStatus.SUBMITTED
    item.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="随材料锁定"):
        save(people.szq_liaison, item)
    assert save(people.szq_lead, item).text == TEXT


# -- the lead office's part ------------------------------------------------------------------


def test_the_lead_office_chooses_highlights_of_its_campaign(campaign, item, people):
    other = campaign.items.get(code="2.1.3")
    record = sa.self_assessment_save(
        acting_user=people.szq_lead,
        campaign=campaign,
        highlight_item_ids=[other.pk, item.pk, other.pk],
        highlights_text=" 高位推动 ",
        shortfalls="培训不足",
        next_steps="加强培训",
    )
    assert record.highlight_item_ids == [other.pk, item.pk]
    assert record.highlights_text == "高位推动"


@pytest.mark.parametrize("persona", ["szq_liaison", "xc_lead", "szq_reviewer"])
def test_only_the_lead_office_writes_the_reports_parts(campaign, people, persona):
    with pytest.raises(PermissionDenied, match="只有牵头科室"):
        sa.self_assessment_save(
            acting_user=getattr(people, persona),
            campaign=campaign,
            highlight_item_ids=[],
            highlights_text="",
            shortfalls="",
            next_steps="",
        )
    assert not SelfAssessment.objects.exists()


def test_highlights_must_be_items_of_the_campaign(campaign, people, tree):
    from fazhi.campaigns.models import Item

    foreign = Item.objects.exclude(campaign=campaign).first()
    ids = [foreign.pk] if foreign else [10**9]
    with pytest.raises(ValidationError, match="不属于本创建活动"):
        sa.self_assessment_save(
            acting_user=people.szq_lead,
            campaign=campaign,
            highlight_item_ids=ids,
            highlights_text="",
            shortfalls="",
            next_steps="",
        )


def test_the_reports_parts_freeze_with_the_submission(campaign, people):
    submitted(campaign, people)
    with pytest.raises(ValidationError, match="自评报告只读"):
        sa.self_assessment_save(
            acting_user=people.szq_lead,
            campaign=campaign,
            highlight_item_ids=[],
            highlights_text="",
            shortfalls="x",
            next_steps="",
        )


# -- the pages ---------------------------------------------------------------------------------


def test_the_item_page_shows_the_explanation_and_its_form(item, people, login):
    save(people.szq_liaison, item)
    url = reverse("campaigns:item", args=[item.pk])
    page = login(people.szq_reviewer).get(url).content.decode()
    assert TEXT in page and 'name="text"' not in page  # the reviewer reads it
    page = login(people.szq_liaison).get(url).content.decode()
    assert 'name="version" value="0"' in page and "保存自评说明" in page
    page = login(people.scjg_liaison).get(url).content.decode()
    assert TEXT in page and "保存自评说明" not in page


def test_the_item_page_saves_an_explanation(item, people, login):
    client = login(people.szq_liaison)
    url = reverse("campaigns:item_explanation", args=[item.pk])
    response = client.post(url, {"text": TEXT, "version": ""})
    assert response.status_code == 302 and response["Location"].endswith("#explanation")
    assert Explanation.objects.get(item=item).text == TEXT


def test_a_refused_save_keeps_what_was_typed(item, people, login):
    save(people.szq_lead, item, "牵头科室的稿")
    client = login(people.szq_liaison)
    url = reverse("campaigns:item_explanation", args=[item.pk])
    response = client.post(url, {"text": "联络员刚写的", "version": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "自评说明未保存" in page and "联络员刚写的" in page
    response = client.post(url, {"text": "x", "version": "abc"})
    assert response.status_code == 200 and "版本号不正确" in response.content.decode()
    assert Explanation.objects.get(item=item).text == "牵头科室的稿"


def test_a_responsible_unit_is_refused_with_a_message(item, people, login):
    url = reverse("campaigns:item_explanation", args=[item.pk])
    response = login(people.scjg_liaison).post(url, {"text": TEXT, "version": ""})
    assert response.status_code == 200 and "只有 1.1.1 牵头单位" in response.content.decode()
    assert not Explanation.objects.exists()


def test_the_self_assessment_page_shows_progress_and_saves_highlights(
    campaign, item, people, login
):
    save(people.szq_liaison, item)
    client = login(people.szq_lead)
    url = reverse("campaigns:self_assessment", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "<strong>1</strong> / 4 项指标已填写自评说明" in page
    assert "1.1.2" in page  # still missing, linked
    assert f'name="highlights" value="{item.pk}"' in page
    response = client.post(
        url,
        {"highlights": [str(item.pk)], "shortfalls": "培训不足", "next_steps": "加强培训"},
    )
    assert response.status_code == 302
    record = SelfAssessment.objects.get(campaign=campaign)
    assert record.highlight_item_ids == [item.pk] and record.shortfalls == "培训不足"
    page = client.get(url).content.decode()
    assert f'value="{item.pk}" checked' in page


def test_the_self_assessment_page_refuses_bad_input_without_saving(campaign, people, login):
    client = login(people.szq_lead)
    url = reverse("campaigns:self_assessment", args=[campaign.pk])
    response = client.post(url, {"highlights": ["x"], "shortfalls": "培训不足"})
    assert response.status_code == 200
    assert "不属于本创建活动" in response.content.decode()
    assert not SelfAssessment.objects.exists()
    response = client.post(url, {"shortfalls": "字" * 10001})
    assert "存在的不足不能超过 10000 字" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("szq_liaison", 403), ("xc_lead", 404)])
def test_the_self_assessment_page_is_the_lead_offices(campaign, people, login, persona, status):
    url = reverse("campaigns:self_assessment", args=[campaign.pk])
    assert login(getattr(people, persona)).get(url).status_code == status
