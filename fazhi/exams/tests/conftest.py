from pathlib import Path

import pytest

from fazhi.exams.tests import samples


@pytest.fixture
def bank_file(tmp_path):
    """Write one of the sample banks to a file named as a user would name it."""

    def write(name: str, maker) -> Path:
        path = tmp_path / name
        path.write_bytes(maker())
        return path

    return write


@pytest.fixture
def bank(tree, people, bank_file):
    """市中区's bank of the ten sample questions, imported by its lead office."""
    from fazhi.exams import services

    path = bank_file("题库.xlsx", samples.excel_columns)
    bank, _ = services.bank_import_file(
        acting_user=people.szq_lead,
        region=tree.szq,
        name="学法考法题库",
        path=path,
        filename=path.name,
    )
    return bank


@pytest.fixture
def exam(tree, people, bank):
    """A 30-minute test over the bank: 2 单选, 2 多选, 2 判断, 1 填空, 1 简答 for everyone."""
    from fazhi.exams import services

    return services.exam_create(
        acting_user=people.szq_lead,
        bank=bank,
        name="2025年度学法考法",
        blueprints={"": "single:2,multiple:2,judge:2,blank:1,essay:1"},
        points={"single": 10, "multiple": 15, "judge": 10, "blank": 10, "essay": 20},
        duration_minutes=30,
        seed="20250610",
    )


def roster_book(rows) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "工作单位", "人员类别", "手机号码"])
    for index, row in enumerate(rows, start=1):
        sheet.append([index, *row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def drawn(tree, people, exam, tmp_path):
    """Four people of 司法局 and two of 市场监管局, everyone drawn (100%)."""
    from fazhi.exams import roster

    path = tmp_path / "名单.xlsx"
    path.write_bytes(
        roster_book(
            [
                ("张三", "市中区司法局", "行政执法人员", "13800001234"),
                ("李四", "区司法局", "公务员", ""),
                ("王五", "市中区司法局", "领导干部", ""),
                ("赵六", "市中区司法局", "公务员", ""),
                ("钱七", "市中区市场监督管理局", "行政执法人员", ""),
                ("孙八", "市中区市场监督管理局", "公务员", ""),
            ]
        )
    )
    roster.roster_import_file(acting_user=people.szq_lead, exam=exam, path=path, filename=path.name)
    roster.candidates_draw(acting_user=people.szq_lead, exam=exam, percent=100, seed="7")
    return {c.name: c for c in exam.candidates.all()}
