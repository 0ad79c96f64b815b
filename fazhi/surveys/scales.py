"""A wave's answer scale: the words respondents choose from, the score each maps to, and which
of them count as satisfied; and the normalisation of the words and codes third-party tables use.

The default is the one most evaluators use: 满意 / 较满意 / 基本满意 / 不满意 / 不清楚, scored
100 / 80 / 60 / 0 / not counted, the first three counting as satisfied. A wave may replace it
(`Wave.scale`), e.g. with a 非常满意 … 非常不满意 scale; every rule below reads the wave's own."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DEFAULT_SCALE = [
    {"label": "满意", "score": 100, "satisfied": True},
    {"label": "较满意", "score": 80, "satisfied": True},
    {"label": "基本满意", "score": 60, "satisfied": True},
    {"label": "不满意", "score": 0, "satisfied": False},
    {"label": "不清楚", "score": None, "satisfied": False},
]

# Words evaluators write for the default labels (the list and their obvious variants).
# Blank cells are not here: a blank is always the scale's not-counted answer.
SYNONYMS = {
    "比较满意": "较满意",
    "较为满意": "较满意",
    "一般": "基本满意",
    "基本满意": "基本满意",
    "不太满意": "不满意",
    "不大满意": "不满意",
    "说不清": "不清楚",
    "说不清楚": "不清楚",
    "不知道": "不清楚",
    "不了解": "不清楚",
    "不好说": "不清楚",
}
_NOISE = re.compile(r"[\s\u3000。.,，、;；:：!！?？\"'“”‘’()（）]+")


def default_scale() -> list[dict]:
    return [dict(choice) for choice in DEFAULT_SCALE]


@dataclass(frozen=True)
class Scale:
    """A wave's scale, read once: labels in order, scores (None: not counted), satisfied flags,
    and the words (with the wave's own aliases) that name each choice."""

    labels: tuple[str, ...]
    scores: tuple[float | None, ...]
    satisfied: tuple[bool, ...]
    words: dict[str, int]

    @classmethod
    def of(cls, choices: list[dict], aliases: dict[str, str] | None = None) -> Scale:
        labels = tuple(str(c["label"]) for c in choices)
        scores = tuple(None if c.get("score") is None else float(c["score"]) for c in choices)
        satisfied = tuple(bool(c.get("satisfied")) for c in choices)
        words = {clean(label): i for i, label in enumerate(labels)}
        for word, label in SYNONYMS.items():
            if clean(label) in words:
                words.setdefault(clean(word), words[clean(label)])
        for word, label in (aliases or {}).items():
            if clean(label) in words:
                words[clean(word)] = words[clean(label)]
        return cls(labels, scores, satisfied, words)

    @property
    def blank(self) -> int:
        """The choice a blank cell stands for: the last one not counted (不清楚)."""
        uncounted = [i for i, score in enumerate(self.scores) if score is None]
        return uncounted[-1] if uncounted else len(self.labels) - 1

    def choice_of(self, value) -> int | None:
        """The choice index a cell names: a word or alias, or its 1-based code in the scale's
        order ("1" is 满意); None for a word nobody mapped. Blank is the not-counted choice."""
        if value is None:
            return self.blank
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = clean(str(value))
        if not text:
            return self.blank
        if text.isdigit():
            code = int(text)
            return code - 1 if 1 <= code <= len(self.labels) else None
        return self.words.get(text)


def clean(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or ""))
