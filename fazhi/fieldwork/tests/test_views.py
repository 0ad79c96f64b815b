"""The province's pages: who reaches them, the side-by-side view with inline score entry, the
forms for weights, applicants and evaluators, the import with its error list, the export."""

from io import BytesIO

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.fieldwork import services
from fazhi.fieldwork.models import Applicant, Evaluation, Evaluator

from .conftest import give_written, set_scores, xlsx_upload
from .test_ranking import grow


def detail(evaluation) -> str:
    return reverse("fieldwork:detail", args=[evaluation.pk])


def test_the_navigation_offers_the_evaluations_to_offices_not_to_liaisons(login, province, people):
    assert "省级评估" in login(province.lead).get("/").content.decode()
    assert "省级评估" not in login(people.szq_liaison).get("/").content.decode()


def test_the_list_shows_the_evaluations_the_user_reaches(evaluation, login, province, people):
    page = login(province.reviewer).get(reverse("fieldwork:list")).content.decode()
    assert evaluation.name in page and "50% / 30% / 20%" in page
    assert (
        evaluation.name
        not in login(people.city_lead).get(reverse("fieldwork:list")).content.decode()
    )


def test_other_offices_get_404(evaluation, login, people, another_province):
    applicant = evaluation.applicants.first()
    for outsider in (people.city_lead, people.szq_lead, another_province.lead):
        client = login(outsider)
        assert client.get(detail(evaluation)).status_code == 404
        assert client.get(reverse("fieldwork:export", args=[evaluation.pk])).status_code == 404
        posted = client.post(
            reverse("fieldwork:scores", args=[applicant.pk]),
            {"field_score": "1", "survey_score": "1", "version": "0"},
        )
        assert posted.status_code == 404
    applicant.refresh_from_db()
    assert applicant.field_score is None


def test_a_city_evaluation_is_out_of_reach_of_the_counties_and_other_cities(
    login, people, tree, campaign
):
    city_evaluation = services.evaluation_create(
        acting_user=people.city_lead, region=tree.city, name="枣庄市级示范评估"
    )
    assert login(people.city_lead).get(detail(city_evaluation)).status_code == 200
    assert login(people.xc_lead).get(detail(city_evaluation)).status_code == 404


def test_the_lead_office_creates_an_evaluation_with_weights_that_add_up(login, province, tree):
    client = login(province.lead)
    url = reverse("fieldwork:create")
    form = client.get(url).content.decode()
    assert 'value="50"' in form and "山东省" in form
    data = {
        "region": tree.province.pk,
        "name": "2025年度全省评估",
        "written_weight": 50,
        "field_weight": 30,
        "survey_weight": 30,
    }
    refused = client.post(url, data).content.decode()
    assert "三项权重之和应为 100%，现在是 110%" in refused
    assert not Evaluation.objects.exists()
    response = client.post(url, {**data, "survey_weight": 20})
    evaluation = Evaluation.objects.get()
    assert response.url == reverse("fieldwork:applicants_add", args=[evaluation.pk])


def test_the_weights_form_changes_the_ranking(evaluation, login, province, campaign):
    give_written(province.lead, campaign)
    set_scores(province.lead, evaluation.applicants.get(campaign=campaign), "80", "60")
    client = login(province.lead)
    response = client.post(
        reverse("fieldwork:edit", args=[evaluation.pk]),
        {"name": evaluation.name, "written_weight": 60, "field_weight": 20, "survey_weight": 20},
    )
    assert response.url == detail(evaluation)
    page = client.get(detail(evaluation)).content.decode()
    assert "书面评审 60%" in page and "<strong>88</strong>" in page  # 60 + 16 + 12


def test_a_reviewer_cannot_change_the_weights(evaluation, login, province):
    response = login(province.reviewer).get(reverse("fieldwork:edit", args=[evaluation.pk]))
    assert response.status_code == 403


