"""Stages that gate (阶段管控): what the campaign's stage allows today.

A campaign runs through 准备, 自查, 申报, 评估 and 命名. Units upload materials and (re)submit
items until the end of 申报; review rounds are opened in 自查; the province's written review
(书面评审) is given from 评估 on, once the filing has gone in: it reads the latest submitted version
and pauses while the lead office has it reopened (`fazhi/filing/freeze.py`). A stage is current from its start
date until the next dated stage starts. A campaign whose stages carry no dates is not gated (the
stages are then only a plan on paper), and an item the lead office reopened, with a reason,
takes uploads and resubmissions whatever the stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from fazhi.campaigns.models import Campaign, Item, Stage, StageKind
from fazhi.filing.freeze import written_review_refusal

UNTIL_FILING = frozenset({StageKind.PREPARE, StageKind.SELF_CHECK, StageKind.FILING})


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    stages: frozenset[str]
    reopenable: bool  # whether reopening an item lets it past the stage
    needs_filing: bool = False  # whether it also waits for the submitted filing


ACTIONS = {
    action.key: action
    for action in (
        Action("upload", "上传材料", UNTIL_FILING, True),
        Action("submit", "提交与重新提交", UNTIL_FILING, True),
        Action("round", "开启审核轮次", frozenset({StageKind.SELF_CHECK}), False),
        Action(
            "written",
            "书面评审",
            frozenset({StageKind.EVALUATION, StageKind.NAMING}),
            False,
            needs_filing=True,
        ),
    )
}


def current_stage(campaign: Campaign, today: date | None = None) -> Stage | None:
    """The last stage that has started by `today`; None when no stage has a start date (the
    campaign is not gated) — before the first dated stage, the first one."""
    today = today or timezone.localdate()
    stages = [s for s in campaign.stages.all() if s.starts_on is not None]
    if not stages:
        return None
    stages.sort(key=lambda s: (s.position, s.starts_on))
    started = [s for s in stages if s.starts_on <= today]
    return started[-1] if started else stages[0]


def is_open(campaign: Campaign, key: str, today: date | None = None) -> bool:
    stage = current_stage(campaign, today)
    return stage is None or stage.kind in ACTIONS[key].stages


def item_reopened(item: Item) -> bool:
    return bool(item.reopen_reason)


def refusal(campaign: Campaign, key: str, *, item: Item | None = None, today=None) -> str | None:
    """Why the action is closed now, naming the stage and when it is open (or the filing it
    waits for); None when it is open."""
    action = ACTIONS[key]
    if not is_open(campaign, key, today) and not (
        item is not None and action.reopenable and item_reopened(item)
    ):
        stage = current_stage(campaign, today)
        allowed = "、".join(label for kind, label in StageKind.choices if kind in action.stages)
        hint = "；如确需补充，请牵头科室重新开放该任务项并写明原因" if action.reopenable else ""
        return f"当前处于“{stage.get_kind_display()}”阶段，不能{action.label}（{allowed}阶段开放）{hint}。"
    if action.needs_filing:
        return written_review_refusal(campaign.pk)
    return None


def check_open(campaign: Campaign, key: str, *, item: Item | None = None, today=None) -> None:
    """Refuse an action the current stage (or the filing it waits for) closes."""
    reason = refusal(campaign, key, item=item, today=today)
    if reason:
        raise ValidationError(reason)


def action_windows(campaign: Campaign, today: date | None = None) -> list[dict]:
    """For the campaign page: each action, the stages it is open in, and whether it is now. The
    written review also waits for the submitted filing; that is asked only once its stage is on
    (the page shows no windows for a campaign without dated stages)."""
    stage = current_stage(campaign, today)
    windows = []
    for action in ACTIONS.values():
        is_on = stage is None or stage.kind in action.stages
        if is_on and action.needs_filing and stage is not None:
            is_on = written_review_refusal(campaign.pk) is None
        windows.append(
            {
                "label": action.label,
                "stages": "、".join(
                    label for kind, label in StageKind.choices if kind in action.stages
                ),
                "open": is_on,
            }
        )
    return windows
