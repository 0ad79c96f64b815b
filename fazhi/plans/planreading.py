"""Reading an annual work plan (工作要点 / 工作计划) from the lines of the document governments
circulate: areas are headings numbered `一、`, measures the first numbered level below them
(`（一）`, `1.` or `1、`), and each measure names its units and deadline in the text.

The forms met in published plans, all read here:
- `（牵头单位：市司法局；责任单位：各县区政府、市直有关部门）` after the measure (also 配合单位,
  参与单位, 完成时限 in the same bracket);
- `（市司法局牵头，市发展改革委等按职责分工负责）`;
- `牵头单位：…`, `责任单位：…`, `完成时限：…` on lines of their own below the measure;
- a deadline inside the bracket or the sentence: `2024年6月底前`, `年底前`, `上半年`, or a
  rhythm (`每季度`, `持续推进`, `长期坚持`), which is kept as written with no date.

Reading is pure: lines in, areas and measures out, with every problem tied to the paragraph it
is in (numbered from 1, empty lines not counted, as a reader counts them). Matching the unit names
to the org tree is the importer's job, with the matcher the campaigns use.

Deeper numbering below a measure (`1.` under `（一）`, `（1）` under `1.`) is part of the measure's
text: the first numbered level found below an area is the measure level for the whole document,
so a plan whose measures are `1.` and whose areas hold no `（一）` reads the same way as one
with `（一）` measures."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from fazhi.campaigns.deadlines import parse_deadline

# Numbering levels, outermost first. `1.` must not be a decimal ("2024.6") or a date.
_LEVELS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^[一二三四五六七八九十百]+\s*[、.．]\s*"),
    re.compile(r"^[（(]\s*[一二三四五六七八九十百]+\s*[)）]\s*[、.．]?\s*"),
    re.compile(r"^\d{1,3}\s*(?:[、．]|\.(?!\d))\s*"),
    re.compile(r"^[（(]\s*\d{1,3}\s*[)）]\s*"),
    re.compile(r"^[①-⑳]\s*"),
)
AREA = 0

# Where the plan's body ends: attachments, copy lists, the issuing date on a line of its own.
_END = re.compile(
    r"^(?:附件\s*[:：\d一二三四五六七八九十]|附件$|抄送[:：]|\d{4}年\d{1,2}月\d{1,2}日$)"
)

_LABELS = {
    "lead": r"牵头(?:单位|部门)",
    "responsible": r"(?:责任|配合|参与|协办|承办|协同)(?:单位|部门)|责任主体",
    "deadline": r"(?:完成)?时限|完成时间|时间(?:节点|要求|安排)",
}
_LABEL = re.compile(
    r"(?P<label>" + "|".join(f"(?P<{key}>{pattern})" for key, pattern in _LABELS.items()) + r")"
    r"\s*[:：]\s*"
)
_OWN_LINE_LABEL = re.compile(r"^[（(]?\s*" + _LABEL.pattern)
# A bracket at the end of a measure (or standing alone) that speaks of units or time.
_NOTE = re.compile(r"[（(](?P<body>[^()（）]*)[)）]\s*[。；;，,]?\s*$")
_NOTE_WORDS = re.compile(
    r"牵头|负责|责任|配合|参与|协办|承办|单位|部门|时限|完成|底前|年内|每季|每月|持续|长期"
)
_SOLE_CHARGE = re.compile(r"(?<!分工)(?<!职责)负责$")
_LEAD_TAIL = re.compile(r"^(?P<units>.+?)(?:共同)?牵头(?:负责|抓总)?$")

# Deadlines. A date needs 前/完成/底 after it, so a year in the body ("2023年以来") is no deadline.
_DATE_DEADLINE = re.compile(
    r"(?:(?P<y>20\d{2})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2}\s*日|底|末|中旬|上旬|下旬)?"
    r"|(?P<end>年?底|年?末|年?内|上半年|下半年))\s*(?:前|以前|之前)?\s*(?:完成|到位|出台|印发)?"
)
_TEN_DAYS = {"上旬": "10", "中旬": "20"}
_RHYTHM = re.compile(
    r"每(?:季度|月|半年|年)|长期坚持|持续推进|长期推进|持续开展|常态化(?:推进|开展)?"
)


@dataclass
class Measure:
    code: str  # "2.3": the third measure of the second area
    title: str
    detail: str
    where: str
    lead_names: list[str] = field(default_factory=list)
    responsible_names: list[str] = field(default_factory=list)
    deadline_text: str = ""
    deadline: date | None = None
    # 阶段目标 by the date they are due (ISO, as the preview keeps readings in JSON): a table's
    # 一季度 … 四季度 or 3月 … 12月 columns.
    milestones: dict[str, str] = field(default_factory=dict)


@dataclass
class Area:
    code: str
    title: str
    where: str
    measures: list[Measure] = field(default_factory=list)


@dataclass
class Problem:
    where: str  # "第 3 段" in a document, "第 5 行 C 列" in a table
    message: str

    def __str__(self) -> str:
        return f"{self.where}：{self.message}"


def paragraph(number: int) -> str:
    return f"第 {number} 段"


@dataclass
class PlanReading:
    year: int
    title: str = ""
    areas: list[Area] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def measures(self) -> list[Measure]:
        return [measure for area in self.areas for measure in area.measures]


def read_plan_lines(lines: list[str], *, year: int) -> PlanReading:
    """The areas and measures of a plan document given as its paragraphs in reading order."""
    reading = PlanReading(year=year)
    paragraphs = [(number, text) for number, text in _numbered(lines)]
    measure_level: int | None = None
    area: Area | None = None
    measure: Measure | None = None
    for number, text in paragraphs:
        if _END.match(text) and area is not None:
            break
        level, body = _level_of(text)
        if level == AREA:
            area = Area(
                code=str(len(reading.areas) + 1), title=heading_text(body), where=paragraph(number)
            )
            reading.areas.append(area)
            measure = None
            continue
        if area is None:
            if not reading.title and level is None:
                reading.title = text
            continue
        if level is not None and measure_level is None:
            measure_level = level
        if level is not None and level <= measure_level:
            if level < measure_level:  # a grouping between area and measure: not a measure
                measure = None
                continue
            measure = _new_measure(area, body, paragraph(number), reading)
            continue
        if measure is not None:
            _continue_measure(measure, text, paragraph(number), reading)
    _check_structure(reading, paragraphs)
    return reading


def _numbered(lines: list[str]):
    number = 0
    for line in lines:
        for piece in str(line).split("\n"):
            text = re.sub(r"\s+", " ", piece).strip()
            if text:
                number += 1
                yield number, text


def _level_of(text: str) -> tuple[int | None, str]:
    for level, pattern in enumerate(_LEVELS):
        if match := pattern.match(text):
            return level, text[match.end() :]
    return None, text


_QUARTER_HEADER = re.compile(
    r"^(?:第?(?P<q>[一二三四1-4])季度|Q(?P<qn>[1-4]))(?:末|底)?(?:前)?$", re.I
)
_MONTH_HEADER = re.compile(
    r"^(?P<m>\d{1,2}|[一二三四五六七八九十]|十[一二])月(?:份|底|末)?(?:前)?$"
)
_HALF_HEADER = re.compile(r"^(?P<h>上|下)半年$")
_CHINESE_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


def milestone_date(header: str, year: int) -> date | None:
    """The date a period column of a ledger is due by (一季度 → 3-31, 第二季度 → 6-30, 5月 → 5-31,
    上半年 → 6-30), or None when the header names no period."""
    header = re.sub(r"\s+", "", header or "")
    if match := _QUARTER_HEADER.match(header):
        quarter = match["q"] or match["qn"]
        month = 3 * (_CHINESE_DIGITS.get(quarter) or int(quarter))
    elif match := _MONTH_HEADER.match(header):
        number = match["m"]
        month = int(number) if number.isdigit() else _chinese_month(number)
    elif match := _HALF_HEADER.match(header):
        month = 6 if match["h"] == "上" else 12
    else:
        return None
    if not 1 <= month <= 12:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _chinese_month(text: str) -> int:
    return (
        10 + _CHINESE_DIGITS[text[1]]
        if text.startswith("十") and len(text) == 2
        else _CHINESE_DIGITS[text]
    )


def heading_text(text: str) -> str:
    return text.strip().rstrip("。：:；;，,").strip()


def _new_measure(area: Area, body: str, where: str, reading: PlanReading) -> Measure:
    measure = Measure(
        code=f"{area.code}.{len(area.measures) + 1}", title="", detail="", where=where
    )
    area.measures.append(measure)
    body = _take_notes(measure, body, where, reading)
    title, _, detail = body.partition("。")
    measure.title = heading_text(title)
    measure.detail = detail.strip()
    if not measure.title:
        reading.problems.append(Problem(where, "这一条措施没有标题（编号后没有文字）"))
    return measure


def _continue_measure(measure: Measure, text: str, where: str, reading: PlanReading) -> None:
    """A line below a measure: a unit or deadline label of its own, or more of its text."""
    if _OWN_LINE_LABEL.match(text):
        _read_labelled(measure, text.strip("（()）"), where, reading)
        return
    text = _take_notes(measure, text, where, reading)
    if text:
        measure.detail = f"{measure.detail}\n{text}".strip()


def _take_notes(measure: Measure, text: str, where: str, reading: PlanReading) -> str:
    """Read the unit/deadline bracket at the end of `text` (and a deadline in the sentence);
    the text without the bracket."""
    while (match := _NOTE.search(text)) and _NOTE_WORDS.search(match["body"]):
        _read_note(measure, match["body"], where, reading)
        text = text[: match.start()].rstrip("，,；; ")
    if not measure.deadline_text:
        _deadline_in_sentence(measure, text, where, reading)
    return text.strip()


def _read_note(measure: Measure, body: str, where: str, reading: PlanReading) -> None:
    if _LABEL.search(body):
        _read_labelled(measure, body, where, reading)
        return
    # "市司法局牵头，市发展改革委等按职责分工负责；2024年底前完成"
    for part in re.split(r"[，,；;]", body):
        part = part.strip()
        if not part:
            continue
        if _deadline_part(measure, part, where, reading):
            continue
        if lead := _LEAD_TAIL.match(part):
            measure.lead_names += unit_names(lead["units"])
        elif _SOLE_CHARGE.search(part) and not measure.lead_names:
            # "（市司法局负责）": the one unit in charge leads
            measure.lead_names += unit_names(part)
        else:
            measure.responsible_names += unit_names(part)


def _read_labelled(measure: Measure, body: str, where: str, reading: PlanReading) -> None:
    """`牵头单位：A；责任单位：B、C；完成时限：2024年6月底前` (in a bracket or on its own line)."""
    matches = list(_LABEL.finditer(body))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        value = body[match.end() : end].strip().strip("，,；;。 ")
        if not (match["lead"] or match["responsible"]):
            if value:
                set_deadline(measure, value, where, reading)
            continue
        names = measure.lead_names if match["lead"] else measure.responsible_names
        # "牵头单位：区气象局；每季度": an unlabelled deadline may follow the units.
        for piece in re.split(r"[；;]", value):
            if piece.strip() and not _deadline_part(measure, piece.strip(), where, reading):
                names += unit_names(piece)


def _deadline_part(measure: Measure, part: str, where: str, reading: PlanReading) -> bool:
    """Whether a piece of a note is a deadline (and read it)."""
    if _RHYTHM.fullmatch(part) or (_date_match(part) and _unitless(part)):
        set_deadline(measure, part, where, reading)
        return True
    return False


def _date_match(text: str) -> re.Match[str] | None:
    """The first deadline date in `text`; a bare 底/末/内 counts only after a year ("2024年底")."""
    for match in _DATE_DEADLINE.finditer(text):
        if match["m"] or (match["end"] and (match["y"] or match["end"][0] in "年上下")):
            return match
    return None


def _unitless(part: str) -> bool:
    return not re.search(r"局|委|办|府|院|部|厅|中心|单位|部门|街道|镇|乡", part)


def _deadline_in_sentence(measure: Measure, text: str, where: str, reading: PlanReading) -> None:
    while match := _date_match(text):
        phrase = match.group(0)
        if re.search(r"前|完成|到位|出台|印发", phrase):
            set_deadline(measure, phrase.strip(), where, reading)
            return
        text = text[match.end() :]


def set_deadline(measure: Measure, text: str, where: str, reading: PlanReading) -> None:
    text = text.strip().strip("，,；;。")
    measure.deadline_text = text
    measure.deadline = None
    match = _date_match(text)
    if match is None:  # a rhythm ("每季度") or words: kept as written, no date
        return
    if match["end"]:
        measure.deadline = _period_end(match, reading.year)
        return
    month = int(match["m"])
    year = int(match["y"]) if match["y"] else reading.year
    if not 1 <= month <= 12:
        reading.problems.append(Problem(where, f"完成时限“{text}”中的月份 {month} 不存在"))
        return
    day = _TEN_DAYS.get(match["d"] or "", (match["d"] or "").replace("日", "").strip())
    if day.isdigit() and not _valid_day(year, month, int(day)):
        reading.problems.append(Problem(where, f"完成时限“{text}”中的日期不存在"))
        return
    spoken = f"{year}年{month}月{day if day.isdigit() else '底'}"
    measure.deadline = parse_deadline(spoken, default_year=year)


def _period_end(match: re.Match[str], plan_year: int) -> date:
    year = int(match["y"]) if match["y"] else plan_year
    return date(year, 6, 30) if match["end"] == "上半年" else date(year, 12, 31)


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def unit_names(text: str) -> list[str]:
    from fazhi.orgs.matching import split_unit_text

    text = re.sub(
        r"(?:等)?(?:按职责分工|按照职责分工|根据职责)?(?:分工)?(?:负责|落实|配合)$", "", text
    )
    return [name for name in split_unit_text(text) if name]


def _check_structure(reading: PlanReading, paragraphs: list[tuple[int, str]]) -> None:
    if not paragraphs:
        reading.problems.append(Problem(paragraph(1), "文档中没有文字"))
        return
    if not reading.areas:
        reading.problems.append(
            Problem(
                paragraph(paragraphs[0][0]),
                "没有识别到领域标题：领域应以“一、”“二、”这样的编号开头，措施以“（一）”“1.”或“1、”开头",
            )
        )
        return
    for area in reading.areas:
        if not area.measures:
            reading.problems.append(
                Problem(area.where, f"领域“{area.title}”下没有识别到编号的措施")
            )