def test_the_lead_office_adds_every_campaign_of_a_level(
    login, province, tree, campaign, xc_campaign
):
    evaluation = services.evaluation_create(
        acting_user=province.lead, region=tree.province, name="全省评估"
    )
    client = login(province.lead)
    url = reverse("fieldwork:applicants_add", args=[evaluation.pk])
    page = client.get(url).content.decode()
    assert "枣庄市市中区" in page and "薛城区创建全国法治政府建设示范区" in page
    response = client.post(url, {"all_of_level": "national", "by_level": "1"})
    assert response.url == detail(evaluation)
    assert evaluation.applicants.count() == 2
    assert "没有可加入的创建活动" in client.get(url).content.decode()


def test_ticking_one_campaign_adds_only_it(login, province, tree, campaign, xc_campaign):
    evaluation = services.evaluation_create(
        acting_user=province.lead, region=tree.province, name="全省评估"
    )
    client = login(province.lead)
    url = reverse("fieldwork:applicants_add", args=[evaluation.pk])
    client.post(url, {"campaigns": [xc_campaign.pk], "all_of_level": "national"})
    assert list(evaluation.applicants.values_list("campaign", flat=True)) == [xc_campaign.pk]


def test_the_lead_office_grants_an_evaluator(evaluation, login, province, evaluator):
    client = login(province.lead)
    url = reverse("fieldwork:evaluators", args=[evaluation.pk])
    assert "evaluator_zhao" in client.get(url).content.decode()
    response = client.post(url, {"user": evaluator.pk})
    assert response.url == url
    assert Evaluator.objects.filter(evaluation=evaluation, user=evaluator).exists()
    assert "没有可授权的评审专家账号" in client.get(url).content.decode()


def test_an_evaluator_reads_the_page_and_the_campaigns_but_enters_nothing(
    evaluation, login, province, evaluator, campaign
):
    services.evaluator_grant(acting_user=province.lead, evaluation=evaluation, user=evaluator)
    client = login(evaluator)
    assert "省级评估" in client.get("/").content.decode()
    page = client.get(detail(evaluation)).content.decode()
    assert "枣庄市市中区" in page and 'name="field_score"' not in page and "移出" not in page
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("reviews:scores", args=[campaign.pk])).status_code == 200
    applicant = evaluation.applicants.get(campaign=campaign)
    client.post(
        reverse("fieldwork:scores", args=[applicant.pk]),
        {"field_score": "99", "survey_score": "99", "version": "0"},
    )
    applicant.refresh_from_db()
    assert applicant.field_score is None
    assert client.get(reverse("fieldwork:import", args=[evaluation.pk])).status_code == 403


def test_scores_are_entered_inline_and_the_ranking_updates(evaluation, login, province, campaign):
    give_written(province.lead, campaign)
    applicant = evaluation.applicants.get(campaign=campaign)
    client = login(province.reviewer)
    page = client.get(detail(evaluation)).content.decode()
    assert f'id="scores-{applicant.pk}"' in page and "只有三项得分齐全时才计算综合得分" in page
    response = client.post(
        reverse("fieldwork:scores", args=[applicant.pk]),
        {"field_score": "90", "survey_score": "95", "version": "0", "next": detail(evaluation)},
    )
    assert response.url == f"{detail(evaluation)}#applicant-{applicant.pk}"
    page = client.get(detail(evaluation)).content.decode()
    assert "已保存市中区的得分" in page
    assert "<strong>96</strong>" in page  # 50 + 27 + 19


def test_a_stale_form_says_who_changed_the_scores(evaluation, login, province):
    applicant = evaluation.applicants.first()
    set_scores(province.reviewer, applicant, "85", "90")
    client = login(province.lead)
    client.post(
        reverse("fieldwork:scores", args=[applicant.pk]),
        {"field_score": "60", "survey_score": "60", "version": "0"},
    )
    page = client.get(detail(evaluation)).content.decode()
    assert "已由 province_reviewer 于" in page and "您的修改没有保存" in page
    applicant.refresh_from_db()
    assert applicant.field_score == 85


def test_a_score_out_of_bounds_is_refused_with_its_reason(evaluation, login, province):
    applicant = evaluation.applicants.first()
    client = login(province.lead)
    client.post(
        reverse("fieldwork:scores", args=[applicant.pk]),
        {"field_score": "105", "survey_score": "", "version": "0"},
    )
    assert "105 超出 0–100" in client.get(detail(evaluation)).content.decode()
    client.post(reverse("fieldwork:scores", args=[applicant.pk]), {"field_score": "80"})
    assert "页面已过期" in client.get(detail(evaluation)).content.decode()
    applicant.refresh_from_db()
    assert applicant.field_score is None


