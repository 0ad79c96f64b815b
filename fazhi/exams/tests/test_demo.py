"""The demo's test: drawn, sat, graded, with results and item analysis to look at; loading it
again the same day writes nothing."""

from fazhi.accounts.models import AuditEntry, User
from fazhi.core.demo import Calendar
from fazhi.exams import selectors, sittings
from fazhi.exams.demo import TRY_CODE, load_demo_exams
from fazhi.exams.models import Exam
from fazhi.orgs.demo import load_demo_orgs


def test_the_demo_test_has_results_and_a_code_to_try(db):
    load_demo_orgs()
    cal = Calendar.from_clock()
    exam = load_demo_exams(cal)
    owner = User.objects.get(username="szq_admin")
    results = selectors.exam_results(exam, user=owner)
    assert results.overall.drawn == 25 and results.overall.sat == 25 and results.waiting == 0
    assert 0 < results.overall.passed < 25
    assert len(results.by_unit) == 5
    assert len(selectors.item_analysis(exam, user=owner)) == 23
    liaison = User.objects.get(username="szq_scjg_liaison")
    mine = selectors.exam_results(exam, user=liaison)
    assert mine.rows and all("市场监督" in p.unit_label for p, _ in mine.rows)
    trying = sittings.sitting_start(candidate=sittings.candidate_by_code(TRY_CODE))
    assert len(trying.paper) == 10
    written = AuditEntry.objects.count()
    assert load_demo_exams(cal) == exam
    assert AuditEntry.objects.count() == written
    assert Exam.objects.count() == 2
