"""The pages a volume draws itself — cover, contents (目录), indicator dividers, placeholders for
materials that cannot be shown, images fitted to A4 — and the page-number stamps laid over every
page but the cover. Drawn with fpdf2 in a Chinese font from the system's packages, whose subset is
embedded with its Unicode map so that the text can be searched and copied.

The contents and the dividers give one line to each entry, cut to fit, so how many pages they
take is known from the number of entries alone: the volume's page numbers are settled before a
page is drawn."""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.image_parsing import preload_image
from PIL import ExifTags, Image, ImageOps

# Debian's CJK fonts that fpdf2 embeds, best first; FAZHI_PDF_FONT names another.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
FONT = "cjk"
# The subsetter reports every table of the font it leaves out; the volumes need none of them.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

# Geometry in points on A4 portrait.
A4_WIDTH, A4_HEIGHT = 595.28, 841.89
MARGIN = 56.7  # 20 mm
TOP = 70.0
BODY_BOTTOM = A4_HEIGHT - 70.0  # below it sits the page number
LINE = 20.0
NUMBER_WIDTH = 36.0  # the page numbers' column on the right of the contents
HEADING_SPACE = 56.0  # the 目录 heading, or a continued divider's heading
DIVIDER_HEAD_SPACE = 300.0  # code, title (3 lines) and facts (4) on a divider's first page
ENTRY_INDENT = 18.0


def _lines_per_page(top: float) -> int:
    return int((BODY_BOTTOM - top) // LINE)


CONTENTS_LINES = _lines_per_page(TOP + HEADING_SPACE)
DIVIDER_FIRST = _lines_per_page(TOP + DIVIDER_HEAD_SPACE)
DIVIDER_NEXT = _lines_per_page(TOP + HEADING_SPACE)


class FontMissing(ImproperlyConfigured):
    pass


def cjk_font() -> Path:
    """The font the volumes are drawn in. Checked before a build converts anything, so that a
    missing font fails it at once with a message saying what to install."""
    configured = os.environ.get("FAZHI_PDF_FONT")
    if configured:
        if Path(configured).is_file():
            return Path(configured)
        raise FontMissing(f"环境变量 FAZHI_PDF_FONT 指定的字体文件不存在：{configured}")
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "生成汇编需要中文字体，服务器上没有找到。请安装 fonts-wqy-zenhei"
        "（apt-get install fonts-wqy-zenhei），或用环境变量 FAZHI_PDF_FONT 指定字体文件。"
    )


@dataclass(frozen=True)
class Entry:
    """One line of the contents or of a divider's list: its text and the page it points at."""

    text: str
    page: int
    indent: bool = False


def _page_count(lines: int, first: int, following: int) -> int:
    return 1 if lines <= first else 1 + math.ceil((lines - first) / following)


def contents_page_count(entries: int) -> int:
    return _page_count(entries, CONTENTS_LINES, CONTENTS_LINES)


def divider_page_count(materials: int) -> int:
    return _page_count(materials, DIVIDER_FIRST, DIVIDER_NEXT)


