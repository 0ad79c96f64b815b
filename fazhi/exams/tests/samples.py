"""Question banks written the ways counties write them, made in the tests: three Excel house
styles, two Word house styles, and the broken ones. Each good bank holds the same ten questions
so that every layout can be checked against one answer key (`KEY`)."""

from __future__ import annotations

import io

from docx import Document
from openpyxl import Workbook

# (type, stem, options, answer as the key expects, category, difficulty)
QUESTIONS = [
    (
        "single",
        "违法行为在几年内未被发现的，不再给予行政处罚？",
        ["一年", "二年", "三年", "五年"],
        ["B"],
        "行政处罚法",
        "easy",
    ),
    (
        "single",
        "行政复议机关应当自受理申请之日起多少日内作出决定？",
        ["三十日", "六十日", "九十日"],
        ["B"],
        "行政复议法",
        "medium",
    ),
    (
        "single",
        "设定行政许可应当遵循的原则不包括（ ）。",
        ["公开", "公平", "公正", "有偿", "便民"],
        ["D"],
        "行政许可法",
        "hard",
    ),
    (
        "multiple",
        "行政处罚的种类包括（ ）。",
        ["警告", "罚款", "没收违法所得", "记过"],
        ["A", "B", "C"],
        "行政处罚法",
        "easy",
    ),
    (
        "multiple",
        "重大行政决策的法定程序包括（ ）。",
        ["公众参与", "专家论证", "风险评估", "合法性审查", "集体讨论决定", "领导个人决定"],
        ["A", "B", "C", "D", "E"],
        "重大行政决策程序暂行条例",
        "hard",
    ),
    ("judge", "规章可以设定行政拘留。", [], ["错误"], "行政处罚法", "easy"),
    ("judge", "行政机关负责人应当依法出庭应诉。", [], ["正确"], "行政诉讼法", "medium"),
    (
        "judge",
        "政府信息公开应当坚持以公开为常态、不公开为例外。",
        [],
        ["正确"],
        "政府信息公开条例",
        "easy",
    ),
    (
        "blank",
        "公民、法人或者其他组织认为行政行为侵犯其合法权益，可以自知道之日起____日内提出行政复议申请。",
        [],
        ["六十"],
        "行政复议法",
        "medium",
    ),
    (
        "essay",
        "简述行政执法“三项制度”的内容。",
        [],
        ["行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度"],
        "行政执法",
        "hard",
    ),
]
KEY = [(kind, stem, options, answer) for kind, stem, options, answer, _, _ in QUESTIONS]
LEVEL_WORDS = {"easy": "易", "medium": "中", "hard": "难"}
LEVEL_DIGITS = {"easy": 1, "medium": 2, "hard": 3}
TYPE_WORDS = {
    "single": "单选题",
    "multiple": "多选题",
    "judge": "判断题",
    "blank": "填空题",
    "essay": "简答题",
}


