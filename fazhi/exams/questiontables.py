"""Reading a question bank kept in Excel, through the shared table reader. Columns are found by
meaning (题型/题目类型, 题干/题目/试题内容, 选项A…选项F or one 选项 cell, 答案/正确答案, 解析,
难度, 分类/所属法规 …), a title above the header is skipped, a type merged down its rows or
given as a heading row (`一、单选题`) or as the sheet's name (a sheet per type) is understood.
Reading is pure: every problem names its sheet and row."""

from __future__ import annotations

import re
from datetime import date

from fazhi.campaigns.tasklists_reading import best_column, merged_value, text_of
from fazhi.core.spreadsheets import HEADER_SCAN_ROWS, GridWorkbook, SheetGrid, normalise_header
from fazhi.exams.questionparts import (
    LETTERS,
    ReadQuestion,
    clean,
    difficulty_of,
    roles_of,
    settle,
    split_options,
    type_of,
)

ALIASES: dict[str, tuple[str, ...]] = {
    "type": ("题型", "题目类型", "试题类型", "题类", "类型"),
    "explanation": ("解析", "答案解析", "试题解析", "解题思路", "答题解析"),
    "answer": ("答案", "正确答案", "参考答案", "标准答案"),
    "stem": ("题干", "题目", "试题内容", "题目内容", "试题", "问题", "题目名称", "内容"),
    "options": ("选项", "备选项", "选项内容", "答案选项", "备选答案"),
    "basis": ("法律依据", "依据", "出处", "法条", "政策依据", "法规依据"),
    "category": (
        "分类",
        "所属法规",
        "法规名称",
        "所属分类",
        "类别",
        "知识点",
        "法律法规",
        "章节",
        "所属法律",
    ),
    "difficulty": ("难度", "难易程度", "难度等级", "难易度"),
    "roles": ("适用对象", "适用人员", "适用范围", "适用岗位", "考试对象"),
    "valid_from": ("生效日期", "启用日期", "有效期起", "生效时间"),
    "valid_to": ("失效日期", "停用日期", "有效期至", "失效时间"),
}
_OPTION_HEADER = re.compile(r"^(?:选项)?([A-Ha-h])(?:选项|项)?$")
_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})")


def read_question_table(book: GridWorkbook) -> tuple[list[ReadQuestion], list[str]]:
    """Every sheet with a question header; a workbook with none is one problem."""
    questions: list[ReadQuestion] = []
    problems: list[str] = []
    several = len(book.sheets) > 1
    for sheet in book.sheets:
        header = _find_header(sheet)
        if header is None:
            continue
        row, columns, option_columns = header
        prefix = f"工作表“{sheet.name}”" if several else ""
        _read_rows(sheet, row, columns, option_columns, prefix, questions, problems)
    if not questions and not problems:
        problems.append(
            "没有找到试题表头：需要“题干”（或“题目”“试题内容”）和“答案”（或“正确答案”）两列"
        )
    return questions, problems


def _find_header(sheet: SheetGrid):
    last = min(HEADER_SCAN_ROWS, sheet.row_count)
    width = max((len(values) for values in sheet.rows[:last]), default=0)
    for row in range(1, last + 1):
        texts = {col: normalise_header(sheet.value(row, col)) for col in range(1, width + 1)}
        option_columns = _option_columns(texts)
        used = set(option_columns.values())
        columns: dict[str, int] = {}
        for name, aliases in ALIASES.items():
            column = best_column(texts, aliases, used | set(columns.values()), exact=False)
            if column:
                columns[name] = column
        if "stem" in columns and "answer" in columns:
            return row, columns, option_columns
    return None


def _option_columns(texts: dict[int, str]) -> dict[str, int]:
    found = {}
    for col, text in texts.items():
        match = _OPTION_HEADER.match(text or "")
        if match and match.group(1).upper() not in found:
            found[match.group(1).upper()] = col
    # Only a run from A counts: a lone "A" column is something else.
    run = {}
    for letter in LETTERS:
        if letter not in found:
            break
        run[letter] = found[letter]
    return run if len(run) >= 2 else {}


def _read_rows(sheet, header_row, columns, option_columns, prefix, questions, problems):
    section = type_of(sheet.name) if "type" not in columns else None

    def cell(row: int, name: str) -> str:
        col = columns.get(name)
        return clean(text_of(merged_value(sheet, row, col))) if col else ""

    for row in range(header_row + 1, sheet.row_count + 1):
        values = [clean(text_of(v)) for v in sheet.rows[row - 1]] if row <= len(sheet.rows) else []
        filled = [v for v in values if v]
        if not filled:
            continue
        if (
            len(filled) == 1
            and len(filled[0]) <= 20
            and type_of(filled[0])
            and not cell(row, "answer")
        ):
            section = type_of(filled[0])  # a heading row: 一、单项选择题
            continue
        where = f"{prefix}第 {row} 行"
        question = ReadQuestion(where=where)
        row_problems = []
        type_text = cell(row, "type")
        if type_text:
            question.kind = type_of(type_text) or ""
            if not question.kind:
                row_problems.append(
                    f"{where}：题型“{type_text}”无法识别（单选、多选、判断、填空、简答）"
                )
        else:
            question.kind = section or ""
        question.stem = cell(row, "stem")
        if option_columns:
            texts = [cell_text(sheet, row, col) for col in option_columns.values()]
            while texts and not texts[-1]:
                texts.pop()
            question.options = texts
        elif "options" in columns:
            question.options = split_options(cell(row, "options"))
        question.answer_text = cell(row, "answer")
        question.explanation = cell(row, "explanation")
        question.basis = cell(row, "basis")
        question.category = cell(row, "category")
        question.roles = roles_of(cell(row, "roles"))
        level_text = cell(row, "difficulty")
        level = difficulty_of(level_text)
        if level is None:
            row_problems.append(f"{where}：难度“{level_text}”无法识别（易/中/难 或 1–3）")
        question.difficulty = level or "medium"
        for name in ("valid_from", "valid_to"):
            text = cell(row, name)
            if text:
                day = _date(text)
                if day is None:
                    row_problems.append(f"{where}：日期“{text}”无法识别")
                setattr(question, name, day.isoformat() if day else None)
        problems.extend(row_problems)
        problems.extend(settle(question))
        questions.append(question)


def cell_text(sheet: SheetGrid, row: int, col: int) -> str:
    return clean(text_of(sheet.value(row, col)))


def _date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