class DrawnPages:
    """One fpdf2 document with every page a volume draws itself, in the volume's order: the font
    is read once per volume, and its subset embedded once."""

    def __init__(self, font: Path) -> None:
        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(MARGIN, TOP, MARGIN)
        self.pdf.add_font(FONT, fname=str(font))
        self.width = A4_WIDTH - 2 * MARGIN

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    # -- cover, contents, dividers -------------------------------------------------------------

    def cover(
        self, *, title: str, subtitle: str, volume: int, total: int, scope: list[str], on: date
    ) -> None:
        self.pdf.add_page()
        y = self._centred(title, size=26, y=200, max_lines=3)
        y = self._centred(subtitle, size=18, y=y + 24, max_lines=2)
        y = self._centred("申报材料汇编", size=22, y=y + 48, max_lines=1)
        y = self._centred(f"第 {volume} 册 / 共 {total} 册", size=16, y=y + 40, max_lines=1)
        y += 40
        for line in scope[:6]:
            y = self._centred(line, size=12, y=y, max_lines=1)
        self._centred(
            f"{on.year}年{on.month}月{on.day}日", size=14, y=BODY_BOTTOM - 40, max_lines=1
        )

    def contents(self, entries: list[Entry]) -> None:
        for index, page in enumerate(list(_chunks(entries, CONTENTS_LINES)) or [[]]):
            self.pdf.add_page()
            self._centred("目　录" if index == 0 else "目录（续）", size=20, y=TOP, max_lines=1)
            self._entries(page, top=TOP + HEADING_SPACE)

    def divider(self, *, code: str, title: str, facts: list[str], entries: list[Entry]) -> None:
        """An indicator's first page: what it is, who leads it and the materials that follow
        (or, in `facts`, that there are none)."""
        self.pdf.add_page()
        self._text(code, size=16, x=MARGIN, y=TOP + 40)
        y = self._wrapped(title, size=22, y=TOP + 72, max_lines=3, line=32)
        y += 24
        for fact in facts[:4]:
            self._text(self._fit(fact, self.width, size=13), size=13, x=MARGIN, y=y)
            y += 24
        first, rest = entries[:DIVIDER_FIRST], entries[DIVIDER_FIRST:]
        self._entries(first, top=TOP + DIVIDER_HEAD_SPACE)
        for page in _chunks(rest, DIVIDER_NEXT):
            self.pdf.add_page()
            heading = self._fit(f"{code} {title}（续）", self.width, size=14)
            self._text(heading, size=14, x=MARGIN, y=TOP)
            self._entries(page, top=TOP + HEADING_SPACE)

    # -- materials drawn here ------------------------------------------------------------------

    def placeholder(self, *, heading: str, facts: list[tuple[str, str]]) -> None:
        """A page standing in for a material that cannot be shown: what it is and why."""
        self.pdf.add_page()
        self._centred(heading, size=18, y=TOP + 60, max_lines=2)
        y = TOP + 130
        for label, value in facts:
            y = self._wrapped(f"{label}：{value}", size=12, y=y, max_lines=3, line=20) + 10

    def picture(self, path: Path) -> None:
        """An image on one A4 page turned to suit it, scaled to fill the space inside the margins.
        The image is read before the page is added, so an unreadable one adds no page."""
        image = _upright(path)
        _, _, info = preload_image(self.pdf.image_cache, image)
        self.pdf.add_page(orientation="L" if info["w"] > info["h"] else "P")
        self.pdf.image(
            image,
            x=MARGIN,
            y=MARGIN,
            w=self.pdf.w - 2 * MARGIN,
            h=self.pdf.h - MARGIN - (A4_HEIGHT - BODY_BOTTOM),
            keep_aspect_ratio=True,
        )

    # -- drawing text --------------------------------------------------------------------------

    def _entries(self, entries: list[Entry], *, top: float) -> None:
        for row, entry in enumerate(entries):
            y = top + row * LINE
            size = 10.5 if entry.indent else 12
            indent = ENTRY_INDENT if entry.indent else 0
            room = self.width - indent - NUMBER_WIDTH
            self._text(self._fit(entry.text, room, size=size), size=size, x=MARGIN + indent, y=y)
            number = str(entry.page)
            self.pdf.set_font(FONT, size=size)
            right = A4_WIDTH - MARGIN - self.pdf.get_string_width(number)
            self.pdf.text(right, y, number)

    def _text(self, text: str, *, size: float, x: float, y: float) -> None:
        self.pdf.set_font(FONT, size=size)
        self.pdf.text(x, y, text)

    def _centred(self, text: str, *, size: float, y: float, max_lines: int) -> float:
        """Draw `text` centred from baseline `y`, wrapped to at most `max_lines` lines; returns
        the baseline after it."""
        return self._wrapped(
            text, size=size, y=y, max_lines=max_lines, line=size * 1.5, centre=True
        )

    def _wrapped(
        self,
        text: str,
        *,
        size: float,
        y: float,
        max_lines: int,
        line: float,
        centre: bool = False,
    ) -> float:
        self.pdf.set_font(FONT, size=size)
        for row in self._wrap(_one_line(text), size=size, max_lines=max_lines):
            width = self.pdf.get_string_width(row)
            self.pdf.text((A4_WIDTH - width) / 2 if centre else MARGIN, y, row)
            y += line
        return y

    def _wrap(self, text: str, *, size: float, max_lines: int) -> list[str]:
        self.pdf.set_font(FONT, size=size)
        rows = self.pdf.multi_cell(
            self.width, text=text, dry_run=True, output="LINES", wrapmode=WrapMode.CHAR
        )
        if len(rows) > max_lines:
            rows = rows[:max_lines]
            rows[-1] = self._fit(rows[-1] + "…", self.width, size=size)
        return rows

    def _fit(self, text: str, width: float, *, size: float) -> str:
        """`text` on one line: cut with an ellipsis when it is wider than `width`."""
        text = _one_line(text)
        self.pdf.set_font(FONT, size=size)
        if self.pdf.get_string_width(text) <= width:
            return text
        while text and self.pdf.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _chunks(items: list, size: int):
    return (items[start : start + size] for start in range(0, len(items), size))


def _upright(path: Path) -> Path | Image.Image:
    """The image as the camera held it: fpdf2 ignores the EXIF orientation phones write, so a
    turned photo is turned here; any other image goes to fpdf2 as a file, which keeps a JPEG's
    bytes as they are."""
    with Image.open(path) as image:
        # Only cameras write the orientation, in JPEG; reading other formats' EXIF decodes them.
        if image.format != "JPEG" or image.getexif().get(ExifTags.Base.Orientation, 1) == 1:
            return path
        return ImageOps.exif_transpose(image)


# -- page numbers --------------------------------------------------------------------------------


def page_number_stamps(sizes: list[tuple[float, float]], *, first: int) -> bytes:
    """One transparent page per size, numbered from `first`, the number at the bottom centre.
    Each stamp has its page's visible size, so that laid over that page it lands in the middle
    of the bottom edge of A4, A3 or any other format alike."""
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    for number, (width, height) in enumerate(sizes, start=first):
        pdf.add_page(format=(width, height))
        # The number grows with the page, so that a large drawing printed smaller keeps it legible.
        size = min(max(10 * min(width, height) / A4_WIDTH, 8), 36)
        pdf.set_font("helvetica", size=size)
        label = f"- {number} -"
        pdf.text((width - pdf.get_string_width(label)) / 2, height - 3 * size, label)
    return bytes(pdf.output())
