"""The pages and the examinee's endpoints through the test client."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fazhi.exams.models import Answer, Question, QuestionBank, Sitting
from fazhi.exams.tests import samples


def test_bank_import_preview_then_confirm(client, login, people):
    login(people.szq_lead)
    upload = SimpleUploadedFile("题库.xlsx", samples.excel_markers_one_line())
    response = client.post(reverse("exams:bank_import"), {"name": "新题库", "file": upload})
    assert response.status_code == 302
    page = client.get(response.url)
    assert "确认导入 10 道试题" in page.content.decode()
    assert not Question.objects.exists()
    draft = int(response.url.rstrip("/").rsplit("/", 1)[1])
    done = client.post(reverse("exams:bank_confirm", args=[draft]))
    bank = QuestionBank.objects.get(name="新题库")
    assert done.url == reverse("exams:bank", args=[bank.pk]) and bank.questions.count() == 10
    assert "行政复议" in client.get(done.url).content.decode()
    assert client.get(reverse("exams:bank_xlsx", args=[bank.pk])).status_code == 200


def test_a_broken_bank_shows_its_problems_and_stores_nothing(client, login, people):
    login(people.szq_lead)
    upload = SimpleUploadedFile("题库.xlsx", samples.excel_broken())
    response = client.post(
        reverse("exams:bank_import"), {"name": "坏", "file": upload}, follow=True
    )
    text = response.content.decode()
    assert "第 3 行：答案“E”中的 E 不是选项" in text and "确认导入 " not in text


def test_exam_page_for_lead_and_unit(client, login, people, exam, drawn):
    login(people.szq_lead)
    text = client.get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert "张三" in text and "钱七" in text and exam.seed in text
    login(people.scjg_liaison)
    text = client.get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert "钱七" in text and "张三" not in text and exam.seed not in text
    login(people.xc_liaison)
    assert client.get(reverse("exams:detail", args=[exam.pk])).status_code == 404


def test_sitting_by_code_on_the_public_page(client, exam, drawn):
    person = drawn["李四"]
    start = client.get(reverse("exams:sitting", args=[person.code]))
    assert "开始答题" in start.content.decode()
    client.post(reverse("exams:sitting", args=[person.code]))
    paper = client.get(reverse("exams:sitting", args=[person.code])).content.decode()
    assert 'id="clock"' in paper and "sitting.js" in paper
    sitting = Sitting.objects.get(candidate=person)
    judge = next(e["q"] for e in sitting.paper if Question.objects.get(pk=e["q"]).kind == "judge")
    url = reverse("exams:answer", args=[person.code])
    saved = client.post(url, {"question": judge, "value": "正确"})
    assert saved.status_code == 200 and saved.json()["ok"] and "explanation" not in saved.json()
    assert Answer.objects.get(sitting=sitting, question_id=judge).response == ["正确"]
    assert client.post(url, {"question": 999999, "value": "正确"}).status_code == 400
    assert client.post(reverse("exams:switch", args=[person.code])).json()["switches"] == 1
    submit = reverse("exams:submit", args=[person.code])
    assert client.post(submit, HTTP_ACCEPT="application/json").status_code == 200
    again = client.post(submit, HTTP_ACCEPT="application/json")
    assert again.status_code == 409 and "已交卷" in again.json()["detail"]
    assert "您已交卷" in client.get(reverse("exams:sitting", args=[person.code])).content.decode()
    assert client.get(reverse("exams:sitting", args=["WRONG123"])).status_code == 404


def test_mock_mode_shows_the_explanation(client, exam, drawn):
    exam.mode = "mock"
    exam.save()
    person = drawn["李四"]
    client.post(reverse("exams:sitting", args=[person.code]))
    sitting = Sitting.objects.get(candidate=person)
    q = Question.objects.get(pk=sitting.paper[0]["q"])
    body = client.post(
        reverse("exams:answer", args=[person.code]), {"question": q.pk, "value": "0"}
    ).json()
    assert body["answer"] == q.answer and body["explanation"] == q.explanation


def test_grading_page_shows_no_names(client, login, people, exam, drawn):
    from fazhi.exams import sittings

    person = drawn["王五"]
    sitting = sittings.sitting_start(candidate=person)
    essay = next(e["q"] for e in sitting.paper if Question.objects.get(pk=e["q"]).kind == "essay")
    sittings.answer_save(code=person.code, question_id=essay, values=["公示、记录、审核"])
    sittings.submit_by_code(person.code)
    login(people.szq_lead)
    text = client.get(reverse("exams:grading", args=[exam.pk])).content.decode()
    assert "公示、记录、审核" in text and "王五" not in text and "领导干部" not in text
    answer = Answer.objects.get(sitting=sitting, question_id=essay)
    client.post(reverse("exams:grading", args=[exam.pk]), {"answer": answer.pk, "score": "15"})
    answer.refresh_from_db()
    assert answer.score == 15


def test_api_results_are_scoped(client, bearer, people, exam, drawn):
    url = f"/api/exams/{exam.pk}/results"
    lead = client.get(url, **bearer(people.szq_lead)).json()
    assert len(lead["examinees"]) == 6
    unit = client.get(url, **bearer(people.scjg_liaison)).json()
    assert {e["name"] for e in unit["examinees"]} == {"钱七", "孙八"}
    assert client.get(url, **bearer(people.xc_lead)).status_code == 404
    banks = client.get("/api/exams/banks", **bearer(people.scjg_liaison)).json()
    assert banks == []
