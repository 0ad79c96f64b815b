"""A test's results leaving the app: filed as a material (佐证材料) of the campaign indicator
evaluated by 法治能力测试, and entered as an applicant's field score in an evaluation. Both go
through the receiving app's own services and rules."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from fazhi.accounts.system import SYSTEM
from fazhi.exams import exports, selectors
from fazhi.exams.models import Exam, Sitting, SittingStatus


def evidence_attach(*, acting_user, exam: Exam, item):
    """The results table (per examinee, with the unit and role summaries on the page) filed as
    a material of `item`, usually the indicator evaluated by 法治能力测试."""
    from fazhi.evidence.services import evidence_upload

    if item.campaign.region_id != exam.region_id:
        raise ValidationError(f"“{exam}”是{exam.region}的测试，不能作为{item.campaign}的材料。")
    results = selectors.exam_results(exam, user=SYSTEM)
    if not results.overall.sat:
        raise ValidationError(f"“{exam}”还没有评定成绩的答卷，没有可归档的结果。")
    buffer = io.BytesIO()
    exports.write_results_xlsx(buffer, exam, results)
    overall = results.overall
    return evidence_upload(
        acting_user=acting_user,
        item=item,
        file=ContentFile(buffer.getvalue(), name=f"{exam.name}-成绩.xlsx"),
        title=f"{exam.name}成绩",
        description=(
            f"由法治能力测试模块生成：抽中 {overall.drawn} 人，参考 {overall.sat} 人，"
            f"平均分 {overall.mean}，合格率 {overall.pass_rate}%。"
        ),
    )


def mean_percent(exam: Exam) -> Decimal | None:
    """The mean of the graded sittings' scores as a share of their full marks, 0–100."""
    rows = Sitting.objects.filter(candidate__exam=exam, status=SittingStatus.GRADED).values_list(
        "score", "max_score"
    )
    shares = [score / full * 100 for score, full in rows if full]
    if not shares:
        return None
    return (sum(shares) / len(shares)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def evaluation_score_feed(*, acting_user, exam: Exam, applicant, part=None):
    """Enter the test's mean (in percent of full marks) as the applicant's field score, or as
    one part of it when the evaluation has parts; the evaluation's own rules decide who may
    (its scorers) and check its version."""
    from fazhi.fieldwork.parts import field_score_feed

    if applicant.campaign.region_id != exam.region_id:
        raise ValidationError(
            f"“{exam}”是{exam.region}的测试，不能作为{applicant.campaign.region}的实地评估得分。"
        )
    value = mean_percent(exam)
    if value is None:
        raise ValidationError(f"“{exam}”还没有评定成绩的答卷，无法计算得分。")
    return field_score_feed(
        acting_user=acting_user,
        applicant=applicant,
        value=value,
        source=f"法治能力测试“{exam.name}”平均分",
        part=part,
    )
