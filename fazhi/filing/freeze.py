"""A submitted filing freezes its campaign: while the latest submission is in force (not
reopened), the campaign's materials, self-scores and 申报清单 are read-only. The evidence and
review services ask here before each change, so the rule has one home."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from fazhi.filing.models import FilingSubmission


def submission_in_force(campaign_id: int) -> FilingSubmission | None:
    latest = FilingSubmission.objects.filter(campaign_id=campaign_id).order_by("-number").first()
    return latest if latest is not None and latest.is_open else None


def check_not_submitted(campaign_id: int, *, what: str = "材料") -> None:
    submission = submission_in_force(campaign_id)
    if submission is None:
        return
    when = timezone.localtime(submission.submitted_at)
    raise ValidationError(
        f"申报材料已于 {when:%Y-%m-%d %H:%M} 提交（第{submission.number}版），{what}只读；"
        "如需修改，请牵头部门写明原因后重新打开申报。"
    )
