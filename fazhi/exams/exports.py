"""Files out of the exams app: a bank as JSON (the command line's contract) or as an Excel table
that imports back as it is, the drawn list with codes, results and the item analysis."""

from __future__ import annotations

from typing import IO

from fazhi.core.xlsx import write_table
from fazhi.exams.models import ExamineeRole, QuestionType
from fazhi.exams.questionparts import LETTERS

LEVEL_LABELS = {"easy": "易", "medium": "中", "hard": "难"}
ROLE_LABELS = dict(ExamineeRole.choices)


def question_json(question) -> dict:
    return {
        "type": question.kind,
        "stem": question.stem,
        "options": list(question.options),
        "answer": list(question.answer),
        "explanation": question.explanation,
        "basis": question.basis,
        "category": question.category,
        "difficulty": question.difficulty,
    }


def bank_json(questions) -> list[dict]:
    return [question_json(q) for q in questions]


def write_bank_xlsx(stream: IO[bytes], bank, questions) -> None:
    questions = list(questions)
    width = max([len(q.options) for q in questions] + [4])
    headers = ["序号", "题型", "题干"] + [f"选项{LETTERS[i]}" for i in range(width)]
    headers += ["答案", "解析", "法律依据", "分类", "难度", "适用对象", "生效日期", "停用日期"]
    rows = (
        [index, QuestionType(q.kind).label, q.stem]
        + [q.options[i] if i < len(q.options) else "" for i in range(width)]
        + [
            "；".join(q.answer)
            if q.kind == "blank"
            else "".join(q.answer)
            if q.kind in ("single", "multiple")
            else "\n".join(q.answer),
            q.explanation,
            q.basis,
            q.category,
            LEVEL_LABELS.get(q.difficulty, ""),
            "、".join(ROLE_LABELS.get(r, r) for r in q.roles),
            q.valid_from.isoformat() if q.valid_from else "",
            q.valid_to.isoformat() if q.valid_to else "",
        ]
        for index, q in enumerate(questions, start=1)
    )
    write_table(
        stream,
        title=bank.name,
        headers=headers,
        rows=rows,
        widths=[6, 8, 50] + [18] * width + [8, 30, 24, 16, 6, 16, 12, 12],
    )


def write_codes_xlsx(stream: IO[bytes], exam, people, url_of) -> None:
    write_table(
        stream,
        title="抽考名单",
        headers=["序号", "姓名", "单位", "人员类别", "考试码", "答题地址", "抽取批次种子"],
        rows=(
            [
                i,
                p.name,
                p.unit_label,
                p.get_role_display(),
                p.code,
                url_of(p.code),
                p.draw.seed if p.draw else "",
            ]
            for i, p in enumerate(people, start=1)
        ),
        widths=[6, 10, 28, 12, 12, 44, 14],
    )


def write_results_xlsx(stream: IO[bytes], exam, results) -> None:
    def row(index, person, sitting):
        status = sitting.get_status_display() if sitting else "未参加"
        score = float(sitting.score) if sitting and sitting.score is not None else ""
        passed = (
            ""
            if not sitting or sitting.passed is None
            else ("合格" if sitting.passed else "不合格")
        )
        return [
            index,
            person.name,
            person.unit_label,
            person.get_role_display(),
            status,
            score,
            passed,
            sitting.page_switches if sitting else "",
            "是" if sitting and sitting.auto_submitted else "",
        ]

    write_table(
        stream,
        title="测试成绩",
        headers=[
            "序号",
            "姓名",
            "单位",
            "人员类别",
            "状态",
            "得分",
            "是否合格",
            "切出页面次数",
            "到时自动交卷",
        ],
        rows=(row(i, p, s) for i, (p, s) in enumerate(results.rows, start=1)),
        widths=[6, 10, 28, 12, 8, 8, 8, 12, 12],
    )


def write_items_xlsx(stream: IO[bytes], stats) -> None:
    write_table(
        stream,
        title="试题分析",
        headers=["题型", "题干", "分类", "难度", "作答人数", "难度系数", "区分度", "提示"],
        rows=(
            [
                QuestionType(s.question.kind).label,
                s.question.stem,
                s.question.category,
                LEVEL_LABELS.get(s.question.difficulty, ""),
                s.answered,
                s.difficulty,
                "" if s.discrimination is None else s.discrimination,
                s.flag,
            ]
            for s in stats
        ),
        widths=[8, 60, 16, 6, 8, 8, 8, 10],
    )
