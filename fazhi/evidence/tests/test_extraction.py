"""Text extraction from every kind of evidence file, built for real in tmp_path."""

import os
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.parser import parse_xml
from pypdf.errors import DependencyError

from fazhi.core.officezip import OfficeZipLimits
from fazhi.evidence import extraction
from fazhi.evidence.extraction import (
    Extracted,
    ExtractionError,
    extract_text,
    file_kind,
    libreoffice,
    ofd,
    plain,
    sniff,
)
from fazhi.evidence.extraction.text import TextOutput, normalise_text
from fazhi.evidence.tests import documents

needs_cjk_font = pytest.mark.skipif(
    documents.cjk_font() is None,
    reason="no CJK font installed (fonts-wqy-zenhei), so no PDF with Chinese text can be built",
)
needs_libreoffice = pytest.mark.skipif(
    documents.soffice() is None, reason="LibreOffice (soffice) is not installed"
)


def extract(path: Path) -> Extracted:
    return extract_text(path, path.name)


def refusal(path: Path, filename: str | None = None) -> ExtractionError:
    with pytest.raises(ExtractionError) as caught:
        extract_text(path, filename or path.name)
    return caught.value


# -- kinds and refusals ---------------------------------------------------------------------------


def test_file_kind_follows_the_extension_whatever_its_case():
    assert file_kind("决定书.PDF") == "pdf"
    assert file_kind("a.b.docx") == "docx"
    assert file_kind("报表.et") == "et"
    assert file_kind("scan.JPEG") == "image"
    assert file_kind("data.csv") == "txt"
    assert file_kind("setup.exe") is None
    assert file_kind("README") is None


def test_an_unsupported_extension_is_refused_by_name(tmp_path):
    path = documents.build_image(tmp_path / "report.exe")
    assert str(refusal(path)) == "不支持的文件类型：.exe"


def test_a_file_without_extension_is_refused(tmp_path):
    path = documents.build_txt(tmp_path / "notes", "行政复议")
    assert "没有扩展名" in str(refusal(path))


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    assert str(refusal(path)) == "文件为空（0 字节）。"


# -- PDF -----------------------------------------------------------------------------------------


@needs_cjk_font
def test_pdf_text_of_every_page_comes_out_with_the_page_count(tmp_path):
    path = documents.build_pdf(
        tmp_path / "决定书.pdf", ["行政复议决定书\n申请人：张三", "第二页  法治政府建设"]
    )
    result = extract(path)
    assert result.kind == "pdf"
    assert result.page_count == 2
    assert "行政复议决定书\n申请人：张三" in result.text
    assert "第二页 法治政府建设" in result.text
    assert result.warnings == ()


def test_a_scanned_pdf_gives_empty_text_and_no_error(tmp_path):
    path = documents.build_scanned_pdf(tmp_path / "scan.pdf", pages=3)
    assert extract(path) == Extracted(text="", page_count=3, kind="pdf")


@needs_cjk_font
def test_a_pdf_needing_a_password_to_open_is_refused_as_encrypted(tmp_path):
    path = documents.build_encrypted_pdf(tmp_path / "secret.pdf", "行政复议", user_password="1234")
    assert str(refusal(path)) == "PDF 文件已加密，无法读取文字，请上传未加密的版本。"


@needs_cjk_font
def test_a_pdf_with_only_an_owner_password_is_read(tmp_path):
    path = documents.build_encrypted_pdf(
        tmp_path / "locked.pdf", "行政复议决定书", user_password=""
    )
    assert extract(path).text == "行政复议决定书"


@needs_cjk_font
@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_a_pdf_with_an_aes_owner_password_is_read(tmp_path, algorithm):
    from pypdf import PdfReader, PdfWriter

    plain = documents.build_pdf(tmp_path / "plain.pdf", ["行政复议决定书"])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    path = tmp_path / "aes.pdf"
    with path.open("wb") as out:
        writer.write(out)
    assert extract(path).text == "行政复议决定书"


@needs_cjk_font
@pytest.mark.parametrize("failing", ["PdfReader.decrypt", "PageObject.extract_text"])
def test_a_pdf_encrypted_with_aes_asks_for_an_unencrypted_copy(tmp_path, monkeypatch, failing):
    # Where the cryptography package is missing, pypdf says so when checking the password
    # (AES-256) or only when decrypting the first object (AES-128).
    def needs_cryptography(*args, **kwargs):
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(f"pypdf.{failing}", needs_cryptography)
    path = documents.build_encrypted_pdf(tmp_path / "aes.pdf", "行政复议", user_password="")
    assert "AES 加密" in str(refusal(path))


