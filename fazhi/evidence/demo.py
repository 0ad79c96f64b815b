"""Materials for the demo campaigns: small but real files (Word, PDF, Excel, text, photos) made in
code, titled after what the indicator asks for (佐证材料要求), with the issuing unit, a document
number and a date in their text as real documents have them, uploaded through `evidence_upload`
and read at once, so that search, the document numbers and the period check work from the
first page view."""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import cache
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from PIL import Image, ImageDraw

from fazhi.campaigns.models import Item
from fazhi.evidence.models import Evidence, ExtractStatus
from fazhi.evidence.services import blob_extract, evidence_upload
from fazhi.orgs.models import Unit
from fazhi.synthetic.text import TOPICS, body_text, chinese_date

# What a required-evidence phrase asks for decides the kind of file units bring for it.
SHEET_WORDS = ("台账", "统计", "清单", "名录", "名册", "一览表", "花名册", "登记表", "明细")
PHOTO_WORDS = ("照片", "截图", "页面", "图片")
POLICY_WORDS = ("方案", "办法", "规定", "制度", "规则", "细则", "意见", "机制", "规划", "计划")
RECORD_WORDS = ("记录", "纪要", "签到")
# Document-number prefixes of 市中区's offices (发文字号); others use the first characters.
NUMBER_PREFIXES = {
    "区委依法治区办": "市中法治办发",
    "区委办": "市中委办发",
    "区政府办": "市中政办发",
    "区司法局": "市中司发",
    "区委组织部": "市中组发",
}


@dataclass(frozen=True)
class DemoFile:
    name: str
    content: bytes
    title: str = ""  # what the uploader typed; the file's name without extension when empty


# -- the files -------------------------------------------------------------------------------


@cache
def _docx_template() -> dict[str, bytes]:
    buffer = io.BytesIO()
    Document().save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return {name: package.read(name) for name in package.namelist()}


def _docx_paragraph(text: str, *, centred=False, bold=False, size=None, red=False) -> str:
    props = "<w:pPr><w:jc w:val='center'/></w:pPr>" if centred else ""
    run = ("<w:b/>" if bold else "") + ("<w:color w:val='C00000'/>" if red else "")
    run += f"<w:sz w:val='{size * 2}'/>" if size else ""
    run_props = f"<w:rPr>{run}</w:rPr>" if run else ""
    return f"<w:p>{props}<w:r>{run_props}<w:t xml:space='preserve'>{escape(text)}</w:t></w:r></w:p>"


def docx_bytes(lines: list[str], *, heading_lines: int = 0, red_header: bool = False) -> bytes:
    """A Word document of one paragraph per line; the first `heading_lines` centred in bold
    (the issuer of a red-header document in red). Built on python-docx's own template with the
    body written directly: python-docx takes a tenth of a second for each new document."""
    parts = dict(_docx_template())
    body = "".join(
        _docx_paragraph(
            line,
            centred=number < heading_lines,
            bold=number < heading_lines,
            size=22 if red_header and number == 0 else (16 if number < heading_lines else None),
            red=red_header and number == 0,
        )
        for number, line in enumerate(lines)
    )
    document = parts["word/document.xml"].decode("utf-8")
    section = re.search(r"<w:sectPr\b", document)
    parts["word/document.xml"] = (
        document[: section.start()] + body + document[section.start() :]
    ).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return buffer.getvalue()


