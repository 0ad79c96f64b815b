"""The campaign report: what the dashboard shows, as plain data for `fazhi campaign report`
and `/api/campaigns/{id}/report`. Built from the same facts and groupings as the dashboard's
panels, so the three never disagree on what is done, late or scored."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied

from fazhi.campaigns.models import Campaign, ItemStatus
from fazhi.dashboards.selectors import (
    completion_by_area,
    dashboard_facts,
    overdue_items,
    status_counts,
)
from fazhi.reviews.models import Round
from fazhi.reviews.selectors import (
    campaign_totals,
    may_see_score_sheet,
    open_round,
    returns_per_round,
    round_verdict_counts,
    visible_sides,
)


def campaign_report(*, user, campaign: Campaign, today: date | None = None) -> dict:
    """Per area and overall the points, self and reviewed scores (and the written review's for
    those who may see it), items by status, overdue items, and the current round, for someone
    who may see the whole campaign's scores."""
    if not may_see_score_sheet(user):
        raise PermissionDenied("您的角色无权查看整个活动的评分与进度。")
    facts = dashboard_facts(campaign=campaign, user=user, today=today)
    by_area = {area.key: done.counts for area, done in completion_by_area(facts)}
    scored = campaign_totals(campaign)
    # The written review's scores only for those who may see them, as on the score sheet.
    sides = [side for side, _ in visible_sides(user=user, campaign=campaign)]
    totals = scored.as_dict(sides=sides)
    for area, entry in zip(scored.areas, totals["areas"], strict=True):
        entry["items_by_status"] = by_area.get(area.key, dict.fromkeys(ItemStatus.values, 0))
    return {
        "campaign": {"id": campaign.pk, "name": campaign.name, "region": campaign.region.name},
        "maximum": totals["maximum"],
        "scores": totals["scores"],
        "vetoed": totals["vetoed"],
        "aggregation": totals["aggregation"],
        "areas": totals["areas"],
        "items_by_status": status_counts(facts.items),
        "overdue": [
            {
                "code": item.code,
                "title": item.title,
                "deadline": item.deadline.isoformat(),
                "status": item.status,
                "days_overdue": days,
            }
            for item, days in overdue_items(facts)
        ],
        "current_round": _round_summary(open_round(campaign)),
        "rounds": returns_per_round(campaign),
    }


def _round_summary(round_: Round | None) -> dict | None:
    if round_ is None:
        return None
    return {
        "number": round_.number,
        "name": round_.name,
        "starts_on": round_.starts_on.isoformat(),
        "ends_on": round_.ends_on.isoformat(),
        "verdicts": round_verdict_counts(round_),
    }


def report_lines(report: dict) -> list[str]:
    """The report as plain text lines for the terminal."""
    scores = report["scores"]
    status_names = dict(ItemStatus.choices)
    lines = [
        f"{report['campaign']['name']}（{report['campaign']['region']}）",
        f"满分 {report['maximum']:g}  自评 {scores['self']:g}  审核 {scores['review']:g}  "
        f"预估 {scores['estimate']:g}",
        "任务项："
        + "  ".join(
            f"{status_names[status]} {count}" for status, count in report["items_by_status"].items()
        ),
    ]
    for area in report["areas"]:
        lines.append(
            f"  {area['code']} {area['title']}：满分 {area['maximum']:g}，"
            f"自评 {area['scores']['self']:g}，审核 {area['scores']['review']:g}"
        )
    lines.append(f"逾期 {len(report['overdue'])} 项")
    lines += [
        f"  {row['code']} {row['title']}（逾期 {row['days_overdue']} 天）"
        for row in report["overdue"]
    ]
    current = report["current_round"]
    lines.append(
        f"当前轮次：第{current['number']}轮 {current['name']}"
        if current
        else "当前没有进行中的审核轮次"
    )
    return lines
