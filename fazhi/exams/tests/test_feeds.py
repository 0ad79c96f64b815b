"""A test's results filed as a material of the campaign indicator and fed into the evaluation's
field score."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fazhi.exams import feeds, sittings
from fazhi.exams.models import Question
from fazhi.fieldwork import services as fieldwork


def _sit(drawn, name, right: bool):
    person = drawn[name]
    sitting = sittings.sitting_start(candidate=person, tail=person.contact_tail)
    for entry in sitting.paper:
        q = Question.objects.get(pk=entry["q"])
        if q.kind in ("single", "judge") and right:
            values = [str("ABCDEFGH".index(q.answer[0]))] if q.kind == "single" else q.answer
            sittings.answer_save(code=person.code, question_id=q.pk, values=values)
    sittings.submit_by_code(person.code)


def test_results_become_a_material_and_the_field_score(people, tree, campaign, exam, drawn, login):
    item = campaign.items.filter(children__isnull=True).first()
    with pytest.raises(ValidationError, match="还没有评定成绩"):
        feeds.evidence_attach(acting_user=people.szq_lead, exam=exam, item=item)
    exam.bank.questions.filter(kind="essay").update(answer=["略"])
    _sit(drawn, "李四", right=True)  # 单选 20 + 判断 20 of 100, the essay left blank: 0
    _sit(drawn, "赵六", right=False)
    material = feeds.evidence_attach(acting_user=people.szq_lead, exam=exam, item=item)
    assert material.item == item and "合格率 0.0%" in material.description
    evaluation = fieldwork.evaluation_create(
        acting_user=people.city_lead, region=tree.city, name="市级评估"
    )
    (applicant,) = fieldwork.applicants_add(
        acting_user=people.city_lead, evaluation=evaluation, campaigns=[campaign]
    )
    fed = feeds.evaluation_score_feed(acting_user=people.city_lead, exam=exam, applicant=applicant)
    assert fed.field_score == Decimal("20.00")
    # With the field evaluation in parts, the mean goes into the part chosen on the feed page.
    from fazhi.fieldwork import parts

    parts.field_parts_save(
        acting_user=people.city_lead,
        evaluation=evaluation,
        parts=[("法治能力测试", 30), ("实地核查", 70)],
    )
    test = evaluation.field_parts.get(name="法治能力测试")
    page = login(people.city_lead).post(
        f"/exams/{exam.pk}/feed/", {"applicant": applicant.pk, "part": test.pk}
    )
    assert page.status_code == 302
    entered = applicant.part_scores.get()
    assert (entered.part, entered.score) == (test, Decimal("20.00"))
    assert entered.source == f"法治能力测试“{exam.name}”平均分"
    refused = login(people.city_lead).post(f"/exams/{exam.pk}/feed/", {"applicant": applicant.pk})
    assert "请选择计入哪一部分" in refused.content.decode()
    # The results filed from the test's page, on the indicator chosen there.
    target = campaign.items.filter(children__isnull=True).exclude(pk=item.pk).first()
    filed = login(people.szq_lead).post(f"/exams/{exam.pk}/evidence/", {"item": target.pk})
    assert filed.status_code == 302
    assert target.evidence.filter(title=f"{exam.name}成绩").exists()
