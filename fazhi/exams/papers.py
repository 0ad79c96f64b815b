"""Drawing papers from a bank by a blueprint, reproducibly. The composition depends only on the
questions, the blueprint and the seed, so every examinee of a role answers the same questions;
the order of the questions (within each type) and of each choice question's options depends on
the seed and the examinee too, so neighbours see them in different orders. A fixed paper keeps
the bank's order for everyone."""

from __future__ import annotations

import random
from dataclasses import dataclass

from fazhi.exams.models import CHOICE_TYPES, TYPE_ORDER, QuestionType

TYPE_NAMES = {
    "single": "single",
    "单选": "single",
    "multiple": "multiple",
    "多选": "multiple",
    "judge": "judge",
    "判断": "judge",
    "blank": "blank",
    "填空": "blank",
    "essay": "essay",
    "简答": "essay",
}
LEVELS = {
    "easy": "easy",
    "易": "easy",
    "medium": "medium",
    "中": "medium",
    "hard": "hard",
    "难": "hard",
}


class BlueprintError(ValueError):
    """A blueprint that cannot be read or cannot be filled from the bank; the message says why."""


@dataclass(frozen=True)
class Rule:
    kind: str
    count: int
    category: str = ""
    difficulty: str = ""

    def label(self) -> str:
        parts = [
            QuestionType(self.kind).label,
            self.category,
            dict(easy="易", medium="中", hard="难").get(self.difficulty, ""),
        ]
        return "·".join(p for p in parts if p)


def parse_blueprint(text: str) -> list[Rule]:
    """`single:20,multiple:10,judge:10`; a rule may narrow to a category and a difficulty:
    `single/行政处罚法/hard:5` (`*` for any)."""
    rules = []
    for part in (p.strip() for p in text.replace("，", ",").split(",")):
        if not part:
            continue
        spec, sep, count = part.rpartition(":")
        if not sep or not count.strip().isdigit() or int(count) <= 0:
            raise BlueprintError(f"组卷规则“{part}”应写成 题型:数量，如 single:20")
        kind, *narrow = [p.strip() for p in spec.split("/")]
        if kind not in TYPE_NAMES:
            raise BlueprintError(
                f"组卷规则“{part}”的题型应为 single、multiple、judge、blank、essay 之一"
            )
        category = narrow[0] if narrow and narrow[0] != "*" else ""
        level = narrow[1] if len(narrow) > 1 and narrow[1] != "*" else ""
        if level and level not in LEVELS:
            raise BlueprintError(f"组卷规则“{part}”的难度应为 easy、medium、hard（或 易、中、难）")
        rules.append(Rule(TYPE_NAMES[kind], int(count), category, LEVELS.get(level, "")))
    if not rules:
        raise BlueprintError("组卷规则为空，请至少写一条，如 single:20")
    return rules


def rules_from_json(rows: list[dict]) -> list[Rule]:
    return [
        Rule(r["type"], int(r["count"]), r.get("category", ""), r.get("difficulty", ""))
        for r in rows
    ]


def rules_to_json(rules: list[Rule]) -> list[dict]:
    return [
        {"type": r.kind, "count": r.count, "category": r.category, "difficulty": r.difficulty}
        for r in rules
    ]


def compose(questions: list, rules: list[Rule], seed: str) -> list:
    """The questions of the paper: each rule draws its count from the questions that fit it and
    that no earlier rule took. `questions` are in a stable order (the bank's)."""
    rng = random.Random(f"compose:{seed}")
    taken: set[int] = set()
    chosen = []
    for rule in rules:
        pool = [
            q
            for q in questions
            if q.pk not in taken
            and q.kind == rule.kind
            and (not rule.category or q.category == rule.category)
            and (not rule.difficulty or q.difficulty == rule.difficulty)
        ]
        if len(pool) < rule.count:
            raise BlueprintError(
                f"组卷规则“{rule.label()} {rule.count} 题”：题库中只有 {len(pool)} 道符合条件的题"
            )
        picked = rng.sample(pool, rule.count)
        taken.update(q.pk for q in picked)
        chosen.extend(picked)
    return sorted(chosen, key=lambda q: (TYPE_ORDER[q.kind], q.position, q.pk))


def arrange(questions: list, *, seed: str, examinee: str, fixed: bool) -> list[dict]:
    """The examinee's paper: [{"q": question id, "order": [option indexes as shown]}]."""
    rng = random.Random(f"arrange:{seed}:{examinee}")
    paper = []
    for kind in QuestionType.values:
        group = [q for q in questions if q.kind == kind]
        if not fixed:
            rng.shuffle(group)
        for question in group:
            order = list(range(len(question.options)))
            if not fixed and question.kind in CHOICE_TYPES:
                rng.shuffle(order)
            paper.append({"q": question.pk, "order": order})
    return paper
