"""The demo's surveys: two waves of 市中区, the current one under way with all three sources."""

from fazhi.core.demo import Calendar
from fazhi.orgs.demo import load_demo_orgs
from fazhi.surveys import selectors
from fazhi.surveys.demo import load_demo_surveys
from fazhi.surveys.models import Respondent, Wave


def test_demo_surveys_tell_their_story(db):
    load_demo_orgs()
    cal = Calendar.from_clock()
    wave = load_demo_surveys(cal)
    assert wave.strata.count() == 11  # every town of 市中区
    report = selectors.wave_report(wave)
    assert report.overall.respondents == 230  # 200 imported, 30 online
    assert report.previous is not None and report.overall_change is not None
    assert report.weakest_strata[0].name == "光明路街道"
    assert report.weakest_items[0].name == "行政执法"
    assert 90 < report.overall.rate.rate * 100 < 100
    assert {row.name for row in report.types} == {"群众", "企业"}
    assert selectors.call_summary(wave)[-1].calls == 120
    load_demo_surveys(cal)  # again: the same two waves, made anew
    assert Wave.objects.count() == 2 and Respondent.objects.count() == 180 + 230
