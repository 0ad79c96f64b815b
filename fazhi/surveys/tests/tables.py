"""The same six respondents of two towns written in the layouts evaluators deliver, and the
results worked out by hand.

中心街街道            政务服务  行政执法  营商环境
  r1                  满意      满意      比较满意
  r2                  一般      不太满意  满意
  r3                  说不清    满意      (blank)
  r4                  满意      较满意    不满意
孟庄镇
  r5                  满意      满意      满意
  r6                  不满意    不满意    1 (= 满意)

中心街街道: 10 counted answers, 8 satisfied → 80.00 %; scores 260 + 280 + 180 = 720 → 72.00.
孟庄镇: 6 counted, 4 satisfied → 66.67 %; scores 400 / 6 → 66.67.
Overall: 6 respondents, 16 counted answers, 12 satisfied → 75.00 %; 1120 / 16 → 70.00.
政务服务 5 counted, 4 satisfied → 80.00 %, 72.00; 行政执法 6, 4 → 66.67 %, 63.33;
营商环境 5, 4 → 80.00 %, 76.00.
"""

import csv
import io

from openpyxl import Workbook

ITEMS = ["政务服务", "行政执法", "营商环境"]
ROWS = [
    ("中心街街道", "满意", "满意", "比较满意"),
    ("中心街街道", "一般", "不太满意", "满意"),
    ("中心街街道", "说不清", "满意", None),
    ("中心街街道", "满意", "较满意", "不满意"),
    ("孟庄镇", "满意", "满意", "满意"),
    ("孟庄镇", "不满意", "不满意", 1),
]
EXPECTED = {
    "overall": {"n": 6, "satisfaction_rate": 75.0, "score": 70.0},
    "strata": {"中心街街道": (4, 80.0, 72.0), "孟庄镇": (2, 66.67, 66.67)},
    "items": {
        "政务服务": (5, 80.0, 72.0),
        "行政执法": (6, 66.67, 63.33),
        "营商环境": (5, 80.0, 76.0),
    },
}
# Aggregated: per town and item, the answers in the default scale's order (满意 … 不清楚).
COUNTS = {
    "中心街街道": {
        "政务服务": [2, 0, 1, 0, 1],
        "行政执法": [2, 1, 0, 1, 0],
        "营商环境": [1, 1, 0, 1, 1],
    },
    "孟庄镇": {
        "政务服务": [1, 0, 0, 1, 0],
        "行政执法": [1, 0, 0, 1, 0],
        "营商环境": [2, 0, 0, 0, 0],
    },
}
WORDS = ["满意", "比较满意", "一般", "不太满意", "说不清"]


def _xlsx(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def respondents_titled() -> bytes:
    """A title row merged across, then 序号 | 镇街 | 性别 | items | 访问员."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2025年法治政府建设群众满意度调查明细表"])
    sheet.merge_cells("A1:G1")
    sheet.append(["序号", "镇街", "性别", *ITEMS, "访问员"])
    for i, (town, *answers) in enumerate(ROWS, start=1):
        sheet.append([i, town, "男", *answers, "张三"])
    return _xlsx(book)


def respondents_two_rows() -> bytes:
    """样本编号 and 乡镇（街道） merged down over two header rows, 满意度评价 merged over the
    items; the towns written as the org tree's full names."""
    book = Workbook()
    sheet = book.active
    sheet.append(["样本编号", "乡镇（街道）", "满意度评价", None, None])
    sheet.append([None, None, *ITEMS])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("C1:E1")
    full = {"中心街街道": "中心街街道办事处", "孟庄镇": "孟庄镇人民政府"}
    for i, (town, *answers) in enumerate(ROWS, start=1):
        sheet.append([f"S{i:04d}", full[town], *answers])
    return _xlsx(book)


def respondents_csv_codes() -> bytes:
    """CSV in GBK (as Excel saves it on Chinese Windows), items in another order, answers as
    codes 1–5, a blank written as nothing."""
    out = io.StringIO()
    writer = csv.writer(out)
    order = [2, 0, 1]
    writer.writerow(["调查地区", *(ITEMS[i] for i in order)])
    code = {w: str(i + 1) for i, w in enumerate(WORDS)} | {
        "较满意": "2",
        "不满意": "4",
        None: "",
        1: "1",
    }
    for town, *answers in ROWS:
        writer.writerow([town, *(code[answers[i]] for i in order)])
    return out.getvalue().encode("gbk")


def counts_answer_columns() -> bytes:
    """镇街 merged down over its items | 题目 | one column per answer word."""
    book = Workbook()
    sheet = book.active
    sheet.append(["各镇街满意度汇总表"])
    sheet.append(["镇街", "题目", *WORDS, "合计"])
    row = 3
    for town, items in COUNTS.items():
        for title, counts in items.items():
            sheet.append([town, title, *counts, sum(counts)])
        sheet.merge_cells(start_row=row, start_column=1, end_row=row + 2, end_column=1)
        row += 3
    return _xlsx(book)


def counts_longest_csv() -> bytes:
    """镇街, 题目, 评价, 人数 — one line per answer word; zero lines left out."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["镇街", "题目", "评价", "人数"])
    for town, items in COUNTS.items():
        for title, counts in items.items():
            for word, count in zip(WORDS, counts, strict=True):
                if count:
                    writer.writerow([town, title, word, count])
    return out.getvalue().encode("utf-8-sig")


def counts_wide() -> bytes:
    """Two header rows: each item merged over its five answer columns."""
    book = Workbook()
    sheet = book.active
    first = ["镇街"]
    for title in ITEMS:
        first += [title, None, None, None, None]
    sheet.append(first)
    sheet.append([None, *(WORDS * len(ITEMS))])
    sheet.merge_cells("A1:A2")
    for i in range(len(ITEMS)):
        start = 2 + i * 5
        sheet.merge_cells(start_row=1, start_column=start, end_row=1, end_column=start + 4)
    for town, items in COUNTS.items():
        sheet.append([town, *(c for title in ITEMS for c in items[title])])
    return _xlsx(book)


LAYOUTS = {
    "respondents_titled.xlsx": respondents_titled,
    "respondents_two_rows.xlsx": respondents_two_rows,
    "respondents_codes.csv": respondents_csv_codes,
    "counts_answer_columns.xlsx": counts_answer_columns,
    "counts_longest.csv": counts_longest_csv,
    "counts_wide.xlsx": counts_wide,
}
