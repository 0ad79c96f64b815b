"""Materials as pages: PDFs as they are, images on A4, office files through LibreOffice (in
batches, cached), and a placeholder page naming the original's place in the package for
everything that cannot be shown."""

import io
import stat
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from pypdf import PdfReader

from fazhi.evidence.extraction.libreoffice import soffice_path
from fazhi.filing import conversion
from fazhi.filing.contents import filing_contents
from fazhi.filing.conversion import (
    CONVERSION_FAILED,
    CONVERTED,
    IMAGE,
    IMAGE_DAMAGED,
    NO_LIBREOFFICE,
    NOT_SHOWN,
    ORIGINAL,
    PDF_DAMAGED,
    PDF_PASSWORD,
    Rendition,
    cache_name,
    placeholder,
    prepare_renditions,
)
from fazhi.filing.tests.test_volumes import (
    bind,
    bookmarks,
    corrupt_pdf,
    docx_file,
    ofd_file,
    password_pdf,
    pdf_file,
    png_file,
)

needs_libreoffice = pytest.mark.skipif(
    soffice_path() is None, reason="未安装 LibreOffice（soffice），无法测试 DOCX 转换；CI 已安装"
)


def materials(campaign) -> dict:
    """The filing's materials by title."""
    return {m.title: m for i in filing_contents(campaign=campaign) for m in i.materials}


def renditions_by_title(campaign) -> dict[str, Rendition]:
    found = materials(campaign)
    renditions = prepare_renditions(list(found.values()))
    return {title: renditions[m.blob.sha256] for title, m in found.items()}


def material_pages(campaign, tmp_path, **options) -> dict[str, str]:
    """Bind the filing; the text of each material's first page, by material title."""
    [volume] = bind(campaign, tmp_path / "out", **options)
    reader = PdfReader(volume.path)
    return {
        title.split(". ", 1)[1]: reader.pages[page].extract_text()
        for depth, title, page in bookmarks(reader)
        if depth == 2
    }


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def soffice_runs(monkeypatch):
    """The number of files each LibreOffice run was given."""
    runs = []
    real = conversion._soffice

    def counted(program, sources, **kwargs):
        runs.append(len(sources))
        return real(program, sources, **kwargs)

    monkeypatch.setattr(conversion, "_soffice", counted)
    return runs


# -- PDFs ----------------------------------------------------------------------------------------


def test_pdfs_are_bound_as_they_are_even_encrypted_with_the_empty_password(
    upload, campaign, tmp_path
):
    upload("1.1.1", "a.pdf", pdf_file(3, "plain"), title="普通文件")
    upload("1.1.1", "b.pdf", password_pdf("locked", password=""), title="限制打印的文件")
    assert renditions_by_title(campaign) == {
        "普通文件": Rendition(ORIGINAL, 3),
        "限制打印的文件": Rendition(ORIGINAL, 2),
    }
    pages = material_pages(campaign, tmp_path)
    assert "plain page 1" in pages["普通文件"]
    assert "locked page 1" in pages["限制打印的文件"]


def test_a_pdf_that_needs_a_password_or_is_damaged_gets_a_placeholder_page(
    upload, campaign, tmp_path
):
    upload("1.1.1", "加密.pdf", password_pdf("secret", password="secret"), title="加密文件")
    upload("1.1.1", "损坏.pdf", corrupt_pdf(), title="损坏文件")
    assert renditions_by_title(campaign) == {
        "加密文件": placeholder(PDF_PASSWORD),
        "损坏文件": placeholder(PDF_DAMAGED),
    }
    pages = material_pages(campaign, tmp_path)
    found = materials(campaign)
    for title, reason in (("加密文件", PDF_PASSWORD), ("损坏文件", PDF_DAMAGED)):
        page = flat(pages[title])
        assert flat(reason) in page
        assert flat(f"原件见材料包：{found[title].package_path}") in page
        assert flat(found[title].original_name) in page


# -- what cannot be shown ------------------------------------------------------------------------


