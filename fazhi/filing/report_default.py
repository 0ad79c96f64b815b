"""The built-in template of the self-assessment report (自评报告), built here with python-docx so
that it is read and reviewed as code, not kept as a binary. It holds docxtpl tags over the
vocabulary of `fazhi.filing.report_vocabulary`; administrators download it, edit it in Word or
WPS and upload their own (`fazhi.filing.report_templates`).

Laid out the way government documents are (GB/T 9704): A4 with 37/35/28/26 mm margins, the title
in 宋体 二号, headings in 黑体 and 楷体 三号, the text in 仿宋 三号 at a fixed 28-point line
pitch with a two-character first-line indent, page numbers as "— 1 —". East Asian font names are
set on every style, since Word and WPS otherwise fall back to the theme's fonts for Chinese."""

from __future__ import annotations

from functools import cache
from io import BytesIO

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"

ERHAO, SANHAO, XIAOSI = Pt(22), Pt(16), Pt(12)  # 二号, 三号, 小四
LINE_PITCH = Pt(28)
NO_INDENT = Pt(0)  # explicit: a style without one inherits the body's two-character indent
TEXT_WIDTH = Cm(15.6)  # A4 less the side margins
FIRST_COLUMN_SHARE = {8: 0.28, 5: 0.36}  # the name column of each table; the rest share alike

TITLE_STYLE = "报告标题"
NOTE_STYLE = "报告说明"
TABLE_STYLE = "表格文字"
SIGNATURE_STYLE = "落款"
INDICATOR_STYLE = "指标标题"

THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


@cache
def default_template_bytes() -> bytes:
    """The built-in template as a .docx file; built once per process."""
    document = Document()
    _page_setup(document)
    _styles(document)
    _content(document)
    document.core_properties.title = "自评报告模板"
    document.core_properties.author = "法治政府建设示范创建平台"
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- page and styles -----------------------------------------------------------------------------


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    _page_number_field(footer)
    footer.add_run(" —")


def _page_number_field(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _fonts(style, east_asia: str, size, *, bold: bool = False) -> None:
    """Set a style's Latin and East Asian fonts, dropping the theme fonts that would win."""
    style.font.name = LATIN_FONT
    style.font.size = size
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in THEME_FONT_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), east_asia)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:eastAsia"), "zh-CN")


def _spacing(style, *, indent=NO_INDENT, pitch=LINE_PITCH, align=None, before=0, after=0) -> None:
    fmt = style.paragraph_format
    fmt.first_line_indent = indent
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if pitch is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = pitch
    if align is not None:
        fmt.alignment = align


def _paragraph_style(document, name: str):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    return style


