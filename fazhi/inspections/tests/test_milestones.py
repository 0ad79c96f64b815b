"""The stages of a rectification plan: dated from the lines the unit writes, reported done one by
one, and what makes a 长期坚持 finding 已逾期 (it has no end date of its own)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fazhi.inspections import milestones, reminders, selectors, services
from fazhi.inspections.models import Finding, FindingStatus, UpdateKind
from fazhi.inspections.tests.conftest import TODAY
from fazhi.plans.models import Notification

pytestmark = pytest.mark.django_db

STAGES = "2025年3月底前 建立工作台账\n6月30日：完成首批整改；\n\n持续开展自查\n2025-12-31 全面完成"


def test_each_line_is_a_stage_with_the_date_it_names():
    stages = milestones.read_stages(STAGES, default_year=2025)

    assert stages == [
        ("2025年3月底前 建立工作台账", date(2025, 3, 31)),
        ("6月30日：完成首批整改", date(2025, 6, 30)),
        ("持续开展自查", None),
        ("2025-12-31 全面完成", date(2025, 12, 31)),
    ]


def test_a_long_term_finding_needs_a_dated_stage(people, findings):
    with pytest.raises(ValidationError, match="至少写一条带时间节点"):
        services.rectification_save(
            acting_user=people.szq_liaison,
            finding=findings.long,
            measures="建立长效机制",
            milestones="持续推进",
        )
    assert not findings.long.milestones.exists()
    findings.long.refresh_from_db()
    assert findings.long.status == FindingStatus.OPEN


def test_a_long_term_finding_falls_behind_on_its_earliest_open_stage(people, findings):
    finding, unit = findings.long, people.szq_liaison
    services.rectification_save(
        acting_user=unit, finding=finding, measures="建立长效机制", milestones=STAGES
    )
    finding.refresh_from_db()
    assert finding.milestone_due == date(2025, 3, 31)
    assert services.is_overdue(finding, TODAY)
    assert Finding.objects.filter(selectors.overdue_q(TODAY), pk=finding.pk).exists()

    first = finding.milestones.get(position=1)
    milestones.stage_done(acting_user=unit, milestone=first, today=date(2025, 4, 2))

    finding.refresh_from_db()
    assert finding.milestone_due == date(2025, 6, 30)
    assert not services.is_overdue(finding, TODAY)
    assert not Finding.objects.filter(selectors.overdue_q(TODAY), pk=finding.pk).exists()
    assert services.is_overdue(finding, date(2025, 7, 1))
    assert finding.updates.last().kind == UpdateKind.PROGRESS
    assert "建立工作台账" in finding.updates.last().note


def test_a_stage_done_stays_done_when_the_plan_is_revised(people, findings):
    finding, unit = findings.long, people.szq_liaison
    services.rectification_save(
        acting_user=unit, finding=finding, measures="措施", milestones=STAGES
    )
    milestones.stage_done(
        acting_user=unit, milestone=finding.milestones.get(position=1), today=TODAY
    )

    services.rectification_save(
        acting_user=unit,
        finding=finding,
        measures="措施（修订）",
        milestones=STAGES + "\n2026年3月底前 回头看",
    )

    kept = {m.text: m.done_on for m in finding.milestones.all()}
    assert kept["2025年3月底前 建立工作台账"] == TODAY
    assert kept["2026年3月底前 回头看"] is None
    assert len(kept) == 5


def test_only_the_responsible_unit_reports_a_stage_and_only_once(people, findings):
    finding = findings.long
    services.rectification_save(
        acting_user=people.szq_liaison, finding=finding, measures="措施", milestones=STAGES
    )
    stage = finding.milestones.get(position=2)

    with pytest.raises(PermissionDenied):
        milestones.stage_done(acting_user=people.scjg_liaison, milestone=stage)
    milestones.stage_done(acting_user=people.szq_liaison, milestone=stage)
    with pytest.raises(ValidationError, match="已于"):
        milestones.stage_done(acting_user=people.szq_liaison, milestone=stage)


def test_the_overdue_reminder_names_the_stage_date(people, findings):
    services.rectification_save(
        acting_user=people.szq_liaison, finding=findings.long, measures="措施", milestones=STAGES
    )

    reminders.notify_overdue_findings(today=TODAY)

    text = Notification.objects.get(user=people.szq_liaison, text__contains="第 3 号").text
    assert "阶段目标时间节点 2025-03-31" in text


def test_the_finding_page_lists_stages_and_a_button_for_the_unit(login, people, findings):
    finding = findings.long
    services.rectification_save(
        acting_user=people.szq_liaison, finding=finding, measures="措施", milestones=STAGES
    )
    stage = finding.milestones.get(position=1)
    url = reverse("inspections:finding", args=[finding.pk])
    button = reverse("inspections:milestone_done", args=[stage.pk])

    page = login(people.szq_liaison).get(url).content.decode()
    assert "2025年3月底前 建立工作台账" in page
    assert button in page
    assert button not in login(people.city_inspector).get(url).content.decode()

    answer = login(people.szq_liaison).post(button)
    assert answer.status_code == 302
    stage.refresh_from_db()
    assert stage.done_on is not None
