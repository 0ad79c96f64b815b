"""The rectification of a finding from 待整改 to 已销号, who may take each step, and the rules
that keep a unit from closing its own finding."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from fazhi.accounts.models import AuditEntry
from fazhi.accounts.system import SYSTEM
from fazhi.conftest import make_user
from fazhi.inspections import services
from fazhi.inspections.models import (
    Escalation,
    Finding,
    FindingStatus,
    FindingUpdate,
    Inspection,
    UpdateKind,
)
from fazhi.inspections.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_a_finding_goes_from_open_to_closed_through_a_rejection(people, findings):
    finding, unit, inspector = findings.sfj, people.szq_liaison, people.city_inspector
    services.rectification_save(
        acting_user=unit, finding=finding, measures="修订制度", person="张三"
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS
    services.finding_report_progress(
        acting_user=unit,
        finding=finding,
        note="已起草制度",
        files=[ContentFile("制度草案".encode(), name="草案.txt")],
    )
    services.finding_request_close(acting_user=unit, finding=finding, note="已印发")
    services.finding_verify(
        acting_user=inspector, finding=finding, accept=False, note="未见印发文件"
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS
    services.finding_request_close(
        acting_user=unit,
        finding=finding,
        note="补充印发文件",
        files=[ContentFile(b"%PDF-1.4 notice", name="印发通知.pdf")],
    )
    services.finding_verify(acting_user=inspector, finding=finding, accept=True, note="整改到位")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED and finding.closed_at
    kinds = list(finding.updates.values_list("kind", flat=True))
    assert kinds == ["progress", "close_request", "rejected", "close_request", "closed"]
    files = [f.original_name for u in finding.updates.all() for f in u.files.all()]
    assert files == ["草案.txt", "印发通知.pdf"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"finding.plan", "finding.progress", "finding.request_close"} <= actions
    assert {"finding.reject", "finding.close"} <= actions


def test_the_responsible_unit_can_never_close_its_own_finding(tree, people, findings):
    finding = findings.sfj
    services.finding_request_close(acting_user=people.szq_liaison, finding=finding, note="完成")
    # 市中区's lead office may verify what the county inspects, but sits in 司法局 itself.
    county = services.inspection_create(
        acting_user=people.szq_lead, region=tree.szq, name="区级督察"
    )
    own = services.finding_create(
        acting_user=people.szq_lead,
        inspection=county,
        description="区司法局自身问题",
        responsible_unit=tree.units.szq_sfj,
    )
    services.finding_request_close(acting_user=people.szq_liaison, finding=own, note="完成")
    for user, target in (
        (people.szq_liaison, finding),
        (people.szq_lead, own),
        (make_user("sfj_inspector", "inspector", unit=tree.units.szq_sfj), own),
    ):
        with pytest.raises(PermissionDenied, match="责任单位是贵单位"):
            services.finding_verify(acting_user=user, finding=target, accept=True)
    with pytest.raises(PermissionDenied, match="只有督察方"):
        services.finding_verify(acting_user=people.scjg_liaison, finding=finding, accept=True)
    assert set(Finding.objects.values_list("status", flat=True)) == {
        FindingStatus.OPEN,
        FindingStatus.CLOSE_REQUESTED,
    }


def test_only_the_responsible_unit_reports_on_its_finding(people, findings):
    with pytest.raises(PermissionDenied):
        services.finding_request_close(
            acting_user=people.scjg_liaison, finding=findings.sfj, note="不是我的"
        )
    with pytest.raises(PermissionDenied):
        services.rectification_save(
            acting_user=people.city_inspector, finding=findings.sfj, measures="代填"
        )
    assert not FindingUpdate.objects.exists()


def test_a_liaison_sees_only_the_findings_of_its_unit(people, findings, inspection):
    mine = Finding.objects.visible_to(people.scjg_liaison)
    assert list(mine) == [findings.scjg]
    assert list(Finding.objects.visible_to(people.xc_liaison)) == []
    assert Inspection.objects.visible_to(people.scjg_liaison).get() == inspection
    assert Finding.objects.visible_to(people.city_inspector).count() == 3
    # The county's lead office does not reach the city's inspection.
    assert not Finding.objects.visible_to(people.xc_lead).exists()


def test_states_that_do_not_allow_the_step_are_refused_with_the_number(people, findings):
    with pytest.raises(ValidationError, match="只有申请销号的问题"):
        services.finding_verify(
            acting_user=people.city_inspector, finding=findings.sfj, accept=True
        )
    services.finding_request_close(
        acting_user=people.szq_liaison, finding=findings.sfj, note="完成"
    )
    with pytest.raises(ValidationError, match="正等待督察方审核"):
        services.finding_report_progress(
            acting_user=people.szq_liaison, finding=findings.sfj, note="再报"
        )
    with pytest.raises(ValidationError, match="退回时请写明理由"):
        services.finding_verify(
            acting_user=people.city_inspector, finding=findings.sfj, accept=False
        )


def test_a_closed_finding_is_reopened_with_a_reason(people, findings):
    finding = findings.sfj
    services.finding_request_close(acting_user=people.szq_liaison, finding=finding, note="完成")
    services.finding_verify(acting_user=people.city_inspector, finding=finding, accept=True)
    with pytest.raises(PermissionDenied):
        services.finding_reopen(acting_user=people.szq_liaison, finding=finding, note="想再改")
    services.finding_reopen(acting_user=people.city_inspector, finding=finding, note="问题反弹")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS
    assert finding.updates.last().kind == UpdateKind.REOPENED


def test_overdue_findings_escalate_step_by_step(people, findings):
    inspector = people.city_inspector
    assert services.is_overdue(findings.scjg, TODAY)
    assert not services.is_overdue(findings.sfj, TODAY)
    assert not services.is_overdue(findings.long, TODAY)
    with pytest.raises(ValidationError, match="未逾期"):
        services.escalation_add(
            acting_user=inspector, finding=findings.sfj, step="remind", on=TODAY, today=TODAY
        )
    services.escalation_add(
        acting_user=inspector, finding=findings.scjg, step="interview", on=TODAY, today=TODAY
    )
    with pytest.raises(ValidationError, match="逐级升级"):
        services.escalation_add(
            acting_user=inspector, finding=findings.scjg, step="remind", on=TODAY, today=TODAY
        )
    with pytest.raises(PermissionDenied):
        services.escalation_add(
            acting_user=people.scjg_liaison,
            finding=findings.scjg,
            step="notify",
            on=TODAY,
            today=TODAY,
        )
    services.escalation_add(
        acting_user=inspector, finding=findings.scjg, step="supervise", on=TODAY, today=TODAY
    )
    assert list(Escalation.objects.values_list("step", flat=True)) == ["interview", "supervise"]


def test_a_long_term_finding_needs_milestones(people, findings):
    with pytest.raises(ValidationError, match="阶段目标"):
        services.rectification_save(
            acting_user=people.szq_liaison, finding=findings.long, measures="常态化推进"
        )
    services.rectification_save(
        acting_user=people.szq_liaison,
        finding=findings.long,
        measures="常态化推进",
        milestones="2025-06-30 建立机制\n2025-12-31 全面推开",
    )


def test_findings_refuse_bad_input_by_field(tree, people, inspection, findings):
    with pytest.raises(ValidationError) as refused:
        services.finding_create(
            acting_user=people.city_inspector,
            inspection=inspection,
            number="1",
            description=" ",
            responsible_unit=tree.units.szq_sfj,
        )
    assert set(refused.value.message_dict) == {"number", "description"}
    with pytest.raises(PermissionDenied):
        services.finding_create(
            acting_user=people.xc_lead,
            inspection=inspection,
            description="越权",
            responsible_unit=tree.units.xc_sfj,
        )


def test_another_app_opens_a_finding_with_its_source(tree, inspection):
    finding = services.finding_open(
        acting_user=SYSTEM,
        inspection=inspection,
        source="case_review",
        source_ref="案卷 2025-017",
        description="行政处罚案卷缺少法制审核意见",
        responsible_unit=tree.units.szq_scjg,
        deadline=date(2025, 12, 31),
    )
    assert (finding.source, finding.number) == ("case_review", "1")
