"""Submitting the filing: a frozen version of the latest build (materials and versions, the
package's and the report's SHA-256), the campaign read-only while it is in force, reopening
only with a reason, and a resubmission that lists what changed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from fazhi.accounts.models import AuditEntry
from fazhi.evidence import services as evidence_services
from fazhi.filing import choices, services, submissions
from fazhi.filing.models import BuildStatus, FileKind, FilingSubmission
from fazhi.filing.tests.conftest import pdf_bytes
from fazhi.reviews import services as review_services
from fazhi.reviews.models import Side


@pytest.fixture
def chosen(campaign, upload):
    """Two chosen materials on 1.1.1 and one on 2.1.3."""
    return [
        upload("1.1.1", "决定.pdf", pdf_bytes(1, "决定"), title="复议决定"),
        upload("1.1.1", "报告.pdf", pdf_bytes(2, "报告"), title="复议报告"),
        upload("2.1.3", "意见.pdf", pdf_bytes(1, "意见"), title="审查意见"),
    ]


def build(campaign, people):
    made = services.build_request(acting_user=people.szq_lead, campaign=campaign)
    made.refresh_from_db()
    assert made.status == BuildStatus.READY, made.error
    return made


def test_a_submission_freezes_the_build_and_the_campaign(campaign, chosen, people):
    with pytest.raises(ValidationError, match="请先生成"):
        submissions.submission_create(acting_user=people.szq_lead, campaign=campaign)
    ready = build(campaign, people)
    with pytest.raises(PermissionDenied):
        submissions.submission_create(acting_user=people.xc_lead, campaign=campaign)
    submission = submissions.submission_create(
        acting_user=people.szq_lead, campaign=campaign, note="首次申报"
    )
    assert submission.number == 1 and submission.changes["first"]
    assert submission.package_sha256 == ready.files.get(kind=FileKind.PACKAGE).sha256
    assert submission.report_sha256 == ready.files.get(kind=FileKind.REPORT).sha256
    assert [(m["title"], m["version_number"]) for m in submission.manifest] == [
        ("复议决定", 1),
        ("复议报告", 1),
        ("审查意见", 1),
    ]
    material = chosen[0]
    item = material.item
    for change in (
        lambda: evidence_services.evidence_upload(
            acting_user=people.szq_lead, item=item, file=ContentFile(b"x", name="a.txt")
        ),
        lambda: evidence_services.evidence_update(
            acting_user=people.szq_lead, evidence=material, title="新标题"
        ),
        lambda: evidence_services.evidence_delete(acting_user=people.szq_lead, evidence=material),
        lambda: choices.choice_decide(
            acting_user=people.szq_lead,
            item=item,
            evidence_ids=[material.pk],
            decision="exclude",
            reason="重复",
        ),
    ):
        with pytest.raises(ValidationError, match="已于 .* 提交（第1版）"):
            change()
    with pytest.raises(ValidationError, match="自评分只读"):
        review_services.assessment_save(
            acting_user=people.szq_lead, item=item, side=Side.SELF, deductions=[], version=None
        )
    with pytest.raises(ValidationError, match="仍然有效"):
        submissions.submission_create(acting_user=people.szq_lead, campaign=campaign)
    assert AuditEntry.objects.filter(action="filing.submit").count() == 1


def test_a_change_after_the_build_asks_for_a_new_build(campaign, chosen, people):
    build(campaign, people)
    choices.choice_move(
        acting_user=people.szq_lead, item=chosen[0].item, evidence_id=chosen[1].pk, direction="up"
    )
    with pytest.raises(ValidationError, match="请重新生成"):
        submissions.submission_create(acting_user=people.szq_lead, campaign=campaign)
    assert not FilingSubmission.objects.exists()


def test_reopen_needs_a_reason_and_a_resubmission_lists_the_changes(
    campaign, chosen, people, upload
):
    build(campaign, people)
    first = submissions.submission_create(acting_user=people.szq_lead, campaign=campaign)
    with pytest.raises(ValidationError, match="须写明原因"):
        submissions.submission_reopen(acting_user=people.szq_lead, campaign=campaign, reason=" ")
    first.refresh_from_db()
    assert first.is_open
    submissions.submission_reopen(
        acting_user=people.szq_lead, campaign=campaign, reason="省里要求补充复议案卷"
    )
    entry = AuditEntry.objects.get(action="filing.reopen")
    assert entry.after["reason"] == "省里要求补充复议案卷"
    with pytest.raises(ValidationError, match="没有生效中的申报"):
        submissions.submission_reopen(acting_user=people.szq_lead, campaign=campaign, reason="再")

    decision, report, opinion = chosen
    choices.choice_decide(
        acting_user=people.szq_lead,
        item=opinion.item,
        evidence_ids=[opinion.pk],
        decision="exclude",
        reason="与指标无关",
    )
    choices.choice_move(
        acting_user=people.szq_lead, item=decision.item, evidence_id=report.pk, direction="up"
    )
    evidence_services.evidence_replace(
        acting_user=people.szq_lead,
        evidence=decision,
        file=ContentFile(pdf_bytes(1, "新"), "v2.pdf"),
    )
    upload("1.1.1", "案卷.pdf", pdf_bytes(1, "案卷"), title="复议案卷")
    build(campaign, people)
    second = submissions.submission_create(acting_user=people.szq_lead, campaign=campaign)
    assert second.number == 2
    changes = second.changes
    assert [m["title"] for m in changes["added"]] == ["复议案卷"]
    assert [m["title"] for m in changes["removed"]] == ["审查意见"]
    assert [(m["title"], m["from_version"], m["version_number"]) for m in changes["replaced"]] == [
        ("复议决定", 1, 2)
    ]
    assert {m["title"] for m in changes["moved"]} == {"复议报告", "复议决定"}
    first.refresh_from_db()
    assert first.build.files.filter(kind=FileKind.PACKAGE).exists()  # kept for the province


def test_the_pages_submit_reopen_and_show_the_version(campaign, chosen, people, login):
    build(campaign, people)
    client = login(people.szq_lead)
    page = reverse("filing:campaign", args=[campaign.pk])
    unconfirmed = client.post(reverse("filing:submit", args=[campaign.pk]), follow=True)
    assert "请勾选“确认提交”" in unconfirmed.content.decode()
    assert not FilingSubmission.objects.exists()
    client.post(reverse("filing:submit", args=[campaign.pk]), {"confirm": "1", "note": "首次"})
    submission = FilingSubmission.objects.get()
    text = client.get(page).content.decode()
    assert "第1版" in text and "重新打开申报" in text
    refused = client.post(reverse("filing:reopen", args=[campaign.pk]), {"reason": ""}, follow=True)
    assert "重新打开申报须写明原因" in refused.content.decode()
    submission.refresh_from_db()
    assert submission.is_open

    reviewer = login(people.szq_reviewer)
    detail = reviewer.get(reverse("filing:submission", args=[submission.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert submission.package_sha256 in body and "复议报告" in body and "首次提交" in body
    assert reviewer.post(reverse("filing:submit", args=[campaign.pk])).status_code == 403
    other = login(people.xc_lead)
    assert other.get(reverse("filing:submission", args=[submission.pk])).status_code == 404
    assert (
        other.post(reverse("filing:reopen", args=[campaign.pk]), {"reason": "x"}).status_code == 404
    )
    submission.refresh_from_db()
    assert submission.is_open