def test_a_pdf_that_is_cut_off_is_reported_as_damaged(tmp_path):
    whole = documents.build_scanned_pdf(tmp_path / "whole.pdf")
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole.read_bytes()[:300])
    error = refusal(path)
    assert "PDF 文件已损坏" in str(error)


# -- Word ------------------------------------------------------------------------------------------


def test_docx_paragraphs_tables_and_headers_are_read_in_order(tmp_path):
    path = documents.build_docx(
        tmp_path / "决定.docx",
        ["行政复议决定书", "申请人不服被申请人作出的行政处罚决定"],
        table=[["姓名", "职务"], ["张三", "局长"]],
        header="某某市司法局",
        footer="第 1 页",
    )
    result = extract(path)
    assert result.kind == "docx"
    assert result.text == (
        "行政复议决定书\n申请人不服被申请人作出的行政处罚决定\n姓名 职务\n张三 局长\n"
        "某某市司法局\n第 1 页"
    )


def test_docx_text_in_content_controls_and_text_boxes_is_read_once(tmp_path):
    path = documents.build_docx(tmp_path / "boxes.docx", ["正文"])
    document = docx.Document(str(path))
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    box = "<w:txbxContent><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:txbxContent>"
    body = document.element.body
    body.insert(
        0,
        parse_xml(
            f"<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>文号：司复〔2024〕3号</w:t></w:r>"
            "</w:p></w:sdtContent></w:sdt>"
        ),
    )
    body.insert(
        1,
        parse_xml(
            f'<w:p {w} {mc}><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
            f"{box.format('文本框里的字')}</mc:Choice><mc:Fallback>{box.format('文本框里的字')}"
            "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
        ),
    )
    document.save(str(path))
    assert extract(path).text == "文号：司复〔2024〕3号\n文本框里的字\n正文"


