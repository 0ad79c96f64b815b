"""Reading a question bank written as a Word document: sections (`一、单选题`), numbered
questions (`1.` / `1、` / `第1题`) with their options on lines of their own or several on one
line, and labelled parts (`答案：B`, `【答案】B`, `解析：`, `【法律依据】`, `难度：`, `分类：`), or the
answer written in the stem's brackets (`（ B ）`). Numbering that skips or repeats is a problem
named by paragraph; a question's lines run on until the next number."""

from __future__ import annotations

import re

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
from fazhi.plans.planreading import paragraph

_SECTION = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*(.+)$")
_SUBHEADING = re.compile(r"^[（(][一二三四五六七八九十]+[)）]\s*(.+)$")
_NUMBER = re.compile(r"^(?:第\s*(\d{1,4})\s*题[.．、:：]?|(\d{1,4})\s*[.．、]\s*(?!\d))\s*(.*)$")
_OPTION_START = re.compile(r"^[（(]?([A-Ha-h])[)）]?\s*[.．、:：)）]|^[（(]([A-Ha-h])[)）]")
_LABELS = {
    "answer": ("参考答案", "正确答案", "标准答案", "答案"),
    "explanation": ("答案解析", "试题解析", "解析"),
    "basis": ("法律依据", "法规依据", "依据", "出处"),
    "difficulty": ("难度",),
    "category": ("所属法规", "分类", "类别"),
    "roles": ("适用对象",),
}
_LABEL_WORDS = "|".join(sorted((w for ws in _LABELS.values() for w in ws), key=len, reverse=True))
_LABEL = re.compile(
    rf"[【\[]\s*({_LABEL_WORDS})\s*[】\]]\s*[:：]?|(?:^|(?<=\s))({_LABEL_WORDS})\s*[:：]"
)
_IN_BRACKETS = re.compile(r"[（(]\s*([A-Ha-h]{1,8}|√|×|✓|✗|对|错|正确|错误)\s*[)）]")
_LAW = re.compile(r"《([^》]{2,60})》")


def read_question_lines(lines: list[str]) -> tuple[list[ReadQuestion], list[str]]:
    reader = _Reader()
    for number, line in enumerate(lines, start=1):
        text = clean(line)
        if text:
            reader.take(number, text)
    reader._close()
    if not reader.questions and not reader.problems:
        reader.problems.append("文档中没有读到编号的试题（如“1. 题干”或“1、题干”）")
    return reader.questions, reader.problems


