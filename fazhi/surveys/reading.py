"""Reading the result tables third-party evaluators deliver, through the shared table reader.

Two kinds of table, columns found by meaning (the header may sit under a title, span two rows
under a merged group heading, and name columns in several ways):

- respondent-level: one row per respondent — the stratum (镇街 / 乡镇（街道）/ 调查地区 …),
  optionally the respondent type (群众 / 企业) and a sample number, then one column per item
  whose cells are answer words (满意, 比较满意, 一般 …) or codes (1 = the scale's first choice).
  Columns such as 性别, 年龄, 电话, 访问员, 日期 and 备注 are not items.
- aggregated, in one of three shapes:
  · long with answer columns: 镇街 | 题目 | 满意 | 较满意 | 基本满意 | 不满意 | 不清楚 (counts);
  · longest: 镇街 | 题目 | 评价 | 人数;
  · wide: two header rows, each item merged over its answer columns.

Reading streams the rows and keeps none: `check_table` reports every problem ("第 N 行 C 列：…"),
the answer words nobody mapped (with their rows) and the strata and items to add, and counts the
answers for the preview; `read_rows` yields the same rows for the service to store in batches
while it checks them (one pass: the command line's import, a confirmed preview). A 100,000-row
table is never held in memory as rows."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from fazhi.campaigns.services import unit_matcher_for
from fazhi.campaigns.tasklists_reading import NOTE_PREFIXES, best_column, merged_value, text_of
from fazhi.core.spreadsheets import (
    HEADER_SCAN_ROWS,
    ImportFailure,
    SheetGrid,
    normalise_header,
    read_workbook,
)
from fazhi.core.spreadsheets.formats import detect_format, read_bytes
from fazhi.orgs.matching import Confidence
from fazhi.surveys.models import RespondentType, Wave
from fazhi.surveys.scales import Scale, clean
from fazhi.surveys.xlsxrows import sheet_rows

MAX_PROBLEMS = 200
_UNREAD = object()
MAX_AGGREGATED_ROWS = 50_000

ALIASES: dict[str, tuple[str, ...]] = {
    "stratum": (
        "镇街",
        "镇街名称",
        "乡镇街道",
        "乡镇街道名称",
        "镇街道",
        "所属镇街",
        "调查镇街",
        "样本镇街",
        "所在镇街",
        "乡镇",
        "街道",
        "调查地区",
        "样本地区",
        "地区",
        "区域",
        "样本单元",
        "测评单位",
        "单位",
    ),
    "type": ("受访者类型", "样本类型", "调查对象类型", "对象类型", "受访者", "群体", "类型"),
    "ref": ("样本编号", "问卷编号", "样本号", "受访者编号", "编号", "序号"),
    "item": ("测评题目", "测评项目", "评价项目", "测评内容", "题目", "项目", "指标", "问题"),
    "answer": ("评价结果", "评价", "答案", "回答", "选项", "满意度评价", "满意度"),
    "count": ("人数", "样本数", "数量", "频数", "计数", "票数", "份数", "个数"),
}
# Respondent-level columns that are about the respondent or the interview, not items.
NOT_ITEMS = (
    "性别",
    "年龄",
    "年龄段",
    "学历",
    "文化程度",
    "职业",
    "姓名",
    "电话",
    "电话号码",
    "手机",
    "手机号",
    "联系电话",
    "访问员",
    "调查员",
    "访问时间",
    "调查时间",
    "时间",
    "日期",
    "备注",
    "合计",
    "小计",
)
TYPE_WORDS = {
    "群众": RespondentType.PUBLIC,
    "公众": RespondentType.PUBLIC,
    "居民": RespondentType.PUBLIC,
    "个人": RespondentType.PUBLIC,
    "群众样本": RespondentType.PUBLIC,
    "企业": RespondentType.BUSINESS,
    "企业样本": RespondentType.BUSINESS,
    "经营主体": RespondentType.BUSINESS,
    "市场主体": RespondentType.BUSINESS,
    "个体工商户": RespondentType.BUSINESS,
    "商户": RespondentType.BUSINESS,
}


@dataclass
class Place:
    """Where a row's stratum text leads: a stratum of the wave by name (made at confirmation
    when the org tree has the unit but the wave not yet the stratum)."""

    name: str
    unit_id: int | None
    new: bool


@dataclass
class TableCheck:
    layout: str = ""  # respondents | counts
    sheet: str = ""
    rows: int = 0  # respondents, or count rows
    problems: list[str] = field(default_factory=list)
    hidden_problems: int = 0
    unmapped: dict[str, list[int]] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)  # the table's items, in its order
    new_items: list[str] = field(default_factory=list)
    new_strata: list[Place] = field(default_factory=list)
    # (stratum name, type) → {item title: counts per choice}; respondents by the same key.
    counts: dict = field(default_factory=lambda: defaultdict(dict))
    respondents: dict = field(default_factory=lambda: defaultdict(int))
    choices: dict = field(default_factory=dict)  # cell value → (filled, choice), read once

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unmapped and not self.hidden_problems

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.hidden_problems += 1
            return
        where = f"第 {row} 行 {column} 列：" if row and column else f"第 {row} 行：" if row else ""
        self.problems.append(where + message)

    def all_problems(self) -> list[str]:
        lines = list(self.problems)
        for word, rows in self.unmapped.items():
            shown = "、".join(str(r) for r in rows[:10]) + (" 等" if len(rows) > 10 else "")
            lines.append(
                f"答案“{word}”无法对应到答案选项（第 {shown} 行，共 {len(rows)} 处），"
                "请在测评的答案别名中指定它对应的选项后再导入"
            )
        if self.hidden_problems:
            lines.append(f"还有 {self.hidden_problems} 个问题未列出")
        return lines

    def tally(self, key: tuple[str, str], item: str, choice: int, count: int, size: int) -> None:
        if count == 1:  # respondent rows, one by one: the common case, kept cheap
            per_item = self.counts[key].get(item)
            if per_item is None:
                per_item = self.counts[key][item] = [0] * size
            per_item[choice] += 1
            return
        per_item = self.counts[key].setdefault(item, [0] * size)
        per_item[choice] += count


@dataclass
class _Header:
    row: int  # the last header row
    columns: dict[str, int]  # stratum, type, ref, item, answer, count → column
    items: dict[int, str] = field(default_factory=dict)  # column → item title
    answers: dict[int, int] = field(default_factory=dict)  # column → choice (answer columns)
    wide: dict[int, tuple[str, int]] = field(default_factory=dict)  # column → (item, choice)

    @property
    def layout(self) -> str:
        return "respondents" if self.items else "counts"


# -- the header ------------------------------------------------------------------------------


def _texts(sheet: SheetGrid, row: int, width: int) -> dict[int, str]:
    return {col: normalise_header(merged_value(sheet, row, col)) for col in range(1, width + 1)}


def _raw(sheet: SheetGrid, row: int, col: int) -> str:
    return text_of(merged_value(sheet, row, col))


def _map(texts: dict[int, str], names: tuple[str, ...], known=None, exact=False) -> dict[str, int]:
    columns = dict(known or {})
    for name in names:
        if name not in columns:
            column = best_column(texts, ALIASES[name], set(columns.values()), exact=exact)
            if column:
                columns[name] = column
    return columns


def _answer_columns(texts: dict[int, str], scale: Scale, used: set[int]) -> dict[int, int]:
    found = {}
    for col, text in texts.items():
        if col in used or not text or text.isdigit():
            continue
        choice = scale.choice_of(text)
        if choice is not None and text not in ("",):
            found[col] = choice
    return found


def find_header(sheet: SheetGrid, scale: Scale) -> _Header | None:
    last = min(HEADER_SCAN_ROWS, sheet.row_count)
    width = max((len(values) for values in sheet.rows[:last]), default=0)
    for row in range(1, last + 1):
        texts = _texts(sheet, row, width)
        columns = _map(texts, ("stratum", "type", "ref", "item", "count", "answer"), exact=True)
        columns = _map(texts, ("stratum", "type", "ref", "item", "count", "answer"), columns)
        if "stratum" not in columns:
            continue
        used = set(columns.values())
        answers = _answer_columns(texts, scale, used - {columns.get("answer")})
        if "item" in columns and len(answers) >= 2:  # long, one column per answer
            columns.pop("answer", None)
            return _Header(row, columns, answers=answers)
        if "item" in columns and {"answer", "count"} <= columns.keys():  # longest
            return _Header(row, columns)
        below = _texts(sheet, row + 1, width) if row < sheet.row_count else {}
        wide = {
            col: (_raw(sheet, row, col), choice)
            for col, choice in _answer_columns(below, scale, used).items()
            if texts.get(col) and scale.choice_of(texts[col]) is None
        }
        if _is_wide(wide):  # items merged over answer columns
            return _Header(row + 1, columns, wide=wide)
        return _respondent_header(sheet, row, width, texts, columns, scale)
    return None


def _is_wide(wide: dict[int, tuple[str, int]]) -> bool:
    """Each item's title over two or more answer columns, its answers different: not a
    respondent table's first answers under its item titles."""
    choices: dict[str, list[int]] = {}
    for title, choice in wide.values():
        choices.setdefault(title, []).append(choice)
    return bool(choices) and all(
        len(found) >= 2 and len(set(found)) == len(found) for found in choices.values()
    )


