"""The stages of a rectification plan (阶段目标): read from the plan's milestone lines, each
with the date it names, and reported done one by one by the responsible unit.

A 长期坚持 finding has no end date; what can fall behind are its stages. `Finding.milestone_due`
keeps the earliest date of a stage not yet done, so that 已逾期 stays one rule, in Python
(`services.is_overdue`) and in SQL (`selectors.overdue_q`), without reading the stages."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.campaigns.deadlines import parse_deadline
from fazhi.inspections.models import Finding, FindingStatus, Milestone, UpdateKind

MAX_STAGES = 50
MAX_TEXT = 300


def read_stages(text: str, *, default_year: int) -> list[tuple[str, date | None]]:
    """Each non-empty line of the milestones text with the date it names ("2025年6月底前",
    "9月30日", "2025-12-31"), or None for a line that names none."""
    lines = [line.strip(" \t;；。") for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > MAX_STAGES:
        raise ValidationError({"milestones": f"阶段目标最多 {MAX_STAGES} 条，请合并。"})
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_TEXT:
            raise ValidationError(
                {"milestones": f"第 {number} 条阶段目标超过 {MAX_TEXT} 字，请分成几条。"}
            )
    return [(line, parse_deadline(line, default_year=default_year)) for line in lines]


def replace_stages(finding: Finding, text: str) -> list[Milestone]:
    """The plan's stages as now written. A stage already reported done stays done when its
    line is kept as it was; the finding's `milestone_due` follows. Called inside the plan's
    transaction, the finding locked."""
    year = (finding.inspection.starts_on or timezone.localdate()).year
    stages = read_stages(text, default_year=year)
    if finding.long_term and not any(due for _, due in stages):
        raise ValidationError(
            {
                "milestones": "长期坚持的问题请至少写一条带时间节点的阶段目标，"
                "每行一条，如“2025年6月底前 完成制度起草”。"
            }
        )
    done = {m.text: m.done_on for m in finding.milestones.exclude(done_on=None)}
    finding.milestones.all().delete()
    kept = Milestone.objects.bulk_create(
        Milestone(finding=finding, position=n, text=line, due_on=due, done_on=done.get(line))
        for n, (line, due) in enumerate(stages, 1)
    )
    _follow(finding)
    return kept


def _follow(finding: Finding) -> None:
    pending = finding.milestones.filter(done_on=None).exclude(due_on=None)
    earliest = pending.order_by("due_on").values_list("due_on", flat=True).first()
    if finding.milestone_due != earliest:
        finding.milestone_due = earliest
        finding.save(update_fields=["milestone_due"])


@transaction.atomic
def stage_done(*, acting_user, milestone: Milestone, today: date | None = None) -> Milestone:
    """The responsible unit reports a stage done; it shows in the finding's history."""
    from fazhi.inspections import services  # services calls this module for the plan

    finding = milestone.finding
    if not services.may_rectify(acting_user, finding):
        raise PermissionDenied("只有责任单位可以报告阶段目标完成情况。")
    finding = services.lock_finding(finding)
    services.check_not_waiting(finding)
    if finding.status == FindingStatus.OPEN:
        raise ValidationError("请先保存整改方案。")
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on:
        raise ValidationError(f"阶段目标“{milestone.text}”已于 {milestone.done_on} 报告完成。")
    milestone.done_on = today or timezone.localdate()
    milestone.save(update_fields=["done_on"])
    _follow(finding)
    services.record_update(
        finding, UpdateKind.PROGRESS, f"完成阶段目标：{milestone.text}", acting_user
    )
    audit_record(
        acting_user=acting_user,
        action="finding.milestone_done",
        target=finding,
        region=finding.inspection.region,
        after={"milestone": milestone.text, "done_on": milestone.done_on},
    )
    return milestone
