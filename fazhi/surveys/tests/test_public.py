"""The public questionnaire: no login, one response per token, rate limited, closed when the
stratum's quota is met; printed invitations admit one response each."""

import re

import pytest
from django.urls import reverse

from fazhi.surveys import selectors, services
from fazhi.surveys.models import Respondent


@pytest.fixture
def stratum(wave):
    return wave.strata.get(name="中心街街道")


def _open(client, stratum) -> tuple[str, str]:
    """The questionnaire's address and the token its page carries."""
    url = reverse("surveys:start", args=[stratum.key])
    page = client.get(url).content.decode()
    return url, re.search(r'name="token" value="([^"]+)"', page).group(1)


def _answers(wave, token, choice="0"):
    return {"token": token, **{f"item_{item.pk}": choice for item in wave.items.all()}}


def test_a_visitor_answers_without_logging_in(client, wave, stratum):
    url, token = _open(client, stratum)
    assert Respondent.objects.count() == 0  # showing the form stores nothing
    form = client.get(url).content.decode()
    assert "政务服务" in form and "基本满意" in form
    answers = _answers(wave, token)
    answers.pop(f"item_{wave.items.last().pk}")  # one left unanswered: counted as 不清楚
    thanks = client.post(url, answers)
    assert "提交成功" in thanks.content.decode()
    respondent = Respondent.objects.get()
    assert respondent.stratum == stratum and respondent.answers == "004"
    overall = selectors.report_json(selectors.wave_report(wave))["overall"]
    assert (overall["n"], overall["satisfaction_rate"]) == (1, 100.0)


def test_a_used_token_is_refused(client, wave, stratum):
    url, token = _open(client, stratum)
    client.post(url, _answers(wave, token))
    again = client.post(url, _answers(wave, token, "3"))
    assert again.status_code == 409
    assert "已经提交过" in again.content.decode()
    assert Respondent.objects.count() == 1


def test_a_forged_token_or_another_stratums_is_refused(client, wave, stratum):
    url, _ = _open(client, stratum)
    forged = client.post(url, _answers(wave, f"{stratum.pk}.made-up:signature"))
    assert forged.status_code == 404 and "问卷链接无效" in forged.content.decode()
    _, elsewhere = _open(client, wave.strata.get(name="孟庄镇"))
    assert client.post(url, _answers(wave, elsewhere)).status_code == 404
    assert Respondent.objects.count() == 0


def test_an_empty_or_invalid_answer_is_refused(client, wave, stratum):
    url, token = _open(client, stratum)
    assert "至少回答一道题" in client.post(url, {"token": token}).content.decode()
    assert "答案无效" in client.post(url, _answers(wave, token, "9")).content.decode()
    assert Respondent.objects.count() == 0
    assert client.post(url, _answers(wave, token)).status_code == 200  # the token still good


def test_a_full_stratum_closes_its_questionnaire(client, wave, stratum):
    stratum.target = 1
    stratum.save()
    url, token = _open(client, stratum)
    _, late = _open(client, stratum)  # opened before the quota was met
    client.post(url, _answers(wave, token))
    page = client.get(url).content.decode()
    assert "样本已收满" in page and 'name="token"' not in page
    assert "样本已收满" in client.post(url, _answers(wave, late)).content.decode()
    assert Respondent.objects.count() == 1


def test_a_flood_from_one_address_is_refused(client, wave, stratum, settings):
    settings.FAZHI_SURVEY_RATE_LIMIT = 3
    url = reverse("surveys:start", args=[stratum.key])
    for _ in range(3):
        assert client.post(url, _answers(wave, _open(client, stratum)[1])).status_code == 200
    flood = client.post(url, _answers(wave, _open(client, stratum)[1]))
    assert flood.status_code == 429 and "过于频繁" in flood.content.decode()
    other = client.post(url, _answers(wave, _open(client, stratum)[1]), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    assert Respondent.objects.count() == 4


def test_a_printed_invitation_admits_one_response(client, people, wave, stratum):
    (invitation,) = services.invitations_issue(
        acting_user=people.szq_lead, stratum=stratum, count=1
    )
    url = reverse("surveys:answer", args=[invitation.token])
    assert client.post(url, _answers(wave, "")).status_code == 200
    assert client.get(url).status_code == 409
    assert client.post(url, _answers(wave, "")).status_code == 409
    missing = client.get(reverse("surveys:answer", args=["no-such-invitation"]))
    assert missing.status_code == 404 and "问卷链接无效" in missing.content.decode()
    assert Respondent.objects.count() == 1


def test_the_questionnaire_has_no_inline_script_or_style(client, wave, stratum):
    body = client.get(_open(client, stratum)[0]).content.decode()
    assert "<script>" not in body and "style=" not in body and "onclick" not in body