def test_ofd_archives_and_media_get_a_placeholder_naming_where_the_original_lies(
    upload, campaign, tmp_path
):
    upload("2.1.3", "电子公文.ofd", ofd_file(), title="电子公文")
    upload("2.1.3", "卷宗.rar", b"Rar!\x1a\x07\x00" + b"\x00" * 200, title="案卷压缩包")
    upload("2.1.3", "现场.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 300, title="现场视频")
    pages = material_pages(campaign, tmp_path)
    found = materials(campaign)
    for title, kind, reason in (
        ("电子公文", "OFD 文档", NOT_SHOWN["ofd"]),
        ("案卷压缩包", "压缩包", NOT_SHOWN["archive"]),
        ("现场视频", "音频、视频", NOT_SHOWN["media"]),
    ):
        page = flat(pages[title])
        material = found[title]
        assert flat(f"原件见材料包：{material.package_path}") in page
        assert flat(f"原文件名：{material.original_name}") in page
        assert flat(f"文件类型：{kind}") in page
        assert flat(f"{material.blob.size} 字节") in page
        assert flat(reason) in page


# -- images --------------------------------------------------------------------------------------


def jpeg_turned_by_the_camera() -> bytes:
    """800×600 pixels that the camera says to show turned a quarter: an upright photo."""
    image = Image.new("RGB", (800, 600), "darkgreen")
    exif = image.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_images_fill_one_a4_page_turned_to_suit_them(upload, campaign, tmp_path):
    upload("1.1.2", "横幅.png", png_file((1600, 900)), title="横幅照片")
    upload("1.1.2", "竖幅.png", png_file((600, 900)), title="竖幅照片")
    upload("1.1.2", "手机.jpg", jpeg_turned_by_the_camera(), title="手机照片")
    upload("1.1.2", "坏图.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, title="损坏的图片")
    assert set(renditions_by_title(campaign).values()) == {Rendition(IMAGE)}
    [volume] = bind(campaign, tmp_path / "out")
    reader = PdfReader(volume.path)
    starts = {title: page for _, title, page in bookmarks(reader)}
    pages = {title.split(". ", 1)[-1]: reader.pages[page] for title, page in starts.items()}
    assert len(reader.pages) == 1 + 1 + 4 + 4  # one page each
    for title, landscape in (("横幅照片", True), ("竖幅照片", False), ("手机照片", False)):
        page = pages[title]
        assert "/XObject" in page["/Resources"]
        assert (page.mediabox.width > page.mediabox.height) is landscape
        assert round(max(page.mediabox.width, page.mediabox.height)) == 842  # A4
    assert IMAGE_DAMAGED in pages["损坏的图片"].extract_text()


# -- office files through LibreOffice ------------------------------------------------------------


def test_without_libreoffice_office_files_get_a_placeholder(
    upload, campaign, tmp_path, monkeypatch
):
    monkeypatch.setattr(conversion, "soffice_path", lambda: None)
    upload("1.1.1", "报告.docx", docx_file("行政复议工作报告"), title="工作报告")
    assert renditions_by_title(campaign) == {"工作报告": placeholder(NO_LIBREOFFICE)}
    page = flat(material_pages(campaign, tmp_path)["工作报告"])
    package_path = materials(campaign)["工作报告"].package_path
    assert flat(f"原件见材料包：{package_path}") in page
    assert flat(NO_LIBREOFFICE) in page
    assert flat("Word 文档（.docx）") in page


@needs_libreoffice
def test_a_docx_is_converted_once_and_then_taken_from_the_cache(
    upload, campaign, tmp_path, soffice_runs, monkeypatch
):
    report = docx_file("区司法局行政复议工作报告正文")
    upload("1.1.1", "报告.docx", report, title="工作报告")
    upload("2.1.3", "报告副本.docx", report, title="工作报告副本")  # the same content
    renditions = renditions_by_title(campaign)
    assert renditions["工作报告"] == renditions["工作报告副本"] == Rendition(CONVERTED, 1)
    assert soffice_runs == [1]  # one content, converted once
    cached = cache_name(materials(campaign)["工作报告"].blob.sha256)
    assert default_storage.exists(cached)

    pages = material_pages(campaign, tmp_path)
    assert "区司法局行政复议工作报告正文" in pages["工作报告"]
    assert "区司法局行政复议工作报告正文" in pages["工作报告副本"]
    assert soffice_runs == [1]  # binding took the cached PDF

    # An entry cut short while it was written is converted again.
    with default_storage.open(cached, "rb") as fh:
        complete = fh.read()
    default_storage.delete(cached)
    default_storage.save(cached, ContentFile(complete[: len(complete) // 2]))
    assert renditions_by_title(campaign)["工作报告"] == Rendition(CONVERTED, 1)
    assert soffice_runs == [1, 1]


@needs_libreoffice
def test_a_file_that_fails_in_a_batch_gets_a_run_of_its_own_and_then_a_placeholder(
    upload, campaign, tmp_path, soffice_runs
):
    upload("1.1.1", "报告.docx", docx_file("工作报告正文"), title="工作报告")
    upload("1.1.1", "损坏.docx", b"PK\x03\x04 not a real package" * 10, title="损坏的文档")
    upload("1.1.1", "说明.txt", "情况说明正文\n".encode() * 5, title="情况说明")
    assert renditions_by_title(campaign) == {
        "工作报告": Rendition(CONVERTED, 1),
        "损坏的文档": placeholder(CONVERSION_FAILED),
        "情况说明": Rendition(CONVERTED, 1),
    }
    assert soffice_runs == [3, 1]  # the batch, then the one that did not come out of it alone
    pages = material_pages(campaign, tmp_path)
    assert "情况说明正文" in pages["情况说明"]
    assert flat(CONVERSION_FAILED) in flat(pages["损坏的文档"])


def test_a_hanging_libreoffice_is_killed_while_the_build_keeps_signalling_life(
    upload, campaign, tmp_path, monkeypatch
):
    hanging = tmp_path / "soffice"
    hanging.write_text("#!/bin/sh\nexec sleep 60\n")
    hanging.chmod(hanging.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(conversion, "soffice_path", lambda: str(hanging))
    monkeypatch.setattr(conversion, "RUN_SECONDS", 1)
    monkeypatch.setattr(conversion, "SECONDS_PER_FILE", 0)
    monkeypatch.setattr(conversion, "HEARTBEAT_SECONDS", 0.2)
    upload("1.1.1", "甲.docx", docx_file("甲"), title="甲")
    upload("1.1.1", "乙.docx", docx_file("乙"), title="乙")
    calls = []
    started = time.monotonic()
    found = list(materials(campaign).values())
    renditions = prepare_renditions(found, progress=lambda done, total: calls.append((done, total)))
    # One batch and two single runs, each given up after a second.
    assert time.monotonic() - started < 10
    assert set(renditions.values()) == {placeholder(CONVERSION_FAILED)}
    assert calls.count((0, 2)) >= 6  # signs of life while LibreOffice hung
    assert calls[-1] == (2, 2)