def _styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _fonts(normal, BODY_FONT, SANHAO)
    _spacing(normal, indent=Pt(32), align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        heading = styles[name]
        _fonts(heading, font, SANHAO)
        _spacing(heading, indent=Pt(32))
        heading.paragraph_format.keep_with_next = True

    title = _paragraph_style(document, TITLE_STYLE)
    _fonts(title, TITLE_FONT, ERHAO, bold=True)
    _spacing(title, pitch=Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER, after=12)

    note = _paragraph_style(document, NOTE_STYLE)
    _fonts(note, SUBHEADING_FONT, XIAOSI)
    _spacing(note, pitch=None, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)

    table = _paragraph_style(document, TABLE_STYLE)
    _fonts(table, BODY_FONT, XIAOSI)
    _spacing(table, pitch=None, align=WD_ALIGN_PARAGRAPH.CENTER, before=2, after=2)

    indicator = _paragraph_style(document, INDICATOR_STYLE)
    _fonts(indicator, BODY_FONT, SANHAO, bold=True)
    _spacing(indicator, indent=Pt(32), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    indicator.paragraph_format.keep_with_next = True

    signature = _paragraph_style(document, SIGNATURE_STYLE)
    _fonts(signature, BODY_FONT, SANHAO)
    _spacing(signature, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signature.paragraph_format.right_indent = Pt(32)
    signature.paragraph_format.keep_with_next = True  # the signer and the date on one page


# -- the content ---------------------------------------------------------------------------------


def _content(document) -> None:
    document.add_paragraph("{{ campaign.name }}自评报告", style=TITLE_STYLE)
    document.add_paragraph(
        "（初稿：由平台根据截至{{ today }}的数据生成，请核实、补充后定稿）", style=NOTE_STYLE
    )
    document.add_paragraph(
        "根据{{ campaign.level }}创建工作安排，{{ campaign.region }}对照{{ campaign.framework }}"
        "逐项开展了自查自评，现将有关情况报告如下。"
    )
    _overall(document)
    _itemised(document)
    _lead_office_part(
        document,
        "三、工作亮点",
        written="highlights_paragraphs",
        fallback="highlights",
        empty="（请补充本地区创建工作的特色做法和成效。）",
        chosen=True,
    )
    _lead_office_part(
        document,
        "四、存在的不足",
        written="shortfalls_paragraphs",
        fallback="shortcomings",
        empty="（根据平台数据未发现明显不足，请结合实际补充。）",
    )
    _lead_office_part(
        document,
        "五、下一步工作打算",
        written="next_steps_paragraphs",
        fallback="next_steps",
        empty="（请补充下一步工作安排。）",
        lead_in="针对以上不足，下一步将重点做好以下工作：",
    )

    document.add_paragraph("")
    document.add_paragraph("{{ campaign.region }}人民政府", style=SIGNATURE_STYLE)
    document.add_paragraph("{{ today }}", style=SIGNATURE_STYLE)


def _overall(document) -> None:
    """一、总体情况: the figures of the campaign, its progress and its scores."""
    document.add_heading("一、总体情况", level=1)
    document.add_paragraph(
        "{{ campaign.region }}对照{{ campaign.framework }}开展法治政府建设示范创建工作，"
        "评估期为{{ campaign.period }}。指标体系共 {{ summary.areas }} 个一级指标，"
        "细化分解为 {{ summary.total }} 项任务，由 {{ summary.lead_units }} 个单位牵头落实，"
        "共收集佐证材料 {{ summary.materials }} 份，{{ summary.explained }} 项指标已形成自评说明。"
    )
    document.add_paragraph(
        "截至{{ today }}，已通过审核 {{ summary.approved }} 项，完成率 "
        "{{ summary.completion_text }}；待审核 {{ summary.submitted }} 项，退回整改 "
        "{{ summary.returned }} 项，逾期未完成 {{ summary.overdue }} 项。"
    )
    document.add_paragraph(
        "按“{{ campaign.aggregation }}”方式计分，满分 {{ scores.max_points }} 分，"
        "自评得分 {{ scores.self_score }} 分，审核评分 {{ scores.review_score }} 分，"
        "预估得分 {{ scores.estimate }} 分（已评分指标 {{ scores.scored }} 项，"
        "共 {{ scores.indicators }} 项）。预估得分取审核评分，尚未审核的取自评得分；"
        "未评分的指标按 0 分计。"
    )
    document.add_paragraph("{%p if scores.vetoed %}")
    document.add_paragraph("有指标触发否决项，已按指标体系的规定计分。")
    document.add_paragraph("{%p endif %}")

    document.add_heading("（一）各一级指标完成情况", level=2)
    _loop_table(
        document,
        ("一级指标", "任务项", "已通过", "待审核", "已退回", "逾期", "完成率", "佐证材料"),
        "{%tr for a in areas %}",
        (
            "{{ a.code }} {{ a.title }}",
            "{{ a.total }}",
            "{{ a.approved }}",
            "{{ a.submitted }}",
            "{{ a.returned }}",
            "{{ a.overdue }}",
            "{{ a.completion_text }}",
            "{{ a.materials }}",
        ),
    )
    document.add_heading("（二）各牵头单位完成情况", level=2)
    _loop_table(
        document,
        ("牵头单位", "任务项", "已通过", "逾期", "完成率"),
        "{%tr for u in units %}",
        (
            "{{ u.name }}",
            "{{ u.total }}",
            "{{ u.approved }}",
            "{{ u.overdue }}",
            "{{ u.completion_text }}",
        ),
    )
    document.add_heading("（三）自评得分", level=2)
    table = _loop_table(
        document,
        ("一级指标", "{{ scores.max_label }}", "自评得分", "审核评分", "预估得分"),
        "{%tr for a in areas %}",
        (
            "{{ a.code }} {{ a.title }}",
            "{{ a.max_points }}",
            "{{ a.self_score }}",
            "{{ a.review_score }}",
            "{{ a.estimate }}",
        ),
    )
    _row(
        table,
        (
            "合计",
            "{{ scores.max_points }}",
            "{{ scores.self_score }}",
            "{{ scores.review_score }}",
            "{{ scores.estimate }}",
        ),
        bold=True,
    )


def _itemised(document) -> None:
    """二、分项自评: per area a heading with its self-score, per indicator its code, title and
    score, then its 自评说明 paragraph by paragraph."""
    document.add_heading("二、分项自评", level=1)
    document.add_paragraph("{%p for a in areas %}")
    document.add_heading(
        "（{{ a.ordinal }}）{{ a.title }}（自评得分 {{ a.self_score }} 分，"
        "{{ scores.max_label }} {{ a.max_points }} 分）",
        level=2,
    )
    document.add_paragraph("{%p for i in a.self_items %}")
    document.add_paragraph(
        "{{ i.code }} {{ i.title }}（{{ i.score_text }}）", style=INDICATOR_STYLE
    )
    document.add_paragraph("{%p for line in i.paragraphs %}")
    document.add_paragraph("{{ line }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endfor %}")


def _lead_office_part(
    document,
    heading: str,
    *,
    written: str,
    fallback: str,
    empty: str,
    lead_in: str = "",
    chosen: bool = False,
) -> None:
    """One of the last three parts: what the lead office wrote (and, for the highlights, the
    indicators it chose with their explanations); failing that, the platform's draft list;
    failing that, a reminder."""
    document.add_heading(heading, level=1)
    condition = f"{written} or highlight_items" if chosen else written
    document.add_paragraph(f"{{%p if {condition} %}}")
    document.add_paragraph(f"{{%p for line in {written} %}}")
    document.add_paragraph("{{ line }}")
    document.add_paragraph("{%p endfor %}")
    if chosen:
        document.add_paragraph("{%p for h in highlight_items %}")
        document.add_paragraph("{{ loop.index }}. {{ h.title }}", style=INDICATOR_STYLE)
        document.add_paragraph("{%p for line in h.paragraphs %}")
        document.add_paragraph("{{ line }}")
        document.add_paragraph("{%p endfor %}")
        document.add_paragraph("{%p endfor %}")
    document.add_paragraph(f"{{%p elif {fallback} %}}")
    if lead_in:
        document.add_paragraph(lead_in)
    document.add_paragraph(f"{{%p for entry in {fallback} %}}")
    document.add_paragraph("{{ loop.index }}. {{ entry.text }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p else %}")
    document.add_paragraph(empty)
    document.add_paragraph("{%p endif %}")


def _loop_table(document, header: tuple[str, ...], loop: str, cells: tuple[str, ...]):
    """A table of a header row and one row repeated by docxtpl: `{%tr for %}` and
    `{%tr endfor %}` each sit alone in a row of their own, which docxtpl removes."""
    table = document.add_table(rows=0, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, _widths(len(header)), strict=True):
        column.width = width
    _row(table, header, bold=True, repeat=True)
    _row(table, (loop,))
    _row(table, cells)
    _row(table, ("{%tr endfor %}",))
    return table


def _widths(columns: int) -> list[int]:
    first = int(TEXT_WIDTH * FIRST_COLUMN_SHARE.get(columns, 1 / columns))
    other = (TEXT_WIDTH - first) // (columns - 1)
    return [first] + [other] * (columns - 1)


def _row(table, texts: tuple[str, ...], *, bold: bool = False, repeat: bool = False) -> None:
    row = table.add_row()
    if repeat:  # the header row repeats on every page the table runs over
        header = OxmlElement("w:tblHeader")
        row._tr.get_or_add_trPr().append(header)
    widths = _widths(len(row.cells))
    for number, (cell, width) in enumerate(zip(row.cells, widths, strict=True)):
        cell.width = width
        paragraph = cell.paragraphs[0]
        paragraph.style = TABLE_STYLE
        if number == 0 and not bold:  # names read from the left
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if number < len(texts):
            paragraph.add_run(texts[number]).bold = bold or None
