"""The demo's 法治能力测试 in 市中区, shaped like seed 002's 随机抽考 but small: a bank of sixty
questions over five laws, last month's test (five units' rosters, a share of each unit and role
drawn, everyone sat, the 简答 graded, so results and item analysis show), and a mock test open
now with a code to try on a phone. Dates count from the day the demo is loaded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from fazhi.accounts.models import User
from fazhi.core.demo import Calendar, happening_at, rng
from fazhi.exams import roster, services, sittings
from fazhi.exams.models import Exam, ExamMode, Question, QuestionBank
from fazhi.exams.selectors import essays_to_grade
from fazhi.orgs.models import Region

COUNTY = "370402"
OWNER = "szq_admin"
BANK = "学法考法题库（演示）"
LAWS = ["行政处罚法", "行政许可法", "行政复议法", "行政诉讼法", "政府信息公开条例"]
UNITS = [
    "枣庄市市中区司法局",
    "枣庄市市中区市场监督管理局",
    "枣庄市市中区行政审批服务局",
    "枣庄市公安局市中分局",
    "枣庄市市中区中心街街道",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
TRY_CODE = "DEMO2025"


def demo_questions() -> list[dict]:
    """Sixty questions: for each law 5 单选, 3 多选, 3 判断, 1 填空 (and one 简答 in all)."""
    pick = rng("exams", "bank")
    rows = []
    for law in LAWS:
        for n in range(1, 6):
            right = pick.randrange(4)
            rows.append(
                {
                    "type": "single",
                    "stem": f"依据《{law}》，下列关于第{n}个要点的表述，正确的是（  ）。",
                    "options": [f"{law}要点{n}的表述{'甲乙丙丁'[i]}" for i in range(4)],
                    "answer": ["ABCD"[right]],
                    "explanation": f"见《{law}》相关条款，选项{'ABCD'[right]}准确表述了该要点。",
                    "basis": f"《{law}》第{n * 3}条",
                    "category": law,
                    "difficulty": ("easy", "medium", "hard")[n % 3],
                }
            )
        for n in range(1, 4):
            rows.append(
                {
                    "type": "multiple",
                    "stem": f"依据《{law}》，下列属于第{n}类情形的有（  ）。",
                    "options": [f"情形{'甲乙丙丁'[i]}" for i in range(4)],
                    "answer": ["A", "B", "D"] if n != 2 else ["B", "C"],
                    "explanation": "少选、多选均不得分。",
                    "basis": f"《{law}》第{n * 5}条",
                    "category": law,
                    "difficulty": ("medium", "hard", "medium")[n - 1],
                }
            )
        for n in range(1, 4):
            rows.append(
                {
                    "type": "judge",
                    "stem": f"《{law}》规定的第{n}项程序可以由行政机关自行简化。",
                    "options": [],
                    "answer": ["错误" if n != 2 else "正确"],
                    "explanation": "",
                    "basis": f"《{law}》",
                    "category": law,
                    "difficulty": "easy",
                }
            )
        rows.append(
            {
                "type": "blank",
                "stem": f"《{law}》规定的一般期限为____日。",
                "options": [],
                "answer": ["六十"],
                "explanation": "",
                "basis": f"《{law}》",
                "category": law,
                "difficulty": "medium",
            }
        )
    rows.append(
        {
            "type": "essay",
            "stem": "简述行政执法“三项制度”的主要内容。",
            "options": [],
            "answer": ["行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。"],
            "explanation": "",
            "basis": "《关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》",
            "category": "行政执法",
            "difficulty": "hard",
        }
    )
    return rows


def load_demo_exams(cal: Calendar) -> Exam:
    county = Region.objects.get(code=COUNTY)
    owner = User.objects.get(username=OWNER)
    name = f"{cal.today.year}年度领导干部和执法人员法治能力测试（随机抽考）"
    told = Exam.objects.filter(region=county, name=name).first()
    if told is not None and told.opens_at and timezone.localdate(told.opens_at) == cal.day(-30):
        return told  # told today already: loading again writes nothing
    Exam.objects.filter(region=county, bank__name=BANK).delete()
    QuestionBank.objects.filter(region=county, name=BANK).delete()
    with happening_at(cal.moment(-35)):
        bank, _ = services.bank_import(
            acting_user=owner,
            region=county,
            name=BANK,
            questions=demo_questions(),
            source_name="演示题库.xlsx",
        )
    with happening_at(cal.moment(-31)):
        exam = services.exam_create(
            acting_user=owner,
            bank=bank,
            name=name,
            blueprints={"": "single:10,multiple:5,judge:5,blank:2,essay:1"},
            points={"single": 3, "multiple": 4, "judge": 2, "blank": 5, "essay": 10},
            duration_minutes=40,
            seed="20250002",
            opens_at=cal.moment(-30),
            closes_at=cal.moment(-30) + timedelta(hours=4),
        )
        roster.roster_import(
            acting_user=owner, exam=exam, rows=_roster(), source_name="参考人员名单.xlsx"
        )
        roster.candidates_draw(acting_user=owner, exam=exam, percent=50, seed="20250002")
    _sit_all(exam, cal, owner)
    _mock(owner, bank, cal)
    return exam


def _roster() -> list[dict]:
    pick = rng("exams", "roster")
    rows = []
    for unit in UNITS:
        for role, count in (("leader", 2), ("civil", 4), ("enforcer", 4)):
            for _ in range(count):
                name = pick.choice(SURNAMES) + pick.choice(GIVEN) + pick.choice(GIVEN)
                rows.append(
                    {"row": len(rows) + 2, "name": name, "unit": unit, "role": role, "tail": ""}
                )
    return rows


def _sit_all(exam: Exam, cal: Calendar, owner) -> None:
    """Each drawn person sits: a skill of their own decides how often they are right."""
    pick = rng("exams", "sitting")
    start = cal.moment(-30) + timedelta(minutes=5)
    for person in exam.candidates.exclude(code=None).order_by("row"):
        skill = pick.uniform(0.45, 0.95)
        with happening_at(start):
            sitting = sittings.sitting_start(candidate=person)
            for entry in sitting.paper:
                question = Question.objects.get(pk=entry["q"])
                sittings.answer_save(
                    code=person.code, question_id=question.pk, values=_answer(question, skill, pick)
                )
            sittings.submit_by_code(person.code)
    with happening_at(cal.moment(-28)):
        for answer in list(essays_to_grade(exam, user=owner)):
            sittings.essay_grade(
                acting_user=owner, answer=answer, score=Decimal(pick.randint(4, 10))
            )


def _answer(question: Question, skill: float, pick) -> list[str]:
    right = pick.random() < skill
    if question.kind in ("single", "multiple"):
        letters = question.answer if right else [pick.choice("ABCD"[: len(question.options)])]
        return [str("ABCDEFGH".index(letter)) for letter in letters]
    if question.kind == "judge":
        return question.answer if right else [{"正确": "错误", "错误": "正确"}[question.answer[0]]]
    if question.kind == "blank":
        return question.answer if right else ["三十"]
    return ["公示制度、全过程记录制度、法制审核制度。" if right else "依法行政。"]


def _mock(owner, bank, cal: Calendar) -> None:
    """A practice test open all month, with a code anyone may try (模拟练习 shows 解析)."""
    with happening_at(cal.moment(-1)):
        mock = services.exam_create(
            acting_user=owner,
            bank=bank,
            name="行政执法人员模拟练习（可用考试码 DEMO2025 试答）",
            blueprints={"": "single:5,multiple:2,judge:3"},
            mode=ExamMode.MOCK,
            duration_minutes=15,
            seed="7",
            attempts_allowed=20,
        )
        roster.roster_import(
            acting_user=owner,
            exam=mock,
            rows=[{"row": 2, "name": "试答人员", "unit": UNITS[0], "role": "enforcer", "tail": ""}],
        )
        roster.candidates_draw(acting_user=owner, exam=mock, percent=100, seed="7")
        mock.candidates.update(code=TRY_CODE)
