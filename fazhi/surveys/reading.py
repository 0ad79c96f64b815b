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
table is never held in memory as rows.

The header is found in `resultheader`, a row's stratum and type resolved in `places`."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from fazhi.campaigns.tasklists_reading import NOTE_PREFIXES, merged_value, text_of
from fazhi.core.spreadsheets import (
    HEADER_SCAN_ROWS,
    ImportFailure,
    SheetGrid,
    column_letter,
    read_workbook,
)
from fazhi.core.spreadsheets.formats import detect_format, read_bytes
from fazhi.surveys.models import Wave
from fazhi.surveys.places import Place, Places, type_of
from fazhi.surveys.resultheader import Header, find_header, quick_header
from fazhi.surveys.scales import Scale, clean
from fazhi.surveys.xlsxrows import sheet_rows

MAX_PROBLEMS = 200
_UNREAD = object()
MAX_AGGREGATED_ROWS = 50_000


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
class _Reading:
    path: object
    filename: str | None
    data: bytes
    source_format: str
    sheet: SheetGrid
    header: Header


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


def _open(path, filename: str | None, wave: Wave, scale: Scale) -> _Reading:
    data = read_bytes(path)
    source_format = detect_format(data)
    if source_format == "xlsx" and (quick := quick_header(data, scale)) is not None:
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
    places = Places(wave)
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
    header: Header
    places: Places
    scale: Scale
    check: TableCheck

    def value(self, col: int):
        if self.header.layout == "counts":
            return merged_value(self.sheet, self.number, col)
        return _cell(self.values, col)

    def letter(self, name: str) -> str:
        return column_letter(self.header.columns[name])

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
            kind = type_of(type_text)
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
                column_letter(columns.get("type", columns["stratum"])),
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
            context.number, column_letter(col), f"人数应为非负整数，这里是“{text}”"
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
