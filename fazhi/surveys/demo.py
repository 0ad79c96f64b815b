"""The demo's satisfaction surveys in 市中区, shaped like seed 002's (every town sampled, a
third-party evaluator's table of results, a phone survey of several calls per complete) but
small: last year's wave, finished, and this year's, under way — the evaluator's table of about
two hundred respondents imported, a few dozen answers from the public questionnaire, and the
phone survey's call log. Dates count from the day the demo is loaded."""

from __future__ import annotations

import csv

from fazhi.accounts.models import User
from fazhi.core.demo import Calendar, happening_at, rng
from fazhi.core.tempfiles import temp_file
from fazhi.orgs.models import Region
from fazhi.surveys import services
from fazhi.surveys.models import Outcome, Wave

COUNTY = "370402"
OWNER = "szq_admin"
ITEMS = ["政务服务", "行政执法", "营商环境", "公共法律服务", "矛盾纠纷化解"]
WORDS = ["满意", "比较满意", "一般", "不太满意", "说不清"]
# How each year's answers lean: this year's a little better, 光明路街道 and 行政执法 the weakest.
LEANINGS = {"previous": [62, 20, 9, 6, 3], "current": [68, 18, 8, 4, 2]}
WEAK_TOWN, WEAK_ITEM = "光明路街道", "行政执法"
CALL_OUTCOMES = [
    (Outcome.NO_ANSWER, 38),
    (Outcome.COMPLETED, 17),
    (Outcome.INVALID, 17),
    (Outcome.REFUSED, 14),
    (Outcome.NOT_LOCAL, 8),
    (Outcome.APPOINTMENT, 6),
]


def load_demo_surveys(cal: Calendar) -> Wave:
    """The two waves, made anew on every run (a wave's answers are counted from its rows)."""
    county = Region.objects.get(code=COUNTY)
    owner = User.objects.get(username=OWNER)
    year = cal.today.year
    names = {
        "previous": f"{year - 1}年法治政府建设群众满意度测评",
        "current": f"{year}年法治政府建设群众满意度测评",
    }
    told = Wave.objects.filter(region=county, name=names["current"]).first()
    if told is not None and told.starts_on == cal.day(-25):
        return told  # told today already: loading again writes nothing, not even to the log
    Wave.objects.filter(region=county, name__in=names.values()).delete()
    with happening_at(cal.moment(-400)):
        previous = _wave(owner, county, names["previous"], year - 1, cal.day(-420), cal.day(-390))
        _import(owner, previous, "previous", 180)
    with happening_at(cal.moment(-20)):
        current = _wave(owner, county, names["current"], year, cal.day(-25), cal.day(20))
        _import(owner, current, "current", 200)
    with happening_at(cal.moment(-5)):
        _online(current, 30)
        _calls(owner, current, 120, cal)
    return current


def _wave(owner, county, name, year, starts_on, ends_on) -> Wave:
    return services.wave_create(
        acting_user=owner,
        region=county,
        name=name,
        year=year,
        per_stratum=25,
        items=ITEMS,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _answer(random, leaning: list[int], *, weak_town=False, weak_item=False) -> str:
    weights = list(leaning)
    for weak, shift in ((weak_town, 30), (weak_item, 12)):
        if weak:  # fewer 满意, more 一般 and 不太满意
            weights[0] -= shift
            weights[2] += shift // 2
            weights[3] += shift // 2
    return random.choices(WORDS, weights)[0]


def _import(owner, wave: Wave, which: str, respondents: int) -> None:
    random = rng("surveys", which)
    towns = list(wave.strata.values_list("name", flat=True))
    with temp_file(suffix=".csv", mode="w+") as table:
        writer = csv.writer(table)
        writer.writerow(["样本编号", "镇街", "受访者类型", *ITEMS])
        for n in range(respondents):
            town = towns[n % len(towns)]
            kind = "企业" if n % 5 == 0 else "群众"
            answers = [
                _answer(
                    random,
                    LEANINGS[which],
                    weak_town=town == WEAK_TOWN,
                    weak_item=title == WEAK_ITEM,
                )
                for title in ITEMS
            ]
            writer.writerow([f"{wave.year}-{n + 1:04d}", town, kind, *answers])
        table.flush()
        services.survey_import(
            acting_user=owner, wave=wave, path=table.name, filename=f"{wave.name}-第三方结果.csv"
        )


def _online(wave: Wave, responses: int) -> None:
    random = rng("surveys", "online")
    strata = list(wave.strata.all())
    items = list(wave.items.all())
    for n in range(responses):
        stratum = strata[n % len(strata)]
        answers = {item.pk: WORDS.index(_answer(random, LEANINGS["current"])) for item in items}
        services.response_submit_open(
            stratum=stratum, token=services.open_token(stratum), answers=answers, address=None
        )


def _calls(owner, wave: Wave, calls: int, cal: Calendar) -> None:
    random = rng("surveys", "calls")
    strata = list(wave.strata.all())
    outcomes, weights = zip(*CALL_OUTCOMES, strict=True)
    for n in range(calls):
        services.call_record(
            acting_user=owner,
            stratum=strata[n % len(strata)],
            sample_number=f"1{random.randrange(10**9, 10**10)}",
            outcome=random.choices(outcomes, weights)[0],
            interviewer=random.choice(["王敏", "李静", "张伟"]),
            called_at=cal.moment(-5 + n // 40, 9 + n % 8),
        )