def _respondent_header(sheet, row, width, texts, columns, scale) -> _Header | None:
    for name in ("item", "answer", "count"):
        columns.pop(name, None)
    used = set(columns.values())
    below = _texts(sheet, row + 1, width) if row < sheet.row_count else {}
    # A second header row: item titles under a merged group heading (满意度评价). It is a header
    # when its cells outside the known columns are titles, not answers.
    second = [col for col, text in below.items() if col not in used and text and not text.isdigit()]
    stratum_col = columns["stratum"]
    # A data row names its stratum; under a two-row header that cell is empty or merged.
    no_stratum = below.get(stratum_col, "") in ("", texts.get(stratum_col))
    if second and no_stratum and all(scale.choice_of(below[col]) is None for col in second):
        merged_header = {col: below.get(col) or texts.get(col, "") for col in range(1, width + 1)}
        raw = {col: _raw(sheet, row + 1, col) or _raw(sheet, row, col) for col in merged_header}
        texts, row = merged_header, row + 1
    else:
        raw = {col: _raw(sheet, row, col) for col in texts}
    items = {
        col: raw[col]
        for col, text in texts.items()
        if text and col not in used and text not in NOT_ITEMS
    }
    return _Header(row, columns, items=items) if items else None


# -- rows --------------------------------------------------------------------------------------


