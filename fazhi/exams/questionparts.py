"""Reading the parts of a question as house styles write them: the type (单项选择题, 多选, …),
options in one cell or line (`A.` `A、` `A:` `（A）` markers, or one option per line), answers
(`B`, `ABD`, `A,B,D`, 正确/错误/对/错/√/×/T/F), difficulty as words or 1–3, and the check that a
question is whole (an answer, options the answer names, 多选 with more than one answer)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

LETTERS = "ABCDEFGH"
MAX_OPTIONS = 8

TYPE_WORDS = (
    ("multiple", ("多项选择", "多选", "不定项")),
    ("single", ("单项选择", "单选", "选择")),
    ("judge", ("判断", "是非", "正误")),
    ("blank", ("填空",)),
    ("essay", ("简答", "问答", "论述", "案例分析", "案例", "主观")),
)
TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "judge": "判断题",
    "blank": "填空题",
    "essay": "简答题",
}
TRUE_WORDS = {"正确", "对", "√", "✓", "✔", "T", "TRUE", "是", "Y", "YES", "V"}
FALSE_WORDS = {"错误", "错", "×", "✗", "✘", "X", "F", "FALSE", "否", "N", "NO"}
DIFFICULTY_WORDS = {
    "easy": ("易", "容易", "简单", "低", "1", "较易", "一星"),
    "medium": ("中", "中等", "一般", "适中", "2", "较难", "二星"),
    "hard": ("难", "困难", "高", "3", "三星"),
}
ROLE_WORDS = {
    "leader": ("领导干部", "领导", "县级干部", "干部"),
    "civil": ("公务员", "机关工作人员", "工作人员"),
    "enforcer": ("行政执法人员", "执法人员", "执法"),
}

# An option marker: a letter with its punctuation at the start or after a space/line break.
_MARKER = re.compile(r"(?:^|(?<=[\s　]))[（(]?([A-Ha-h])[)）]?\s*[.．、:：)）]\s*", re.M)
_BARE_MARKER = re.compile(r"(?:^|(?<=[\s　]))[（(]([A-Ha-h])[)）]\s*", re.M)
_ANSWER_SPLIT = re.compile(r"[\s,，、;；/|]+")


def clean(text) -> str:
    """A cell or line as text, stripped; written characters kept (full-width punctuation stays)."""
    return str(text).strip() if text is not None else ""


def norm(text) -> str:
    """For reading codes (letters, 对/错, 1–3): full-width letters and marks made plain."""
    return unicodedata.normalize("NFKC", clean(text))


def type_of(text: str) -> str | None:
    text = norm(text)
    if text in TYPE_LABELS:
        return text
    for kind, words in TYPE_WORDS:
        if any(word in text for word in words):
            return kind
    return None


def difficulty_of(text: str) -> str | None:
    """None when the cell says something we cannot read; "" when it is empty."""
    text = norm(text).replace("题", "")
    if not text:
        return ""
    if text in DIFFICULTY_WORDS:
        return text
    for level, words in DIFFICULTY_WORDS.items():
        if text in words:
            return level
    return None


def roles_of(text: str) -> list[str]:
    text = clean(text)
    found = []
    for role, words in ROLE_WORDS.items():
        if any(word in text for word in words):
            found.append(role)
    return found


def split_options(text: str) -> list[str]:
    """`A.甲 B.乙` or one option per line → ["甲", "乙"]. Markers must run A, B, C … in order;
    without markers each line is an option."""
    text = clean(text)
    if not text:
        return []
    for pattern in (_MARKER, _BARE_MARKER):
        marks = _in_order(list(pattern.finditer(text)))
        if len(marks) >= 2:
            return [
                text[mark.end() : (marks[i + 1].start() if i + 1 < len(marks) else len(text))]
                .strip()
                .rstrip("；;")
                .strip()
                for i, mark in enumerate(marks)
            ]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines if len(lines) >= 2 else [text]


def _in_order(matches: list[re.Match]) -> list[re.Match]:
    """The markers A, B, C … in sequence, skipping letters inside option texts (`A级`)."""
    chosen = []
    for match in matches:
        if match.group(1).upper() == LETTERS[len(chosen)]:
            chosen.append(match)
            if len(chosen) == MAX_OPTIONS:
                break
    return chosen


def judge_value(text: str) -> str | None:
    word = norm(text).upper().strip("()。. ")
    if word in TRUE_WORDS:
        return "正确"
    if word in FALSE_WORDS:
        return "错误"
    return None


def letters_of(text: str) -> list[str] | None:
    """`B`, `ABD`, `A,B,D`, `A、B` → letters; None when it is not letters at all."""
    text = norm(text).upper().replace("答案", "").strip(":() 。.")
    if not text:
        return []
    parts = [part for part in _ANSWER_SPLIT.split(text) if part]
    letters: list[str] = []
    for part in parts:
        if not re.fullmatch(r"[A-H]+", part):
            return None
        letters.extend(part)
    return sorted(dict.fromkeys(letters))


def blanks_of(text: str) -> list[str]:
    text = clean(text)
    return [part.strip() for part in re.split(r"[;；|｜\n]+", text) if part.strip()]


@dataclass
class ReadQuestion:
    """A question as read, with where it came from (第 N 行 / 第 N 段) for every message."""

    where: str
    kind: str = ""
    stem: str = ""
    options: list[str] = field(default_factory=list)
    answer_text: str = ""
    answer: list[str] = field(default_factory=list)
    explanation: str = ""
    basis: str = ""
    category: str = ""
    difficulty: str = "medium"
    roles: list[str] = field(default_factory=list)
    valid_from: str | None = None
    valid_to: str | None = None

    def as_json(self) -> dict:
        return {
            "where": self.where,
            "type": self.kind,
            "stem": self.stem,
            "options": self.options,
            "answer": self.answer,
            "explanation": self.explanation,
            "basis": self.basis,
            "category": self.category,
            "difficulty": self.difficulty,
            "roles": self.roles,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }


def settle(question: ReadQuestion) -> list[str]:
    """Work out the type where the file leaves it to the answer, read the answer, and say
    everything wrong with the question (each message names its row or paragraph)."""
    where = question.where
    question.stem = question.stem.strip()
    problems = []
    if not question.stem:
        problems.append(f"{where}：题干为空")
    raw = question.answer_text.strip()
    kind = question.kind or _guess_kind(question, raw)
    question.kind = kind
    if not kind:
        return [*problems, f"{where}：无法判断题型，请填写“题型”（单选、多选、判断、填空、简答）"]
    if not raw:
        return [*problems, f"{where}：缺少答案"]
    if kind == "judge":
        value = judge_value(raw)
        letters = letters_of(raw) if value is None else None
        if letters and len(letters) == 1 and LETTERS.index(letters[0]) < len(question.options):
            value = judge_value(question.options[LETTERS.index(letters[0])])
        if value is None:
            problems.append(f"{where}：判断题的答案“{raw}”应为 正确/错误、对/错、√/×、T/F")
        question.answer = [value] if value else []
        question.options = []
        return problems
    if kind in ("blank", "essay"):
        question.answer = blanks_of(raw) if kind == "blank" else [raw]
        question.options = []
        return problems
    return problems + _settle_choice(question, raw)


def _settle_choice(question: ReadQuestion, raw: str) -> list[str]:
    where, label = question.where, TYPE_LABELS[question.kind]
    letters = letters_of(raw)
    if letters is None:
        return [f"{where}：{label}的答案“{raw}”应为选项字母，如 B、ABD 或 A,B,D"]
    problems = []
    count = len(question.options)
    if count < 2:
        problems.append(f"{where}：{label}至少需要两个选项，读到 {count} 个")
    missing = [letter for letter in letters if LETTERS.index(letter) >= count]
    if missing and count >= 2:
        problems.append(
            f"{where}：答案“{raw}”中的 {'、'.join(missing)} 不是选项（只有 A–{LETTERS[count - 1]}）"
        )
    if question.kind == "single" and len(letters) > 1:
        problems.append(f"{where}：单选题只能有一个答案，读到“{raw}”")
    if question.kind == "multiple" and len(letters) < 2:
        problems.append(f"{where}：多选题至少应有两个正确答案，读到“{raw}”")
    empty = [LETTERS[i] for i, text in enumerate(question.options) if not text]
    if empty:
        problems.append(f"{where}：选项 {'、'.join(empty)} 为空")
    question.answer = letters
    return problems


def _guess_kind(question: ReadQuestion, raw: str) -> str:
    if question.options:
        letters = letters_of(raw)
        if letters:
            return "multiple" if len(letters) > 1 else "single"
    if judge_value(raw) and not question.options and len(clean(raw)) <= 5:
        return "judge"
    return ""
