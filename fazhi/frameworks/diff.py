"""Compare two editions of an indicator framework (指标体系修订对照).

Frameworks are revised between campaigns: the 2019 市县法治政府建设示范指标体系 had 100
indicators, the 2021 revision reworded 42 of them, the current guide has 104. Inserting one
indicator renumbers every later one, so matching nodes by code would report dozens of false
"removed + added" pairs. Nodes are therefore matched by *content* first and by code second.

The module is pure Python (no Django): callers pass each edition as a depth-first list of plain
dicts (see ``diff_frameworks``) and get a ``FrameworkDiff`` back; ``diff_xlsx.diff_to_xlsx`` renders it.
"""

from __future__ import annotations

import difflib
import heapq
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

COMPARED_FIELDS = (
    "title",
    "points",
    "description",
    "scoring_rules",
    "evaluation_methods",
    "veto",
    "required_evidence",
)
FIELD_LABELS = {
    "title": "标题",
    "points": "分值",
    "description": "内涵",
    "scoring_rules": "评分标准",
    "evaluation_methods": "评估方式",
    "veto": "否决项",
    "required_evidence": "佐证材料",
}
KIND_LABELS = {"added": "新增", "removed": "删除", "changed": "修改", "moved": "调整编号"}
LEVEL_LABELS = {
    "area": "一级指标",
    "group": "二级指标",
    "indicator": "三级指标",
    "item": "细化项",
    1: "一级指标",
    2: "二级指标",
    3: "三级指标",
    4: "细化项",
}

# How much of the description takes part in content similarity: enough to tell apart two
# indicators with the same generic title, short enough that ratio() stays cheap.
DESCRIPTION_PREFIX = 200
# Up to this many old × new pairs per level every pair is examined, so small frameworks get the
# exact greedy matching. Beyond it a bigram index proposes candidates (see _Level.candidates).
EXHAUSTIVE_PAIR_LIMIT = 20_000
PROBE_BUDGET = 3_000
MAX_CANDIDATES = 12


@dataclass
class FieldChange:
    field: str
    label: str
    old: object
    new: object


@dataclass
class NodeChange:
    kind: str  # "added" | "removed" | "changed" | "moved"
    old: dict | None
    new: dict | None
    changes: list[FieldChange] = field(default_factory=list)
    moved: bool = False  # code or parent differs (also set on "changed" entries)
    similarity: float = 1.0

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def level(self) -> Any:
        return (self.new or self.old or {}).get("level")


@dataclass
class FrameworkDiff:
    entries: list[NodeChange]
    unchanged_count: int = 0
    old_count: int = 0
    new_count: int = 0

    def _of_kind(self, kind: str) -> list[NodeChange]:
        return [entry for entry in self.entries if entry.kind == kind]

    @property
    def added(self) -> list[NodeChange]:
        return self._of_kind("added")

    @property
    def removed(self) -> list[NodeChange]:
        return self._of_kind("removed")

    @property
    def changed(self) -> list[NodeChange]:
        return self._of_kind("changed")

    @property
    def moved(self) -> list[NodeChange]:
        return self._of_kind("moved")

    def summary(self) -> dict[str, int]:
        counts = {kind: 0 for kind in KIND_LABELS}
        for entry in self.entries:
            counts[entry.kind] += 1
        counts["unchanged"] = self.unchanged_count
        counts["old_total"] = self.old_count
        counts["new_total"] = self.new_count
        return counts


# --- normalisation ------------------------------------------------------------------------


