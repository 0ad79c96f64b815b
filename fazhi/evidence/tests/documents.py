"""Real files of every kind evidence comes in, built in a test's tmp_path: for the extraction
tests and for the evidence app's upload and search tests. Each builder writes `path` and
returns it."""

from __future__ import annotations

import io
import logging
import shutil
import struct
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import openpyxl
import pptx
import xlwt
from fpdf import FPDF
from PIL import Image
from pptx.util import Cm

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
OFD_NAMESPACE = "http://www.ofdspec.org/2016"

# fontTools reports every glyph table it cannot subset; nothing a test reader needs.
logging.getLogger("fontTools").setLevel(logging.ERROR)


def cjk_font() -> str | None:
    """A font with Chinese glyphs, so PDFs carry real Chinese text; None if none is installed."""
    return next((font for font in CJK_FONTS if Path(font).is_file()), None)


def _chinese_pdf() -> FPDF:
    font = cjk_font()
    if font is None:
        raise FileNotFoundError("no CJK font installed; see CJK_FONTS")
    pdf = FPDF()
    pdf.add_font("cjk", fname=font)
    pdf.set_font("cjk", size=12)
    return pdf


def build_pdf(path: Path, pages: list[str]) -> Path:
    """One page per string; line breaks in a string start new lines."""
    pdf = _chinese_pdf()
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def build_encrypted_pdf(
    path: Path, text: str, user_password: str, owner_password: str = "owner-secret"
) -> Path:
    """RC4-encrypted (readable without the cryptography package). An empty user password gives
    the common government PDF that opens freely but forbids editing."""
    pdf = _chinese_pdf()
    pdf.set_encryption(owner_password=owner_password, user_password=user_password)
    pdf.add_page()
    pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def build_scanned_pdf(path: Path, pages: int = 1) -> Path:
    """Pages holding only a picture, like a scan without a text layer."""
    picture = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(picture, format="PNG")
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        picture.seek(0)
        pdf.image(picture, x=10, y=10, w=190)
    pdf.output(str(path))
    return path


def build_docx(
    path: Path,
    paragraphs: list[str],
    table: list[list[str]] | None = None,
    header: str | None = None,
    footer: str | None = None,
) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for cells, row in zip(grid.rows, table, strict=False):
            for cell, text in zip(cells.cells, row, strict=False):
                cell.text = text
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    document.save(str(path))
    return path


def build_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(str(path))
    return path


def build_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    """The old Excel 97-2003 format, through xlwt."""
    book = xlwt.Workbook(encoding="utf-8")
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        for row_number, row in enumerate(rows):
            for column, value in enumerate(row):
                sheet.write(row_number, column, value)
    book.save(str(path))
    return path


def build_pptx(path: Path, slides: list[list[str]], table: list[list[str]] | None = None) -> Path:
    """Each slide's first line is its title, the rest a text box; `table` goes on the last
    slide; the second line of the first slide sits in a group, as drawings often do."""
    presentation = pptx.Presentation()
    for number, lines in enumerate(slides):
        slide = presentation.slides.add_slide(presentation.slide_layouts[5])
        slide.shapes.title.text = lines[0]
        rest = lines[1:]
        if number == 0 and rest:
            group = slide.shapes.add_group_shape()
            group.shapes.add_textbox(Cm(2), Cm(14), Cm(10), Cm(2)).text_frame.text = rest[0]
            rest = rest[1:]
        if rest:
            box = slide.shapes.add_textbox(Cm(2), Cm(5), Cm(20), Cm(8))
            box.text_frame.text = "\n".join(rest)
    if table:
        shape = slide.shapes.add_table(len(table), len(table[0]), Cm(2), Cm(10), Cm(20), Cm(4))
        for row_number, row in enumerate(table):
            for column, text in enumerate(row):
                shape.table.cell(row_number, column).text = text
    presentation.save(str(path))
    return path


