"""Sitting a test with a code: the paper drawn for the examinee, each answer saved as given,
the server's clock, refusals (twice, late, forged), grading and the results."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fazhi.exams import roster, selectors, sittings
from fazhi.exams.models import Answer, Question, SittingStatus
from fazhi.exams.sittings import Refused


def answer_all_right(code, sitting):
    for entry in sitting.paper:
        q = Question.objects.get(pk=entry["q"])
        if q.kind in ("single", "multiple"):
            values = [str("ABCDEFGH".index(letter)) for letter in q.answer]
        else:
            values = list(q.answer)
        sittings.answer_save(code=code, question_id=q.pk, values=values)


def test_the_draw_is_reproducible_from_its_seed(tree, people, exam, drawn):
    assert all(c.code for c in drawn.values())
    assert drawn["张三"].contact_tail == "1234"
    assert drawn["李四"].unit == tree.units.szq_sfj  # 区司法局 matched to the unit
    exam.candidates.update(draw=None, code=None)
    first = roster.candidates_draw(acting_user=people.szq_lead, exam=exam, count=1, seed="99")
    chosen = sorted(exam.candidates.filter(draw=first).values_list("name", flat=True))
    exam.candidates.update(draw=None, code=None)
    again = roster.candidates_draw(acting_user=people.szq_lead, exam=exam, count=1, seed="99")
    assert sorted(exam.candidates.filter(draw=again).values_list("name", flat=True)) == chosen
    # one per unit and role: 司法局 has 3 roles, 市场监管局 2
    assert again.drawn == 5


def test_a_roster_row_without_a_unit_is_refused_by_row(tree, people, exam, tmp_path):
    from fazhi.exams.tests.conftest import roster_book

    path = tmp_path / "名单.xlsx"
    path.write_bytes(
        roster_book([("张三", "市中区司法局", "公务员", ""), ("李四", "", "公务员", "")])
    )
    with pytest.raises(ValidationError) as refused:
        roster.roster_import_file(
            acting_user=people.szq_lead, exam=exam, path=path, filename="名单.xlsx"
        )
    assert refused.value.messages == ["第 3 行：李四缺少单位"]
    assert not exam.candidates.exists()


def test_same_composition_other_order_for_each_examinee(exam, drawn):
    a = sittings.sitting_start(candidate=drawn["李四"])
    b = sittings.sitting_start(candidate=drawn["赵六"])
    assert sorted(e["q"] for e in a.paper) == sorted(e["q"] for e in b.paper)
    assert len(a.paper) == 8
    assert a.paper != b.paper or all(len(e["order"]) < 2 for e in a.paper)


def test_reloading_resumes_the_same_sitting_with_its_answers(exam, drawn):
    code = drawn["李四"].code
    first = sittings.sitting_start(candidate=drawn["李四"])
    entry = first.paper[0]
    sittings.answer_save(code=code, question_id=entry["q"], values=["1"])
    sittings.answer_save(code=code, question_id=entry["q"], values=["2"])  # changed mind
    again = sittings.sitting_start(candidate=drawn["李四"])
    assert again.pk == first.pk
    assert Answer.objects.get(sitting=first, question_id=entry["q"]).response == ["C"]


def test_refusals_forged_question_bad_option_submit_twice_late(exam, drawn):
    code = drawn["李四"].code
    sitting = sittings.sitting_start(candidate=drawn["李四"])
    outside = Question.objects.exclude(pk__in=[e["q"] for e in sitting.paper]).first()
    with pytest.raises(Refused, match="不在您的试卷中"):
        sittings.answer_save(code=code, question_id=outside.pk, values=["0"])
    with pytest.raises(Refused, match="不在您的试卷中"):
        sittings.answer_save(code=code, question_id="1 OR 1=1", values=["0"])
    single = next(e["q"] for e in sitting.paper if Question.objects.get(pk=e["q"]).kind == "single")
    with pytest.raises(Refused, match="选项不存在"):
        sittings.answer_save(code=code, question_id=single, values=["9"])
    sittings.submit_by_code(code)
    with pytest.raises(Refused, match="已交卷") as twice:
        sittings.submit_by_code(code)
    assert twice.value.status == 409
    with pytest.raises(Refused, match="已交卷"):
        sittings.answer_save(code=code, question_id=single, values=["0"])
    # 赵六 runs out of time: the late answer is refused and the sitting submitted as it stood.
    late = sittings.sitting_start(candidate=drawn["赵六"])
    after = late.deadline + timedelta(seconds=30)
    with pytest.raises(Refused, match="考试时间已到") as refused:
        sittings.answer_save(
            code=drawn["赵六"].code, question_id=late.paper[0]["q"], values=["0"], now=after
        )
    assert refused.value.status == 410
    late.refresh_from_db()
    assert late.status != SittingStatus.OPEN and late.auto_submitted


def test_unknown_code_and_wrong_tail(exam, drawn):
    with pytest.raises(Refused, match="考试码不存在"):
        sittings.candidate_by_code("NOPE1234")
    with pytest.raises(Refused, match="后四位不正确"):
        sittings.sitting_start(candidate=drawn["张三"], tail="0000")
    assert sittings.sitting_start(candidate=drawn["张三"], tail="1234").attempt == 1


def test_grading_multiple_all_or_nothing_and_blind_essay(people, exam, drawn):
    code = drawn["李四"].code
    sitting = sittings.sitting_start(candidate=drawn["李四"])
    answer_all_right(code, sitting)
    multiple = next(
        e["q"] for e in sitting.paper if Question.objects.get(pk=e["q"]).kind == "multiple"
    )
    right = Question.objects.get(pk=multiple).answer
    sittings.answer_save(code=code, question_id=multiple, values=[str("ABCDEFGH".index(right[0]))])
    done = sittings.submit_by_code(code)
    assert done.status == SittingStatus.SUBMITTED  # the essay waits for a grader
    essay = selectors.essays_to_grade(exam, user=people.szq_lead).get()
    sittings.essay_grade(acting_user=people.szq_lead, answer=essay, score=Decimal(8))
    done.refresh_from_db()
    # 100 in all: the short 多选 scores nothing of its 15, the essay 8 of 20
    assert done.status == SittingStatus.GRADED and done.score == Decimal(73) and done.passed


def test_partial_credit_when_configured(people, exam, drawn):
    exam.partial_credit = True
    exam.save()
    q = next(q for q in Question.objects.filter(kind="multiple") if len(q.answer) == 3)
    assert sittings.machine_score(q, ["A", "B"], Decimal(15), partial=True) == Decimal(10)
    assert sittings.machine_score(q, ["A", "D"], Decimal(15), partial=True) == Decimal(0)
    assert sittings.machine_score(q, ["A", "B"], Decimal(15), partial=False) == Decimal(0)


def test_results_and_item_analysis_are_scoped_to_the_unit(people, exam, drawn):
    for name in drawn:
        sitting = sittings.sitting_start(candidate=drawn[name], tail=drawn[name].contact_tail)
        if name != "孙八":
            answer_all_right(drawn[name].code, sitting)
        sittings.submit_by_code(drawn[name].code)
    for essay in selectors.essays_to_grade(exam, user=people.szq_lead):
        sittings.essay_grade(acting_user=people.szq_lead, answer=essay, score=Decimal(5))
    lead = selectors.exam_results(exam, user=people.szq_lead)
    assert lead.overall.sat == 6 and lead.overall.passed == 5
    assert {g.label for g in lead.by_unit} == {"市中区司法局", "市中区市场监督管理局"}
    unit = selectors.exam_results(exam, user=people.scjg_liaison)
    assert [p.name for p, _ in unit.rows] == ["钱七", "孙八"]
    assert unit.overall.pass_rate == 50.0
    stats = selectors.item_analysis(exam, user=people.szq_lead)
    assert len(stats) == 8 and all(s.answered == 6 for s in stats)
    assert all(s.discrimination is not None and s.discrimination >= 0 for s in stats)
    assert selectors.exam_results(exam, user=people.xc_liaison).rows == []


def test_exam_not_yet_open_and_closed(exam, drawn):
    exam.opens_at = timezone.now() + timedelta(hours=1)
    exam.save()
    with pytest.raises(Refused, match="尚未开始"):
        sittings.sitting_start(candidate=drawn["李四"])
    exam.opens_at, exam.closes_at = None, timezone.now() - timedelta(minutes=1)
    exam.save()
    with pytest.raises(Refused, match="已截止"):
        sittings.sitting_start(candidate=drawn["李四"])