def normalise_text(value: object) -> str:
    """Fold full/half width (NFKC) and case, drop whitespace and punctuation.

    Source documents mix "（一）" and "(一)", "，" and ",", and line breaks from PDF copy-paste;
    none of that makes two titles different indicators.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZC")


def _squash(text: str) -> str:
    # For field comparison punctuation *is* content (a changed 、 can change a legal meaning),
    # but width and whitespace are not.
    return "".join(unicodedata.normalize("NFKC", text).split())


def _decimal(value: object) -> Decimal | str | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return _squash(str(value))


def _canonical(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return _squash(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return _decimal(value)
    if isinstance(value, dict):
        items = sorted(((str(k), _canonical(v)) for k, v in value.items()), key=repr)
        return tuple(items) or ""
    if isinstance(value, list | tuple | set | frozenset):
        # Lists such as 评估方式 are sets in practice; reordering them is not a revision.
        items = sorted((item for item in map(_canonical, value) if item != ""), key=repr)
        return tuple(items) or ""
    return _squash(str(value))


def _comparable(field_name: str, value: object) -> object:
    if field_name == "points":
        return _decimal(value)
    if field_name == "veto":
        return bool(value)
    return _canonical(value)


def _code(value: object) -> str:
    return "" if value is None else str(value).strip()


# --- matching -----------------------------------------------------------------------------


@dataclass
class _Node:
    index: int
    data: dict
    level: Any
    code: str
    parent_code: str
    title_key: str
    content_key: str
    parent: int | None = None
    parent_title_key: str = ""


def _prepare(nodes: list[dict]) -> list[_Node]:
    prepared = []
    by_code: dict[str, int] = {}
    for index, data in enumerate(nodes):
        title_key = normalise_text(data.get("title"))
        description_key = normalise_text(data.get("description"))[:DESCRIPTION_PREFIX]
        node = _Node(
            index=index,
            data=data,
            level=data.get("level"),
            code=_code(data.get("code")),
            parent_code=_code(data.get("parent_code")),
            title_key=title_key,
            content_key=title_key + description_key,
        )
        by_code.setdefault(node.code, index)
        prepared.append(node)
    for node in prepared:
        if node.parent_code and node.parent_code in by_code:
            node.parent = by_code[node.parent_code]
            node.parent_title_key = prepared[node.parent].title_key
    return prepared


def _lcs_length(a: str, b_masks: dict[str, int], b_length: int) -> int:
    """Longest common subsequence by bit-parallel DP (Allison–Dix / Hyyrö).

    The blocks SequenceMatcher finds form a common subsequence, so 2·LCS/(len a + len b)
    bounds ratio() from above. In one framework every indicator uses the same few hundred
    characters (法治, 行政, 制度…), so quick_ratio()'s character-multiset bound lets roughly a
    quarter of unrelated pairs through; this bound rejects them at a fraction of ratio()'s cost.
    """
    full = (1 << b_length) - 1
    v = full
    for ch in a:
        mask = b_masks.get(ch)
        if mask is not None:
            u = v & mask
            v = ((v + u) | (v - u)) & full
    return b_length - v.bit_count()


def _char_masks(text: str) -> dict[str, int]:
    masks: dict[str, int] = defaultdict(int)
    for position, ch in enumerate(text):
        masks[ch] |= 1 << position
    return dict(masks)


def _bigrams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    """SequenceMatcher ratio on normalised text, compared character by character.

    autojunk is off: it treats characters occurring in more than 1 % of a long string as
    junk, which for Chinese text means the very characters that carry the meaning.
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


