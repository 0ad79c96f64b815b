"""Finding the header of a third-party result table (see `reading` for the layouts): the
columns by meaning, under a title or across two rows under a merged group heading, and which
layout the table has — one row per respondent with a column per item, or answer counts.

A long .xlsx is first looked at in read-only mode (`quick_header`): its first rows only, cheap
however long the sheet, enough whenever the header needs no merged ranges."""

from __future__ import annotations

from dataclasses import dataclass, field

from fazhi.campaigns.tasklists_reading import best_column, merged_value, text_of
from fazhi.core.spreadsheets import HEADER_SCAN_ROWS, SheetGrid, normalise_header
from fazhi.surveys.scales import Scale
from fazhi.surveys.xlsxrows import sheet_heads

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


@dataclass
class Header:
    row: int  # the last header row
    columns: dict[str, int]  # stratum, type, ref, item, answer, count → column
    items: dict[int, str] = field(default_factory=dict)  # column → item title
    answers: dict[int, int] = field(default_factory=dict)  # column → choice (answer columns)
    wide: dict[int, tuple[str, int]] = field(default_factory=dict)  # column → (item, choice)

    @property
    def layout(self) -> str:
        return "respondents" if self.items else "counts"


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


def find_header(sheet: SheetGrid, scale: Scale) -> Header | None:
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
            return Header(row, columns, answers=answers)
        if "item" in columns and {"answer", "count"} <= columns.keys():  # longest
            return Header(row, columns)
        below = _texts(sheet, row + 1, width) if row < sheet.row_count else {}
        wide = {
            col: (_raw(sheet, row, col), choice)
            for col, choice in _answer_columns(below, scale, used).items()
            if texts.get(col) and scale.choice_of(texts[col]) is None
        }
        if _is_wide(wide):  # items merged over answer columns
            return Header(row + 1, columns, wide=wide)
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


def _respondent_header(sheet, row, width, texts, columns, scale) -> Header | None:
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
    return Header(row, columns, items=items) if items else None


def _quick_sheets(data: bytes) -> list[SheetGrid]:
    """The first rows of each sheet, read as a stream: cheap however long the sheet, but
    without merged ranges."""
    return [SheetGrid(name, rows=rows) for name, rows in sheet_heads(data, HEADER_SCAN_ROWS + 2)]


def quick_header(data: bytes, scale: Scale) -> tuple[SheetGrid, Header] | None:
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


def _filled(sheet: SheetGrid, header: Header, used: list[int]) -> bool:
    return all(
        text_of(sheet.value(header.row, col)) or text_of(sheet.value(header.row - 1, col))
        for col in range(used[0], used[-1] + 1)
    )