class _Reader:
    def __init__(self):
        self.questions: list[ReadQuestion] = []
        self.problems: list[str] = []
        self.section = ""
        self.category = ""
        self.current: ReadQuestion | None = None
        self.field = "stem"
        self.last_number = 0
        self.restart_allowed = True

    def take(self, number: int, text: str) -> None:
        where = paragraph(number)
        if self._heading(text):
            return
        numbered = _NUMBER.match(text)
        if numbered and not (self.current and self.field == "stem" and _OPTION_START.match(text)):
            self._start(where, int(numbered.group(1) or numbered.group(2)), numbered.group(3))
            return
        if self.current is None:
            return  # a title or introduction before the first question
        if self._labels(text):
            return
        if self.field in ("stem", "options") and _OPTION_START.match(text):
            self._options(text, where)
            return
        self._continue(text)

    def _heading(self, text: str) -> bool:
        match = _SECTION.match(text) or (
            _SUBHEADING.match(text) if self.current is None or self.field != "stem" else None
        )
        if match is None:
            if len(text) <= 12 and type_of(text) and text.endswith("题"):
                self._close()
                self.section, self.restart_allowed = type_of(text), True
                return True
            return False
        body = match.group(1)
        kind = type_of(body)
        if kind and len(body) <= 40:
            self._close()
            self.section, self.restart_allowed = kind, True
            return True
        law = _LAW.search(body)
        if law and len(body) <= 60:
            self._close()
            self.category, self.restart_allowed = law.group(1), True
            return True
        return False

    def _start(self, where: str, number: int, body: str) -> None:
        self._close()
        expected = self.last_number + 1
        if number != expected and not (number == 1 and self.restart_allowed):
            self.problems.append(
                f"{where}：题号 {number} 接在第 {self.last_number} 题之后，编号不连续"
                f"（应为 {expected}），请检查是否漏题或重复"
            )
        self.last_number, self.restart_allowed = number, False
        self.current = ReadQuestion(where=where, kind=self.section, category=self.category)
        self.field = "stem"
        rest = self._labels(body, inline=True)
        self.current.stem = rest
        # Options written on the stem's own line: `…（ ）A.甲 B.乙`
        marks = list(re.finditer(r"(?<=[\s）)])A\s*[.．、:：]", rest))
        if marks:
            start = marks[0].start()
            options = split_options(rest[start:])
            if len(options) >= 2:
                self.current.stem = rest[:start].strip()
                self.current.options = options
                self.field = "options"

    def _labels(self, text: str, *, inline: bool = False):
        """Take `答案：B 解析：…` parts; returns the text before the first label when inline,
        else whether the line held a label."""
        marks = list(_LABEL.finditer(text))
        if not marks or (not inline and marks[0].start() != 0):
            return text if inline else False
        for i, mark in enumerate(marks):
            word = mark.group(1) or mark.group(2)
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            self._set(next(k for k, ws in _LABELS.items() if word in ws), text[mark.end() : end])
        return text[: marks[0].start()].strip() if inline else True

    def _set(self, name: str, value: str) -> None:
        question, value = self.current, value.strip()
        self.field = name
        if name == "answer":
            question.answer_text = value
        elif name == "difficulty":
            level = difficulty_of(value)
            if level is None:
                self.problems.append(
                    f"{question.where} 所在试题：难度“{value}”无法识别（易/中/难 或 1–3）"
                )
            question.difficulty = level or "medium"
        elif name == "roles":
            question.roles = roles_of(value)
        else:
            setattr(question, name, value)

    def _options(self, text: str, where: str) -> None:
        question = self.current
        letter = (_OPTION_START.match(text).group(1) or _OPTION_START.match(text).group(2)).upper()
        expected = LETTERS[len(question.options)] if len(question.options) < len(LETTERS) else "?"
        if letter != expected:
            self.problems.append(f"{where}：选项应为 {expected}，读到 {letter}")
        parts = _split_from(text, letter)
        question.options.extend(parts)
        self.field = "options"

    def _continue(self, text: str) -> None:
        question = self.current
        if self.field == "stem":
            question.stem = f"{question.stem}\n{text}" if question.stem else text
        elif self.field == "options" and question.options:
            question.options[-1] = f"{question.options[-1]}{text}"
        elif self.field in ("answer", "explanation", "basis", "category"):
            attr = "answer_text" if self.field == "answer" else self.field
            setattr(question, attr, f"{getattr(question, attr)}\n{text}".strip())

    def _close(self) -> None:
        question, self.current = self.current, None
        if question is None:
            return
        if not question.answer_text:
            _answer_from_brackets(question)
        self.problems.extend(settle(question))
        self.questions.append(question)


def _split_from(text: str, letter: str) -> list[str]:
    """Options on one line starting at `letter` (C.丙 D.丁)."""
    offset = LETTERS.index(letter)
    pattern = re.compile(r"(?:^|(?<=[\s　]))[（(]?([A-Ha-h])[)）]?\s*[.．、:：)）]\s*")
    marks, want = [], offset
    for match in pattern.finditer(text):
        if want < len(LETTERS) and match.group(1).upper() == LETTERS[want]:
            marks.append(match)
            want += 1
    return [
        text[m.end() : (marks[i + 1].start() if i + 1 < len(marks) else len(text))].strip()
        for i, m in enumerate(marks)
    ] or [text]


def _answer_from_brackets(question: ReadQuestion) -> None:
    """`下列……的是（ B ）。` — the answer in the stem's brackets; the brackets are left empty."""
    found = list(_IN_BRACKETS.finditer(question.stem))
    if len(found) != 1:
        return
    match = found[0]
    question.answer_text = match.group(1)
    before, after = question.stem[: match.start()], question.stem[match.end() :]
    if not after.strip() and before.rstrip().endswith(("。", "？", "！")):
        question.stem = before.rstrip()  # `……。（√）`: the brackets only held the answer
    else:
        question.stem = f"{before}（  ）{after}"
