"""Stages that gate (阶段管控): what the campaign's stage allows today.

A campaign runs through 准备, 自查, 申报, 评估 and 命名. Units upload materials and (re)submit
items until the end of 申报; review rounds are opened in 自查; the province's written review
(书面评审) is given from 评估 on, once the filing has gone in. A stage is current from its start
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

UNTIL_FILING = frozenset({StageKind.PREPARE, StageKind.SELF_CHECK, StageKind.FILING})


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    stages: frozenset[str]
    reopenable: bool  # whether reopening an item lets it past the stage


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


def check_open(campaign: Campaign, key: str, *, item: Item | None = None, today=None) -> None:
    """Refuse an action the current stage closes, naming the stage and when it is open."""
    if is_open(campaign, key, today):
        return
    action = ACTIONS[key]
    if item is not None and action.reopenable and item_reopened(item):
        return
    stage = current_stage(campaign, today)
    allowed = "、".join(label for kind, label in StageKind.choices if kind in action.stages)
    hint = "；如确需补充，请牵头科室重新开放该任务项并写明原因" if action.reopenable else ""
    raise ValidationError(
        f"当前处于“{stage.get_kind_display()}”阶段，不能{action.label}（{allowed}阶段开放）{hint}。"
    )


def action_windows(campaign: Campaign, today: date | None = None) -> list[dict]:
    """For the campaign page: each action, the stages it is open in, and whether it is now."""
    stage = current_stage(campaign, today)
    return [
        {
            "label": action.label,
            "stages": "、".join(
                label for kind, label in StageKind.choices if kind in action.stages
            ),
            "open": stage is None or stage.kind in action.stages,
        }
        for action in ACTIONS.values()
    ]