def test_a_docx_that_is_no_zip_is_reported_as_damaged(tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(b"this is not what Word writes")
    assert str(refusal(path)) == "DOCX 文件已损坏（不是有效的压缩包）。"


def test_a_truncated_docx_is_reported_as_damaged(tmp_path):
    whole = documents.build_docx(tmp_path / "whole.docx", ["行政复议"] * 50)
    path = tmp_path / "cut.docx"
    path.write_bytes(whole.read_bytes()[:2000])
    assert str(refusal(path)) == "DOCX 文件已损坏（不是有效的压缩包）。"


def test_a_docx_with_broken_xml_is_damaged_and_keeps_the_cause(tmp_path):
    whole = documents.build_docx(tmp_path / "whole.docx", ["行政复议"])
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    error = refusal(path)
    assert str(error) == "DOCX 文件已损坏或格式异常，无法读取文字。"
    assert error.__cause__ is not None


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    # An Office package may unpack to its own size and no more here.
    monkeypatch.setattr(sniff, "OFFICE_LIMITS", OfficeZipLimits(max_total_bytes=0))
    path = documents.build_docx(tmp_path / "big.docx", ["行政复议"])
    message = str(refusal(path))
    assert message.startswith("文件解压后超过 0 MB（成员 ")
    assert "可能是压缩炸弹，已拒绝读取" in message


def test_a_password_protected_office_file_is_refused_as_encrypted(tmp_path):
    # Office keeps a password-protected .docx in an OLE container with these two streams.
    path = documents.build_ole(tmp_path / "protected.docx", ["EncryptionInfo", "EncryptedPackage"])
    assert "已加密" in str(refusal(path))


# -- spreadsheets and slides ---------------------------------------------------------------------


def test_xlsx_cells_are_read_row_by_row_under_each_sheet_name(tmp_path):
    path = documents.build_xlsx(
        tmp_path / "台账.xlsx",
        {
            "复议案件": [["序号", "案由", "金额"], [1, "行政复议", 2.5], [2, None, 3.0]],
            "说明": [["无"]],
        },
    )
    result = extract(path)
    assert (result.kind, result.page_count) == ("xlsx", 2)
    assert result.text == "【复议案件】\n序号 案由 金额\n1 行政复议 2.5\n2 3\n【说明】\n无"


def test_old_xls_is_read_through_xlrd(tmp_path):
    path = documents.build_xls(tmp_path / "台账.xls", {"案件": [["案由"], ["行政复议"]], "空": []})
    result = extract(path)
    assert (result.kind, result.page_count) == ("xls", 2)
    assert result.text == "【案件】\n案由\n行政复议\n【空】"


def test_a_wps_table_saved_in_excel_format_is_read_without_warning(tmp_path):
    path = documents.build_xls(tmp_path / "统计.et", {"表": [["行政复议"]]})
    result = extract(path)
    assert (result.kind, result.text, result.warnings) == ("et", "【表】\n行政复议", ())


def test_pptx_text_frames_groups_and_tables_of_every_slide_are_read(tmp_path):
    path = documents.build_pptx(
        tmp_path / "汇报.pptx",
        [["法治政府建设汇报", "组合图形里的字", "一、行政复议"], ["第二张", "二、行政应诉"]],
        table=[["指标", "得分"], ["复议纠错率", "95"]],
    )
    result = extract(path)
    assert (result.kind, result.page_count) == ("pptx", 2)
    assert result.text == (
        "法治政府建设汇报\n组合图形里的字\n一、行政复议\n"
        "第二张\n二、行政应诉\n指标 得分\n复议纠错率 95"
    )


# -- OFD -----------------------------------------------------------------------------------------


def test_ofd_pages_are_read_with_several_text_codes_per_text_object(tmp_path):
    path = documents.build_ofd(
        tmp_path / "决定书.ofd",
        [["行政复议决定书", "申请人：张三"], ["第二页：维持原行政行为"]],
        run_length=2,
    )
    result = extract(path)
    assert (result.kind, result.page_count) == ("ofd", 2)
    assert result.text == "行政复议决定书\n申请人：张三\n第二页：维持原行政行为"


def test_ofd_pieces_in_separate_text_objects_are_joined_into_lines(tmp_path):
    path = documents.build_ofd(
        tmp_path / "逐字.ofd",
        [["行政复议决定书", "申请人：张三"]],
        run_length=1,
        object_per_run=True,
        absolute_locations=True,
    )
    assert extract(path).text == "行政复议决定书\n申请人：张三"


def test_ofd_text_codes_without_coordinates_give_one_line_per_text_object():
    content = parse_xml(
        f'<ofd:Page xmlns:ofd="{ofd.NAMESPACE}"><ofd:Content><ofd:Layer>'
        "<ofd:TextObject><ofd:TextCode>行政</ofd:TextCode><ofd:TextCode>复议</ofd:TextCode>"
        "</ofd:TextObject><ofd:TextObject><ofd:TextCode>决定书</ofd:TextCode></ofd:TextObject>"
        "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    assert ofd.page_lines(content) == ["行政复议", "决定书"]


def test_ofd_paths_are_found_whatever_their_spelling(tmp_path):
    source = documents.build_ofd(tmp_path / "source.ofd", [["行政复议"]])
    path = tmp_path / "spelled.ofd"
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["Doc_0/Document.xml"] = members["Doc_0/Document.xml"].replace(
        b'BaseLoc="Pages/Page_0/Content.xml"', b'BaseLoc="./pages/page_0/content.xml"'
    )
    documents.build_zip(path, members)
    assert extract(path).text == "行政复议"


def test_an_ofd_without_ofd_xml_is_damaged(tmp_path):
    path = documents.build_zip(tmp_path / "no-entry.ofd", {"Doc_0/Document.xml": "<Document/>"})
    assert str(refusal(path)) == "OFD 文件已损坏（缺少 OFD.xml）。"


def test_an_ofd_with_malformed_xml_is_damaged(tmp_path):
    path = documents.build_zip(tmp_path / "bad.ofd", {"OFD.xml": "<ofd:OFD xmlns:ofd='x'><open>"})
    error = refusal(path)
    assert str(error) == "OFD 文件已损坏（OFD.xml 无法解析）。"
    assert error.__cause__ is not None


def test_an_ofd_declaring_entities_is_refused(tmp_path):
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><OFD><DocRoot>&a;</DocRoot></OFD>'
    path = documents.build_zip(tmp_path / "entities.ofd", {"OFD.xml": bomb})
    assert "OFD 文件已损坏" in str(refusal(path))


def test_an_ofd_page_larger_than_the_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(ofd, "MAX_PART_BYTES", 1000)
    path = documents.build_ofd(tmp_path / "big.ofd", [["行政复议" * 100]])
    assert "过大" in str(refusal(path))


def test_an_ofd_page_that_is_missing_is_skipped_with_a_warning(tmp_path):
    source = documents.build_ofd(tmp_path / "source.ofd", [["第一页"], ["第二页"]])
    path = tmp_path / "missing.ofd"
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist() if "Page_1" not in name}
    documents.build_zip(path, members)
    result = extract(path)
    assert (result.text, result.page_count) == ("第一页", 2)
    assert result.warnings == ("OFD 文件第 2 页的内容缺失，已跳过。",)


# -- text and web pages ---------------------------------------------------------------------------


def test_gbk_text_is_decoded(tmp_path):
    path = documents.build_txt(
        tmp_path / "通知.txt", "关于开展行政复议工作的通知\r\n各单位：", "gbk"
    )
    result = extract(path)
    assert (result.kind, result.page_count) == ("txt", None)
    assert result.text == "关于开展行政复议工作的通知\n各单位："


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", False), ("utf-8", True), ("utf-16-le", True), ("utf-16-be", True)],
)
def test_unicode_text_is_decoded_by_its_byte_order_mark(tmp_path, encoding, bom):
    path = documents.build_txt(tmp_path / "a.txt", "行政复议 Administrative review", encoding, bom)
    assert extract(path).text == "行政复议 Administrative review"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_text_is_decoded_across_chunk_boundaries(tmp_path, monkeypatch, encoding):
    # The encoding is decided at the first chunk that is not plain ASCII.
    monkeypatch.setattr(plain, "CHUNK_BYTES", 7)
    text = "Notice No. 2024-3\n关于开展行政复议工作的通知"
    path = documents.build_txt(tmp_path / "chunks.txt", text, encoding)
    assert extract(path).text == text