def build_txt(path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    data = text.encode(encoding)
    if bom:
        data = "\ufeff".encode(encoding) + data
    path.write_bytes(data)
    return path


def build_image(path: Path, format: str = "PNG") -> Path:
    Image.new("RGB", (32, 32), "red").save(path, format=format)
    return path


def build_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def build_ofd(
    path: Path,
    pages: list[list[str]],
    *,
    run_length: int = 3,
    object_per_run: bool = False,
    absolute_locations: bool = False,
    font_size: float = 5.0,
) -> Path:
    """An OFD laid out as GB/T 33190 describes: OFD.xml → Doc_0/Document.xml → one
    Pages/Page_N/Content.xml per page. Each page is a list of lines; each line is cut into runs
    of `run_length` characters, one TextCode per run, in one TextObject per line — or, with
    `object_per_run`, one TextObject per run, as many producers write them."""
    prefix = "/Doc_0/" if absolute_locations else ""
    members = {
        "OFD.xml": _ofd_xml(
            '<ofd:OFD {ns} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
            "<ofd:DocID>0c2b4e8f</ofd:DocID><ofd:Title>测试文件</ofd:Title>"
            "<ofd:CreationDate>2024-05-12</ofd:CreationDate></ofd:DocInfo>"
            f"<ofd:DocRoot>{'/' if absolute_locations else ''}Doc_0/Document.xml</ofd:DocRoot>"
            "</ofd:DocBody></ofd:OFD>"
        ),
        "Doc_0/PublicRes.xml": _ofd_xml(
            '<ofd:Res {ns} BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
        ),
    }
    page_entries = "".join(
        f'<ofd:Page ID="{10 + number}" BaseLoc="{prefix}Pages/Page_{number}/Content.xml"/>'
        for number in range(len(pages))
    )
    members["Doc_0/Document.xml"] = _ofd_xml(
        "<ofd:Document {ns}><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>"
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
        f"<ofd:Pages>{page_entries}</ofd:Pages></ofd:Document>"
    )
    for number, lines in enumerate(pages):
        members[f"Doc_0/Pages/Page_{number}/Content.xml"] = _ofd_page(
            lines, run_length, object_per_run, font_size
        )
    return build_zip(path, members)


def _ofd_xml(body: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body.replace(
        "{ns}", f'xmlns:ofd="{OFD_NAMESPACE}"'
    )


def _ofd_page(lines: list[str], run_length: int, object_per_run: bool, size: float) -> str:
    objects = []
    object_id = 100
    for line_number, line in enumerate(lines):
        top = 20 + line_number * size * 2
        runs = [line[start : start + run_length] for start in range(0, len(line), run_length)]
        codes = []
        for run_number, run in enumerate(runs):
            x = run_number * run_length * size
            if object_per_run:
                object_id += 1
                objects.append(
                    f'<ofd:TextObject ID="{object_id}" Boundary="{20 + x} {top} {size * len(run)} '
                    f'{size * 1.5}" Font="2" Size="{size}"><ofd:TextCode X="0" Y="{size}">'
                    f"{escape(run)}</ofd:TextCode></ofd:TextObject>"
                )
            else:
                codes.append(f'<ofd:TextCode X="{x}" Y="{size}">{escape(run)}</ofd:TextCode>')
        if codes:
            object_id += 1
            objects.append(
                f'<ofd:TextObject ID="{object_id}" Boundary="20 {top} 170 {size * 1.5}" '
                f'Font="2" Size="{size}">{"".join(codes)}</ofd:TextObject>'
            )
    return _ofd_xml(
        '<ofd:Page {ns}><ofd:Content><ofd:Layer ID="99">'
        f"{''.join(objects)}</ofd:Layer></ofd:Content></ofd:Page>"
    )


def build_ole(path: Path, stream_names: list[str]) -> Path:
    """A bare OLE2 compound file with empty streams of these names (at most seven): enough to
    stand for the containers Office uses, such as a password-protected .docx
    ("EncryptionInfo", "EncryptedPackage")."""
    entries = [_ole_entry("Root Entry", 5)] + [_ole_entry(name, 2) for name in stream_names]
    directory = b"".join(entries).ljust(1024, b"\x00")
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = struct.pack("<4I", 0xFFFFFFFD, 2, end, free) + b"\xff" * (512 - 16)
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + b"\xff" * (109 * 4 - 4)
    )
    path.write_bytes(header + fat + directory)
    return path


def _ole_entry(name: str, kind: int) -> bytes:
    encoded = name.encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded.ljust(64, b"\x00"),
        len(encoded) + 2,
        kind,
        1,
        0xFFFFFFFF,
        0xFFFFFFFF,
        0xFFFFFFFF,
        bytes(16),
        0,
        0,
        0,
        0xFFFFFFFE,
        0,
    )


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def build_with_libreoffice(path: Path, source: Path) -> Path:
    """Convert `source` (say a .docx) with LibreOffice to the format `path`'s extension names
    (.doc, .ppt, …) — the honest way to get the old binary formats."""
    program = soffice()
    if program is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    target = path.suffix.lstrip(".")
    with tempfile.TemporaryDirectory() as workdir:
        work = Path(workdir)
        subprocess.run(
            [
                program,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(work),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
            env={"PATH": "/usr/bin:/bin", "HOME": str(work)},
        )
        shutil.move(work / f"{source.stem}.{target}", path)
    return path


def scanned_page(lines: list[str], *, size: tuple[int, int] = (1000, 640)) -> Image.Image:
    """A grey page of Chinese text as a scanner or phone gives it: pixels only, no text layer."""
    from PIL import ImageDraw, ImageFont

    font = cjk_font()
    if font is None:
        raise FileNotFoundError("no CJK font installed; see CJK_FONTS")
    page = Image.new("L", size, 250)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(font, 34)
    for number, line in enumerate(lines):
        draw.text((50, 40 + number * 70), line, font=face, fill=20)
    return page


def build_scan_image(
    path: Path, lines: list[str], *, format: str = "PNG", turned: bool = False
) -> Path:
    """A scanned or photographed page; `turned`: a phone photo stored on its side, with the
    EXIF orientation that says to turn it back upright."""
    page = scanned_page(lines).convert("RGB")
    if turned:
        exif = Image.Exif()
        exif[0x0112] = 6  # "rotate 90° clockwise to display"
        page.rotate(90, expand=True).save(path, format=format, exif=exif, quality=90)
    else:
        page.save(path, format=format)
    return path


def build_image_pdf(path: Path, pages: list[list[str]], *, copies: int = 1) -> Path:
    """A PDF of scanned pages (images only, as a scanner writes it); `copies` repeats the pages
    by reference, so a 500-page scan stays small."""
    from pypdf import PdfReader, PdfWriter

    images = [scanned_page(lines) for lines in pages]
    single = io.BytesIO()
    images[0].save(single, format="PDF", resolution=200, save_all=True, append_images=images[1:])
    if copies == 1:
        path.write_bytes(single.getvalue())
        return path
    writer = PdfWriter()
    source = PdfReader(single)
    for _ in range(copies):
        for page in source.pages:
            writer.add_page(page)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def build_text_then_scan_pdf(path: Path, text: str, scan_lines: list[str]) -> Path:
    """A typed page followed by a scanned attachment, as offices combine them."""
    from pypdf import PdfWriter

    typed, scanned = path.with_suffix(".typed.pdf"), path.with_suffix(".scan.pdf")
    build_pdf(typed, [text])
    build_image_pdf(scanned, [scan_lines])
    writer = PdfWriter()
    writer.append(str(typed))
    writer.append(str(scanned))
    with path.open("wb") as handle:
        writer.write(handle)
    return path
