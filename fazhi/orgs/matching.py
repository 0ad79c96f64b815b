"""Matching the unit names people write in framework tables to the org's units.

Excel tables carry lead and responsible units as free text: "区司法局", "区法院", "区委办、区政府办，
区司法局（牵头）", "各镇（街道）", "区政府各部门", "相关部门". `UnitMatcher` turns each fragment into
units and says how sure it is, so the import can assign the sure ones and ask about the rest.

Splitting (`split_unit_text`)
    Splits on 、，,；;/｜。 and newlines or spaces, and on 和/及/与/以及 — the last two kinds only
    where the text before them ends like a unit name (局, 委, 办, 院, 部, 镇, 街道, 部门, 单位, a
    closing bracket …), so "人力资源和社会保障局" and "区 司法局" stay whole. Nothing inside
    brackets is split. Role notes go: "（牵头）", "（配合单位）", "牵头单位：", a trailing "牵头"
    or "负责", a trailing "等"/"等单位"; "区司法局等相关部门" becomes "区司法局" and "相关部门". A
    bare "街道" right after a town group is joined to it ("各镇、街道" is one group).

Normalising (both the text and every unit's name and short name)
    NFKC, whitespace and punctuation removed, bracket content removed (a unit's bracket content,
    e.g. "区科技局（区科协）", is kept as an extra alias). Then prefixes are removed, repeatedly:
    "中国共产党", "中共", "国家税务总局" and the given region names ("山东省", "枣庄市", "市中区");
    region names of three or more characters are also removed inside the name, and a region's
    short form before 分局/分院/支队/大队 ("枣庄市公安局市中分局" → "公安分局"). Then one generic
    level character 省/市/区/县 is removed unless it begins a word (市场, 市政 but not 市政府, 市容,
    市民, 区域, 县域). What was removed is remembered: the level (区 in "区司法局" and in
    "枣庄市市中区司法局", 市 in "市司法局") and the region names.
    The rest is rewritten in two steps: generic forms (`_GENERIC`: 人民法院→法院, 人民政府办公室→
    政府办, 委员会→委, 办公室→办, 镇人民政府→镇, 街道办事处→街道 …) give the *core*, and the
    common abbreviations (`_ABBREVIATIONS`: 市场监督管理→市场监管, 人力资源和社会保障→人社,
    全面依法治区委办→依法治区办 …) give the *key*. "区委依法治区办" and "中共枣庄市市中区委员会全面
    依法治区委员会办公室" both become "委依法治区办": a leading 委 marks a party-committee organ, so
    "区委办" (委办) and "区政府办" (政府办) stay apart.

Scoring a name (0..1, the best over the unit's name, short name and aliases)
    1.0 equal keys; 0.95 equal after 分局→局; otherwise the best of: the difflib ratio of the
    keys without their generic suffix (局, 委, 办, 院, 中心 …), times 0.75 when the suffixes differ;
    0.7 + 0.25 × length ratio when one key contains the other or is an abbreviation of it (same
    first and last character, a subsequence: "教育局" in "教育和体育局"), compared on keys and cores.
    A different level (市 vs 区) multiplies by 0.75; different region names (薛城区 in the text,
    市中区 in the unit's name) multiply by 0.9.
    EXACT: score 1 and only one unit has it. LIKELY: at least 0.8 and 0.1 ahead of the next unit.
    UNCERTAIN: at least 0.55, or several units equally good — then `units` is empty and the
    options are in `candidates`; two units are never chosen between silently. NONE below 0.55.
    `candidates` lists up to five units scoring at least 0.3, best first, whatever the confidence
    (empty for group values).

Group values (checked first; inactive units are never matched or expanded)
    - towns: "各镇街", "各镇（街道）", "各镇、街道", "各乡镇（街道）", "镇街", "各街道", "各镇",
      "各乡" … expand to the town-kind units of the named sorts, read from the unit's name or short
      name (…街道/…街道办事处 are streets, …镇 towns, …乡 townships). A unit of unknown sort is
      included only when both towns and streets are named. Confidence EXACT.
    - "区政府各部门", "政府部门", "政府工作部门", "各职能部门": government departments — kind
      department, without party organs (names starting with 区委/市委 …, or ending in 部), courts,
      procuratorates, 人大, 政协, 纪委监委 and mass organisations. Confidence LIKELY.
    - "各部门": every unit of kind department. LIKELY.
    - "区直各部门", "区直部门", "市直单位", "县直机关" …: kinds department and office — 直 means
      directly under the county or city, which includes the party and government offices. The
      matcher only knows the campaign's own units, so "市直" (a county-level city's word) and
      "区直" mean the same set. LIKELY.
    - "各单位", "各部门各单位", "各级各部门": departments, offices and towns. LIKELY.
    - vague ones — "相关部门", "各有关部门", "有关单位", "相关镇街", "各行政执法部门" — are groups
      with confidence UNCERTAIN: the proposed set (departments; for 单位 departments and offices;
      for 镇街 the towns; for 执法部门 the government departments, as the unit list does not say who
      holds enforcement powers) is in `units` for the user to confirm.
    Units of kind "other" are matched by name but never part of a group.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from fazhi.orgs.models import Unit, UnitKind

LIKELY_MIN = 0.8
LIKELY_MARGIN = 0.1
UNCERTAIN_MIN = 0.55
CANDIDATE_MIN = 0.3
MAX_CANDIDATES = 5


class Confidence(StrEnum):
    EXACT = "exact"
    LIKELY = "likely"
    UNCERTAIN = "uncertain"
    NONE = "none"


@dataclass(frozen=True)
class UnitMatch:
    text: str
    units: tuple[Unit, ...]
    confidence: Confidence
    candidates: tuple[tuple[Unit, float], ...]
    is_group: bool = False
    note: str = ""


# --- splitting ---------------------------------------------------------------------------------

_OPEN = "(（[［【〔"
_CLOSE = ")）]］】〕"
_SEPARATORS = set("、，,；;/／|｜。\n\r")
_CONJUNCTIONS = ("以及", "和", "及", "与")
# Characters a unit name (or a group value) ends with: only after them do a space or 和/及/与
# separate two names.
_NAME_ENDINGS = set("局委办院部府镇乡街道心队所馆站室处门司社团联厅位关") | set(_CLOSE)
_ROLE_WORDS = "牵头|配合|负责|主责|协助|协办|主办|参与|责任单位|职责|分工|排名|排序|第一"
_ROLE_NOTE = re.compile(rf"[(（][^()（）]*(?:{_ROLE_WORDS})[^()（）]*[)）]")
_ROLE_LABEL = re.compile(r"^(?:牵头|责任|配合|协办|主办|主责|参与)(?:单位|部门)?[:：]")
_ROLE_TAIL = re.compile(r"(?:为)?(?:牵头|负责|配合|参与|协助|主责|主办|协办)(?:单位|部门)?$")
_ETC_TAIL = re.compile(r"等(?:单位|部门|机关)?$")
_ETC_BEFORE_GROUP = re.compile(r"等(?=(?:其他|其它)?(?:相关|有关|各))")
_NUMBERING = re.compile(r"^(?:[(（]?\d+[)）.．]|[①-⑳])")
_HAS_WORD = re.compile(r"[\u3400-\u9fffA-Za-z]")
_TOWN_TAIL = re.compile(r"(?:乡|镇|街道|街|乡镇)(?:[(（](?:乡|镇|街道|街)[)）])?")
_ENDS_WITH_TOWN = re.compile(r"(?:乡|镇|街道|街)[)）]?$")


def split_unit_text(text: str) -> list[str]:
    """The unit names in one table cell, without role notes, in their order."""
    if not text:
        return []
    text = _ETC_BEFORE_GROUP.sub("、", str(text))
    fragments: list[str] = []
    for piece in _split_top_level(text):
        fragment = _strip_roles(piece)
        if not _HAS_WORD.search(fragment):
            continue
        if fragments and _TOWN_TAIL.fullmatch(fragment) and _ENDS_WITH_TOWN.search(fragments[-1]):
            fragments[-1] = f"{fragments[-1]}、{fragment}"
            continue
        fragments.append(fragment)
    return fragments


def _split_top_level(text: str) -> list[str]:
    pieces: list[str] = []
    buffer: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0:
            if char in _SEPARATORS:
                pieces.append("".join(buffer))
                buffer, i = [], i + 1
                continue
            ends_name = bool(buffer) and (
                buffer[-1] in _NAME_ENDINGS or bool(_ROLE_TAIL.search("".join(buffer)))
            )
            if ends_name and char.isspace():
                pieces.append("".join(buffer))
                buffer, i = [], i + 1
                continue
            word = next((w for w in _CONJUNCTIONS if text.startswith(w, i)), "")
            if ends_name and word and i + len(word) < len(text):
                pieces.append("".join(buffer))
                buffer, i = [], i + len(word)
                continue
        buffer.append(char)
        i += 1
    pieces.append("".join(buffer))
    return pieces


def _strip_roles(text: str) -> str:
    text = _ROLE_NOTE.sub("", text).strip()
    text = _NUMBERING.sub("", text).strip()
    text = _ROLE_LABEL.sub("", text).strip()
    for pattern in (_ROLE_TAIL, _ETC_TAIL):
        shorter = pattern.sub("", text).strip()
        if len(shorter) >= 2:
            text = shorter
    return text


# --- normalising -------------------------------------------------------------------------------

_LEVELS = "省市区县"
_PARTY_PREFIXES = ("中国共产党", "中共", "国家税务总局")
_LEVEL_PREFIX = re.compile(r"^(?:省|市(?!场|政(?!府)|容|民|属|级)|区(?!域)|县(?!域))")
_WHITESPACE = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[\s\"'“”‘’·・\-—_《》〈〉:：.．、,，;；/]")
_BRACKETED = re.compile(r"[(（\[［【〔]([^()（）\[\]［］【】〔〕]*)[)）\]］】〕]")

# Generic forms: the same words written longer or shorter. Applied in order to give the core.
_GENERIC: tuple[tuple[str, str], ...] = (
    ("中国人民政治协商会议", "政协"),
    ("人民代表大会常务委员会", "人大常委会"),
    ("纪律检查委员会", "纪委"),
    ("监察委员会", "监委"),
    ("机构编制委员会办公室", "编办"),
    ("网络安全和信息化委员会办公室", "网信办"),
    ("人民政府办公室", "政府办"),
    ("人民政府", "政府"),
    ("人民法院", "法院"),
    ("人民检察院", "检察院"),
    ("委员会", "委"),
    ("办公室", "办"),
    ("局分局", "分局"),
    (r"(镇|乡)(?:政府|党委)$", r"\1"),
    (r"街道(?:办事处|办|党工委)$", "街道"),
)

# Common abbreviations, applied to the core in order to give the key. Longer phrases first where
# one contains another (科学技术协会 before 科学技术).
_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"(?:全面)?依法治([省市区县])委办", r"依法治\1办"),
    ("政协委", "政协"),
    ("发展和改革", "发改"),
    ("发展改革", "发改"),
    ("教育和体育", "教体"),
    ("教育体育", "教体"),
    ("科学技术协会", "科协"),
    ("科学技术", "科技"),
    ("工业和信息化", "工信"),
    ("工业信息化", "工信"),
    ("人力资源和社会保障", "人社"),
    ("人力资源社会保障", "人社"),
    ("自然资源和规划", "自然资源"),
    ("环境保护", "环保"),
    ("住房和城乡建设", "住建"),
    ("住房城乡建设", "住建"),
    ("城市管理", "城管"),
    ("交通运输局", "交通局"),
    ("农业农村", "农业"),
    ("文化和旅游", "文旅"),
    ("文化旅游", "文旅"),
    ("文化广电和旅游", "文旅"),
    ("卫生健康", "卫健"),
    ("卫生和计划生育", "卫计"),
    ("退役军人事务", "退役军人"),
    ("应急管理", "应急"),
    ("市场监督管理", "市场监管"),
    ("医疗保障", "医保"),
    ("行政审批服务", "审批"),
    ("行政审批", "审批"),
    ("综合行政执法", "综合执法"),
    ("国有资产监督管理", "国资"),
    ("统一战线工作部", "统战部"),
    ("人民武装部", "人武部"),
    ("机关工作委", "机关工委"),
    ("妇女联合会", "妇联"),
    ("残疾人联合会", "残联"),
    ("工商业联合会", "工商联"),
    ("文学艺术界联合会", "文联"),
    ("共产主义青年团", "团"),
    ("共青团", "团"),
    (r"团[省市区县]委", "团委"),
    ("机关事务服务中心", "机关事务中心"),
    ("机关事务管理局", "机关事务局"),
    ("政务服务管理办", "政务服务办"),
)

# Generic endings of unit names, longest first: compared separately from the distinctive stem.
_SUFFIXES = ("分局", "政府", "街道", "中心", "公司", *"局委办院部镇乡站所队会馆室处联团")
_COMMON_CHARS = frozenset("局委办院部中心分政府站所队会馆室处")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text or ""))


def _rewrite(text: str, rules: tuple[tuple[str, str], ...]) -> str:
    for pattern, replacement in rules:
        text = _compiled(pattern).sub(replacement, text)
    return text


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@dataclass(frozen=True)
class _Form:
    """One normalised spelling of a name."""

    key: str
    core: str
    level: str  # 省/市/区/县 that was removed, or ""
    regions: frozenset[str]  # region names that were removed
    loose: str  # the key with 分局 → 局
    chars: frozenset[str]  # the characters of key and core but the common ones (局, 办 …)


class _Normaliser:
    def __init__(self, region_names: Iterable[str]):
        names = sorted(
            {n for n in (_nfkc(name).strip() for name in region_names) if len(n) >= 2},
            key=len,
            reverse=True,
        )
        alternatives = [*_PARTY_PREFIXES, *map(re.escape, names)]
        self._prefix = re.compile("^(?:" + "|".join(alternatives) + ")")
        inner = [re.escape(n) for n in names if len(n) >= 3]
        self._inner = re.compile("|".join(inner)) if inner else None
        self._short_levels = {n[:-1]: n[-1] for n in names if n[-1] in _LEVELS and len(n) >= 3}
        self._short_names = {n[:-1]: n for n in names if n[-1] in _LEVELS and len(n) >= 3}
        shorts = "|".join(map(re.escape, self._short_levels))
        self._branch = re.compile(f"(?:{shorts})(?=分局|分院|支队|大队|中队)") if shorts else None

    def forms(self, text: str, *, aliases: bool) -> list[_Form]:
        """The main spelling and, with `aliases`, the bracketed ones ("区科技局（区科协）")."""
        text = _strip_roles(_WHITESPACE.sub("", _nfkc(text)))
        main = _BRACKETED.sub("", text)
        variants = [main]
        if aliases or not main:
            variants += _BRACKETED.findall(text)
        forms = [self.form(variant) for variant in variants if variant]
        return [form for form in forms if form is not None]

    def form(self, text: str) -> _Form | None:
        text = _PUNCTUATION.sub("", text)
        level, regions = "", set()
        while (found := self._prefix.match(text)) and found.end():
            word = found.group()
            text = text[found.end() :]
            if word not in _PARTY_PREFIXES:
                regions.add(word)
                level = word[-1] if word[-1] in _LEVELS else level
        if self._inner:
            for found in self._inner.finditer(text):
                regions.add(found.group())
                level = found.group()[-1] if found.group()[-1] in _LEVELS else level
            text = self._inner.sub("", text)
        if self._branch:
            for found in self._branch.finditer(text):
                regions.add(self._short_names[found.group()])
                level = self._short_levels[found.group()]
            text = self._branch.sub("", text)
        if len(text) > 1 and (found := _LEVEL_PREFIX.match(text)):
            level, text = found.group(), text[1:]
        core = _rewrite(text, _GENERIC)
        key = _rewrite(core, _ABBREVIATIONS)
        if not key:
            return None
        return _Form(
            key=key,
            core=core,
            level=level,
            regions=frozenset(regions),
            loose=key.replace("分局", "局"),
            chars=frozenset(key + core) - _COMMON_CHARS,
        )

    def group_text(self, text: str) -> str:
        """The text with brackets flattened ("各镇（街道）" → "各镇街道") and region names removed."""
        text = _strip_roles(_WHITESPACE.sub("", _nfkc(text)))
        text = re.sub(r"[()（）\[\]［］【】〔〕]", "", _PUNCTUATION.sub("", text))
        while (found := self._prefix.match(text)) and found.end() and found.group() != text:
            text = text[found.end() :]
        return re.sub(r"^(?:全[省市区县]|所有|全部)", "", text)


# --- scoring -----------------------------------------------------------------------------------


def _split_suffix(key: str) -> tuple[str, str]:
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)], suffix
    return key, ""


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(char in chars for char in short)


def _resemblance(a: str, b: str) -> float:
    stem_a, suffix_a = _split_suffix(a)
    stem_b, suffix_b = _split_suffix(b)
    score = SequenceMatcher(None, stem_a, stem_b, autojunk=False).ratio()
    if suffix_a != suffix_b:
        score *= 0.75
    short, long = sorted((a, b), key=len)
    if len(_split_suffix(short)[0]) >= 2:
        contains = short in long
        abbreviates = (
            len(short) >= 3
            and short[0] == long[0]
            and short[-1] == long[-1]
            and _is_subsequence(short, long)
        )
        if contains or abbreviates:
            score = max(score, 0.7 + 0.25 * len(short) / len(long))
    return score


def _similarity(text: _Form, name: _Form) -> float:
    if text.key == name.key:
        score = 1.0
    elif text.loose == name.loose:
        score = 0.95
    elif text.chars and name.chars and not text.chars & name.chars:
        return 0.0  # nothing in common but 局, 办, 中心 …: not worth a SequenceMatcher
    else:
        pairs = {(a, b) for a in (text.key, text.core) for b in (name.key, name.core)}
        score = max(_resemblance(a, b) for a, b in pairs)
    if text.level and name.level and text.level != name.level:
        score *= 0.75
    if text.regions - name.regions and name.regions - text.regions:
        score *= 0.9  # each names a region the other does not: 薛城区司法局 vs 市中区司法局
    return score


# --- groups ------------------------------------------------------------------------------------

_GOVERNMENT, _DEPARTMENTS, _DIRECT, _ALL, _ENFORCEMENT = "gov", "dept", "direct", "all", "enf"
_SCOPE_LABELS = {
    _GOVERNMENT: "个政府部门（不含党委部门、法院、检察院和群团组织）",
    _ENFORCEMENT: "个政府部门",
    _DEPARTMENTS: "个部门",
    _DIRECT: "个直属单位（部门和办公室）",
    _ALL: "个单位（部门、办公室和镇街）",
}
_DEPARTMENT_GROUPS: tuple[tuple[re.Pattern[str], str, bool], ...] = tuple(
    (re.compile(pattern), scope, vague)
    for pattern, scope, vague in (
        (r"^[省市区县]?政府(?:各|所有)?(?:组成|工作|职能)?部门(?:单位)?$", _GOVERNMENT, False),
        (r"^(?:各|所有)(?:政府)?职能部门$", _GOVERNMENT, False),
        (
            r"^[省市区县]?直(?:属)?(?:各|所有)?(?:部门|单位|机关|部门单位|机关单位|部门和单位|机关部门)$",
            _DIRECT,
            False,
        ),
        (r"^(?:各|所有)部门$", _DEPARTMENTS, False),
        (r"^(?:各|所有)(?:单位|部门单位|部门和单位|级各部门|部门各单位)$", _ALL, False),
        (r"^(?:各|所有)?(?:相关|有关)?(?:行政)?执法(?:部门|单位|机关)$", _ENFORCEMENT, True),
        (r"^(?:各|其他|其它)?(?:相关|有关)(?:职能|责任)?部门$", _DEPARTMENTS, True),
        (r"^(?:各|其他|其它)?(?:相关|有关)(?:责任)?(?:单位|部门单位)$", _DIRECT, True),
    )
)
_TOWN_GROUP = re.compile(
    r"^[省市区县]?(?P<qualifier>各相关|各有关|各|所有|全部|相关|有关|涉及)?"
    r"(?P<core>(?:乡|镇|街道办事处|街道办|街道|街|办)+)(?:人民政府|政府|党委)?$"
)
_TOWN_TOKENS = re.compile(r"乡|镇|街道办事处|街道办|街道|街|办")
_TOWN_SORT_NAMES = {"乡": "乡", "镇": "镇", "街": "街道"}
_TOWN_SUFFIX = re.compile(r"(?:人民政府|政府|办事处|党委|党工委)$")
_NON_GOVERNMENT = (
    "法院",
    "检察院",
    "人大",
    "政协",
    "纪委",
    "监委",
    "团委",
    "工会",
    "妇联",
    "残联",
    "科协",
    "工商联",
    "文联",
    "党校",
)


def _town_sort(unit) -> str:
    """乡, 镇 or 街 (a street, 街道), read from the short name or the name; "" if neither says."""
    for name in (unit.short_name, unit.name):
        name = _TOWN_SUFFIX.sub("", _nfkc(name).strip())
        if name.endswith(("街道", "街道办")):
            return "街"
        if name.endswith(("镇", "乡")):
            return name[-1]
    return ""


def _town_group(text: str) -> tuple[set[str], bool] | None:
    """The sorts of town a group value names and whether it is vague, or None if it is none."""
    found = _TOWN_GROUP.match(text)
    if not found:
        return None
    tokens = _TOWN_TOKENS.findall(found.group("core"))
    sorts = {"乡" if t == "乡" else "镇" if t == "镇" else "街" for t in tokens}
    if tokens == ["办"] or (not found.group("qualifier") and len(sorts) < 2):
        return None
    return sorts, found.group("qualifier") in {"相关", "有关", "各相关", "各有关", "涉及"}


def _town_label(sorts: set[str]) -> str:
    if sorts == {"镇", "街"}:
        return "镇街"
    if sorts == {"乡", "镇", "街"}:
        return "乡镇（街道）"
    return "".join(_TOWN_SORT_NAMES[s] for s in ("乡", "镇", "街") if s in sorts)


# --- the matcher -------------------------------------------------------------------------------


class UnitMatcher:
    """Matches free-text unit names to `units` (anything with name, short_name, kind, is_active).

    `region_names` are the names of the campaign's region and its ancestors ("山东省", "枣庄市",
    "市中区"), removed from the front of names on both sides. Results are cached per text.
    """

    def __init__(self, units: Iterable[Unit], *, region_names: Iterable[str] = ()):
        self._normaliser = _Normaliser(region_names)
        self._units = [unit for unit in units if getattr(unit, "is_active", True)]
        self._forms = [
            self._normaliser.forms(unit.name, aliases=True)
            + self._normaliser.forms(unit.short_name or "", aliases=True)
            for unit in self._units
        ]
        self._kinds = [str(unit.kind) for unit in self._units]
        self._town_sorts = [_town_sort(unit) for unit in self._units]
        self._government = [self._is_government(i) for i in range(len(self._units))]
        self._cache: dict[str, UnitMatch] = {}

    def match(self, text: str) -> UnitMatch:
        text = str(text or "").strip()
        if text not in self._cache:
            self._cache[text] = self._group_match(text) or self._name_match(text)
        return self._cache[text]

    def match_all(self, text: str) -> list[UnitMatch]:
        """Every fragment of `text`, matched. A fragment repeated, or naming a unit an earlier
        sure match already chose, is left out."""
        matches: list[UnitMatch] = []
        seen_texts: set[str] = set()
        chosen: set[int] = set()
        for fragment in split_unit_text(text):
            if fragment in seen_texts:
                continue
            seen_texts.add(fragment)
            found = self.match(fragment)
            sure = found.confidence in (Confidence.EXACT, Confidence.LIKELY)
            if sure and not found.is_group:
                if id(found.units[0]) in chosen:
                    continue
                chosen.add(id(found.units[0]))
            matches.append(found)
        return matches

    # -- names --

    def _name_match(self, text: str) -> UnitMatch:
        forms = self._normaliser.forms(text, aliases=False)
        if not forms:
            return UnitMatch(text, (), Confidence.NONE, (), note="无法识别单位名称")
        scores = sorted(
            (
                (max((_similarity(f, g) for f in forms for g in unit_forms), default=0.0), i)
                for i, unit_forms in enumerate(self._forms)
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )
        candidates = tuple(
            (self._units[i], round(score, 3))
            for score, i in scores[:MAX_CANDIDATES]
            if score >= CANDIDATE_MIN
        )
        best, first = scores[0] if scores else (0.0, -1)
        runner_up = scores[1][0] if len(scores) > 1 else 0.0
        if best >= 1.0 and runner_up < 1.0:
            unit = self._units[first]
            return UnitMatch(text, (unit,), Confidence.EXACT, candidates, note=f"即“{unit.name}”")
        if best >= 1.0:
            tied = [self._units[i].name for score, i in scores if score >= 1.0]
            note = f"有 {len(tied)} 个单位名称相同：{'、'.join(tied)}，请确认"
            return UnitMatch(text, (), Confidence.UNCERTAIN, candidates, note=note)
        if best >= LIKELY_MIN and best - runner_up >= LIKELY_MARGIN:
            unit = self._units[first]
            note = f"按名称相近匹配为“{unit.name}”（相似度 {best:.2f}）"
            return UnitMatch(text, (unit,), Confidence.LIKELY, candidates, note=note)
        if best >= UNCERTAIN_MIN:
            name = self._units[first].name
            note = f"最接近的是“{name}”（相似度 {best:.2f}）"
            if best - runner_up < LIKELY_MARGIN:
                note += "，与其他单位区分不明显"
            return UnitMatch(text, (), Confidence.UNCERTAIN, candidates, note=note + "，请确认")
        return UnitMatch(text, (), Confidence.NONE, candidates, note="未找到名称相近的单位")

    # -- groups --

    def _group_match(self, text: str) -> UnitMatch | None:
        flat = self._normaliser.group_text(text)
        town = _town_group(flat)
        if town:
            sorts, vague = town
            both = {"镇", "街"} <= sorts
            chosen = [
                i
                for i, sort in enumerate(self._town_sorts)
                if self._kinds[i] == UnitKind.TOWN and (sort in sorts or (not sort and both))
            ]
            confidence = Confidence.UNCERTAIN if vague else Confidence.EXACT
            return self._group_result(text, chosen, confidence, f"个{_town_label(sorts)}")
        for pattern, scope, vague in _DEPARTMENT_GROUPS:
            if pattern.match(flat):
                chosen = [i for i in range(len(self._units)) if self._in_scope(i, scope)]
                confidence = Confidence.UNCERTAIN if vague else Confidence.LIKELY
                return self._group_result(text, chosen, confidence, _SCOPE_LABELS[scope], scope)
        return None

    def _group_result(
        self, text: str, chosen: list[int], confidence: Confidence, label: str, scope: str = ""
    ) -> UnitMatch:
        units = tuple(self._units[i] for i in chosen)
        if not units:
            note = f"按“{text}”没有找到符合的单位（不含停用单位）"
            return UnitMatch(text, (), Confidence.NONE, (), is_group=True, note=note)
        if scope == _ENFORCEMENT:
            note = f"单位名单看不出哪些部门有行政执法职能，暂按“{text}”列出 {len(units)} {label}，请确认"
        elif confidence == Confidence.UNCERTAIN:
            note = f"“{text}”所指范围不明确，暂列出 {len(units)} {label}，请确认"
        else:
            note = f"按“{text}”展开为 {len(units)} {label}"
        return UnitMatch(text, units, confidence, (), is_group=True, note=note)

    def _in_scope(self, i: int, scope: str) -> bool:
        kind = self._kinds[i]
        if scope in (_GOVERNMENT, _ENFORCEMENT):
            return kind == UnitKind.DEPARTMENT and self._government[i]
        if scope == _DEPARTMENTS:
            return kind == UnitKind.DEPARTMENT
        if scope == _DIRECT:
            return kind in (UnitKind.DEPARTMENT, UnitKind.OFFICE)
        return kind in (UnitKind.DEPARTMENT, UnitKind.OFFICE, UnitKind.TOWN)

    def _is_government(self, i: int) -> bool:
        """False for party organs (委组织部, 委政法委 …), courts, 人大, 政协 and mass organisations."""
        for form in self._forms[i]:
            key = form.key
            if key.startswith("委") or key.endswith("部") or any(w in key for w in _NON_GOVERNMENT):
                return False
        return True