def _stream(reading: _Reading, first_row: int) -> Iterator:
    """(row number, values) of one sheet from `first_row` on, without holding the sheet."""
    data, source_format, sheet_name = reading.data, reading.source_format, reading.sheet.name
    if source_format == "xlsx":
        yield from sheet_rows(data, sheet_name, first_row)
    elif source_format == "csv":
        from fazhi.core.spreadsheets.grid import _decode_text

        reader = csv.reader(io.StringIO(_decode_text(data)))
        for number, values in enumerate(reader, start=1):
            if number >= first_row:
                yield number, [value if value != "" else None for value in values]
    else:  # .xls: at most 65,536 rows, read as the shared reader reads it
        book = read_workbook(reading.path, filename=reading.filename, row_cap=70_000)
        sheet = next(s for s in book.sheets if s.name == sheet_name)
        for number in range(first_row, sheet.row_count + 1):
            yield number, sheet.rows[number - 1]


def _cell(values, col: int):
    return values[col - 1] if 0 < col <= len(values) else None


class _Places:
    """Stratum texts to the wave's strata, through their names and, failing that, the org
    tree's units (the campaigns' matcher)."""

    def __init__(self, wave: Wave):
        self.wave = wave
        self.by_text: dict[str, Place] = {}
        self.split: set[str] = set()
        for stratum in wave.strata.select_related("unit"):
            place = Place(stratum.name, stratum.unit_id, False)
            for text in (stratum.name, *(_unit_names(stratum.unit))):
                self.by_text.setdefault(clean(text), place)
            if stratum.respondent_type:
                self.split.add(stratum.name)
        self._matcher = None
        self.cache: dict[str, Place | str] = {}

    def resolve(self, text: str) -> Place | str:
        """The place, or the message saying why there is none."""
        if text in self.cache:
            return self.cache[text]
        key = clean(text)
        place = self.by_text.get(key)
        if place is None:
            if self._matcher is None:
                self._matcher = unit_matcher_for(self.wave.region)
            match = self._matcher.match(text)
            if match.confidence in (Confidence.EXACT, Confidence.LIKELY) and len(match.units) == 1:
                unit = match.units[0]
                place = self.by_text.get(clean(unit.display_name)) or Place(
                    unit.display_name, unit.pk, True
                )
            else:
                place = f"“{text}”在{self.wave.region.name}的组织机构中找不到对应的镇街或单位"
        self.cache[text] = place
        return place