def test_text_with_bytes_of_no_encoding_is_still_read(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("行政复议,".encode("gbk") + b"\xff\xfe\x80\x00\x01,ok\n")
    result = extract(path)
    assert result.text.startswith("行政复议,")
    assert result.text.endswith(",ok")


def test_a_web_page_saved_as_xls_is_read_as_a_page_with_a_warning(tmp_path):
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<style>td {color: red}</style></head><body><table><tr><td>案由</td><td>行政复议</td>"
        "</tr></table><script>alert(1)</script></body></html>"
    )
    path = documents.build_txt(tmp_path / "导出.xls", page, "gbk")
    result = extract(path)
    assert (result.kind, result.text) == ("html", "案由 行政复议")
    assert result.warnings == ("文件扩展名为 .xls，但内容实际是「网页（HTML）」，已按此格式读取。",)


# -- content over name -------------------------------------------------------------------------


@needs_cjk_font
def test_a_pdf_named_docx_is_read_as_pdf_with_a_warning(tmp_path):
    path = documents.build_pdf(tmp_path / "决定.docx", ["行政复议决定书"])
    result = extract(path)
    assert (result.kind, result.text, result.page_count) == ("pdf", "行政复议决定书", 1)
    assert result.warnings == ("文件扩展名为 .docx，但内容实际是「PDF 文档」，已按此格式读取。",)


def test_an_excel_file_named_doc_is_read_as_excel(tmp_path):
    path = documents.build_xls(tmp_path / "台账.doc", {"表": [["行政复议"]]})
    result = extract(path)
    assert (result.kind, result.text) == ("xls", "【表】\n行政复议")
    assert len(result.warnings) == 1


def test_an_image_gives_no_text_and_one_page(tmp_path):
    path = documents.build_image(tmp_path / "现场照片.jpg", format="JPEG")
    assert extract(path) == Extracted(text="", page_count=1, kind="image")