class _Matcher:
    def __init__(self, old: list[_Node], new: list[_Node], min_similarity: float) -> None:
        self.old = old
        self.new = new
        self.threshold = min_similarity
        self.old_to_new: dict[int, int] = {}
        self.new_to_old: dict[int, int] = {}
        self.scores: dict[int, float] = {}  # by old index

    def run(self) -> None:
        # Levels are matched top-down so that, when indicators are paired by content, it is
        # already known which old group became which new one (used to break ties).
        levels = list(dict.fromkeys(node.level for node in [*self.old, *self.new]))
        for level in levels:
            self._identical_titles(level)
            self._same_code(level)
            self._similar_content(level)

    def _pair(self, old: _Node, new: _Node, score: float | None = None) -> None:
        self.old_to_new[old.index] = new.index
        self.new_to_old[new.index] = old.index
        if score is None:
            score = similarity(old.content_key, new.content_key)
        self.scores[old.index] = score

    def _unmatched(self, level: Any) -> tuple[list[_Node], list[_Node]]:
        old = [n for n in self.old if n.level == level and n.index not in self.old_to_new]
        new = [n for n in self.new if n.level == level and n.index not in self.new_to_old]
        return old, new

    def _identical_titles(self, level: Any) -> None:
        """Pass 1: same normalised title. Renumbering and moves keep the title, so this pairs
        most of a revised framework cheaply and with certainty. A title that occurs several
        times (e.g. refined items all called "制度建设") goes to the same code first, then to the
        node under an equally titled parent, then in document order."""
        old, new = self._unmatched(level)
        old_by_title: dict[str, list[_Node]] = defaultdict(list)
        for node in old:
            if node.title_key:
                old_by_title[node.title_key].append(node)
        new_by_title: dict[str, list[_Node]] = defaultdict(list)
        for node in new:
            if node.title_key in old_by_title:
                new_by_title[node.title_key].append(node)
        preferences = (
            lambda o, n: o.code == n.code,
            lambda o, n: o.parent_title_key == n.parent_title_key,
            lambda o, n: True,
        )
        for title_key, news in new_by_title.items():
            olds = old_by_title[title_key]
            for prefer in preferences:
                for n in news:
                    if n.index in self.new_to_old:
                        continue
                    for o in olds:
                        if o.index not in self.old_to_new and prefer(o, n):
                            self._pair(o, n)
                            break

    def _same_code(self, level: Any) -> None:
        """Pass 2: a reworded node that kept its code. The similarity floor stops a code that
        was reused for a different indicator after a deletion from being paired."""
        old, new = self._unmatched(level)
        old_by_code: dict[str, list[_Node]] = defaultdict(list)
        for node in old:
            if node.code:
                old_by_code[node.code].append(node)
        for n in new:
            best, best_score = None, self.threshold
            for o in old_by_code.get(n.code, ()):
                if o.index in self.old_to_new:
                    continue
                score = similarity(o.content_key, n.content_key)
                if score >= best_score:
                    best, best_score = o, score
            if best is not None:
                self._pair(best, n, best_score)

    def _similar_content(self, level: Any) -> None:
        """Pass 3: reworded *and* renumbered or moved. Score every plausible pair, then accept
        them best-first so that each node goes to its closest counterpart."""
        old, new = self._unmatched(level)
        old = [node for node in old if node.content_key]
        new = [node for node in new if node.content_key]
        if not old or not new:
            return
        index = None
        if len(old) * len(new) > EXHAUSTIVE_PAIR_LIMIT:
            index = defaultdict(list)
            for position, node in enumerate(old):
                for gram in _bigrams(node.content_key):
                    index[gram].append(position)
        threshold = self.threshold
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        scored = []
        for n in new:
            key = n.content_key
            matcher.set_seq2(key)  # SequenceMatcher caches its index of the second sequence
            masks = _char_masks(key)
            for o in old if index is None else self._candidates(key, old, index):
                matcher.set_seq1(o.content_key)
                # Cheapest bounds first: lengths, character multisets, LCS, then the real thing.
                if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                    continue
                total = len(o.content_key) + len(key)
                if 2 * _lcs_length(o.content_key, masks, len(key)) / total < threshold:
                    continue
                score = matcher.ratio()
                if score >= threshold:
                    scored.append((-score, self._tiebreak(o, n), o.index, n.index, score))
        scored.sort()
        for _negative, _tie, old_index, new_index, score in scored:
            if old_index not in self.old_to_new and new_index not in self.new_to_old:
                self._pair(self.old[old_index], self.new[new_index], score)

    def _tiebreak(self, old: _Node, new: _Node) -> tuple[int, float]:
        same_parent = old.parent is not None and self.old_to_new.get(old.parent) == new.parent
        drift = abs(old.index / len(self.old) - new.index / len(self.new))
        return (0 if same_parent else 1, drift)

    @staticmethod
    def _candidates(key: str, old: list[_Node], index: dict[str, list[int]]) -> list[_Node]:
        """Old nodes sharing the rarest bigrams of ``key`` (large levels only).

        Python cannot afford even quick_ratio() on a million pairs, so, as in set-similarity
        joins, each new node probes an inverted index with its rarest bigrams first until a
        budget of postings is spent, and only the nodes sharing most of them are scored. Two
        nodes above the similarity floor share most of their bigrams, rare ones included; a
        pair whose only common text is boilerplate found in hundreds of nodes can be missed,
        and is reported as removed + added.
        """
        grams = sorted((g for g in _bigrams(key) if g in index), key=lambda g: (len(index[g]), g))
        counts: dict[int, int] = defaultdict(int)
        budget = PROBE_BUDGET
        for gram in grams:
            if budget <= 0:
                break
            postings = index[gram]
            budget -= len(postings)
            for position in postings:
                counts[position] += 1
        best = heapq.nlargest(MAX_CANDIDATES, counts.items(), key=lambda kv: (kv[1], -kv[0]))
        return [old[position] for position, _count in best]