def _pdf_text(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


def _wrap(line: str, width: int) -> list[str]:
    """Lines of at most `width` characters, broken after a punctuation mark where one falls in
    the second half of the line: the text read back from the PDF keeps its words whole."""
    parts = []
    while len(line) > width:
        cut = max(line.rfind(mark, width // 2, width) for mark in "，。、；：）")
        cut = cut + 1 if cut > 0 else width
        parts.append(line[:cut])
        line = line[cut:]
    return [*parts, line] if line or not parts else parts


PDF_LINES_PER_PAGE = 34


def _pdf_pages(lines: list[str], heading_lines: int, red_header: bool) -> list[bytes]:
    """The content stream of each page: the heading lines centred and larger, the body wrapped
    at 39 characters, 34 lines to a page."""
    placed: list[tuple[str, int, bool]] = []  # (text, size, red)
    for number, line in enumerate(lines):
        if number < heading_lines:
            red = red_header and number == 0
            placed.append((line, 20 if red else 16, red))
        else:
            placed += [(part, 12, False) for part in _wrap(line, 39)]
    pages = []
    for start in range(0, len(placed), PDF_LINES_PER_PAGE):
        commands = ["BT", "60 770 Td"]
        for text, size, red in placed[start : start + PDF_LINES_PER_PAGE]:
            indent = max(0, (475 - len(text) * size) / 2) if size > 12 else 0
            commands += [
                "0.8 0 0 rg" if red else "0 0 0 rg",
                f"/F1 {size} Tf",
                f"{indent:.0f} 0 Td {_pdf_text(text)} Tj {-indent:.0f} -{size + 10} Td",
            ]
        commands.append("ET")
        pages.append("\n".join(commands).encode("ascii"))
    return pages


def pdf_bytes(lines: list[str], *, heading_lines: int = 0, red_header: bool = False) -> bytes:
    """A text PDF in the standard Chinese font every reader has (STSong-Light, not embedded,
    Unicode-encoded): small, made at once, and its text is read back as written."""
    streams = _pdf_pages(lines, heading_lines, red_header)
    # Objects 1-5: catalog, page tree, font, its descendant and descriptor; then per page the
    # page and its content stream.
    first_page = 6
    kids = " ".join(f"{first_page + 2 * n} 0 R" for n in range(len(streams)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(streams)} >>".encode("ascii"),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H "
        b"/DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor 5 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
    ]
    for number, stream in enumerate(streams):
        contents = first_page + 2 * number + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % contents
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def xlsx_bytes(title: str, header: list[str], rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEF", (6, 36, 20, 14, 24, 12), strict=False):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def jpg_bytes(rng: random.Random) -> bytes:
    """A photo taken on site: a room, a banner and people, drawn; it carries no text."""
    image = Image.new("RGB", (640, 480), (rng.randint(180, 230),) * 3)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 480), fill=(rng.randint(90, 140), 80, 60))  # floor
    draw.rectangle((80, 40, 560, 110), fill=(180, 20, 30))  # banner
    for _ in range(rng.randint(6, 12)):
        x, y = rng.randint(20, 600), rng.randint(200, 330)
        colour = tuple(rng.randint(20, 120) for _ in range(3))
        draw.ellipse((x, y, x + 26, y + 26), fill=(230, 190, 160))
        draw.rectangle((x - 6, y + 26, x + 32, y + 110), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


# -- what a material says ----------------------------------------------------------------------


def _kind(rng: random.Random, piece: str) -> str:
    if any(word in piece for word in PHOTO_WORDS):
        return "jpg"
    if any(word in piece for word in SHEET_WORDS):
        return "xlsx"
    if any(word in piece for word in RECORD_WORDS):
        return rng.choice(["docx", "docx", "txt"])
    if any(word in piece for word in POLICY_WORDS):
        return rng.choice(["pdf", "pdf", "docx"])
    return rng.choice(["docx", "docx", "pdf", "pdf", "txt"])


def number_prefix(unit: Unit) -> str:
    short = unit.short_name or unit.name
    return NUMBER_PREFIXES.get(short, f"市中{short.removeprefix('区')[:2]}发")


def material_file(
    rng: random.Random,
    *,
    piece: str,
    item: Item,
    unit: Unit,
    issued_on: date,
    serial: int,
    place: str = "市中区",
) -> DemoFile:
    """A material answering one phrase of the item's evidence requirement, from `unit`."""
    kind = _kind(rng, piece)
    year = issued_on.year
    archive = f"档号：{unit.code}-{year}-{serial:03d}"
    if kind == "jpg":  # named by the phone that took it; the liaison types what it shows
        taken = f"{issued_on:%Y%m%d}_{rng.randint(8, 17):02d}{rng.randint(0, 5959):04d}"
        return DemoFile(f"IMG_{taken}.jpg", jpg_bytes(rng), title=piece)
    if kind == "xlsx":
        title = f"{unit.short_name or unit.name}{year}年{piece}"
        rows = [
            [
                number,
                f"{rng.choice(TOPICS)}（{item.code}）",
                unit.short_name or unit.name,
                chinese_date(issued_on.replace(day=1)) if number % 2 else chinese_date(issued_on),
                rng.choice(["已完成", "已完成", "持续推进", "已整改"]),
                rng.randint(1, 60),
            ]
            for number in range(1, rng.randint(6, 12))
        ]
        rows.append(["", archive, "", "", "", ""])
        header = ["序号", "事项", "责任单位", "完成时间", "完成情况", "数量"]
        return DemoFile(f"{title}.xlsx", xlsx_bytes(title, header, rows))
    policy = any(word in piece for word in POLICY_WORDS)
    title = f"关于印发《{place}{piece}》的通知" if policy else f"{year}年{piece}"
    heading = (
        [unit.name, f"{number_prefix(unit)}〔{year}〕{serial % 200 + 1}号", title]
        if policy
        else [title]
    )
    body = [
        # Documents speak of their own district as 我区, 区司法局…
        f"为做好“{item.title}”工作，{body_text(rng, '区', '区')}",
        f"围绕{rng.choice(TOPICS)}，{body_text(rng, '区', '区')}",
    ]
    lines = [*heading, *body, unit.name, chinese_date(issued_on), archive]
    if kind == "txt":
        return DemoFile(f"{title}.txt", "\r\n".join(lines).encode("utf-8"))
    make = pdf_bytes if kind == "pdf" else docx_bytes
    content = make(lines, heading_lines=len(heading), red_header=policy)
    return DemoFile(f"{title}.{kind}", content)


def required_pieces(item: Item) -> list[str]:
    """The phrases of the item's evidence requirement ("会议纪要；工作台账" → two)."""
    text = item.required_evidence or item.title
    return [piece.strip() for piece in re.split(r"[；;\n]", text) if piece.strip()]


# -- uploading -------------------------------------------------------------------------------


def upload(*, acting_user, item: Item, file: DemoFile, unit: Unit | None = None) -> Evidence:
    """Upload through the service and read the file's text at once: the worker would read it
    later, but the demo's first search, document numbers and period check need it now."""
    evidence = evidence_upload(
        acting_user=acting_user,
        item=item,
        file=ContentFile(file.content, name=file.name),
        unit=unit,
        title=file.title,
    )
    blob = evidence.current.blob
    blob.refresh_from_db(fields=["extract_status"])
    if blob.extract_status == ExtractStatus.PENDING:
        blob_extract(blob_id=blob.pk)
        evidence.refresh_from_db()
    return evidence
