"""The package: one folder per indicator with its evidence in upload order, the index workbook,
ZIP64 for large entries."""

import hashlib
import io
import zipfile

import openpyxl
import pytest

from fazhi.evidence.models import Evidence
from fazhi.filing.contents import filing_contents, safe_name
from fazhi.filing.package import INDEX_NAME, write_package


@pytest.fixture
def package(filed, tmp_path):
    path = tmp_path / "package.zip"
    seen = []
    facts = write_package(
        path,
        indicators=filing_contents(campaign=filed),
        progress=lambda done, total: seen.append((done, total)),
    )
    return path, facts, seen


def test_one_folder_per_indicator_with_the_evidence_in_upload_order(package, filed):
    path, facts, seen = package
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[0] == INDEX_NAME
        folders = [n for n in names if n.endswith("/")]
        assert folders == [
            "1.1.1 行政复议案件依法办理/",
            "1.1.2 行政执法公示制度全面推行/",
            "2.1.3 规范性文件合法性审查/",
            "2.1.4 备案审查/",  # no material yet: the folder shows the gap
        ]
        assert [n for n in names if n.startswith("1.1.1 ") and not n.endswith("/")] == [
            "1.1.1 行政复议案件依法办理/01-行政复议决定书（2024）.pdf",
            "1.1.1 行政复议案件依法办理/02-=复议工作报告.txt",
        ]
        # A slash or colon in a title never makes a folder of its own.
        assert "1.1.2 行政执法公示制度全面推行/01-执法公示 目录 2024.pdf" in names
        for indicator in filing_contents(campaign=filed):
            for material in indicator.materials:
                content = archive.read(material.package_path)
                assert hashlib.sha256(content).hexdigest() == material.blob.sha256
    assert facts.materials == 4
    assert seen[-1] == (4, 4)


def test_the_index_lists_every_material_and_the_indicators_without_any(package, filed):
    path, _, _ = package
    with zipfile.ZipFile(path) as archive:
        sheet = openpyxl.load_workbook(io.BytesIO(archive.read(INDEX_NAME))).active
        names = set(archive.namelist())
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "指标编号", "指标", "材料标题")
    body = rows[1:]
    assert [r[0] for r in body if r[0]] == [1, 2, 3, 4]
    first = body[0]
    report = Evidence.objects.get(title="行政复议决定书（2024）")
    assert first[1:4] == ("1.1.1", "行政复议案件依法办理", "行政复议决定书（2024）")
    assert first[7] == "市中区司法局"
    assert first[8] in names  # the path inside the package, as listed
    assert first[10] == report.current.blob.sha256
    assert first[9] == report.current.blob.size
    # A title starting with = is written as text, never run as a formula.
    assert body[1][3] == "'=复议工作报告"
    assert body[-1][:4] == (None, "2.1.4", "备案审查", "（暂无材料）")


def test_large_entries_are_written_as_zip64(filed, tmp_path, monkeypatch):
    # Lower zipfile's 4 GiB limit so that the test's small files cross it.
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1000)
    path = tmp_path / "big.zip"
    write_package(path, indicators=filing_contents(campaign=filed))
    with zipfile.ZipFile(path) as archive:
        infos = [i for i in archive.infolist() if i.filename.endswith(".pdf")]
        assert all(i.extract_version >= zipfile.ZIP64_VERSION for i in infos if i.file_size > 700)
        assert archive.testzip() is None


def test_approved_only_leaves_out_the_other_items(filed, campaign):
    item = campaign.items.get(code="2.1.3")
    item.status = "approved"
    item.save()
    contents = filing_contents(campaign=campaign, approved_only=True)
    assert [i.code for i in contents] == ["2.1.3"]
    assert [m.number for m in contents[0].materials] == [1]


def test_names_are_safe_on_every_system():
    assert safe_name('a/b\\c:d*e?f"g<h>i|j', 60) == "a b c d e f g h i j"
    assert safe_name("标题。。. ", 60) == "标题。。"
    assert safe_name("/:*", 60) == "未命名"
    assert len(safe_name("长" * 200, 60)) == 60
