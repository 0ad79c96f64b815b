"""A submitted filing freezes its campaign: while the latest submission is in force (not
reopened), the campaign's materials, self-scores and 申报清单 are read-only. The evidence and
review services ask here before each change, so the rule has one home. The province's written
review reads the latest submitted version: it waits for one, and pauses while it is reopened
(`fazhi/campaigns/stages.py` asks here for the written review's window)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from fazhi.filing.models import FilingSubmission


def latest_submission(campaign_id: int) -> FilingSubmission | None:
    """The campaign's last submitted version, in force or reopened; None before the first."""
    return FilingSubmission.objects.filter(campaign_id=campaign_id).order_by("-number").first()


def submission_in_force(campaign_id: int) -> FilingSubmission | None:
    latest = latest_submission(campaign_id)
    return latest if latest is not None and latest.is_open else None


def written_review_refusal(campaign_id: int) -> str | None:
    """Why the province's written review cannot read the filing now, or None when it can: it
    reads the latest submitted version, so it needs one, and pauses while the lead office has
    it reopened (the version would change under the reviewer's eyes)."""
    latest = latest_submission(campaign_id)
    if latest is None:
        return "本活动尚未提交申报，书面评审在牵头部门提交申报后进行。"
    if not latest.is_open:
        when = timezone.localtime(latest.reopened_at)
        return (
            f"申报第{latest.number}版已由牵头部门于 {when:%Y-%m-%d %H:%M} 重新打开"
            f"（原因：{latest.reopen_reason}），待重新提交后继续书面评审。"
        )
    return None


def check_not_submitted(campaign_id: int, *, what: str = "材料") -> None:
    submission = submission_in_force(campaign_id)
    if submission is None:
        return
    when = timezone.localtime(submission.submitted_at)
    raise ValidationError(
        f"申报材料已于 {when:%Y-%m-%d %H:%M} 提交（第{submission.number}版），{what}只读；"
        "如需修改，请牵头部门写明原因后重新打开申报。"
    )
