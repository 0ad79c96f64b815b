from django import template

from fazhi.exams.models import QuestionType
from fazhi.exams.questionparts import LETTERS

register = template.Library()
LEVELS = {"easy": "易", "medium": "中", "hard": "难"}
TYPES = dict(QuestionType.choices)


@register.filter
def option_letter(index) -> str:
    return LETTERS[int(index)] if 0 <= int(index) < len(LETTERS) else "?"


@register.filter
def level_label(level) -> str:
    return LEVELS.get(level, level or "")


@register.filter
def type_label(kind) -> str:
    return TYPES.get(kind, kind or "—")


@register.filter
def split_words(text) -> list[str]:
    return str(text).split(",")