def test_an_image_extension_on_other_bytes_is_refused(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x00\x01\x02\x03" * 100)
    assert "不是可识别的图片" in str(refusal(path))


# -- limits and tidying ------------------------------------------------------------------------


def test_long_text_is_cut_to_the_limit_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(extraction, "MAX_TEXT_CHARS", 100)
    path = documents.build_txt(tmp_path / "long.txt", "行政复议" * 1000)
    result = extract(path)
    assert result.text == "行政复议" * 25
    assert result.warnings == ("文本过长，已截取前 100 个字符",)


def test_a_long_document_is_cut_at_the_limit_too(tmp_path, monkeypatch):
    monkeypatch.setattr(extraction, "MAX_TEXT_CHARS", 10)
    path = documents.build_docx(tmp_path / "long.docx", [f"第{n}段" for n in range(1000)])
    result = extract(path)
    assert result.text == "第0段\n第1段\n第2"
    assert result.warnings == ("文本过长，已截取前 10 个字符",)


def test_readers_are_told_to_stop_once_twice_the_limit_is_collected():
    out = TextOutput(limit=5)
    assert out.add("行政复议")
    assert out.add("决定书")
    assert not out.add("第三段落")
    assert not out.add("不再收集")
    assert out.full
    assert out.text() == "行政复议\n决定书\n第三段落"


def test_normalising_collapses_blanks_keeps_line_breaks_and_drops_control_characters():
    raw = "  行政\t\t复议\u3000决定\x00书 \r\n\r\n\r\n\x0c第二页\x07\ud800  \n"
    assert normalise_text(raw) == "行政 复议 决定书\n\n第二页"


# -- LibreOffice ---------------------------------------------------------------------------------


@needs_libreoffice
def test_an_old_doc_is_read_through_libreoffice(tmp_path):
    source = documents.build_docx(
        tmp_path / "source.docx", ["行政复议决定书"], table=[["申请人", "张三"]], header="司法局"
    )
    path = documents.build_with_libreoffice(tmp_path / "决定书.doc", source)
    result = extract(path)
    assert result.kind == "doc"
    assert result.text == "行政复议决定书\n申请人 张三\n司法局"


@needs_libreoffice
def test_a_wps_document_in_word_format_is_read_through_libreoffice(tmp_path):
    source = documents.build_docx(tmp_path / "source.docx", ["行政复议"])
    path = documents.build_with_libreoffice(tmp_path / "source.doc", source).rename(
        tmp_path / "通知.wps"
    )
    result = extract(path)
    assert (result.kind, result.text, result.warnings) == ("wps", "行政复议", ())


@needs_libreoffice
def test_an_old_ppt_is_read_through_libreoffice_slide_by_slide(tmp_path):
    source = documents.build_pptx(tmp_path / "source.pptx", [["汇报"], ["行政复议"]])
    path = documents.build_with_libreoffice(tmp_path / "汇报.ppt", source)
    result = extract(path)
    assert (result.kind, result.page_count, result.text) == ("ppt", 2, "汇报\n行政复议")


def test_an_old_doc_without_libreoffice_asks_for_it(tmp_path, monkeypatch):
    monkeypatch.setattr(libreoffice, "soffice_path", lambda: None)
    path = documents.build_ole(tmp_path / "决定书.doc", ["WordDocument", "1Table"])
    assert str(refusal(path)).startswith("需要安装 LibreOffice 才能读取 .doc 文件的文字")
    assert not extraction.libreoffice_available()


def fake_soffice(tmp_path: Path, monkeypatch, script: str) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "soffice"
    program.write_text("#!/bin/sh\n" + script)
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_a_libreoffice_conversion_that_hangs_is_killed_with_its_children(tmp_path, monkeypatch):
    child_pid_file = tmp_path / "child.pid"
    fake_soffice(tmp_path, monkeypatch, f"sleep 60 &\necho $! > {child_pid_file}\nwait\n")
    monkeypatch.setattr(libreoffice, "TIMEOUT_SECONDS", 0.5)
    path = documents.build_ole(tmp_path / "slow.doc", ["WordDocument"])
    assert "转换超时" in str(refusal(path))
    status = Path(f"/proc/{child_pid_file.read_text().strip()}/status")
    assert not status.exists() or "State:\tZ" in status.read_text()


def test_a_libreoffice_conversion_without_result_is_reported(tmp_path, monkeypatch):
    fake_soffice(tmp_path, monkeypatch, "exit 0\n")
    path = documents.build_ole(tmp_path / "odd.ppt", ["PowerPoint Document"])
    assert (
        str(refusal(path)) == "LibreOffice 无法转换该 .ppt 文件（文件可能已损坏或设置了打开密码）。"
    )
