"""Full-text search finds two-, three- and many-character Chinese words on SQLite and
PostgreSQL alike, only within what the user may see, with the words marked in a snippet."""

import pytest
from django.core.files.base import ContentFile

from fazhi.evidence import search, selectors, services

TEXTS = {
    "复议决定.txt": "市中区人民政府依法办理行政复议案件，作出复议决定并公开。",
    "执法公示.txt": "全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度。",
    "审查报告.txt": "规范性文件合法性审查工作报告：全年审查文件二十件。",
}


@pytest.fixture
def corpus(campaign, people):
    item = campaign.items.get(code="1.1.1")
    return {
        name: services.evidence_upload(
            acting_user=people.szq_liaison, item=item, file=ContentFile(text.encode(), name=name)
        )
        for name, text in TEXTS.items()
    }


def titles(campaign, user, query):
    found = selectors.search_evidence(campaign=campaign, user=user, query=query)
    return sorted(e.title for e in found)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("复议", ["复议决定"]),  # two characters
        ("执法", ["执法公示"]),
        ("审查", ["审查报告"]),
        ("合法性", ["审查报告"]),  # three characters
        ("行政复议案件", ["复议决定"]),  # many characters
        ("执法全过程记录", ["执法公示"]),
        ("行政", ["复议决定", "执法公示"]),
        ("复议 公开", ["复议决定"]),  # every word must be there
        ("复议 审查", []),
        ("税务", []),
    ],
)
def test_search_finds_chinese_words_of_any_length(corpus, campaign, people, query, expected):
    assert titles(campaign, people.szq_lead, query) == expected


def test_search_only_shows_what_the_user_may_see(corpus, campaign, people):
    assert titles(campaign, people.szq_liaison, "复议") == ["复议决定"]
    assert titles(campaign, people.scjg_liaison, "复议") == []
    assert titles(campaign, people.xc_lead, "复议") == []


def test_deleted_materials_leave_the_results(corpus, campaign, people):
    services.evidence_delete(acting_user=people.szq_liaison, evidence=corpus["复议决定.txt"])
    assert titles(campaign, people.szq_lead, "复议") == []


def test_the_snippet_marks_the_words_found(corpus, campaign, people):
    found = selectors.search_evidence(campaign=campaign, user=people.szq_lead, query="复议决定")
    (hit,) = selectors.hits(found, "复议决定")
    assert "<mark>复议决定</mark>" in hit.snippet


def test_snippets_escape_the_documents_text():
    snippet = search.snippet("<script>alert(1)</script> 行政复议", "复议")
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>复议</mark>" in snippet


def test_a_query_of_only_punctuation_finds_nothing_and_does_not_fail(corpus, campaign, people):
    assert titles(campaign, people.szq_lead, "“”，。") == []
    assert titles(campaign, people.szq_lead, '" OR *') == []


def test_title_and_document_number_are_searched_too(corpus, campaign, people):
    evidence = corpus["审查报告.txt"]
    services.evidence_update(
        acting_user=people.szq_liaison,
        evidence=evidence,
        title="2024年度规范性文件备案报告",
        doc_number="市中司发〔2024〕3号",
    )
    assert titles(campaign, people.szq_lead, "备案") == ["2024年度规范性文件备案报告"]
    assert titles(campaign, people.szq_lead, "市中司发〔2024〕3号") == [
        "2024年度规范性文件备案报告"
    ]


def test_a_long_text_is_cut_in_pieces_into_the_same_words_as_whole():
    """Pieces end at line breaks, which jieba never cuts across: the words are those of the
    whole text, without holding a million separate words at once."""
    import re

    import rjieba

    from fazhi.evidence.search import PIECE_CHARS, _pieces, index_words

    line = "为深入推进法治政府建设，现将本单位2021年度行政执法工作情况报告如下。\n"
    text = line * (3 * PIECE_CHARS // len(line)) + "行政复议" * 30_000  # a last line without \n
    assert len(list(_pieces(text))) >= 3
    words = rjieba.cut_for_search(text, False)
    whole = " ".join(w.lower() for w in words if re.search(r"\w", w))
    assert index_words(text) == whole