def _xlsx(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _docx(lines: list[str]) -> bytes:
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def excel_columns() -> bytes:
    """市南区 style: a title row, 选项A…选项F in columns, answers `A,B,C`, 对/错, words for
    difficulty."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2025年度学法考法题库"])
    sheet.append(
        [
            "序号",
            "题型",
            "题干",
            "选项A",
            "选项B",
            "选项C",
            "选项D",
            "选项E",
            "选项F",
            "正确答案",
            "答案解析",
            "所属法规",
            "难度",
        ]
    )
    judge = {"正确": "对", "错误": "错"}
    for n, (kind, stem, options, answer, category, level) in enumerate(QUESTIONS, 1):
        if kind == "judge":
            text = judge[answer[0]]
        elif kind in ("single", "multiple"):
            text = ",".join(answer)
        else:
            text = answer[0]
        padded = options + [""] * (6 - len(options))
        sheet.append(
            [n, TYPE_WORDS[kind], stem, *padded, text, f"解析{n}", category, LEVEL_WORDS[level]]
        )
    return _xlsx(book)


def excel_one_cell() -> bytes:
    """A sheet per type, no type column: options in one cell with line breaks and `A、` markers,
    answers `ABC` and √/×, difficulty 1–3, 题目/答案/分类."""
    book = Workbook()
    book.remove(book.active)
    for kind in ("single", "multiple", "judge", "blank", "essay"):
        sheet = book.create_sheet(TYPE_WORDS[kind])
        sheet.append(["题目", "选项", "答案", "解析", "分类", "难度"])
        for k, stem, options, answer, category, level in QUESTIONS:
            if k != kind:
                continue
            cell = "\n".join(f"{'ABCDEF'[i]}、{o}" for i, o in enumerate(options))
            text = {"正确": "√", "错误": "×"}.get(answer[0]) if kind == "judge" else "".join(answer)
            sheet.append([stem, cell, text, "", category, LEVEL_DIGITS[level]])
    return _xlsx(book)


def excel_markers_one_line() -> bytes:
    """试题内容/题目类型/参考答案: all options on one line with `A:` markers, answers `A、B、C`,
    T/F for 判断, 单项选择题 words, a heading row inside the table."""
    book = Workbook()
    sheet = book.active
    sheet.append(["题目类型", "试题内容", "备选项", "参考答案", "法律依据", "所属法规", "难易程度"])
    words = {
        "single": "单项选择题",
        "multiple": "多项选择题",
        "judge": "判断题",
        "blank": "填空题",
        "essay": "问答题",
    }
    for kind, stem, options, answer, category, level in QUESTIONS:
        cell = "  ".join(f"{'ABCDEF'[i]}:{o}" for i, o in enumerate(options))
        text = (
            {"正确": "T", "错误": "F"}.get(answer[0])
            if kind == "judge"
            else "、".join(answer)
            if kind == "multiple"
            else answer[0]
        )
        sheet.append(
            [
                words[kind],
                stem,
                cell,
                text,
                "第三十六条",
                category,
                {"easy": "简单", "medium": "中等", "hard": "困难"}[level],
            ]
        )
    return _xlsx(book)


def _choice_lines(options: list[str], *, one_line: bool, mark: str) -> list[str]:
    parts = [f"{'ABCDEF'[i]}{mark}{o}" for i, o in enumerate(options)]
    return ["    ".join(parts)] if one_line else parts


def word_sections() -> bytes:
    """Sections `一、单选题`, `1.` numbering restarting in each, options on their own lines,
    `答案：B`, `解析：`, `难度：`, `分类：`."""
    lines = ["2025年法治能力测试题库", ""]
    for index, kind in enumerate(("single", "multiple", "judge", "blank", "essay")):
        lines.append(f"{'一二三四五'[index]}、{TYPE_WORDS[kind]}（每题1分）")
        number = 0
        for k, stem, options, answer, category, level in QUESTIONS:
            if k != kind:
                continue
            number += 1
            lines.append(f"{number}. {stem}")
            lines += _choice_lines(options, one_line=False, mark=".")
            lines.append(f"答案：{''.join(answer) if kind != 'blank' else answer[0]}")
            lines.append("解析：略。")
            lines.append(f"难度：{LEVEL_WORDS[level]}")
            lines.append(f"分类：{category}")
    return _docx(lines)


def word_brackets() -> bytes:
    """`第N题` numbering running through, options on one line, `【答案】` and `【解析】` on one
    line, 判断 answers in the stem's brackets."""
    lines = ["学法考法试题", "一、单项选择题"]
    number = 0
    heads = {
        "multiple": "二、多项选择题",
        "judge": "三、判断题",
        "blank": "四、填空题",
        "essay": "五、简答题",
    }
    for kind, stem, options, answer, category, _level in QUESTIONS:
        if kind in heads:
            lines.append(heads.pop(kind))
        number += 1
        if kind == "judge":
            lines.append(f"第{number}题、{stem}（{'√' if answer[0] == '正确' else '×'}）")
            continue
        lines.append(f"第{number}题、{stem}")
        lines += _choice_lines(options, one_line=True, mark="、")
        lines.append(f"【答案】{''.join(answer)}【解析】依据《{category}》。")
    return _docx(lines)


def excel_broken() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["题型", "题干", "选项A", "选项B", "选项C", "答案"])
    sheet.append(["单选", "没有答案的题", "甲", "乙", "丙", ""])  # row 2
    sheet.append(["单选", "答案不在选项里", "甲", "乙", "丙", "E"])  # row 3
    sheet.append(["多选", "多选只有一个答案", "甲", "乙", "丙", "B"])  # row 4
    sheet.append(["单选", "", "甲", "乙", "丙", "A"])  # row 5
    sheet.append(["单选", "好题", "甲", "乙", "丙", "A"])  # row 6
    return _xlsx(book)


def word_broken_numbering() -> bytes:
    return _docx(
        [
            "一、单选题",
            "1. 第一题（ ）",
            "A. 甲",
            "B. 乙",
            "答案：A",
            "3. 第三题跳过了第二题（ ）",
            "A. 甲",
            "B. 乙",
            "答案：B",
        ]
    )