def _unit_names(unit) -> tuple[str, ...]:
    return (unit.name, unit.short_name) if unit is not None else ()


def _type_of(text: str) -> str | None:
    if not text:
        return ""
    return TYPE_WORDS.get(clean(text))


@dataclass
class _Reading:
    path: object
    filename: str | None
    data: bytes
    source_format: str
    sheet: SheetGrid
    header: _Header


def _quick_sheets(data: bytes) -> list[SheetGrid]:
    """The first rows of each sheet in read-only mode: cheap however long the sheet, but
    without merged ranges."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [
            SheetGrid(
                sheet.title,
                rows=[
                    list(values)
                    for values in sheet.iter_rows(max_row=HEADER_SCAN_ROWS + 2, values_only=True)
                ],
            )
            for sheet in book.worksheets
        ]
    finally:
        book.close()


def _quick_header(data: bytes, scale: Scale) -> tuple[SheetGrid, _Header] | None:
    """A respondent-level header found without merged ranges, when it needs none: every cell
    between its first and last title filled (a gap is a title merged across, which aggregated
    layouts use; those tables are small and read whole)."""
    try:
        sheets = _quick_sheets(data)
    except Exception:  # damaged: the shared reader tells what is wrong
        return None
    for sheet in sheets:
        header = find_header(sheet, scale)
        if header is None:
            continue
        if header.layout != "respondents":
            return None
        used = sorted([*header.columns.values(), *header.items])
        if len(used) == used[-1] - used[0] + 1 or _filled(sheet, header, used):
            return sheet, header
        return None
    return None


def _filled(sheet: SheetGrid, header: _Header, used: list[int]) -> bool:
    return all(
        text_of(sheet.value(header.row, col)) or text_of(sheet.value(header.row - 1, col))
        for col in range(used[0], used[-1] + 1)
    )


def _open(path, filename: str | None, wave: Wave, scale: Scale) -> _Reading:
    data = read_bytes(path)
    source_format = detect_format(data)
    if source_format == "xlsx" and (quick := _quick_header(data, scale)) is not None:
        return _Reading(path, filename, data, source_format, *quick)
    book = read_workbook(path, filename=filename, row_cap=HEADER_SCAN_ROWS + 2)
    for sheet in book.sheets:
        header = find_header(sheet, scale)
        if header is not None:
            if header.layout == "counts":  # small: read whole, merged cells and all
                full = read_workbook(path, filename=filename, row_cap=MAX_AGGREGATED_ROWS)
                sheet = next(s for s in full.sheets if s.name == sheet.name)
            return _Reading(path, filename, data, source_format, sheet, header)
    raise ImportFailure(
        "没有找到测评结果的表头：需要“镇街”（或“乡镇（街道）”“调查地区”）一列，以及每道题一列"
        "（逐份问卷），或“题目”一列和各答案的人数（汇总表）"
    )


def check_table(wave: Wave, path, *, filename: str | None = None, scale: Scale) -> TableCheck:
    """Every problem of the table, its new strata and items, and its answer counts."""
    reading = _open(path, filename, wave, scale)
    check = TableCheck(layout=reading.header.layout, sheet=reading.sheet.name)
    for _ in _rows(reading, wave, scale, check):
        pass
    return check


def read_rows(wave: Wave, path, *, filename: str | None = None, scale: Scale):
    """(check, rows) for storing while checking, in one pass: rows are (place, type, answers
    by item title) for respondent-level tables, (place, type, item title, choice, count) for
    aggregated ones. The check is complete once the rows are exhausted; the caller stores in a
    transaction and rolls it back when the check found anything wrong."""
    reading = _open(path, filename, wave, scale)
    check = TableCheck(layout=reading.header.layout, sheet=reading.sheet.name)
    return check, _rows(reading, wave, scale, check)


def _rows(reading: _Reading, wave: Wave, scale: Scale, check: TableCheck) -> Iterator:
    header = reading.header
    places = _Places(wave)
    existing = {clean(item.title): item.title for item in wave.items.all()}
    if header.items:
        titles = list(header.items.values())
    elif header.wide:
        titles = list(dict.fromkeys(item for item, _ in header.wide.values()))
    else:
        titles = []
    for title in titles:
        _note_item(check, existing, title)
    new_places: dict[str, Place] = {}
    if header.layout == "respondents":
        rows = _stream(reading, header.row + 1)
        produce = _respondent_row
    else:
        rows = (
            (number, reading.sheet.rows[number - 1])
            for number in range(header.row + 1, reading.sheet.row_count + 1)
        )
        produce = _count_rows
    refs: dict[str, int] = {}
    for number, values in rows:
        values = list(values or ())
        first = next((text for value in values if (text := _text(value))), "")
        if not first:
            continue
        if first.startswith(NOTE_PREFIXES):
            continue
        context = _RowContext(number, values, reading.sheet, header, places, scale, check)
        place, kind = context.place_and_type()
        if place is None:
            continue
        if place.new:
            new_places.setdefault(place.name, place)
        yield from produce(context, place, kind, existing, refs)
    check.new_strata = list(new_places.values())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip() and text_of(value)
    return text_of(value)


def _note_item(check: TableCheck, existing: dict[str, str], title: str) -> None:
    title = title.strip()
    if title in check.items:
        return
    check.items.append(title)
    if clean(title) not in existing:
        check.new_items.append(title)


@dataclass
class _RowContext:
    number: int
    values: list
    sheet: SheetGrid
    header: _Header
    places: _Places
    scale: Scale
    check: TableCheck

    def value(self, col: int):
        if self.header.layout == "counts":
            return merged_value(self.sheet, self.number, col)
        return _cell(self.values, col)

    def letter(self, name: str) -> str:
        return get_column_letter(self.header.columns[name])

    def place_and_type(self) -> tuple[Place | None, str]:
        columns = self.header.columns
        text = text_of(self.value(columns["stratum"]))
        if not text:
            self.check.problem(self.number, self.letter("stratum"), "没有填写镇街（样本单元）")
            return None, ""
        place = self.places.resolve(text)
        if isinstance(place, str):
            self.check.problem(self.number, self.letter("stratum"), place)
            return None, ""
        kind = ""
        if "type" in columns:
            type_text = text_of(self.value(columns["type"]))
            kind = _type_of(type_text)
            if kind is None:
                self.check.problem(
                    self.number,
                    self.letter("type"),
                    f"受访者类型“{type_text}”无法识别，应为“群众”或“企业”",
                )
                return None, ""
        if place.name in self.places.split and not kind:
            self.check.problem(
                self.number,
                get_column_letter(columns.get("type", columns["stratum"])),
                f"{place.name}按群众和企业分别抽样，请填写受访者类型",
            )
            return None, ""
        return place, kind


def _respondent_row(context: _RowContext, place: Place, kind: str, existing, refs) -> Iterator:
    check, scale, header = context.check, context.scale, context.header
    if "ref" in header.columns:
        ref = text_of(context.value(header.columns["ref"]))
        if ref and ref in refs:
            check.problem(
                context.number, context.letter("ref"), f"样本编号“{ref}”与第 {refs[ref]} 行重复"
            )
            return
        if ref:
            refs[ref] = context.number
    answers, blank, broken = {}, True, False
    memo = check.choices
    for col, title in header.items.items():
        value = context.value(col)
        # A table repeats a handful of words 100,000 times: each is read once.
        known = memo.get(value, _UNREAD) if isinstance(value, str | int | float) else _UNREAD
        if known is _UNREAD:
            known = (bool(text_of(value)), scale.choice_of(value))
            if isinstance(value, str | int | float):
                memo[value] = known
        filled, choice = known
        if filled:
            blank = False
        if choice is None:
            check.unmapped.setdefault(text_of(value), []).append(context.number)
            broken = True
            continue
        answers[title] = choice
    if blank:
        check.problem(context.number, None, "这一行没有任何回答")
        return
    if broken:
        return
    key = (place.name, kind)
    check.rows += 1
    check.respondents[key] += 1
    size = len(scale.labels)
    for title, choice in answers.items():
        check.tally(key, title, choice, 1, size)
    yield place, kind, answers


def _count(context: _RowContext, col: int) -> int | None:
    value = context.value(col)
    text = text_of(value)
    if not text:
        return 0
    try:
        number = float(text)
    except ValueError:
        number = -1
    if number < 0 or not number.is_integer():
        context.check.problem(
            context.number, get_column_letter(col), f"人数应为非负整数，这里是“{text}”"
        )
        return None
    return int(number)


def _count_rows(context: _RowContext, place: Place, kind: str, existing, refs) -> Iterator:
    check, scale, header = context.check, context.scale, context.header
    size = len(scale.labels)
    cells: list[tuple[str, int, int]] = []  # (item title, choice, count)
    if header.wide:
        for col, (title, choice) in header.wide.items():
            cells.append((title, choice, _count(context, col)))
    else:
        title = text_of(context.value(header.columns["item"]))
        if not title:
            check.problem(context.number, context.letter("item"), "没有填写题目")
            return
        _note_item(check, existing, title)
        if header.answers:
            for col, choice in header.answers.items():
                cells.append((title, choice, _count(context, col)))
        else:
            word = context.value(header.columns["answer"])
            choice = scale.choice_of(word)
            if choice is None:
                check.unmapped.setdefault(text_of(word), []).append(context.number)
                return
            cells.append((title, choice, _count(context, header.columns["count"])))
    if any(count is None for _, _, count in cells):
        return
    check.rows += 1
    key = (place.name, kind)
    for title, choice, count in cells:
        if count:
            check.tally(key, title, choice, count, size)
            yield place, kind, title, choice, count
    # Respondents of an aggregated table: its answers to the item most answered (see selectors).
    per_item = defaultdict(int)
    for title, counts in check.counts[key].items():
        per_item[title] = sum(counts)
    check.respondents[key] = max(per_item.values(), default=0)