# --- building the diff --------------------------------------------------------------------


def _field_changes(old: dict, new: dict) -> list[FieldChange]:
    changes = []
    for name in COMPARED_FIELDS:
        before, after = old.get(name), new.get(name)
        if _comparable(name, before) != _comparable(name, after):
            changes.append(FieldChange(name, FIELD_LABELS[name], before, after))
    return changes


def _is_moved(old: _Node, new: _Node, old_to_new: dict[int, int]) -> bool:
    if old.code != new.code:
        return True
    if old.parent is None and new.parent is None:
        return old.parent_code != new.parent_code
    if old.parent is not None and old.parent in old_to_new:
        # Compare parents by identity, not code: children of a renumbered group did not move.
        return old_to_new[old.parent] != new.parent
    return old.parent_code != new.parent_code


def diff_frameworks(
    old_nodes: list[dict], new_nodes: list[dict], *, min_similarity: float = 0.6
) -> FrameworkDiff:
    """Compare two editions given as depth-first lists of node dicts.

    Each dict has code, number, title, level, parent_code, points, description,
    scoring_rules, evaluation_methods, veto, required_evidence, lead_unit and
    responsible_units; only COMPARED_FIELDS count as changes. Entries follow the new
    edition's order; a removed node is placed after the node that preceded it in the old one.
    """
    old = _prepare(old_nodes)
    new = _prepare(new_nodes)
    matcher = _Matcher(old, new, min_similarity)
    matcher.run()

    by_new: dict[int, NodeChange] = {}
    unchanged = 0
    for old_index, new_index in matcher.old_to_new.items():
        o, n = old[old_index], new[new_index]
        changes = _field_changes(o.data, n.data)
        moved = _is_moved(o, n, matcher.old_to_new)
        if not changes and not moved:
            unchanged += 1
            continue
        by_new[new_index] = NodeChange(
            kind="changed" if changes else "moved",
            old=o.data,
            new=n.data,
            changes=changes,
            moved=moved,
            similarity=matcher.scores[old_index],
        )
    for node in new:
        if node.index not in matcher.new_to_old:
            by_new[node.index] = NodeChange("added", None, node.data, similarity=0.0)

    # A removed node is anchored to the new position of the last old node before it that
    # survived, so it is listed where a reader of the new edition would look for it.
    removed_after: dict[int, list[NodeChange]] = defaultdict(list)
    anchor = -1
    for node in old:
        if node.index in matcher.old_to_new:
            anchor = matcher.old_to_new[node.index]
        else:
            removed_after[anchor].append(NodeChange("removed", node.data, None, similarity=0.0))

    entries = list(removed_after.pop(-1, []))
    for position in range(len(new)):
        if position in by_new:
            entries.append(by_new[position])
        entries.extend(removed_after.get(position, ()))
    return FrameworkDiff(
        entries=entries, unchanged_count=unchanged, old_count=len(old), new_count=len(new)
    )
