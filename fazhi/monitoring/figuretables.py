"""Reading a figures table (监测数据统计表) in either layout, columns found by meaning:

- long (长表): one row per reporter, metric and period — 地区/单位, 指标, (统计期), 分子, 分母;
- wide (宽表): one row per reporter, a column pair per metric — the metric's name over two
  columns (merged or not) with 分子/分母 (or the metric's own numerator/denominator wording)
  below, or one header row of "出庭应诉率（分子）"-style cells.

The period is the one given, else a 统计期 column, else the title above the header or the
sheet's name ("2025年第二季度…统计表"). Every problem names its sheet, row and column; a table
mixing the two layouts is refused as a whole. Pure reading: matching reporters to the org tree
is `importing`'s."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from fazhi.campaigns.tasklists_reading import best_column, merged_value, text_of
from fazhi.core.spreadsheets import (
    HEADER_SCAN_ROWS,
    GridWorkbook,
    SheetGrid,
    column_letter,
    normalise_header,
)
from fazhi.monitoring.periods import parse_period, period_in_title

TARGET_ALIASES = (
    "地区",
    "区划",
    "县市区",
    "市县区",
    "区县",
    "地区名称",
    "区划名称",
    "单位",
    "单位名称",
    "报送单位",
    "填报单位",
    "部门",
    "部门名称",
    "名称",
)
CODE_ALIASES = (
    "区划代码",
    "行政区划代码",
    "地区代码",
    "单位编码",
    "单位代码",
    "地区单位代码",
    "代码",
    "编码",
)
METRIC_ALIASES = ("指标", "监测指标", "指标名称", "指标代码", "监测项目", "项目")
NUMERATOR_ALIASES = ("分子", "分子数")
DENOMINATOR_ALIASES = ("分母", "分母数")
PERIOD_ALIASES = ("统计期", "统计期间", "统计周期", "期间", "报告期", "季度", "时间")
SKIP_ROWS = ("合计", "总计", "小计", "全市合计", "全省合计")
STOP_PREFIXES = ("注", "说明", "备注", "填表", "填报人", "联系人", "审核人")
BLANKS = {"", "-", "—", "--", "/", "／", "无"}

# Short names metrics go by in tables, beside their code and full name.
METRIC_NICKNAMES = {
    "court_appearance": ("出庭应诉率", "出庭应诉"),
    "reconsideration_compliance": ("复议决定履行率", "复议履行率", "复议决定履行"),
    "reconsideration_correction": ("复议纠错率", "纠错率"),
    "litigation_loss": ("败诉率", "诉讼败诉"),
    "normative_filing": ("备案审查率", "规范性文件备案"),
    "legality_review": ("合法性审查率", "决策合法性审查"),
    "disclosure_on_time": ("按时答复率", "依申请公开"),
}


@dataclass
class MetricName:
    """What a header may call one metric."""

    code: str
    name: str
    numerator: str
    denominator: str

    def header_keys(self) -> list[str]:
        names = [self.name, self.name.removesuffix("率"), *METRIC_NICKNAMES.get(self.code, ())]
        keys = {normalise_header(n).lower() for n in [*names, self.code] if n}
        return sorted(keys, key=len, reverse=True)


@dataclass
class FigureRow:
    sheet: str
    row: int
    target: str
    target_code: str
    metric: str
    period: str
    numerator: int
    denominator: int
    columns: dict[str, str] = field(default_factory=dict)  # field → column letter

    def where(self, name: str = "") -> str:
        letter = self.columns.get(name, "")
        place = f"工作表“{self.sheet}”第 {self.row} 行"
        return f"{place} {letter} 列" if letter else place


@dataclass
class FiguresReading:
    layout: str = ""  # "long" | "wide"
    rows: list[FigureRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)


@dataclass
class Header:
    row: int  # the last header row
    layout: str
    target: int | None
    code: int | None
    period: int | None
    metric: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    pairs: dict[str, dict[str, int]] = field(default_factory=dict)  # code → {"n": col, "d": col}


class MetricLookup:
    def __init__(self, metrics: list[MetricName]):
        self.metrics = metrics
        self._keys = sorted(
            ((key, m) for m in metrics for key in m.header_keys()), key=lambda kv: -len(kv[0])
        )

    def find(self, text: str) -> MetricName | None:
        """The metric a header or cell names: by code, name or short name (the longest that
        fits, so 规范性文件备案审查率 is not taken for a shorter name inside it)."""
        key = normalise_header(text).lower()
        if not key:
            return None
        for candidate, metric in self._keys:
            if key == candidate:
                return metric
        for candidate, metric in self._keys:
            if len(candidate) >= 3 and candidate in key:
                return metric
        return None


def read_figures_table(
    book: GridWorkbook, *, metrics: list[MetricName], period: str | None
) -> FiguresReading:
    reading = FiguresReading()
    lookup = MetricLookup(metrics)
    layouts: dict[str, str] = {}
    for sheet in book.sheets:
        if sheet.is_empty():
            continue
        try:
            header = _find_header(sheet, lookup)
        except ValidationError as exc:
            reading.problems.extend(exc.messages)
            continue
        if header is None:
            continue
        layouts[sheet.name] = header.layout
        sheet_period = _sheet_period(sheet, header, period, reading)
        _read_rows(sheet, header, lookup, sheet_period, period, reading)
    if not layouts and not reading.problems:
        names = "、".join(f"“{s.name}”" for s in book.sheets) or "（空）"
        reading.problems.append(
            f"工作表{names}中没有找到监测数据的表头：长表需要“地区/单位”“指标”“分子”“分母”列，"
            "宽表需要“地区/单位”列和每个指标下的“分子”“分母”两列"
        )
    if len(set(layouts.values())) > 1:
        long = "、".join(f"“{n}”" for n, lay in layouts.items() if lay == "long")
        wide = "、".join(f"“{n}”" for n, lay in layouts.items() if lay == "wide")
        reading.problems.insert(
            0,
            f"文件中长表（工作表{long}）与宽表（工作表{wide}）混用：请只用一种格式，"
            "或分成两个文件分别导入",
        )
    reading.layout = next(iter(layouts.values()), "")
    reading.periods = sorted({row.period for row in reading.rows if row.period})
    _check_duplicates(reading)
    return reading


# -- the header -----------------------------------------------------------------------------------


def _texts(sheet: SheetGrid, row: int, width: int) -> dict[int, str]:
    return {c: normalise_header(text_of(merged_value(sheet, row, c))) for c in range(1, width + 1)}


def _find_header(sheet: SheetGrid, lookup: MetricLookup) -> Header | None:
    last = min(HEADER_SCAN_ROWS, sheet.row_count)
    width = max((len(values) for values in sheet.rows[: last + 1]), default=0)
    for row in range(1, last + 1):
        texts = _texts(sheet, row, width)
        code = best_column(texts, CODE_ALIASES, set(), exact=False)
        target = best_column(texts, TARGET_ALIASES, {code} if code else set(), exact=False)
        if target is None and code is None:
            continue
        used = {c for c in (target, code) if c}
        period = best_column(texts, PERIOD_ALIASES, used, exact=True)
        used |= {period} if period else set()
        metric = best_column(texts, METRIC_ALIASES, used, exact=True)
        numerator = best_column(texts, NUMERATOR_ALIASES, used, exact=False)
        denominator = best_column(texts, DENOMINATOR_ALIASES, used, exact=False)
        long = metric is not None and numerator is not None and denominator is not None
        pairs, unknown = _metric_pairs(sheet, row, width, used, lookup)
        if long and pairs:
            raise ValidationError(
                f"工作表“{sheet.name}”第 {row} 行：表头既有“指标”“分子”“分母”列（长表），"
                "又有按指标分列的分子、分母（宽表），两种格式混用，请只用一种"
            )
        if long:
            return Header(row, "long", target, code, period, metric, numerator, denominator)
        if pairs:
            if unknown:
                raise ValidationError(unknown)
            last_row = row + 1 if any(p.get("sub") for p in pairs.values()) else row
            pairs = {k: {"n": v["n"], "d": v["d"]} for k, v in pairs.items()}
            return Header(last_row, "wide", target, code, period, pairs=pairs)
    return None


def _part(text: str, metric: MetricName | None) -> str:
    """Whether a header text names a numerator ("n"), a denominator ("d") or neither."""
    if "分子" in text:
        return "n"
    if "分母" in text:
        return "d"
    if metric is not None:
        if text and text in {normalise_header(metric.numerator)}:
            return "n"
        if text and text in {normalise_header(metric.denominator)}:
            return "d"
    return ""


def _metric_pairs(sheet, row, width, used, lookup) -> tuple[dict, list[str]]:
    """{metric code: {"n": column, "d": column, "sub": bool}} of a wide header at `row`, and the
    problems of headings over 分子/分母 that name no known metric. A metric over two columns
    whose sub-headings say neither 分子 nor 分母 (负责人出庭数 | 开庭审理数) is read the way a
    rate is written: the left column the numerator, the right one the denominator."""
    pairs: dict[str, dict] = {}
    spans: dict[str, list[tuple[int, str]]] = {}  # code → [(column, part)] under a heading
    unknown: list[str] = []
    below = _texts(sheet, row + 1, width) if row < sheet.row_count else {}
    heading, heading_metric, heading_col = "", None, 0
    for col in range(1, width + 1):
        if col in used:
            heading, heading_metric = "", None
            continue
        text = normalise_header(text_of(merged_value(sheet, row, col)))
        if text:
            heading, heading_metric, heading_col = text, lookup.find(text), col
        if not heading:
            continue
        one_row = "分子" in text or "分母" in text  # one header row: "出庭应诉率（分子）"
        part = (
            ("n" if "分子" in text else "d")
            if one_row
            else _part(below.get(col, ""), heading_metric)
        )
        if heading_metric is None:
            if part and heading not in NUMERATOR_ALIASES + DENOMINATOR_ALIASES:
                letter = column_letter(heading_col)
                unknown.append(
                    f"工作表“{sheet.name}”第 {row} 行 {letter} 列：指标“{heading}”不在指标库中，"
                    "请使用指标库中的指标名称或代码"
                )
                heading = ""
            continue
        if one_row:
            pairs.setdefault(heading_metric.code, {"sub": False})[part] = col
        elif below.get(col):
            spans.setdefault(heading_metric.code, []).append((col, part))
    for code, columns in spans.items():
        pairs[code] = {"sub": True, **_span_parts(columns)}
    complete = {code: p for code, p in pairs.items() if "n" in p and "d" in p}
    for code, p in pairs.items():
        if code not in complete:
            letter = column_letter(p.get("n") or p.get("d") or spans[code][0][0])
            missing = "分母" if "n" in p else "分子"
            unknown.append(
                f"工作表“{sheet.name}”第 {row} 行 {letter} 列：指标“{code}”缺少{missing}列"
            )
    return complete, unknown


def _span_parts(columns: list[tuple[int, str]]) -> dict[str, int]:
    """The numerator and denominator columns under one metric heading."""
    found = {part: col for col, part in columns if part}
    if len(columns) == 2 and len(found) < 2:
        (left, _), (right, _) = columns
        found = {"n": left, "d": right}
    return found


def _sheet_period(sheet, header: Header, given: str | None, reading) -> str | None:
    """The period of a whole sheet: the one given, else the title's, else the sheet name's."""
    if given:
        return given
    first_header = header.row - (1 if header.layout == "wide" and header.row > 1 else 0)
    for row in range(1, first_header):
        for value in sheet.rows[row - 1]:
            found = _title_period(text_of(value), sheet.name, row, reading)
            if found:
                return found
    return _title_period(sheet.name, sheet.name, None, reading)


def _title_period(text: str, sheet: str, row: int | None, reading) -> str | None:
    try:
        return period_in_title(text)
    except ValidationError as exc:
        place = f"工作表“{sheet}”" + (f"第 {row} 行标题" if row else "的名称")
        reading.problems.append(f"{place}：{exc.messages[0]}")
        return None


# -- the rows -------------------------------------------------------------------------------------


def _read_rows(sheet, header: Header, lookup, sheet_period, given, reading) -> None:
    for row in range(header.row + 1, sheet.row_count + 1):
        target = _cell_text(sheet, row, header.target)
        code = _cell_text(sheet, row, header.code)
        values = [text_of(v) for v in sheet.rows[row - 1]]
        if not any(values):
            continue
        first = next(v for v in values if v)
        if normalise_header(target or first) in SKIP_ROWS:
            continue
        if first.startswith(STOP_PREFIXES):
            break
        place = f"工作表“{sheet.name}”第 {row} 行"
        if not target and not code:
            reading.problems.append(f"{place}：没有填写地区或单位")
            continue
        period = _row_period(sheet, row, header, sheet_period, given, reading)
        if header.layout == "long":
            _long_row(sheet, row, header, lookup, target, code, period, reading)
        else:
            for metric_code, pair in header.pairs.items():
                _add(sheet, row, header, target, code, metric_code, period, pair, reading)


def _cell_text(sheet, row: int, col: int | None) -> str:
    return text_of(merged_value(sheet, row, col)) if col else ""


def _row_period(sheet, row, header, sheet_period, given, reading) -> str | None:
    place = f"工作表“{sheet.name}”第 {row} 行"
    if header.period:
        text = text_of(merged_value(sheet, row, header.period))
        if text:
            letter = column_letter(header.period)
            try:
                found = parse_period(text)
            except ValidationError as exc:
                reading.problems.append(f"{place} {letter} 列：{exc.messages[0]}")
                return None
            if given and found != given:
                reading.problems.append(
                    f"{place} {letter} 列：统计期 {found} 与指定的统计期 {given} 不一致"
                )
                return None
            return found
    if sheet_period:
        return sheet_period
    reading.problems.append(
        f"{place}：无法确定统计期（表格标题、工作表名称和各列中都没有写明），"
        "请在标题中写明（如“2025年第二季度”）或导入时指定统计期"
    )
    return None


def _long_row(sheet, row, header, lookup, target, code, period, reading) -> None:
    letter = column_letter(header.metric)
    text = text_of(merged_value(sheet, row, header.metric))
    metric = lookup.find(text)
    if metric is None:
        reading.problems.append(
            f"工作表“{sheet.name}”第 {row} 行 {letter} 列："
            + (f"指标“{text}”不在指标库中" if text else "没有填写指标")
        )
        return
    pair = {"n": header.numerator, "d": header.denominator}
    _add(sheet, row, header, target, code, metric.code, period, pair, reading, metric_col=letter)


def _add(sheet, row, header, target, code, metric, period, pair, reading, metric_col="") -> None:
    place = f"工作表“{sheet.name}”第 {row} 行"
    letters = {
        "numerator": column_letter(pair["n"]),
        "denominator": column_letter(pair["d"]),
    }
    raw_n, raw_d = sheet.value(row, pair["n"]), sheet.value(row, pair["d"])
    if text_of(raw_n) in BLANKS and text_of(raw_d) in BLANKS:
        return  # this reporter has nothing for this metric in this table
    numerator = _count(raw_n, f"{place} {letters['numerator']} 列", "分子", reading)
    denominator = _count(raw_d, f"{place} {letters['denominator']} 列", "分母", reading)
    if numerator is None or denominator is None or period is None:
        return
    if numerator > denominator:
        reading.problems.append(
            f"{place} {letters['numerator']} 列：分子 {numerator} 大于分母 {denominator}"
        )
        return
    columns = {**letters, "target": _letter(header.target), "code": _letter(header.code)}
    if metric_col:
        columns["metric"] = metric_col
    reading.rows.append(
        FigureRow(sheet.name, row, target, code, metric, period, numerator, denominator, columns)
    )


def _letter(col: int | None) -> str:
    return column_letter(col) if col else ""


def _count(value, place: str, name: str, reading) -> int | None:
    """A count: a whole number, not negative. "12", 12 and 12.0 are 12; 3.5, -1 and 两 are not."""
    text = text_of(value)
    if text in BLANKS:
        reading.problems.append(f"{place}：{name}为空")
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        number = value
    else:
        try:
            number = float(text.replace(",", "").replace("，", ""))
        except ValueError:
            number = None
    if number is None:
        reading.problems.append(f"{place}：{name}“{text}”不是数字")
        return None
    if number < 0:
        reading.problems.append(f"{place}：{name} {text} 是负数，案件数不能为负")
        return None
    if number != int(number):
        reading.problems.append(f"{place}：{name} {text} 不是整数，应填写件数")
        return None
    return int(number)


def _check_duplicates(reading: FiguresReading) -> None:
    seen: dict[tuple, FigureRow] = {}
    for row in reading.rows:
        key = (row.target_code or row.target, row.metric, row.period)
        if key in seen:
            first = seen[key]
            reading.problems.append(
                f"{row.where()}：{row.target or row.target_code} 的 {row.metric}（{row.period}）"
                f"与{first.where()}重复"
            )
        else:
            seen[key] = row
