"""The ranking (排名表) as Excel, and the score-entry table handed to the field evaluators; both
pure functions over `selectors.ranking` rows."""

from __future__ import annotations

from typing import IO

from fazhi.core.xlsx import write_table
from fazhi.fieldwork.models import Evaluation
from fazhi.fieldwork.selectors import RankingRow


def _number(value):
    return None if value is None else float(value)


def ranking_headers(evaluation: Evaluation) -> list[str]:
    return [
        "排名",
        "地区",
        "申报活动",
        f"书面评审（{evaluation.written_weight}%）",
        f"实地评估（{evaluation.field_weight}%）",
        f"满意度测评（{evaluation.survey_weight}%）",
        "综合得分",
        "说明",
    ]


def _remark(row: RankingRow) -> str:
    notes = []
    if row.missing:
        notes.append("待补：" + "、".join(row.missing) + "，暂不排名")
    if row.written is None and row.indicators:
        notes.append(f"书面评审已评 {row.written_scored}/{row.indicators} 项")
    if row.written_vetoed:
        notes.append("书面评审触发否决项")
    return "；".join(notes)


def write_ranking(stream: IO[bytes], *, evaluation: Evaluation, rows: list[RankingRow]) -> None:
    """Every applicant in ranking order; the written review out of 100 (its provisional value
    while under way, explained in 说明), the composite only when all three are in."""
    write_table(
        stream,
        title="排名表",
        headers=ranking_headers(evaluation),
        rows=(
            [
                row.rank,
                row.label,
                row.campaign.name,
                _number(row.written_shown),
                _number(row.field),
                _number(row.survey),
                _number(row.composite),
                _remark(row),
            ]
            for row in rows
        ),
        widths=[7, 18, 40, 16, 16, 16, 12, 40],
    )


def write_import_template(
    stream: IO[bytes], *, evaluation: Evaluation, rows: list[RankingRow]
) -> None:
    """One row per applicant with the scores entered so far, in the layout the import reads."""
    write_table(
        stream,
        title="得分录入",
        headers=["地区", "申报活动", "实地评估得分", "满意度测评得分"],
        rows=(
            [row.label, row.campaign.name, _number(row.field), _number(row.survey)]
            for row in sorted(rows, key=lambda row: row.campaign.region.path)
        ),
        widths=[18, 40, 14, 16],
    )
