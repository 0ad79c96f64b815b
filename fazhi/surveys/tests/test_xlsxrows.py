"""The streamed first rows of a long .xlsx, where the header is looked for."""

import io

from openpyxl import Workbook

from fazhi.surveys.xlsxrows import sheet_heads


def test_first_rows_of_each_sheet_keep_their_row_numbers():
    book = Workbook()
    book.active.title = "说明"
    book.active["A1"] = "本表由第三方机构提供"
    data = book.create_sheet("明细")
    data["A1"] = "2025年满意度测评明细"
    data.append([])  # row 2 left empty: absent from the sheet's XML
    data["A3"], data["B3"], data["D3"] = "镇街", "政务服务", "营商环境"
    for _ in range(4, 5000):
        data.append(["孟庄镇", "满意", None, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    heads = dict(sheet_heads(buffer.getvalue(), 5))
    assert heads["说明"] == [["本表由第三方机构提供"]]
    rows = heads["明细"]
    assert len(rows) == 5 and rows[1] == []
    assert rows[2] == ["镇街", "政务服务", None, "营商环境"]
    assert rows[3] == ["孟庄镇", "满意", None, 1]
