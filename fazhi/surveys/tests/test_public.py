"""The public questionnaire: no login, one response per invitation, rate limited, closed when
the stratum's quota is met."""

import pytest
from django.urls import reverse

from fazhi.surveys import selectors
from fazhi.surveys.models import Invitation, Respondent


@pytest.fixture
def stratum(wave):
    return wave.strata.get(name="中心街街道")


def _start(client, stratum):
    response = client.post(reverse("surveys:start", args=[stratum.key]))
    assert response.status_code == 302
    return response["Location"]


def _answers(wave, choice="0"):
    return {f"item_{item.pk}": choice for item in wave.items.all()}


def test_a_visitor_answers_without_logging_in(client, wave, stratum):
    page = client.get(reverse("surveys:start", args=[stratum.key]))
    assert page.status_code == 200 and "开始填写" in page.content.decode()
    assert Invitation.objects.count() == 0  # opening the page stores nothing
    url = _start(client, stratum)
    form = client.get(url).content.decode()
    assert "政务服务" in form and "基本满意" in form
    answers = _answers(wave)
    answers.pop(f"item_{wave.items.last().pk}")  # one left unanswered: counted as 不清楚
    thanks = client.post(url, answers)
    assert "提交成功" in thanks.content.decode()
    respondent = Respondent.objects.get()
    assert respondent.stratum == stratum and respondent.answers == "004"
    overall = selectors.report_json(selectors.wave_report(wave))["overall"]
    assert (overall["n"], overall["satisfaction_rate"]) == (1, 100.0)


def test_a_used_link_is_refused(client, wave, stratum):
    url = _start(client, stratum)
    client.post(url, _answers(wave))
    again = client.post(url, _answers(wave, "3"))
    assert again.status_code == 409
    assert "已经提交过" in again.content.decode()
    assert Respondent.objects.count() == 1


def test_a_forged_link_is_refused(client, wave):
    response = client.post(reverse("surveys:answer", args=["forged-token-1234"]), _answers(wave))
    assert response.status_code == 404 and "问卷链接无效" in response.content.decode()
    assert Respondent.objects.count() == 0


def test_an_empty_or_invalid_answer_is_refused(client, wave, stratum):
    url = _start(client, stratum)
    assert "至少回答一道题" in client.post(url, {}).content.decode()
    assert "答案无效" in client.post(url, _answers(wave, "9")).content.decode()
    assert Respondent.objects.count() == 0
    assert client.post(url, _answers(wave)).status_code == 200  # the link is still good


def test_a_full_stratum_closes_its_questionnaire(client, wave, stratum):
    stratum.target = 1
    stratum.save()
    url = _start(client, stratum)
    late = _start(client, stratum)  # opened before the quota was met
    client.post(url, _answers(wave))
    page = client.get(reverse("surveys:start", args=[stratum.key])).content.decode()
    assert "样本已收满" in page and "开始填写" not in page
    assert "样本已收满" in client.post(late, _answers(wave)).content.decode()
    assert Respondent.objects.count() == 1


def test_a_flood_from_one_address_is_refused(client, wave, stratum, settings):
    settings.FAZHI_SURVEY_RATE_LIMIT = 3
    for _ in range(3):
        _start(client, stratum)
    response = client.post(reverse("surveys:start", args=[stratum.key]))
    assert response.status_code == 429 and "过于频繁" in response.content.decode()
    other = client.post(reverse("surveys:start", args=[stratum.key]), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302
    assert Invitation.objects.count() == 4


def test_the_questionnaire_has_no_inline_script_or_style(client, wave, stratum):
    body = client.get(_start(client, stratum)).content.decode()
    assert "<script>" not in body and "style=" not in body and "onclick" not in body
