"""Question banks in several house styles import with every answer right; broken ones are
refused whole, every problem named by row or paragraph."""

import pytest
from django.core.exceptions import PermissionDenied

from fazhi.exams import services
from fazhi.exams.bankfiles import read_bank_file
from fazhi.exams.models import Question, QuestionBank
from fazhi.exams.tests import samples

LAYOUTS = [
    ("题库-分列选项.xlsx", samples.excel_columns),
    ("题库-按题型分表.xlsx", samples.excel_one_cell),
    ("题库-一行选项.xlsx", samples.excel_markers_one_line),
    ("题库-分节.docx", samples.word_sections),
    ("题库-第N题.docx", samples.word_brackets),
]


@pytest.mark.parametrize("name,maker", LAYOUTS)
def test_every_layout_reads_every_answer_right(bank_file, name, maker):
    reading = read_bank_file(bank_file(name, maker), filename=name)
    assert reading.problems == []
    got = sorted((q.kind, q.stem, q.options, q.answer) for q in reading.questions)
    assert got == sorted(samples.KEY)


def test_excel_reads_category_difficulty_and_explanation(bank_file):
    reading = read_bank_file(bank_file("a.xlsx", samples.excel_columns), filename="a.xlsx")
    first = reading.questions[0]
    assert (first.category, first.difficulty, first.explanation) == ("行政处罚法", "easy", "解析1")
    levels = [
        q.difficulty
        for q in read_bank_file(
            bank_file("b.xlsx", samples.excel_one_cell), filename="b.xlsx"
        ).questions
    ]
    assert sorted(levels) == sorted(level for *_, level in samples.QUESTIONS)


def test_broken_excel_names_each_row(bank_file):
    reading = read_bank_file(bank_file("坏.xlsx", samples.excel_broken), filename="坏.xlsx")
    text = "\n".join(reading.problems)
    assert "第 2 行：缺少答案" in text
    assert "第 3 行：答案“E”中的 E 不是选项（只有 A–C）" in text
    assert "第 4 行：多选题至少应有两个正确答案" in text
    assert "第 5 行：题干为空" in text
    assert "第 6 行" not in text


def test_broken_word_numbering_names_the_paragraph(bank_file):
    reading = read_bank_file(
        bank_file("坏.docx", samples.word_broken_numbering), filename="坏.docx"
    )
    assert reading.problems == [
        "第 6 段：题号 3 接在第 1 题之后，编号不连续（应为 2），请检查是否漏题或重复"
    ]


def test_nothing_stored_when_any_row_is_wrong(tree, people, bank_file):
    path = bank_file("坏.xlsx", samples.excel_broken)
    with pytest.raises(services.ImportRefused) as refused:
        services.bank_import_file(
            acting_user=people.szq_lead, region=tree.szq, name="题库", path=path, filename=path.name
        )
    assert len(refused.value.problems) == 4
    assert not QuestionBank.objects.exists() and not Question.objects.exists()


def test_preview_stores_no_question_until_confirmed(tree, people, bank_file):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("题库.docx", samples.word_sections())
    draft = services.bank_import_preview(
        acting_user=people.szq_lead, region=tree.szq, name="新题库", uploaded_file=upload
    )
    assert len(draft.result["questions"]) == 10 and not Question.objects.exists()
    bank, count = services.bank_import_commit(acting_user=people.szq_lead, draft=draft)
    assert count == 10 and bank.questions.count() == 10
    with pytest.raises(Exception, match="已经导入"):
        services.bank_import_commit(acting_user=people.szq_lead, draft=draft)


def test_a_unit_cannot_import_into_the_county_bank(tree, people, bank_file):
    path = bank_file("题库.xlsx", samples.excel_columns)
    with pytest.raises(PermissionDenied):
        services.bank_import_file(
            acting_user=people.szq_liaison,
            region=tree.szq,
            name="题库",
            path=path,
            filename=path.name,
        )
    with pytest.raises(PermissionDenied):
        services.bank_import_file(
            acting_user=people.xc_lead, region=tree.szq, name="题库", path=path, filename=path.name
        )