def test_the_import_page_lists_every_problem_and_stores_nothing(evaluation, login, province):
    client = login(province.reviewer)
    url = reverse("fieldwork:import", args=[evaluation.pk])
    upload = xlsx_upload(
        [["地区", "实地评估得分", "满意度测评得分"], ["市中区", 90, 91], ["薛城区", 105, 88]]
    )
    page = client.post(url, {"file": upload}).content.decode()
    assert "未导入：发现 1 个问题" in page and "第3行“实地评估得分”：105 超出 0–100" in page
    assert not Applicant.objects.filter(field_score__isnull=False).exists()
    good = xlsx_upload([["地区", "实地评估得分", "满意度测评得分"], ["市中区", 90, 91]])
    assert client.post(url, {"file": good}).url == detail(evaluation)
    assert evaluation.applicants.get(campaign__region__name="市中区").field_score == 90


def test_the_import_template_lists_the_applicants(evaluation, login, province):
    set_scores(province.lead, evaluation.applicants.get(campaign__region__name="薛城区"), "70", "")
    response = login(province.lead).get(reverse("fieldwork:import_template", args=[evaluation.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    assert list(sheet.values) == [
        ("地区", "申报活动", "实地评估得分", "满意度测评得分"),
        ("枣庄市市中区", "市中区创建全国法治政府建设示范区", None, None),
        ("枣庄市薛城区", "薛城区创建全国法治政府建设示范区", 70, None),
    ]


def test_the_ranking_exports_to_excel_with_the_weights_in_the_header(
    evaluation, login, province, campaign, xc_campaign
):
    give_written(province.lead, campaign, {"1.1.1": "4"})
    set_scores(province.lead, evaluation.applicants.get(campaign=campaign), "80", "70")
    set_scores(province.lead, evaluation.applicants.get(campaign=xc_campaign), "75", "")
    response = login(province.lead).get(reverse("fieldwork:export", args=[evaluation.pk]))
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.title == "排名表"
    rows = list(sheet.values)
    assert rows[0] == (
        "排名",
        "地区",
        "申报活动",
        "书面评审（50%）",
        "实地评估（30%）",
        "满意度测评（20%）",
        "综合得分",
        "说明",
    )
    assert rows[1][:7] == (1, "枣庄市市中区", "市中区创建全国法治政府建设示范区", 90, 80, 70, 83)
    assert rows[2][:7] == (
        None,
        "枣庄市薛城区",
        "薛城区创建全国法治政府建设示范区",
        None,
        75,
        None,
        None,
    )
    assert rows[2][7] == "待补：书面评审、满意度测评，暂不排名；书面评审已评 0/4 项"


def test_removing_an_applicant_asks_first_and_needs_the_lead_office(evaluation, login, province):
    applicant = evaluation.applicants.first()
    page = login(province.lead).get(detail(evaluation)).content.decode()
    assert 'data-confirm="确定将“枣庄市市中区”移出本次评估？' in page
    url = reverse("fieldwork:applicant_remove", args=[applicant.pk])
    assert login(province.reviewer).post(url).status_code == 403
    assert login(province.lead).post(url).url == detail(evaluation)
    assert not Applicant.objects.filter(pk=applicant.pk).exists()


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_main_pages_run_a_fixed_number_of_queries(
    evaluation, login, province, people, tree, campaign, evaluator
):
    services.evaluator_grant(acting_user=province.lead, evaluation=evaluation, user=evaluator)
    client = login(province.lead)
    urls = [
        detail(evaluation),
        reverse("fieldwork:export", args=[evaluation.pk]),
        reverse("fieldwork:list"),
        reverse("fieldwork:applicants_add", args=[evaluation.pk]),
    ]
    client.get(urls[0])  # the session and the user are warm from here on
    before = [page_queries(client, url) for url in urls]
    grow(evaluation, province, people, tree, campaign)
    assert evaluation.applicants.count() == 5
    after = [page_queries(client, url) for url in urls]
    assert before == after
