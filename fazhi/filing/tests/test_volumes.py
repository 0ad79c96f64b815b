"""The bound volumes: cover, contents whose page numbers are the pages the materials start on,
dividers, bookmarks, page numbers stamped at the visible bottom of pages of any size and
rotation, and volumes split by page budget or by area."""

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from fazhi.filing import pdfpages
from fazhi.filing.contents import filing_contents
from fazhi.filing.volumes import build_volumes

# -- real files of every kind --------------------------------------------------------------------


def pdf_file(pages: int, label: str, *, format: str = "A4", orientation: str = "P") -> bytes:
    document = FPDF(orientation=orientation, format=format)
    document.set_font("helvetica", size=14)
    for number in range(1, pages + 1):
        document.add_page()
        document.cell(text=f"{label} page {number}")
    return bytes(document.output())


def rotated_pdf(label: str) -> bytes:
    """A portrait page shown turned by a quarter, as scanners save pages fed sideways."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_file(1, label))))
    writer.pages[0].rotate(90)
    return written(writer)


def password_pdf(label: str, *, password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_file(2, label))))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
    return written(writer)


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def corrupt_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R" + b"\x00garbage" * 50


def png_file(size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "steelblue").save(buffer, format="PNG")
    return buffer.getvalue()


def docx_file(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def ofd_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
    return buffer.getvalue()


# -- fixtures and readers ------------------------------------------------------------------------


def bind(campaign, out: Path, *, split: str = "pages", page_budget: int = 400, progress=None):
    out.mkdir(exist_ok=True)
    return build_volumes(
        title=campaign.name,
        subtitle=campaign.region.name,
        indicators=filing_contents(campaign=campaign),
        out_dir=out,
        split=split,
        page_budget=page_budget,
        progress=progress,
    )


def bookmarks(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def contents_lines(reader: PdfReader) -> list[str]:
    """The lines of the contents: the pages from the 目录 bookmark to the first divider."""
    marks = bookmarks(reader)
    first, divider = marks[0][2], marks[2][2]
    return [
        line for page in reader.pages[first:divider] for line in page.extract_text().splitlines()
    ]


def page_listed(lines: list[str], text: str) -> int:
    [line] = [line for line in lines if text in line]
    return int(re.search(r"(\d+)\s*$", line).group(1))


def stamp_position(page, number: int) -> tuple[float, float]:
    """Where the stamped number sits on the page, in the page's own coordinates."""
    found = []

    def visit(text, cm, tm, *_):
        if text.strip() == f"- {number} -":
            found.append(
                (tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
            )

    page.extract_text(visitor_text=visit)
    [position] = found
    return position


# -- one volume, all its parts -------------------------------------------------------------------


@pytest.fixture
def assorted(upload):
    """1.1.1: a 3-page A4 PDF and a 2-page A3 landscape one; 1.1.2: a rotated scan and a photo;
    2.1.3: an OFD; 2.1.4: nothing."""
    upload(
        "1.1.1",
        "决定书.pdf",
        pdf_file(3, "alpha"),
        title="行政复议决定书",
        doc_number="区司复〔2024〕1号",
    )
    upload(
        "1.1.1", "图纸.pdf", pdf_file(2, "bravo", format="A3", orientation="L"), title="执法流程图"
    )
    upload("1.1.2", "扫描件.pdf", rotated_pdf("charlie"), title="公示扫描件")
    upload("1.1.2", "照片.png", png_file(), title="公示栏照片")
    upload("2.1.3", "电子公文.ofd", ofd_file(), title="审查意见书")


def test_a_volume_holds_cover_contents_dividers_and_the_materials_in_order(
    assorted, campaign, tmp_path
):
    calls = []
    [volume] = bind(
        campaign, tmp_path / "out", progress=lambda done, total: calls.append((done, total))
    )
    reader = PdfReader(volume.path)
    # cover, contents, 4 dividers, 3 + 2 + 1 + 1 pages of materials, 1 placeholder for the OFD
    assert len(reader.pages) == volume.pages == 1 + 1 + 4 + 3 + 2 + 1 + 1 + 1
    assert (volume.number, volume.total, volume.first_code, volume.last_code) == (
        1,
        1,
        "1.1.1",
        "2.1.4",
    )
    assert volume.path.name == f"{campaign.name}-第1册.pdf"
    cover = reader.pages[0].extract_text()
    assert campaign.name in cover and "市中区" in cover and "第 1 册 / 共 1 册" in cover
    assert "1.1.1 至 2.1.4" in cover

    marks = bookmarks(reader)
    assert marks[0] == (0, "目录", 1)
    assert [(depth, title) for depth, title, _ in marks[1:]] == [
        (0, "1 依法全面履行政府职能"),
        (1, "1.1.1 行政复议案件依法办理"),
        (2, "1. 行政复议决定书"),
        (2, "2. 执法流程图"),
        (1, "1.1.2 行政执法公示制度全面推行"),
        (2, "3. 公示扫描件"),
        (2, "4. 公示栏照片"),
        (0, "2 健全依法行政制度体系"),
        (1, "2.1.3 规范性文件合法性审查"),
        (2, "5. 审查意见书"),
        (1, "2.1.4 备案审查"),
    ]
    starts = {title: page for _, title, page in marks}
    texts = [page.extract_text() for page in reader.pages]
    # Each bookmark points at the material's own first page.
    assert "alpha page 1" in texts[starts["1. 行政复议决定书"]]
    assert "bravo page 1" in texts[starts["2. 执法流程图"]]
    assert "charlie page 1" in texts[starts["3. 公示扫描件"]]
    assert "/XObject" in reader.pages[starts["4. 公示栏照片"]]["/Resources"]
    assert "电子公文.ofd" in texts[starts["5. 审查意见书"]]
    assert "本指标暂无佐证材料" in texts[starts["2.1.4 备案审查"]]
    assert "牵头单位：市中区司法局" in texts[starts["1.1.1 行政复议案件依法办理"]]

    # The contents list every indicator and material with the page the bookmark goes to.
    lines = contents_lines(reader)
    for depth, title, page in marks[1:]:
        if depth:  # areas head the bookmarks only, not the contents
            assert page_listed(lines, title) == page + 1
    assert any("区司复〔2024〕1号" in line for line in lines)

    # Every page but the cover carries its own physical number.
    assert "- 1 -" not in texts[0]
    for index, text in enumerate(texts[1:], start=2):
        assert f"- {index} -" in text

    # Each material is counted once prepared and once bound, then the volume is written.
    assert calls[-1] == (10, 10)
    assert len(calls) >= 10
    assert [p.name for p in (tmp_path / "out").iterdir()] == [volume.path.name]


def test_pages_of_any_size_and_rotation_get_their_number_at_the_visible_bottom_centre(
    assorted, campaign, tmp_path
):
    [volume] = bind(campaign, tmp_path / "out")
    reader = PdfReader(volume.path)
    starts = {title: page for _, title, page in bookmarks(reader)}
    for title, landscape in (
        ("1. 行政复议决定书", False),
        ("2. 执法流程图", True),
        ("3. 公示扫描件", True),
    ):
        index = starts[title]
        page = reader.pages[index]
        box = page.cropbox
        assert page.rotation == 0
        assert (box.width > box.height) is landscape
        x, y = stamp_position(page, index + 1)
        assert abs(x - (box.left + box.width / 2)) < 30  # the text starts a little left of centre
        assert box.bottom < y < box.bottom + box.height * 0.1
    # The scan kept what it showed: its text now reads across the wide page.
    assert reader.pages[starts["3. 公示扫描件"]].mediabox.width > 800


def test_the_contents_numbers_stay_right_when_they_span_several_pages(upload, campaign, tmp_path):
    for number in range(1, 41):
        upload(
            "1.1.1",
            f"通知{number}.pdf",
            pdf_file(1 + number % 3, f"doc{number}"),
            title=f"工作通知第{number}号",
        )
    [volume] = bind(campaign, tmp_path / "out")
    reader = PdfReader(volume.path)
    marks = bookmarks(reader)
    divider = marks[2][2]
    assert divider == 1 + pdfpages.contents_page_count(44) > 2  # the contents take two pages
    lines = contents_lines(reader)
    texts = [page.extract_text() for page in reader.pages]
    for depth, title, page in marks[1:]:
        if depth == 0:
            continue  # areas head the bookmarks only
        assert page_listed(lines, title) == page + 1
        if depth == 2:
            number = int(title.split(".")[0])
            assert f"doc{number} page 1" in texts[page]


# -- splitting -----------------------------------------------------------------------------------


def test_volumes_are_filled_up_to_the_page_budget_keeping_indicators_whole(
    upload, campaign, tmp_path
):
    upload("1.1.1", "a.pdf", pdf_file(20, "a"), title="材料甲")
    upload("1.1.2", "b.pdf", pdf_file(20, "b"), title="材料乙")
    upload("2.1.3", "c.pdf", pdf_file(20, "c"), title="材料丙")
    upload("2.1.4", "d.pdf", pdf_file(20, "d"), title="材料丁")
    # cover + contents + two indicators of 1 divider and 20 pages each = 44 pages a volume
    volumes = bind(campaign, tmp_path / "out", page_budget=50)
    assert [(v.first_code, v.last_code, v.pages) for v in volumes] == [
        ("1.1.1", "1.1.2", 44),
        ("2.1.3", "2.1.4", 44),
    ]
    assert [v.path.name for v in volumes] == [f"{campaign.name}-第{n}册.pdf" for n in (1, 2)]
    for volume in volumes:
        cover = PdfReader(volume.path).pages[0].extract_text()
        assert f"第 {volume.number} 册 / 共 2 册" in cover
        assert f"{volume.first_code} 至 {volume.last_code}" in cover
    second = PdfReader(volumes[1].path)
    assert [title for _, title, _ in bookmarks(second)][:3] == [
        "目录",
        "2 健全依法行政制度体系",
        "2.1.3 规范性文件合法性审查",
    ]


def test_an_indicator_larger_than_the_budget_is_split_between_its_materials(
    upload, campaign, tmp_path
):
    upload("1.1.1", "a.pdf", pdf_file(20, "a"), title="材料a")
    upload("1.1.1", "b.pdf", pdf_file(20, "b"), title="材料b")
    upload("1.1.1", "huge.pdf", pdf_file(60, "huge"), title="大部头")
    upload("1.1.1", "c.pdf", pdf_file(5, "c"), title="材料c")
    upload("1.1.2", "e.pdf", pdf_file(3, "e"), title="材料e")
    volumes = bind(campaign, tmp_path / "out", page_budget=50)
    titles = [[title for _, title, _ in bookmarks(PdfReader(v.path))] for v in volumes]
    assert titles == [
        ["目录", "1 依法全面履行政府职能", "1.1.1 行政复议案件依法办理", "1. 材料a", "2. 材料b"],
        # A single material larger than a volume stays whole, in a volume of its own.
        ["目录", "1 依法全面履行政府职能", "1.1.1 行政复议案件依法办理（续）", "3. 大部头"],
        # The last share leaves room for the indicators after it.
        [
            "目录",
            "1 依法全面履行政府职能",
            "1.1.1 行政复议案件依法办理（续）",
            "4. 材料c",
            "1.1.2 行政执法公示制度全面推行",
            "5. 材料e",
            "2 健全依法行政制度体系",
            "2.1.3 规范性文件合法性审查",
            "2.1.4 备案审查",
        ],
    ]
    assert [v.pages for v in volumes] == [43, 1 + 1 + 1 + 60, 1 + 1 + 1 + 5 + 1 + 3 + 1 + 1]
    divider = PdfReader(volumes[1].path).pages[2].extract_text()
    assert "大部头" in divider and "共 4 项，本册收录 1 项" in divider


def test_split_by_area_makes_one_volume_per_area(upload, campaign, tmp_path):
    upload("1.1.1", "a.pdf", pdf_file(2, "a"), title="材料甲")
    upload("2.1.3", "c.pdf", pdf_file(2, "c"), title="材料丙")
    volumes = bind(campaign, tmp_path / "out", split="area")
    assert [(v.number, v.total, v.first_code, v.last_code) for v in volumes] == [
        (1, 2, "1.1.1", "1.1.2"),
        (2, 2, "2.1.3", "2.1.4"),
    ]
    cover = PdfReader(volumes[0].path).pages[0].extract_text()
    assert "第 1 册 / 共 2 册" in cover and "1 依法全面履行政府职能" in cover


# -- writing -------------------------------------------------------------------------------------


def test_a_volume_that_fails_while_written_leaves_no_file(upload, campaign, tmp_path, monkeypatch):
    upload("1.1.1", "a.pdf", pdf_file(2, "a"), title="材料甲")

    def broken_write(self, stream):
        stream.write(b"%PDF-1.7 half")
        raise OSError("磁盘已满")

    monkeypatch.setattr(PdfWriter, "write", broken_write)
    with pytest.raises(OSError, match="磁盘已满"):
        bind(campaign, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_without_a_chinese_font_the_build_says_what_to_install(campaign, tmp_path, monkeypatch):
    monkeypatch.setattr(pdfpages, "FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    monkeypatch.delenv("FAZHI_PDF_FONT", raising=False)
    with pytest.raises(pdfpages.FontMissing, match="fonts-wqy-zenhei"):
        bind(campaign, tmp_path / "out")
    monkeypatch.setenv("FAZHI_PDF_FONT", "/nonexistent/other.ttf")
    with pytest.raises(pdfpages.FontMissing, match="/nonexistent/other.ttf"):
        bind(campaign, tmp_path / "out")
